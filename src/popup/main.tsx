import { render } from 'preact';
import { browser } from '../shared/browser';
import { translate } from '../shared/i18n';
import { background } from '../shared/protocol';
import { I18nContext } from '../ui/i18n';
import { PopupView, type PopupState } from './popup-view';
import '../ui/theme.css';
import '../ui/coverage-list.css';
import './popup.css';

/** `popup.html?tab=ID` shows tab ID, so the view also works opened in a tab (and in tests). */
async function targetTabId(): Promise<number | null> {
  const requested = new URLSearchParams(location.search).get('tab');
  if (requested !== null) return /^\d+$/.test(requested) ? Number(requested) : null;
  const [active] = await browser.tabs.query({ active: true, currentWindow: true });
  return active?.id ?? null;
}

function show(root: HTMLElement, state: PopupState): void {
  render(
    <I18nContext.Provider value={translate}>
      <PopupView state={state} />
    </I18nContext.Provider>,
    root,
  );
}

async function start(root: HTMLElement): Promise<void> {
  document.documentElement.lang = browser.i18n.getUILanguage();
  show(root, { status: 'loading' });
  try {
    const tabId = await targetTabId();
    show(root, { status: 'ready', coverage: tabId === null ? null : await background.getTabCoverage(tabId) });
  } catch {
    show(root, { status: 'error' });
  }
}

void start(document.getElementById('app')!);
