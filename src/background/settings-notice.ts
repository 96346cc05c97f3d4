import { browser } from '../shared/browser';
import type { SettingsNotice } from '../shared/protocol';
import { loadSettings } from '../shared/settings';

/**
 * Tells every open tab's content script that the reader changed a setting, so it applies at once
 * (badges on or off, theme, hidden sites). The content script reads no storage itself: its first
 * use of the storage API cost every page milliseconds (issue 4). Most tabs have no content script;
 * their rejection says only that.
 */
export async function tellTabsAboutSettings(): Promise<void> {
  const [settings, tabs] = await Promise.all([loadSettings(), browser.tabs.query({})]);
  const notice: SettingsNotice = { notice: 'settingsChanged', settings };
  await Promise.all(tabs.map((tab) => (tab.id === undefined ? undefined : browser.tabs.sendMessage(tab.id, notice).catch(() => undefined))));
}
