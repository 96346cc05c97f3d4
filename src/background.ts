import { syncAllWebsites } from './background/all-websites';
import { createLinkMenu, onLinkMenuClicked } from './background/context-menu';
import { onTabAddressChanged } from './background/navigation';
import { LIST_UPDATE_ALARM, scheduleListUpdates, updateLists } from './background/lists/subscriptions';
import { routeMessage } from './background/router';
import { forgetTab } from './background/tab-state';
import { browser } from './shared/browser';

// Listeners are registered synchronously at start-up so that a woken worker receives the event that woke it.
browser.runtime.onMessage.addListener(routeMessage);
browser.tabs.onUpdated.addListener((tabId, change) => {
  if (change.url) void onTabAddressChanged(tabId, change.url);
});
browser.tabs.onRemoved.addListener((tabId) => void forgetTab(tabId));
browser.contextMenus.onClicked.addListener((info) => void onLinkMenuClicked(info));
browser.runtime.onInstalled.addListener(() => {
  createLinkMenu();
  void syncAllWebsites();
  void scheduleListUpdates();
});
browser.runtime.onStartup.addListener(() => void scheduleListUpdates());
browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === LIST_UPDATE_ALARM) void updateLists();
});
browser.permissions.onAdded.addListener(() => void syncAllWebsites());
browser.permissions.onRemoved.addListener(() => void syncAllWebsites());
browser.storage.onChanged.addListener((_changes, area) => {
  if (area === 'sync') void syncAllWebsites();
});
