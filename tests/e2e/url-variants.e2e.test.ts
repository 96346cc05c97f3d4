import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumHarness } from './chromium-harness';
import { CNET_AMP_CACHE, CNET_ARTICLE, CNET_TRACKING_TAGGED } from './fixture-site';
import { waitFor } from './harness';

/** How long the count may take to appear after a page loads. */
const SETTLE_MS = 5000;
/** The CNET article's story has two other outlets (Forbes, Data Center Knowledge) in seeds/. */
const EXPECTED_COUNT = '2';

/**
 * Issue 3, in real Chromium: a reader who reaches a known article through an AMP cache or a
 * tracking-tagged link sees the same count as on its clean address. (A page whose address misses
 * but whose canonical link hits is a user story in user-stories.ts, run in both browsers.)
 */
describe('Chromium: one story under every address the web gives it', () => {
  let browser: ChromiumHarness;
  beforeAll(async () => {
    browser = await ChromiumHarness.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const countOf = (tabId: number): Promise<string> => waitFor(() => browser.badgeText(tabId), (text) => text === EXPECTED_COUNT, SETTLE_MS);

  it.each([
    ['the clean address', CNET_ARTICLE],
    ['an AMP-cache address', CNET_AMP_CACHE],
    ['a tracking-tagged address', CNET_TRACKING_TAGGED],
  ])('shows the same count on %s', async (_label, address) => {
    const tab = await browser.openArticle(address);
    expect(await countOf(tab.tabId)).toBe(EXPECTED_COUNT);
    await tab.close();
  });

  it('lists the same other outlets in the popup of the AMP-cache tab', async () => {
    const tab = await browser.openArticle(CNET_AMP_CACHE);
    await countOf(tab.tabId);
    const popup = await browser.popupEntries(tab.tabId);
    expect(popup.entries).toHaveLength(2);
    expect(popup.entries.some((entry) => entry.includes('Forbes'))).toBe(true);
    expect(popup.entries.some((entry) => entry.includes('Data Center Knowledge'))).toBe(true);
    await tab.close();
  });

  it('reads AMP-cache addresses with host access only: no content script runs there', async () => {
    const manifest = JSON.parse(readFileSync('dist/chrome/manifest.json', 'utf8')) as { host_permissions: string[]; content_scripts: Array<{ matches: string[] }> };
    expect(manifest.host_permissions).toContain('https://*.cdn.ampproject.org/*');
    for (const script of manifest.content_scripts) expect(script.matches.some((pattern) => pattern.includes('ampproject'))).toBe(false);
    const tab = await browser.openArticle(CNET_AMP_CACHE);
    await countOf(tab.tabId);
    expect(await browser.pageBadge(tab)).toMatchObject({ present: false });
    await tab.close();
  });

  it('made no network request beyond the pages the reader opened, and logged no error', () => {
    expect(browser.strayRequests).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});
