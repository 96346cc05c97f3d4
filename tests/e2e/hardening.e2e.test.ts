import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumHarness } from './chromium-harness';
import { CNET_ARTICLE, DCK_ARTICLE } from './fixture-site';
import { FirefoxHarness } from './firefox-harness';
import { waitFor, type ArticleTab, type ExtensionHarness } from './harness';
import { OVERLAY_PAGE, PROTOTYPE_OVERRIDE_PAGE } from './hostile-site';
import { FRONT_PAGE, KNOWN_LINKS, LATE_LINKS } from './link-site';

const SETTLE_MS = 5000;
const pageErrors = (tab: ArticleTab) => tab.evaluate(() => (window as unknown as { __pageErrors: number }).__pageErrors);

/** The reader's answers must not depend on the background staying alive between steps. */
async function surviveRestarts(browser: ExtensionHarness, restart: () => Promise<void>): Promise<void> {
  const article = await browser.openArticle(CNET_ARTICLE);
  expect(await waitFor(() => browser.badgeText(article.tabId), (text) => text === '2', SETTLE_MS)).toBe('2');
  await restart();
  expect((await browser.popupEntries(article.tabId)).entries).toHaveLength(2);
  await restart();
  await article.evaluate(() => (window as unknown as { goElsewhere: () => void }).goElsewhere());
  expect(await waitFor(() => browser.badgeText(article.tabId), (text) => text === '', SETTLE_MS)).toBe('');
  await restart();
  const other = await browser.openArticle(DCK_ARTICLE);
  expect(await waitFor(() => browser.badgeText(other.tabId), (text) => text === '2', SETTLE_MS)).toBe('2');
  await restart();
  expect((await browser.popupEntries(other.tabId)).heading).toBe('Also covered by 2 other outlets');
  await article.close();
  await other.close();
}

