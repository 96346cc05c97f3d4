import { onTabAddressChanged } from './background/navigation';
import { routeMessage } from './background/router';
import { forgetTab } from './background/tab-state';
import { browser } from './shared/browser';

// Listeners are registered synchronously at start-up so that a woken worker receives the event that woke it.
browser.runtime.onMessage.addListener(routeMessage);
browser.tabs.onUpdated.addListener((tabId, change) => {
  if (change.url) void onTabAddressChanged(tabId, change.url);
});
browser.tabs.onRemoved.addListener((tabId) => void forgetTab(tabId));
