import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishList } from '../../src/build/publish-list';
import { startListServer, type ListServer } from '../../src/build/serve-list';
import { ChromiumHarness } from './chromium-harness';
import { FirefoxHarness } from './firefox-harness';
import { CNET_ARTICLE } from './fixture-site';
import { waitFor } from './harness';

/** Only the subscribed list knows this article (tests/fixtures/seeds-list), on an outlet the bundled index covers. */
const LIST_ONLY_ARTICLE = 'https://www.cnet.com/news/list-only-chip-makers-ai-supercomputer/';
const LIST_NAME = 'Test newsroom';
/** The list's follow-up on an outlet the bundled index does not know, so the extension has no access there. */
const NEW_OUTLET_ARTICLE = 'https://www.theverge.com/2021/5/20/microsoft-ai-supercomputer-one-year-on';
const SETTLE_MS = 5000;

/** The fixture list, published by `cli publish`'s code into a temporary folder and served by `cli serve`'s. */
async function serveFixtureList(): Promise<ListServer & { remove: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'elsewhere-list-'));
  await publishList({ seedsDir: 'tests/fixtures/seeds-list', outDir: dir, name: LIST_NAME, cache: false, skipInvalid: false });
  const server = await startListServer(dir, 0);
  return {
    ...server,
    remove: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Issue 7, end to end in Chromium: the reader subscribes to a list served from 127.0.0.1 by
 * `cli serve`, published by `cli publish`; an article only the list knows gets a count and a
 * popup, a bundled story grows by the list's article; unsubscribing takes both away. The list
 * requests are the only ones the extension makes, and they carry no cookie and no referrer.
 */
describe('Chromium: index list subscriptions', () => {
  let browser: ChromiumHarness;
  let server: Awaited<ReturnType<typeof serveFixtureList>>;
  const listRequests: Array<{ url: string; headers: Record<string, string> }> = [];

  beforeAll(async () => {
    server = await serveFixtureList();
    browser = await ChromiumHarness.launch();
    await browser.watchWorkerErrors();
    // Routes registered later are tried first: let the list server through (and log what reaches
    // it), and serve the list-only article as the outlet would.
    await browser.context.route(`${server.origin}/**`, async (route) => {
      listRequests.push({ url: route.request().url(), headers: await route.request().allHeaders() });
      await route.continue();
    });
    await browser.context.route(LIST_ONLY_ARTICLE, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Chip makers</title><h1>Chip makers race to build an AI supercomputer</h1>' }),
    );
    await browser.context.route(NEW_OUTLET_ARTICLE, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>One year on</title><h1>Microsoft’s AI supercomputer, one year on</h1>' }),
    );
  });
  afterAll(async () => {
    await browser?.close();
    await server?.remove();
  });

  const toolbarCount = (tabId: number, expected: string) =>
    waitFor(
      () => browser.badgeText(tabId),
      (text) => text === expected,
      SETTLE_MS,
    );

  async function openSettings(): Promise<Page> {
    const options = await browser.context.newPage();
    await options.goto(browser.extensionUrl('src/options/options.html'));
    await options.getByText('No lists yet. Elsewhere uses only the index it ships with.').or(options.locator('.list-entry').first()).waitFor();
    return options;
  }

  it('knows nothing of the list-only article before subscribing', async () => {
    const tab = await browser.openArticle(LIST_ONLY_ARTICLE);
    const cnet = await browser.openArticle(CNET_ARTICLE);
    expect(await toolbarCount(cnet.tabId, '2')).toBe('2');
    expect(await browser.badgeText(tab.tabId)).toBe('');
    await tab.close();
    await cnet.close();
  });

  it('subscribes from the settings page and shows the list', async () => {
    const options = await openSettings();
    await options.getByLabel('Address of a list (list.json)').fill(server.url);
    await options.getByRole('button', { name: 'Subscribe' }).click();
    const entry = options.locator('.list-entry', { hasText: LIST_NAME });
    await entry.waitFor();
    expect(await entry.innerText()).toContain('2 stories');
    // The Verge is in the list but not in the bundled index: no content script runs there yet.
    expect(await entry.innerText()).toContain('1 outlets of this list are on sites where Elsewhere has no access');
    await options.close();
  });

  it('counts an article only the list knows, even after the worker was stopped, and the popup names the list', async () => {
    await browser.stopWorker();
    const tab = await browser.openArticle(LIST_ONLY_ARTICLE);
    expect(await toolbarCount(tab.tabId, '1')).toBe('1');
    const popup = await browser.openPopup(tab.tabId);
    // The list's related entry names no outlet, so the outlet is shown by its domain.
    expect(await popup.locator('.es-outlet').allInnerTexts()).toEqual(['forbes.com']);
    expect(await popup.locator('.popup-lists').innerText()).toBe(`Also from your lists: ${LIST_NAME}`);
    await popup.close();
    await tab.close();
  });

  it('merges the list’s follow-up into the bundled story it shares an article with', async () => {
    const cnet = await browser.openArticle(CNET_ARTICLE);
    expect(await toolbarCount(cnet.tabId, '3')).toBe('3');
    const { entries } = await browser.popupEntries(cnet.tabId);
    expect(entries.some((entry) => entry.includes('The Verge'))).toBe(true);
    await cnet.close();
  });

  it('shows badges on the list’s new outlet once the reader allows it from settings, on a page already open too', async () => {
    // No host access: no content script runs there (and the extension cannot even see the tab's address).
    const before = await browser.context.newPage();
    await before.goto(NEW_OUTLET_ARTICLE);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await before.evaluate(() => document.querySelector('elsewhere-badge'))).toBeNull();

    // Headless Chromium cannot answer a permission prompt; as in all-websites.e2e.test.ts, the
    // reader first allows the site on chrome://extensions, so the request from settings asks nobody.
    await browser.grantSiteAccess('*://*.theverge.com/*');
    const options = await openSettings();
    const entry = options.locator('.list-entry', { hasText: LIST_NAME });
    await entry.getByRole('button', { name: 'Show badges on them' }).click();
    await expect.poll(() => entry.innerText(), { timeout: SETTLE_MS }).not.toContain('no access');
    await options.close();

    // The page open all along gets the script and its badge, without a reload.
    expect(await waitFor(() => before.evaluate(() => document.querySelector('elsewhere-badge') !== null), (present) => present, SETTLE_MS)).toBe(true);
    expect(await before.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type)).toBe('navigate');
    await before.close();

    const after = await browser.openArticle(NEW_OUTLET_ARTICLE);
    // The Verge's article joins the bundled story: CNET, Forbes and Data Center Knowledge.
    expect(await toolbarCount(after.tabId, '3')).toBe('3');
    expect((await waitFor(() => browser.pageBadge(after), (state) => state.present, SETTLE_MS)).present).toBe(true);
    await after.close();
  });

  it('asked only the list server, for list.json and its shards, with no cookie and no referrer', () => {
    expect(listRequests.length).toBeGreaterThan(1);
    for (const { url, headers } of listRequests) {
      expect(new URL(url).pathname).toMatch(/^\/(list\.json|shards\/[0-9a-f]{64}\.bin)$/);
      expect(headers.cookie).toBeUndefined();
      expect(headers.referer).toBeUndefined();
    }
    expect(browser.strayRequests).toEqual([]);
  });

  it('"Update now" asks again with the validators it holds and keeps the copy', async () => {
    const before = listRequests.length;
    const options = await openSettings();
    await options.getByRole('button', { name: `Update ${LIST_NAME} now` }).click();
    await waitFor(
      async () => listRequests.length,
      (count) => count > before,
      SETTLE_MS,
    );
    await options.locator('section[aria-labelledby="lists-heading"][aria-busy="false"]').waitFor();
    const recheck = listRequests.slice(before);
    expect(recheck.map(({ url }) => new URL(url).pathname)).toEqual(['/list.json']);
    expect(recheck[0]!.headers['if-none-match']).toBeTruthy();
    expect(await options.locator('.list-entry').innerText()).not.toContain('failed');
    await options.close();
  });

  it('unsubscribing takes the count and the popup away again', async () => {
    const options = await openSettings();
    await options.getByRole('button', { name: `Remove ${LIST_NAME}` }).click();
    await options.getByText('No lists yet. Elsewhere uses only the index it ships with.').waitFor();
    await options.close();
    const tab = await browser.openArticle(LIST_ONLY_ARTICLE);
    const cnet = await browser.openArticle(CNET_ARTICLE);
    expect(await toolbarCount(cnet.tabId, '2')).toBe('2');
    expect(await browser.badgeText(tab.tabId)).toBe('');
    const { empty } = await browser.popupEntries(tab.tabId);
    expect(empty).not.toBeNull();
    await tab.close();
    await cnet.close();
    expect(browser.errors).toEqual([]);
  });
});

