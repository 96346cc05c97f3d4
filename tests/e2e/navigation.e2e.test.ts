import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumHarness } from './chromium-harness';
import { CNET_ARTICLE, SPA_TARGET_PATH, UNKNOWN_PAGE } from './fixture-site';
import { waitFor, type ArticleTab } from './harness';

/** The count and badge update within this long after a navigation (issue 6 asks for 300 ms; the machine is shared, so tests allow more). */
const SETTLE_MS = 3000;
/** Long enough for a wrong update to show up, if one were coming. */
const QUIET_MS = 600;

type SpaWindow = { goElsewhere: () => void; replaceElsewhere: () => void };

/** Odd navigations: the count and badge follow the page, never duplicate, never show on the wrong page. */
describe('Chromium: hash changes, replaceState, back and forward', () => {
  let browser: ChromiumHarness;
  beforeAll(async () => {
    browser = await ChromiumHarness.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const badges = (tab: ArticleTab) => tab.evaluate(() => document.querySelectorAll('elsewhere-badge').length);
  const settle = (tab: ArticleTab, count: string, hosts: number) =>
    waitFor(async () => [await browser.badgeText(tab.tabId), await badges(tab)] as const, ([text, found]) => text === count && found === hosts, SETTLE_MS);

  it('keeps the count and one badge through a hash change', async () => {
    const tab = await browser.openArticle(CNET_ARTICLE);
    expect(await settle(tab, '2', 1)).toEqual(['2', 1]);
    await tab.evaluate(() => {
      location.hash = 'comments';
    });
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(await settle(tab, '2', 1)).toEqual(['2', 1]);
    await tab.close();
  });

  it('clears both when history.replaceState leaves the article', async () => {
    const tab = await browser.openArticle(CNET_ARTICLE);
    await settle(tab, '2', 1);
    await tab.evaluate(() => (window as unknown as SpaWindow).replaceElsewhere());
    expect(await tab.evaluate(() => location.pathname)).toBe(SPA_TARGET_PATH);
    expect(await settle(tab, '', 0)).toEqual(['', 0]);
    await tab.close();
  });

  it('brings them back, once, on history.back() after pushState', async () => {
    const tab = await browser.openArticle(CNET_ARTICLE);
    await settle(tab, '2', 1);
    await tab.evaluate(() => (window as unknown as SpaWindow).goElsewhere());
    expect(await settle(tab, '', 0)).toEqual(['', 0]);
    await tab.page.goBack();
    expect(await settle(tab, '2', 1)).toEqual(['2', 1]);
    await tab.page.goForward();
    expect(await settle(tab, '', 0)).toEqual(['', 0]);
    await tab.close();
  });

  it('follows a full navigation away and back (back/forward cache or reload alike)', async () => {
    const tab = await browser.openArticle(CNET_ARTICLE);
    await settle(tab, '2', 1);
    await tab.page.goto(UNKNOWN_PAGE);
    expect(await settle(tab, '', 0)).toEqual(['', 0]);
    await tab.page.goBack();
    expect(await settle(tab, '2', 1)).toEqual(['2', 1]);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(await settle(tab, '2', 1)).toEqual(['2', 1]);
    await tab.close();
  });

  it('let no error reach a page or extension page, and made no network request', () => {
    expect(browser.errors).toEqual([]);
    expect(browser.strayRequests).toEqual([]);
  });
});
