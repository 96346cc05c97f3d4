import { render } from 'preact';
import { browser } from '../shared/browser';
import { ALL_WEBSITES_PERMISSIONS, listOutletPermissions } from '../shared/permissions';
import { background, type ListStatus } from '../shared/protocol';
import { translate } from '../shared/i18n';
import { loadSettings, onSettingsChanged, updateSettings } from '../shared/settings';
import type { Settings } from '../shared/settings-schema';
import { I18nContext, type MessageKey } from '../ui/i18n';
import { ListSubscriptions, type ListSubscriptionsProps } from './list-subscriptions';
import { OptionsView } from './options-view';
import '../ui/theme.css';
import './options.css';

async function start(root: HTMLElement): Promise<void> {
  let settings = await loadSettings();
  let problem: MessageKey | null = null;
  let lists: ListStatus[] = [];
  let listProblem: ListSubscriptionsProps['problem'] = null;
  let busy = false;
  const show = (): void => {
    document.documentElement.dataset.theme = settings.theme;
    render(
      <I18nContext.Provider value={translate}>
        <OptionsView settings={settings} problem={problem} onChange={(change) => void change_(change)} onAllWebsites={(enable) => void allWebsites(enable)}>
          <ListSubscriptions
            lists={lists}
            busy={busy}
            problem={listProblem}
            onSubscribe={(url) => void listRequest(async () => {
              const reply = await background.subscribeList(url);
              listProblem = reply.problem;
              return reply.lists;
            })}
            onRemove={(url) => {
              listProblem = null;
              void listRequest(() => background.unsubscribeList(url));
            }}
            onUpdate={(url) => {
              listProblem = null;
              void listRequest(() => background.updateLists(url));
            }}
            onAllowHosts={(hosts) => void allowListOutlets(hosts)}
          />
        </OptionsView>
      </I18nContext.Provider>,
      root,
    );
  };
  /** One list request at a time; the section shows it is busy while the background downloads. */
  const listRequest = async (request: () => Promise<ListStatus[]>): Promise<void> => {
    if (busy) return;
    busy = true;
    show();
    try {
      lists = await request();
    } finally {
      busy = false;
      show();
    }
  };
  const allowListOutlets = async (hosts: string[]): Promise<void> => {
    // permissions.request must run in the click's own turn, before any other await.
    const granted = await browser.permissions.request(listOutletPermissions(hosts));
    listProblem = granted ? null : 'optionListAllowRefused';
    await listRequest(() => background.listSubscriptions());
  };
  const change_ = async (change: Partial<Settings>): Promise<void> => {
    settings = await updateSettings(() => change);
    show();
  };
  const allWebsites = async (enable: boolean): Promise<void> => {
    problem = null;
    // permissions.request must run in the click's own turn, before any other await.
    // A build for very many outlets holds `<all_urls>` as a required permission (src/build/manifest.ts):
    // it has nothing to give back, and the browser refuses to remove a required permission.
    const required = (browser.runtime.getManifest().host_permissions ?? []).includes('<all_urls>');
    const granted = enable ? await browser.permissions.request(ALL_WEBSITES_PERMISSIONS) : !required && !(await browser.permissions.remove(ALL_WEBSITES_PERMISSIONS));
    if (enable && !granted) problem = 'optionAllWebsitesRefused';
    await change_({ allWebsites: enable && granted });
  };
  // Another window (or the popup's "Hide on this site") may change settings while this page is open.
  onSettingsChanged((next) => {
    settings = next;
    show();
  }, new AbortController().signal);
  document.documentElement.lang = browser.i18n.getUILanguage();
  show();
  lists = await background.listSubscriptions();
  show();
}

void start(document.getElementById('app')!);
