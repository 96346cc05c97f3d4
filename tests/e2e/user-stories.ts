import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CANONICAL_ONLY_PAGE,
  CNET_ARTICLE,
  DCK_ARTICLE,
  FORBES_ARTICLE,
  SPA_TARGET_PATH,
  UNKNOWN_PAGE,
} from './fixture-site';
import { waitFor, type ExtensionHarness } from './harness';

/** How long the count and badge may take to appear after a page loads. */
const SETTLE_MS = 5000;

/**
 * The stories a reader lives through, run in each real browser with the built extension.
 * The index is built from seeds/, whose one story has CNET, Forbes and Data Center Knowledge.
 */
export function defineUserStories(launch: () => Promise<ExtensionHarness>): void {
  let browser: ExtensionHarness;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const countOf = (tabId: number, expected: string) => waitFor(() => browser.badgeText(tabId), (text) => text === expected, SETTLE_MS);

  describe('a reader opens a known article', () => {
    it('shows the number of other outlets on the toolbar and a badge on the page', async () => {
      const tab = await browser.openArticle(CNET_ARTICLE);
      expect(await countOf(tab.tabId, '2')).toBe('2');
      const badge = await waitFor(() => browser.pageBadge(tab), (state) => state.visible, SETTLE_MS);
      expect(badge).toEqual({ present: true, visible: true, position: 'fixed' });
      await tab.close();
    });

    it('lists the other outlets in the popup, oldest first', async () => {
      const tab = await browser.openArticle(DCK_ARTICLE);
      await countOf(tab.tabId, '2');
      const popup = await browser.popupEntries(tab.tabId);
      expect(popup.heading).toBe('Also covered by 2 other outlets');
      expect(popup.entries).toHaveLength(2);
      expect(popup.entries[0]).toMatch(/^CN\s+CNET\s+First report\s+Microsoft builds massive supercomputer for smarter AI/);
      expect(popup.entries[1]).toMatch(/^FO\s+Forbes\s+Microsoft Builds Massive Supercomputer For OpenAI/);
      expect(popup.entries[0]).toContain('2020');
      expect(popup.empty).toBeNull();
      await tab.close();
    });
  });

  describe('a reader on a hostile or strict page', () => {
    it('renders the badge under a strict Content-Security-Policy', async () => {
      const tab = await browser.openArticle(DCK_ARTICLE);
      expect(await waitFor(() => browser.pageBadge(tab), (state) => state.visible, SETTLE_MS)).toMatchObject({ visible: true, position: 'fixed' });
      await tab.close();
    });

    it('renders the badge despite hostile global CSS', async () => {
      const tab = await browser.openArticle(FORBES_ARTICLE);
      expect(await countOf(tab.tabId, '2')).toBe('2');
      expect(await waitFor(() => browser.pageBadge(tab), (state) => state.visible, SETTLE_MS)).toMatchObject({ visible: true, position: 'fixed' });
      await tab.close();
    });
  });

  describe('a reader on a page Elsewhere does not know', () => {
    it('gets no count, no badge, and a plain popup message', async () => {
      const tab = await browser.openArticle(UNKNOWN_PAGE);
      // Give the content script time to ask; the answer must stay "nothing".
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await browser.badgeText(tab.tabId)).toBe('');
      expect(await browser.pageBadge(tab)).toMatchObject({ present: false });
      const popup = await browser.popupEntries(tab.tabId);
      expect(popup.entries).toEqual([]);
      expect(popup.empty).toBe('Elsewhere knows no other coverage of this page.');
      await tab.close();
    });
  });

  describe('a reader on a page whose address misses but whose canonical link hits', () => {
    it('gets the count of the canonical article', async () => {
      const tab = await browser.openArticle(CANONICAL_ONLY_PAGE);
      expect(await countOf(tab.tabId, '2')).toBe('2');
      await tab.close();
    });
  });

  describe('a reader navigates within a single-page app', () => {
    it('clears the count and the badge when history.pushState leaves the article', async () => {
      const tab = await browser.openArticle(CNET_ARTICLE);
      expect(await countOf(tab.tabId, '2')).toBe('2');
      await waitFor(() => browser.pageBadge(tab), (state) => state.visible, SETTLE_MS);
      await tab.evaluate(() => (window as unknown as { goElsewhere: () => void }).goElsewhere());
      expect(await tab.evaluate(() => location.pathname)).toBe(SPA_TARGET_PATH);
      expect(await countOf(tab.tabId, '')).toBe('');
      expect(await waitFor(() => browser.pageBadge(tab), (state) => !state.present, SETTLE_MS)).toMatchObject({ present: false });
      await tab.close();
    });
  });

  describe('privacy', () => {
    it('made no network request beyond the pages the reader opened', () => {
      expect(browser.strayRequests).toEqual([]);
    });
  });
}
