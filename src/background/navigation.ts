import { pageChangedNotice } from '../shared/protocol';
import { lookupCoverage } from './lists/list-sources';
import { tellPage } from './page-notices';
import { readTab, setTab } from './tab-state';

/**
 * The address each tab's top-frame content script last asked about (`startPage`, `lookupPage`),
 * in this worker's memory. When a page loads, the tab's address changes (below) at about the time
 * its content script asks about it; the script's answer, from the page's own signals, stands, and
 * the script need not be told to ask again (issue 4: each round trip costs the page time). Lost
 * when the worker stops, which costs only that: a notice the script did not need.
 */
const reported = new Map<number, string>();

/** A tab's top-frame content script asks about `url` (its page's address). */
export function noteReportedAddress(tabId: number, url: string): void {
  reported.set(tabId, url);
}

export function forgetReportedAddress(tabId: number): void {
  reported.delete(tabId);
}

/**
 * A tab's address changed: a new page, or a history-API navigation in a single-page app.
 * The address alone decides the count at once; the content script, if the page has one, is asked
 * to report its page signals again, since an SPA keeps the same script across navigations, unless
 * it has asked about this address already (a page's first load).
 */
export async function onTabAddressChanged(tabId: number, url: string): Promise<void> {
  // What the tab's script asked about was another address: a page restored from the back/forward
  // cache, whose script asks nothing by itself, must be told again.
  if (reported.get(tabId) !== url) reported.delete(tabId);
  const record = await readTab(tabId);
  if (record?.url === url) return;
  const coverage = await lookupCoverage([url]);
  // The page's script asked meanwhile: its answer is the better one, and it is set already or on its way.
  if (reported.get(tabId) === url) return;
  await setTab(tabId, url, coverage);
  // Or while the count above was being set: its answer is written after it (setTab keeps a tab's writes in order).
  if (reported.get(tabId) === url) return;
  await tellPage(tabId, pageChangedNotice);
}
