import { render } from 'preact';
import { browser } from '../shared/browser';
import { translate } from '../shared/i18n';
import { background, type TabView } from '../shared/protocol';
import { loadSettings, updateSettings } from '../shared/settings';
import { readTabRecord } from '../shared/tab-record';
import { I18nContext } from '../ui/i18n';
import { PopupView, type PopupState } from './popup-view';
import '../ui/theme.css';
import '../ui/coverage-list.css';
import './popup.css';

/**
 * What to show: `popup.html?url=ADDRESS` shows that address's story (link badges and the context
 * menu open it); `popup.html?tab=ID` shows tab ID, so the view also works opened in a tab (and in
 * tests); otherwise the active tab.
 */
async function targetView(): Promise<TabView & { subject: 'page' | 'link' }> {
  const query = new URLSearchParams(location.search);
  const url = query.get('url');
  if (url !== null) return { ...(await background.getUrlView(url)), subject: 'link' };
  const requested = query.get('tab');
  const tabId =
    requested === null
      ? ((await browser.tabs.query({ active: true, currentWindow: true }))[0]?.id ?? null)
      : /^\d+$/.test(requested)
        ? Number(requested)
        : null;
  if (tabId === null) return { coverage: null, site: null, subject: 'page' };
  // The background's record of the tab, read directly: no round trip, and a stopped background stays stopped.
  const record = await readTabRecord(tabId);
  const view = record ? { coverage: record.coverage, site: record.site } : await background.getTabView(tabId);
  return { ...view, subject: 'page' };
}

async function start(root: HTMLElement): Promise<void> {
  let state: PopupState = { status: 'loading' };
  const show = (): void =>
    render(
      <I18nContext.Provider value={translate}>
        <PopupView state={state} onToggleSite={(site, hide) => void toggleSite(site, hide)} />
      </I18nContext.Provider>,
      root,
    );
  const toggleSite = async (site: string, hide: boolean): Promise<void> => {
    const settings = await updateSettings((current) => ({
      hiddenSites: hide ? [...current.hiddenSites, site] : current.hiddenSites.filter((hidden) => hidden !== site),
    }));
    if (state.status === 'ready') state = { ...state, siteHidden: settings.hiddenSites.includes(site) };
    show();
  };

  document.documentElement.lang = browser.i18n.getUILanguage();
  show();
  try {
    const [settings, view] = await Promise.all([loadSettings(), targetView()]);
    document.documentElement.dataset.theme = settings.theme;
    state = { status: 'ready', ...view, siteHidden: view.site !== null && settings.hiddenSites.includes(view.site) };
  } catch {
    state = { status: 'error' };
  }
  show();
}

void start(document.getElementById('app')!);
