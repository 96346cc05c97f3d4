import { canonicalise } from '../core/url/canonical';
import { browser } from '../shared/browser';

/**
 * Opens Elsewhere's own view of an address's story (`popup.html?url=`) in a new tab, for link
 * badges and the context menu. The address is re-checked here, so a page can open nothing else.
 */
export async function openStoryView(url: string): Promise<void> {
  if (!canonicalise(url)) return;
  await browser.tabs.create({ url: browser.runtime.getURL(`src/popup/popup.html?url=${encodeURIComponent(url)}`) });
}
