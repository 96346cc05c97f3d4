import type { Coverage } from '../core/index/coverage-index';
import { browser } from './browser';

/**
 * What the background records for a tab with a known article, in storage.session: the popup reads
 * it there itself, so opening the popup neither waits on a message round trip nor wakes a stopped
 * background (issue 4, figure 5). storage.session is cleared when the browser closes or the
 * extension is reloaded or updated, and content scripts cannot read it (its default access level).
 */
export interface TabRecord {
  url: string;
  coverage: Coverage;
  /** The page's site (registrable domain), for "Hide on this site"; null when the address has none. */
  site: string | null;
}

export const tabRecordKey = (tabId: number): string => `tab:${tabId}`;

export async function readTabRecord(tabId: number): Promise<TabRecord | null> {
  const stored = (await browser.storage.session.get(tabRecordKey(tabId)))[tabRecordKey(tabId)] as Partial<TabRecord> | undefined;
  // Written only by this extension's background; the shape check guards against a record from an older version.
  if (!stored || typeof stored.url !== 'string' || typeof stored.coverage !== 'object' || stored.coverage === null) return null;
  if (typeof stored.site !== 'string' && stored.site !== null) return null;
  return stored as TabRecord;
}
