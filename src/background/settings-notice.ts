import { browser } from '../shared/browser';
import type { SettingsNotice } from '../shared/protocol';
import { loadSettings } from '../shared/settings';
import { settingsForPage } from './outlet-sites';
import { tellPage } from './page-notices';

/**
 * Tells every open tab's content script that the reader changed a setting, so it applies at once
 * (badges on or off, theme, hidden sites). The content script reads no storage itself: its first
 * use of the storage API cost every page milliseconds (issue 4). Most tabs have no content script;
 * the notice does nothing there (page-notices.ts).
 */
export async function tellTabsAboutSettings(): Promise<void> {
  const [settings, tabs] = await Promise.all([loadSettings(), browser.tabs.query({})]);
  await Promise.all(
    tabs.map(async (tab) => {
      if (tab.id === undefined) return;
      // Each page gets its own view of them: a build that runs everywhere keeps badges to its outlets.
      const notice: SettingsNotice = { notice: 'settingsChanged', settings: await settingsForPage(settings, tab.url) };
      await tellPage(tab.id, notice);
    }),
  );
}
