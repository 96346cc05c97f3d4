/**
 * A build whose index has more outlets than the manifest lists one by one (src/build/manifest.ts,
 * MAX_LISTED_OUTLETS) asks for every site and runs its content script there. It must still behave
 * as a listing build does: counts and badges on the outlets' articles, link badges on the outlets'
 * pages, and nothing on other sites until the reader turns on "All websites", which then needs no
 * prompt and no second script. Built here from the real seeds with the cap lowered to 2 outlets.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERY_SITE_MATCH } from '../../src/shared/outlet-sites';
import { ChromiumHarness } from './chromium-harness';
import { CNET_ARTICLE } from './fixture-site';
import { waitFor } from './harness';
import { AGGREGATOR_PAGE, badgedLinks, FRONT_PAGE, FRONT_PAGE_BADGED as BADGED } from './link-site';

const BUILD = 'dist/every-site-chrome';
/** Link badges are idle-time work; on a busy 2-core machine give them a while. */
const SETTLE_MS = 10_000;
const TOGGLE = 'Show badges on all websites';

describe('Chromium: a build for more outlets than its manifest lists', () => {
  let browser: ChromiumHarness;
  let options: Page;
  beforeAll(async () => {
    execFileSync('node_modules/.bin/vite', ['build', '--mode', 'chrome', '--logLevel', 'error'], {
      env: { ...process.env, ELSEWHERE_MAX_LISTED_OUTLETS: '2', ELSEWHERE_OUT_DIR: BUILD },
      stdio: 'pipe',
    });
    browser = await ChromiumHarness.launch(BUILD);
    await browser.watchWorkerErrors();
    options = await browser.context.newPage();
    await options.goto(browser.extensionUrl('src/options/options.html'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  const registeredScripts = () =>
    options.evaluate(async () => (await (globalThis as unknown as ChromeGlobal).chrome.scripting.getRegisteredContentScripts()).map((script) => script.id));

  const storedAllWebsites = () => options.evaluate(async () => ((await (globalThis as unknown as ChromeGlobal).chrome.storage.sync.get('settings')).settings as { allWebsites?: boolean } | undefined)?.allWebsites);

  it('asks for every site with one pattern, instead of one per outlet', () => {
    const manifest = JSON.parse(readFileSync(`${BUILD}/manifest.json`, 'utf8')) as { host_permissions: string[]; content_scripts: Array<{ matches: string[] }> };
    expect(manifest.host_permissions).toEqual(['<all_urls>']);
    expect(manifest.content_scripts.map((script) => script.matches)).toEqual([[EVERY_SITE_MATCH]]);
  });

  it('counts and badges a known article, as a listing build does', async () => {
    const tab = await browser.openArticle(CNET_ARTICLE);
    expect(await waitFor(() => browser.badgeText(tab.tabId), (text) => text === '2', SETTLE_MS)).toBe('2');
    expect((await waitFor(() => browser.pageBadge(tab), (state) => state.present, SETTLE_MS)).present).toBe(true);
    await tab.close();
  });

  it('badges links on an outlet, not on another site, and there once "All websites" is on, live', async () => {
    const outlet = await browser.context.newPage();
    const aggregator = await browser.context.newPage();
    await Promise.all([outlet.goto(FRONT_PAGE), aggregator.goto(AGGREGATOR_PAGE)]);
    expect(await waitFor(() => badgedLinks(outlet), (ids) => ids.length === BADGED.length, SETTLE_MS)).toEqual(BADGED);
    expect(await badgedLinks(aggregator)).toEqual([]);

    // The permission is the build's own, so the toggle prompts nobody and registers nothing: the
    // script already on the page gets the new settings and starts.
    await options.getByLabel(TOGGLE).check();
    expect(await waitFor(() => badgedLinks(aggregator), (ids) => ids.length === BADGED.length, SETTLE_MS)).toEqual(BADGED);
    expect(await registeredScripts()).toEqual([]);
    expect(await options.getByText('The browser did not grant access').count()).toBe(0);

    await options.getByLabel(TOGGLE).uncheck();
    expect(await waitFor(storedAllWebsites, (on) => on === false)).toBe(false);
    // Live: the other site's badges go, the outlet's stay; and a reload brings back only the outlet's.
    expect(await waitFor(() => badgedLinks(aggregator), (ids) => ids.length === 0, SETTLE_MS)).toEqual([]);
    expect(await badgedLinks(outlet)).toEqual(BADGED);
    await Promise.all([outlet.reload(), aggregator.reload()]);
    expect(await waitFor(() => badgedLinks(outlet), (ids) => ids.length === BADGED.length, SETTLE_MS)).toEqual(BADGED);
    expect(await badgedLinks(aggregator)).toEqual([]);
    await Promise.all([outlet.close(), aggregator.close()]);
  });

  it('caused no error anywhere, the service worker included, and no network request', () => {
    expect(browser.errors).toEqual([]);
    expect(browser.strayRequests).toEqual([]);
  });
});

/** Chrome's promise-returning `chrome` global, typed through the polyfill's declarations. */
type ChromeGlobal = { chrome: typeof import('webextension-polyfill') };