describe('Chromium: hostile pages and a killed service worker', () => {
  let browser: ChromiumHarness;
  beforeAll(async () => {
    browser = await ChromiumHarness.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('gives the same answers when the service worker is stopped between every step', async () => {
    await surviveRestarts(browser, async () => {
      expect(await browser.stopWorker(SETTLE_MS)).toBe(true);
    });
  });

  it('lets no page load any of its files, so pages cannot detect it', async () => {
    const tab = await browser.openArticle(CNET_ARTICLE);
    const errorsBefore = browser.errors.length;
    const base = browser.extensionUrl('');
    const loaded = await tab.page.evaluate(async (root) => {
      const files = ['manifest.json', 'index/directory.bin', 'index/keys-0000.bin', 'index/details-0000.bin', 'src/content/main.js', 'src/content/render.js', 'src/popup/popup.html', 'icons/known-16.png'];
      const results = await Promise.all(
        files.map(async (file) => {
          const fetched = await fetch(root + file).then(() => true, () => false);
          const image = await new Promise<boolean>((resolve) => {
            const img = new Image();
            img.onload = () => resolve(true);
            img.onerror = () => resolve(false);
            img.src = root + file;
          });
          return fetched || image ? file : null;
        }),
      );
      return results.filter(Boolean);
    }, base);
    expect(loaded).toEqual([]);
    // The refused loads are logged by the page itself; they are this probe's, not the extension's.
    const probeErrors = browser.errors.splice(errorsBefore);
    expect(probeErrors.every((error) => error.includes('net::ERR_FAILED') || error.includes('Failed to load resource'))).toBe(true);
    await tab.close();
  });

  it('renders the badge on a page that sabotages DOM prototypes, causing no page error', async () => {
    const tab = await browser.openArticle(PROTOTYPE_OVERRIDE_PAGE);
    expect(await waitFor(() => browser.pageBadge(tab), (state) => state.visible, SETTLE_MS)).toMatchObject({ visible: true, position: 'fixed' });
    expect(await browser.pageBadgeText(tab.page)).toContain('Also covered by 2 other outlets');
    expect(await pageErrors(tab)).toBe(0);
    await tab.close();
  });

  it('ignores clicks that land on a transparent overlay above the badge', async () => {
    const tab = await browser.openArticle(OVERLAY_PAGE);
    await waitFor(() => browser.pageBadge(tab), (state) => state.visible, SETTLE_MS);
    await tab.evaluate(() => (window as unknown as { coverBadge: () => void }).coverBadge());
    const box = (await tab.page.locator('elsewhere-badge').boundingBox())!;
    await tab.page.mouse.click(box.x + 40, box.y + box.height / 2);
    expect(await tab.evaluate(() => (window as unknown as { __overlayClicks?: number }).__overlayClicks)).toBe(1);
    expect(await browser.pageBadgeText(tab.page)).not.toContain('Forbes');
    expect(await pageErrors(tab)).toBe(0);
    await tab.close();
  });

  it("hears the service worker's console errors, uncaught errors and unhandled rejections", async () => {
    // Without this, the empty error log below would say nothing about the background.
    const errorsBefore = browser.errors.length;
    const worker = await browser.watchedServiceWorker();
    await worker.evaluate(() => {
      console.error('probe: console');
      setTimeout(() => {
        throw new Error('probe: uncaught');
      });
      // A message to a tab that does not exist: Chromium's "Receiving end does not exist".
      void (globalThis as unknown as { chrome: typeof import('webextension-polyfill') }).chrome.tabs.sendMessage(2_000_000_000, 'probe: unanswered');
    });
    // Open extension pages echo the worker's console too; the worker's own entries are what count.
    const fromWorker = () => browser.errors.slice(errorsBefore).filter((error) => error.startsWith('service worker: '));
    const heard = await waitFor(async () => fromWorker(), (errors) => errors.length >= 3, SETTLE_MS);
    browser.errors.splice(errorsBefore);
    expect(heard.sort()).toEqual([
      'service worker: probe: console',
      'service worker: uncaught: Uncaught Error: probe: uncaught',
      'service worker: unhandled rejection: Error: Could not establish connection. Receiving end does not exist.',
    ]);
  });

  it('caused no error in any page, extension page or the service worker, and no network request', () => {
    expect(browser.errors).toEqual([]);
    expect(browser.strayRequests).toEqual([]);
  });
});

describe('Chromium: the extension reloaded under open tabs', () => {
  /**
   * An orphaned script notices it was cut off within ORPHAN_CHECK_MS (src/content/main.ts); this
   * bound leaves room for a busy machine. Chromium injects nothing into open tabs, so without that
   * check the old badges would stay until the reader reloads each page.
   */
  const ORPHAN_GONE_MS = 6000;
  /** Long enough for a second badge or a late error to show up, if one were coming. */
  const QUIET_MS = 1000;
  const linkBadgeCount = Object.keys(KNOWN_LINKS).length + Object.keys(LATE_LINKS).filter((id) => id.endsWith('-known')).length;
  let browser: ChromiumHarness;
  beforeAll(async () => {
    browser = await ChromiumHarness.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const badges = (tab: ArticleTab) => tab.evaluate(() => [document.querySelectorAll('elsewhere-badge').length, document.querySelectorAll('elsewhere-link-badge').length]);
  const settle = (tab: ArticleTab, count: string, expected: number[]) =>
    waitFor(async () => [await browser.badgeText(tab.tabId), ...(await badges(tab))], (state) => state.join() === [count, ...expected].join(), SETTLE_MS);

  it("removes the old instance's badges and link badges from open tabs, and a page reload brings back exactly one of each", async () => {
    await browser.watchWorkerErrors();
    const article = await browser.openArticle(CNET_ARTICLE);
    const front = await browser.openArticle(FRONT_PAGE);
    expect(await settle(article, '2', [1, 0])).toEqual(['2', 1, 0]);
    expect(await settle(front, '', [0, linkBadgeCount])).toEqual(['', 0, linkBadgeCount]);

    await browser.reloadExtension();
    // The new instance counts the open tabs from their addresses at once: the toolbar needs no reload.
    expect(await waitFor(() => browser.badgeText(article.tabId), (text) => text === '2', SETTLE_MS)).toBe('2');
    expect(await waitFor(() => badges(article), (found) => found.join() === '0,0', ORPHAN_GONE_MS)).toEqual([0, 0]);
    expect(await waitFor(() => badges(front), (found) => found.join() === '0,0', ORPHAN_GONE_MS)).toEqual([0, 0]);
    // Nothing comes back by itself: after an update, the new instance injects into no tab already open
    // (a first install does, and so does a grant that makes a registration anew).
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect([await badges(article), await badges(front)]).toEqual([[0, 0], [0, 0]]);

    await article.page.reload();
    await front.page.reload();
    expect(await settle(article, '2', [1, 0])).toEqual(['2', 1, 0]);
    expect(await settle(front, '', [0, linkBadgeCount])).toEqual(['', 0, linkBadgeCount]);
    // The new instance's worker started for these lookups; its console and uncaught errors were
    // watched from its start (ChromiumHarness.launch), and from now on its runtime.lastError too.
    await browser.watchWorkerErrors();
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect([await browser.badgeText(article.tabId), await badges(article), await badges(front)]).toEqual(['2', [1, 0], [0, linkBadgeCount]]);
    await article.close();
    await front.close();
  });

  it('caused no error in any page, extension page or either instance of the service worker, and no network request', () => {
    expect(browser.errors).toEqual([]);
    expect(browser.strayRequests).toEqual([]);
  });
});

describe('Firefox: hostile pages and a suspended background', () => {
  /** Firefox suspends an idle background after this long; the default is 30 s. */
  const IDLE_TIMEOUT_MS = 300;
  let browser: FirefoxHarness;
  beforeAll(async () => {
    browser = await FirefoxHarness.launch({ idleTimeoutMs: IDLE_TIMEOUT_MS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('gives the same answers when the background is suspended between every step', async () => {
    await surviveRestarts(browser, () => new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_MS * 4)));
  });

  it('renders the badge on a page that sabotages DOM prototypes, causing no page error', async () => {
    const tab = await browser.openArticle(PROTOTYPE_OVERRIDE_PAGE);
    expect(await waitFor(() => browser.pageBadge(tab), (state) => state.visible, SETTLE_MS)).toMatchObject({ visible: true, position: 'fixed' });
    expect(await pageErrors(tab)).toBe(0);
    await tab.close();
  });

  it('made no network request', () => {
    expect(browser.strayRequests).toEqual([]);
  });
});
