import type { Coverage } from '../core/index/coverage-index';
import { canonicalise } from '../core/url/canonical';
import { outletDomain } from '../core/url/outlet';
import { browser } from '../shared/browser';
import { translate } from '../shared/i18n';
import { readTabRecord, tabRecordKey, type TabRecord } from '../shared/tab-record';

/** A page's site (registrable domain), for "Hide on this site"; null for addresses without one. */
export function siteOf(url: string): string | null {
  const page = canonicalise(url);
  return page ? outletDomain(page.hostname) : null;
}

const ICON_SIZES = [16, 32, 48] as const;
const iconSet = (variant: 'idle' | 'known'): Record<string, string> =>
  Object.fromEntries(ICON_SIZES.map((size) => [String(size), `icons/${variant}-${size}.png`]));

/** Per-tab coverage, kept in storage.session so that the popup still gets its answer after the background was killed. */
export const readTab = readTabRecord;

interface CallbackAction {
  action: { setIcon(details: { tabId: number; path: Record<string, string> }, callback: () => void): void };
  runtime: { lastError?: unknown };
}

/**
 * action.setIcon through its callback form. Chromium's setIcon with `path` reports a tab that
 * closed meanwhile as "Unchecked runtime.lastError" in the worker's console even when its promise
 * is caught (Chromium 156; setBadgeText and setTitle do not); reading lastError in the callback is
 * what marks it handled. Firefox's `chrome` namespace takes the same callback.
 */
function setIcon(details: { tabId: number; path: Record<string, string> }): Promise<void> {
  const { chrome } = globalThis as unknown as { chrome: CallbackAction };
  return new Promise((resolve) =>
    chrome.action.setIcon(details, () => {
      void chrome.runtime.lastError;
      resolve();
    }),
  );
}

async function showOnToolbar(tabId: number, coverage: Coverage | null): Promise<void> {
  const count = coverage?.otherOutletCount ?? 0;
  const title = !coverage ? translate('toolbarUnknown') : count === 1 ? translate('toolbarKnownOne') : translate('toolbarKnownOther', [count]);
  await Promise.all([
    browser.action.setBadgeText({ tabId, text: count > 0 ? String(count) : '' }),
    browser.action.setTitle({ tabId, title }),
    setIcon({ tabId, path: iconSet(coverage ? 'known' : 'idle') }),
  ]);
}

/** Each tab's last write, still running: the next waits for it. */
const writing = new Map<number, Promise<void>>();

/**
 * Records what a tab shows and updates its toolbar count. A tab's writes land in the order they
 * were asked for, so the content script's answer, asked after the address's own, lands last
 * (navigation.ts).
 */
export function setTab(tabId: number, url: string, coverage: Coverage | null): Promise<void> {
  const run = (writing.get(tabId) ?? Promise.resolve()).then(() => writeTab(tabId, url, coverage));
  writing.set(tabId, run);
  void run.then(() => {
    if (writing.get(tabId) === run) writing.delete(tabId);
  });
  return run;
}

async function writeTab(tabId: number, url: string, coverage: Coverage | null): Promise<void> {
  try {
    if (coverage) await browser.storage.session.set({ [tabRecordKey(tabId)]: { url, coverage, site: siteOf(url) } satisfies TabRecord });
    else await browser.storage.session.remove(tabRecordKey(tabId));
    await showOnToolbar(tabId, coverage);
  } catch {
    // The tab closed while we were looking it up; there is nothing left to update.
  }
}

export async function forgetTab(tabId: number): Promise<void> {
  await browser.storage.session.remove(tabRecordKey(tabId));
}
