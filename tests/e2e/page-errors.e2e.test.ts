/**
 * Issue 6: Elsewhere must not change what a page experiences. Every fixture page is opened in a
 * Chromium with the extension and in one without it, and the errors each page itself sees (its
 * window's `error` and `unhandledrejection` events) must be the same, page by page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './browsers';
import { ChromiumHarness, serveFixtures } from './chromium-harness';
import { CNET_ARTICLE, FIXTURES } from './fixture-site';
import { FAILING_PAGE, HOSTILE_FIXTURES } from './hostile-site';
import { AGGREGATOR_PAGE, FRONT_PAGE, manyLinksPage } from './link-site';

/** Every page the fixtures serve; the generated links page at a size that still loads quickly. */
const PAGES = [...FIXTURES.keys(), ...HOSTILE_FIXTURES.keys(), FRONT_PAGE, AGGREGATOR_PAGE, manyLinksPage(500)];
/**
 * After load, how long each page is left to run: the content script runs at document_end, the
 * background asks it at document_idle and it draws its badges, and the front page adds links 300 ms after load.
 */
const SETTLE_MS = 4000;

/** What one page saw: the message of each error event (script errors and failed loads alike) and the reason of each unhandled rejection. */
interface SeenErrors {
  errors: string[];
  rejections: string[];
}

/**
 * What a content script can make a page see: failed loads of elements it adds, and errors and
 * rejections of anything it makes the page run. Its own exceptions stay in its isolated world
 * (Chromium does not dispatch an ErrorEvent into another world); a failed <img> it added does show
 * here (tried: the test fails, naming the page and "failed load: img").
 *
 * Runs in every page before the page's own scripts (Playwright injects it through DevTools, so
 * even `script-src 'none'` does not stop it). Listens in the capture phase, so failed loads of
 * elements, which do not bubble, count too. Non-enumerable, so the page's own code hardly sees it.
 */
function recordPageErrors(): void {
  const seen: SeenErrors = { errors: [], rejections: [] };
  Object.defineProperty(window, '__elsewhereSeenErrors', { value: seen });
  window.addEventListener(
    'error',
    (event) => {
      const target = event.target as Element | null;
      seen.errors.push(event instanceof ErrorEvent ? event.message : `failed load: ${target?.localName ?? 'unknown'}`);
    },
    true,
  );
  window.addEventListener('unhandledrejection', (event) => seen.rejections.push(String(event.reason)));
}

/** Opens every page in a tab of its own, lets them all run, and returns what each saw, and which showed a badge. */
async function visit(context: BrowserContext): Promise<{ seen: Record<string, SeenErrors>; badged: string[] }> {
  await context.addInitScript(recordPageErrors);
  // All at once: one settling wait instead of one per page, on a machine with two cores.
  const pages = await Promise.all(
    PAGES.map(async (url) => {
      const page = await context.newPage();
      await page.goto(url);
      return [url, page] as const;
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const seen: Record<string, SeenErrors> = {};
  const badged: string[] = [];
  for (const [url, page] of pages) {
    seen[url] = await page.evaluate(() => (window as unknown as { __elsewhereSeenErrors: SeenErrors }).__elsewhereSeenErrors);
    if (await page.evaluate(() => document.querySelector('elsewhere-badge, elsewhere-link-badge') !== null)) badged.push(url);
    await page.close();
  }
  return { seen, badged };
}

describe('Chromium: the errors a page sees, with and without Elsewhere', () => {
  let withExtension: ChromiumHarness;
  let plain: BrowserContext;
  const strays = new Set<string>();
  const plainProfile = mkdtempSync(join(tmpdir(), 'elsewhere-plain-'));
  beforeAll(async () => {
    withExtension = await ChromiumHarness.launch();
    plain = await chromium.launchPersistentContext(plainProfile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
    await serveFixtures(plain, (url) => strays.add(url));
  });
  afterAll(async () => {
    await withExtension?.close();
    await plain?.close();
    rmSync(plainProfile, { recursive: true, force: true });
  });

  it('are the same on every fixture page', { timeout: 180_000 }, async () => {
    const without = await visit(plain);
    const withIt = await visit(withExtension.context);
    // Otherwise the comparison would prove nothing: the extension did run on these pages.
    expect(withIt.badged).toEqual(expect.arrayContaining([CNET_ARTICLE, FAILING_PAGE, FRONT_PAGE]));
    expect(without.badged).toEqual([]);
    // The recorder hears both kinds: the failing page's own errors are there, in both browsers.
    expect(without.seen[FAILING_PAGE]).toEqual({
      errors: ['Uncaught Error: page error at load', 'Uncaught Error: page error later'],
      rejections: ['Error: page rejection at load', 'Error: page rejection later'],
    });
    // A difference names the page and the error it saw only with (or only without) Elsewhere.
    expect(withIt.seen).toEqual(without.seen);
    // Nothing reached the network on either side (the fixtures answer every page).
    expect([...strays, ...withExtension.strayRequests]).toEqual([]);
  });
});
