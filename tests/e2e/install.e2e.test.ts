/**
 * A reader installs Elsewhere while reading an article: that tab shows its count and its in-page
 * badge at once, without a reload, in both browsers. Firefox puts the content script into open
 * tabs itself; Chromium does not, and the background puts it in on a first install
 * (src/background/navigation.ts, answerOpenTabs). Each browser starts without the extension and
 * installs it with a tab already open, as the store would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FirefoxHarness } from './firefox-harness';
import { CNET_ARTICLE, UNKNOWN_PAGE } from './fixture-site';
import { waitFor } from './harness';
import { PrerenderHarness } from './prerender-harness';

/** The count and the badge show within this long of the install (the machine is shared: generous). */
const SETTLE_MS = 10_000;
/** Long enough for a second badge (a second copy of the content script) to show up, if one were coming. */
const QUIET_MS = 1000;

const pageBadges = () => document.querySelectorAll('elsewhere-badge').length;
/** 'reload' once the page was reloaded; 'navigate' while it is the page first loaded. */
const navigationType = () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Chromium: tabs open before the extension is installed', () => {
  let browser: PrerenderHarness;
  beforeAll(async () => {
    browser = await PrerenderHarness.launch('dist/chrome', { installed: false });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('count the known article and show its badge once installed, with no reload; an unknown article on an outlet gets none', async () => {
    const article = await browser.openTab(CNET_ARTICLE);
    const unknown = await browser.openTab(UNKNOWN_PAGE);
    expect(await article.evaluate(pageBadges)).toBe(0);
    await browser.install();
    const tabId = await browser.tabIdAt(CNET_ARTICLE);
    const shown = () => Promise.all([browser.badgeText(tabId), article.evaluate(pageBadges)]);
    expect(await waitFor(shown, ([text, badges]) => text === '2' && badges === 1, SETTLE_MS)).toEqual(['2', 1]);
    await sleep(QUIET_MS);
    // Still one badge, and the page is the one first loaded: no reload happened.
    expect(await shown()).toEqual(['2', 1]);
    expect(await article.evaluate(navigationType)).toBe('navigate');
    expect([await browser.badgeText(await browser.tabIdAt(UNKNOWN_PAGE)), await unknown.evaluate(pageBadges)]).toEqual(['', 0]);
  });

  it('caused no error in any page and no network request', () => {
    expect(browser.errors).toEqual([]);
    expect(browser.strayRequests).toEqual([]);
  });
});

describe('Firefox: tabs open before the extension is installed', () => {
  let browser: FirefoxHarness;
  beforeAll(async () => {
    browser = await FirefoxHarness.launch({ installed: false });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('count the known article and show one badge once installed, with no reload', async () => {
    const article = await browser.openTab(CNET_ARTICLE);
    expect(await article.evaluate(pageBadges)).toBe(0);
    await browser.install();
    const tabId = await browser.tabIdAt(article.url());
    const shown = () => Promise.all([browser.badgeText(tabId), article.evaluate(pageBadges)]);
    expect(await waitFor(shown, ([text, badges]) => text === '2' && badges === 1, SETTLE_MS)).toEqual(['2', 1]);
    await sleep(QUIET_MS);
    expect(await shown()).toEqual(['2', 1]);
    expect(await article.evaluate(navigationType)).toBe('navigate');
  });

  it('made no network request', () => {
    expect(browser.strayRequests).toEqual([]);
  });
});
