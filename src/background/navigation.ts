import { browser } from '../shared/browser';
import { pageChangedNotice } from '../shared/protocol';
import { lookupCoverage } from './lists/list-sources';
import { readTab, setTab } from './tab-state';

/**
 * A tab's address changed: a new page, or a history-API navigation in a single-page app.
 * The address alone decides the count at once; the content script, if the page has one, is asked
 * to report its page signals again, since an SPA keeps the same script across navigations.
 */
export async function onTabAddressChanged(tabId: number, url: string): Promise<void> {
  const record = await readTab(tabId);
  if (record?.url === url) return;
  const coverage = await lookupCoverage([url]);
  await setTab(tabId, url, coverage);
  // No content script on this page is normal (unknown sites); the rejection says only that.
  await browser.tabs.sendMessage(tabId, pageChangedNotice, { frameId: 0 }).catch(() => undefined);
}
