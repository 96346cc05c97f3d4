import { syncAllWebsites } from './background/all-websites';
import { createLinkMenu, onLinkMenuClicked } from './background/context-menu';
import { answerOpenTabs, answerPage, forgetTabPages, onTabAddressChanged, onTabLoaded } from './background/navigation';
import { syncListOutlets } from './background/lists/list-outlets';
import { LIST_UPDATE_ALARM, scheduleListUpdates, updateLists } from './background/lists/subscriptions';
import { routeMessage } from './background/router';
import { bundledIndex } from './background/index-source';
import { tellTabsAboutSettings } from './background/settings-notice';
import { forgetTab } from './background/tab-state';
import { browser } from './shared/browser';

/**
 * Dynamic content scripts follow the granted permissions and the settings: all websites, and list
 * outlets. Resolves to whether either registered anew (keepRegistered).
 */
async function syncContentScripts(): Promise<boolean> {
  const registered = await Promise.all([syncAllWebsites(), syncListOutlets()]);
  return registered.includes(true);
}

/** After a grant or a settings change: open pages on the sites a new registration covers get the script at once (answerOpenTabs). */
function syncAndAnswerOpenTabs(): void {
  void syncContentScripts().then((registered) => (registered ? answerOpenTabs(true) : undefined));
}

// Listeners are registered synchronously at start-up so that a woken worker receives the event that woke it.
browser.runtime.onMessage.addListener(routeMessage);
browser.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.url) void onTabAddressChanged(tabId, change.url);
  // A reload keeps the address: Chromium says only that the tab is loading. (Firefox says so
  // before every page too, when the outgoing page still answers: answerPage drops its answer.)
  else if (change.status === 'loading') void answerPage(tabId);
  else if (change.status === 'complete' && tab.url !== undefined) void onTabLoaded(tabId, tab.url);
});
browser.tabs.onRemoved.addListener((tabId) => {
  forgetTabPages(tabId);
  void forgetTab(tabId);
});
browser.contextMenus.onClicked.addListener((info) => void onLinkMenuClicked(info));
browser.runtime.onInstalled.addListener(({ reason }) => {
  createLinkMenu();
  // Open tabs once the registrations are in place, so that they count in contentScriptRunsOn. An
  // update clears them, and the sync registers them anew: the script goes into open pages on a
  // first install only (answerOpenTabs), whatever the sync says.
  void syncContentScripts().finally(() => answerOpenTabs(reason === 'install'));
  void scheduleListUpdates();
});
browser.runtime.onStartup.addListener(() => void scheduleListUpdates());
browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === LIST_UPDATE_ALARM) void updateLists();
});
browser.permissions.onAdded.addListener(syncAndAnswerOpenTabs);
browser.permissions.onRemoved.addListener(syncAndAnswerOpenTabs);
browser.storage.onChanged.addListener((_changes, area) => {
  if (area !== 'sync') return;
  syncAndAnswerOpenTabs();
  void tellTabsAboutSettings().catch(() => undefined);
});

// Most wakes are for a lookup (a navigation, a page's or the popup's message): start reading the
// index's directory now, so it is on its way while the event that woke the worker is dispatched. A
// failure here is retried by the lookup that needs the index.
void bundledIndex().catch(() => undefined);