/**
 * The same subscription in Firefox, whose background is an event page with its own IndexedDB and
 * fetch: subscribing merges the list's follow-up into a bundled story; removing the list undoes it.
 */
describe('Firefox: index list subscriptions', () => {
  let browser: FirefoxHarness;
  let server: Awaited<ReturnType<typeof serveFixtureList>>;

  beforeAll(async () => {
    server = await serveFixtureList();
    browser = await FirefoxHarness.launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.remove();
  });

  const count = (tabId: number, expected: string) =>
    waitFor(
      () => browser.badgeText(tabId),
      (text) => text === expected,
      SETTLE_MS,
    );

  it('subscribes in settings, grows a bundled story by the list’s article, and unsubscribes', async () => {
    const options = await browser.openExtensionPage('src/options/options.html', '#list-url');
    await options.type('#list-url', server.url);
    await options.click('.list-form button[type="submit"]');
    const entryText = () => options.evaluate(() => document.querySelector('.list-entry')?.textContent ?? '');
    expect(await waitFor(entryText, (text) => text.includes('2 stories'), SETTLE_MS)).toContain(LIST_NAME);

    const cnet = await browser.openArticle(CNET_ARTICLE);
    expect(await count(cnet.tabId, '3')).toBe('3');
    const { entries } = await browser.popupEntries(cnet.tabId);
    expect(entries.some((entry) => entry.includes('The Verge'))).toBe(true);

    await options.click(`button[aria-label="Remove ${LIST_NAME}"]`);
    expect(await waitFor(entryText, (text) => text === '', SETTLE_MS)).toBe('');
    await cnet.page.reload();
    expect(await count(cnet.tabId, '2')).toBe('2');
    expect(browser.strayRequests).toEqual([]);
  });
});
