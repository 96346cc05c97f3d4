/**
 * The browser-side figures of issue 4 (items 4–7), measured in real Chromium, each next to a
 * baseline measured in the same run:
 *
 *   4. service-worker cold start to first answer, with 100k stories bundled: the worker is stopped
 *      through DevTools (ServiceWorker.stopAllWorkers), then a lookup is timed from a page.
 *      Baselines: the same extension with a naive index (bench/browser-naive-source.ts: the same
 *      stories as a JSON file, JSON.parse'd into a Map in the worker), and with a 1-story index.
 *   5. popup first render with the list (navigation start to the first `.es-item`), at 100k;
 *      baseline: the 1-story build (and the naive build for the link popup, which loads the index).
 *   6. main-thread cost of the content script (DevTools Performance.getMetrics: ScriptDuration,
 *      TaskDuration), on a non-matching and a matching page, next to the same page in a Chromium
 *      without the extension.
 *   7. bundle sizes (minified, and gzipped with node's zlib), and index bytes per story.
 *
 * A control build, the 1-story one with the 100k build's host lists added, tells what the index
 * costs apart from what the manifest's host lists cost (in the rows' notes). Since the 100k corpus
 * has more outlets than the manifest lists (src/build/manifest.ts, MAX_LISTED_OUTLETS), those lists
 * are `<all_urls>` and EVERY_SITE_MATCH: its content script runs on every page, the "outside" page's too.
 *
 *   npx tsx bench/browser.ts [--smoke] [--markdown] [--build-only] [--only=cold-start|--only=badge|--only=popup|--only=cost]
 *
 * `--smoke` builds a 20-story corpus and measures everything once (well under a minute), so the
 * benchmark cannot rot; nothing checks thresholds. Generated corpora and builds go to
 * bench/tmp/browser and are reused while the sources are unchanged. Results go to
 * bench/tmp/browser/results[-smoke].json; `--markdown` also prints the table as Markdown;
 * `--build-only` makes (or keeps) the builds and measures nothing; `--only=cold-start` measures
 * figure 4 alone (the cold-start rows, all four builds), a few minutes once the builds exist;
 * `--only=badge` and `--only=popup` the navigation-to-badge and popup rows alone;
 * `--only=cost` measures figure 6 alone (the content script's main-thread cost).
 *
 * Chromium is launched here rather than through tests/e2e/chromium-harness.ts because the harness
 * routes every request of the context (the service worker's too) through Playwright: the worker's
 * fetches of the index and the popup's scripts would each wait on a round trip to node. Here only the
 * test pages' own http(s) requests are served from node (page.route), extension resources never.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { CORPUS_MARKER, ensureCorpus } from '../src/build/generate-corpus';
import { readBundledIndex } from '../src/build/index-file';
import { BundleDirectory, BUNDLED_INDEX_DIR, detailChunkFile, DIRECTORY_FILE, keyPageFile } from '../src/core/index/chunks';
import { CoverageIndex } from '../src/core/index/coverage-index';
import { EVERY_SITE_MATCH, OUTLET_HOSTS_FILE, parseOutletHosts } from '../src/shared/outlet-sites';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../tests/e2e/browsers';
import { writeNaiveIndex } from './naive-index';

export interface BrowserBenchRow {
  name: string;
  ours: number;
  baseline: number | null;
  /** baseline ÷ ours: above 1 means ours costs less (time, bytes) than the baseline. */
  ratio: number | null;
  unit: string;
  note?: string;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TMP = join(ROOT, 'bench', 'tmp', 'browser');
/** The seed of every generated corpus, as in bench/run.ts, so runs compare like with like. */
const SEED = 4;
const NAIVE_CONFIG = 'bench/browser-naive.vite.config.ts';
/** After a page's load event, how long to let the content script and its answer run before reading the page's metrics. */
const SETTLE_MS = 1000;
/** Pause after the worker is gone, so its teardown does not overlap the measurement. */
const AFTER_STOP_MS = 300;
const ANSWER_TIMEOUT_MS = 120_000;
/** A host that is no outlet: a listing build injects no content script there, a build that runs everywhere does. */
const OFF_LIST_HOST = 'www.example.org';

interface Plan {
  stories: number;
  /** Unmeasured rounds first (file caches, code caches); none in the smoke run, which only proves the bench runs. */
  warmups: number;
  /** Repeats of each timing (medians are reported). */
  repeats: number;
  /** Repeats of the content-script cost, which is small next to the noise of a page load. */
  costRepeats: number;
}

const planFor = (smoke: boolean): Plan => (smoke ? { stories: 20, warmups: 0, repeats: 1, costRepeats: 1 } : { stories: 100_000, warmups: 1, repeats: 7, costRepeats: 11 });

function log(message: string): void {
  process.stderr.write(`[browser-bench] ${message}\n`);
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
const sizeLabel = (stories: number): string => (stories >= 1000 && stories % 1000 === 0 ? `${stories / 1000}k` : `${stories}-story`);

// ---------------------------------------------------------------------------------------------
// Corpora and builds

/** A generated corpus, reused while its options and the generator are unchanged (as bench/run.ts does). */
function corpus(stories: number): string {
  const dir = join(TMP, `seeds-${stories}`);
  if (ensureCorpus(dir, { stories, seed: SEED })) log(`generated ${stories} seed files into ${dir}`);
  return dir;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

/** What a build depends on, apart from its seeds: every source, the config, the manifest, the locales, the lock file. */
export function sourceHash(): string {
  const hash = createHash('sha1');
  const inputs = [
    ...filesUnder(join(ROOT, 'src')),
    ...filesUnder(join(ROOT, 'assets')),
    ...['vite.config.ts', 'manifest.json', 'package-lock.json', NAIVE_CONFIG, 'bench/browser-naive-source.ts', 'bench/naive-index.ts'].map((file) => join(ROOT, file)),
  ];
  for (const file of inputs) hash.update(file.slice(ROOT.length)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

function viteBuild(seeds: string, outDir: string, configFile: string | null): void {
  const args = ['build', '--mode', 'chrome', '--logLevel', 'warn', ...(configFile ? ['--config', configFile] : [])];
  const started = performance.now();
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'vite'), args, {
    cwd: ROOT,
    env: { ...process.env, ELSEWHERE_SEEDS: seeds, ELSEWHERE_OUT_DIR: outDir },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (run.status !== 0) throw new Error(`vite build of ${outDir} failed:\n${run.stdout}\n${run.stderr}`);
  log(`built ${outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Builds `outDir` unless it was built from the same key; the key is kept next to it (vite empties the folder). */
function cachedBuild(outDir: string, key: string, build: () => void): string {
  const keyFile = `${outDir}.build-key`;
  if (existsSync(keyFile) && existsSync(join(outDir, 'manifest.json')) && readFileSync(keyFile, 'utf8') === key) return outDir;
  rmSync(keyFile, { force: true });
  build();
  writeFileSync(keyFile, key);
  return outDir;
}

/**
 * The least an extension page that shows anything needs, written into our build: an HTML page
 * and one script of its own (MV3 allows no inline script) that reads the extension API once. How
 * long Chromium takes to get such a page to DOMContentLoaded is the floor under the popup's
 * figure (5). A page with no script at all reached it ~30-70 ms sooner here (session 15).
 */
const FLOOR_PAGE = 'bench-floor-page.html';
const FLOOR_SCRIPT = 'bench-floor-page.js';

interface Builds {
  ours: string;
  naive: string;
  tiny: string;
  /** The 1-story build with the host lists of ours added: what the size of the manifest alone costs. */
  tinyWide: string;
}

/** What copyHostLists copies, in the keys of the builds it makes: a build from before it copied the outlet hosts is made again. */
const COPIED_LISTS = 'lists: manifest, outlet hosts';

/**
 * Gives the build in `dir` the host lists of the one in `from`, in place of its own or, with
 * `keepOwn`, added to its own: its manifest's host permissions and content-script matches, and
 * its list of outlet hosts (OUTLET_HOSTS_FILE), by which the background decides whether a page's
 * canonical link and og:url are worth asking for. Without that list, the naive build never asked
 * a page of ours about itself and drew no badge (the bench's badge rows waited 120 s, session 15).
 */
function copyHostLists(from: string, dir: string, keepOwn = false): void {
  const source = JSON.parse(readFileSync(join(from, 'manifest.json'), 'utf8')) as Manifest;
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const merge = (own: string[] | undefined, other: string[] | undefined): string[] => [...new Set([...(keepOwn ? (own ?? []) : []), ...(other ?? [])])];
  manifest.host_permissions = merge(manifest.host_permissions, source.host_permissions);
  for (const script of manifest.content_scripts ?? []) script.matches = merge(script.matches, source.content_scripts?.[0]?.matches);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  const hosts = (build: string): string[] => [...parseOutletHosts(readFileSync(join(build, OUTLET_HOSTS_FILE), 'utf8'))];
  writeFileSync(join(dir, OUTLET_HOSTS_FILE), merge(hosts(dir), hosts(from)).sort().map((host) => `${host}\n`).join(''));
}

/**
 * The extensions compared: ours from the corpus; the naive one (same code, the background's
 * index source swapped for bench/browser-naive-source.ts, naive.json holding the same stories,
 * the same host lists in its manifest); ours built from a 1-story corpus; and that 1-story build
 * with the host lists of ours.
 */
function prepareBuilds(plan: Plan): Builds {
  mkdirSync(TMP, { recursive: true });
  const sources = sourceHash();
  const seeds = corpus(plan.stories);
  const tinySeeds = corpus(1);
  const marker = (dir: string): string => readFileSync(join(dir, CORPUS_MARKER), 'utf8').trim();
  const oursKey = `${sources} ${marker(seeds)}`;
  const ours = cachedBuild(join(TMP, `ext-${plan.stories}`), oursKey, () => viteBuild(seeds, join(TMP, `ext-${plan.stories}`), null));
  writeFileSync(join(ours, FLOOR_PAGE), `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Floor</title><script defer src="${FLOOR_SCRIPT}"></script></head><body></body></html>\n`);
  writeFileSync(join(ours, FLOOR_SCRIPT), 'document.body.textContent = chrome.runtime.id;\n');
  const tiny = cachedBuild(join(TMP, 'ext-1'), `${sources} ${marker(tinySeeds)}`, () => viteBuild(tinySeeds, join(TMP, 'ext-1'), null));
  const tinyWideDir = join(TMP, `ext-1-hosts-of-${plan.stories}`);
  const tinyWide = cachedBuild(tinyWideDir, `wide ${COPIED_LISTS} ${oursKey} ${marker(tinySeeds)}`, () => {
    rmSync(tinyWideDir, { recursive: true, force: true });
    cpSync(tiny, tinyWideDir, { recursive: true });
    // Its own hosts stay, so its articles still get the content script.
    copyHostLists(ours, tinyWideDir, true);
  });
  const naiveDir = join(TMP, `ext-naive-${plan.stories}`);
  const naive = cachedBuild(naiveDir, `naive ${COPIED_LISTS} ${oursKey}`, () => {
    // The code is the same whatever the seeds: build from the tiny corpus, then give it the data and host lists of ours.
    viteBuild(tinySeeds, naiveDir, NAIVE_CONFIG);
    rmSync(join(naiveDir, BUNDLED_INDEX_DIR), { recursive: true });
    copyHostLists(ours, naiveDir);
    const started = performance.now();
    const bytes = writeNaiveIndex(join(naiveDir, 'naive.json'), CoverageIndex.decode(readBundledIndex(ours), { verify: 'lazy' }));
    log(`wrote naive.json (${(bytes / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
  return { ours, naive, tiny, tinyWide };
}

interface Manifest {
  host_permissions?: string[];
  content_scripts?: Array<{ matches: string[]; js?: string[]; css?: string[] }>;
  background?: { service_worker?: string };
  action?: { default_popup?: string };
}

// ---------------------------------------------------------------------------------------------
// Test pages: what the content script reads, served from node for http(s) addresses only

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** Records, in the page's own clock (ms since navigation start), when the in-page badge is attached. */
const BADGE_PROBE = `new MutationObserver((_, observer) => { if (document.querySelector('elsewhere-badge')) { window.__esBadgeAt = performance.now(); observer.disconnect(); } }).observe(document.documentElement, { childList: true });`;

/** A plain article page, with no script of its own unless `probe` (so script time on it is the content script's). */
function articlePage(url: string, probe: boolean): string {
  const paragraphs = Array.from({ length: 24 }, (_, i) => `<p>Paragraph ${i + 1} of the report. ${'The council met on Tuesday to discuss the budget, the harbour and the new tram line. '.repeat(4)}</p>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Benchmark article</title>
<link rel="canonical" href="${escapeHtml(url)}"><meta property="og:url" content="${escapeHtml(url)}">
<meta name="viewport" content="width=device-width">${probe ? `<script>${BADGE_PROBE}</script>` : ''}
<style>body{font:16px/1.5 serif;max-width:40em;margin:auto}</style></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>Benchmark article</h1>
${paragraphs}
</article></main><footer>© Benchmark</footer></body></html>`;
}

async function webPage(context: BrowserContext, probe: boolean): Promise<Page> {
  const page = await context.newPage();
  await page.route(/^https?:\/\//, (route) => {
    const url = route.request().url();
    if (new URL(url).pathname === '/favicon.ico') return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: articlePage(url, probe) });
  });
  return page;
}

// ---------------------------------------------------------------------------------------------
// Browsers

interface Browser {
  name: string;
  context: BrowserContext;
  extensionId: string | null;
  /** Browser start until the extension's service worker is up. */
  launchMs: number;
  close(): Promise<void>;
}

async function launch(name: string, extensionDir: string | null): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'elsewhere-browser-bench-'));
  const started = performance.now();
  const dir = extensionDir ? resolve(extensionDir) : null;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(dir ? [`--disable-extensions-except=${dir}`, `--load-extension=${dir}`] : [])],
    ...(dir ? { ignoreDefaultArgs: ['--disable-extensions'] } : {}),
    timeout: 600_000,
  });
  let extensionId: string | null = null;
  if (dir) {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 600_000 }));
    extensionId = new URL(worker.url()).host;
  }
  const launchMs = performance.now() - started;
  log(`${name}: launched in ${(launchMs / 1000).toFixed(1)} s`);
  const blank = context.pages()[0] ?? (await context.newPage());
  const session = await context.newCDPSession(blank);
  lastChromiumVersion = ((await session.send('Browser.getVersion')) as { product: string }).product;
  await session.detach();
  return {
    name,
    context,
    extensionId,
    launchMs,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

let lastChromiumVersion: string | null = null;

/** The Chromium that the last run measured (DevTools Browser.getVersion), for the report. */
export function chromiumVersion(): string | null {
  return lastChromiumVersion;
}

const extensionUrl = (browser: Browser, path: string): string => `chrome-extension://${browser.extensionId}/${path}`;

/** Any page's DevTools session reaches the browser-wide ServiceWorker and Target domains. */
async function withSession<T>(browser: Browser, page: Page, use: (session: CDPSession) => Promise<T>): Promise<T> {
  const session = await browser.context.newCDPSession(page);
  try {
    return await use(session);
  } finally {
    await session.detach().catch(() => undefined);
  }
}

async function workerRunning(browser: Browser, page: Page): Promise<boolean> {
  const { targetInfos } = await withSession(browser, page, (session) => session.send('Target.getTargets'));
  return targetInfos.some((target) => target.type === 'service_worker' && target.url.startsWith(extensionUrl(browser, '')));
}

/** Stops the extension's service worker, as Chrome does after 30 s idle, and waits until it is gone. */
async function stopWorker(browser: Browser, page: Page): Promise<void> {
  await withSession(browser, page, async (session) => {
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
  });
  const deadline = Date.now() + 10_000;
  while (await workerRunning(browser, page)) {
    if (Date.now() > deadline) throw new Error(`${browser.name}: the service worker did not stop`);
    await sleep(20);
  }
  await sleep(AFTER_STOP_MS);
}

// ---------------------------------------------------------------------------------------------
// Measurements

interface Answer {
  ms: number;
  count: number | null;
}

/** One `getUrlView` round trip from an extension page, timed with performance.now() in that page. */
function askUrlView(probe: Page, url: string): Promise<Answer> {
  return probe.evaluate(async (address) => {
    const chromeApi = (globalThis as unknown as { chrome: { runtime: { sendMessage(message: unknown): Promise<{ coverage: { otherOutletCount: number } | null }> } } }).chrome;
    const started = performance.now();
    const reply = await chromeApi.runtime.sendMessage({ method: 'getUrlView', params: { url: address } });
    return { ms: performance.now() - started, count: reply.coverage?.otherOutletCount ?? null };
  }, url);
}

/**
 * Reads what the background reads before its first answer, the way it does, in an extension page:
 * `rounds` one after the other, the files of a round in parallel, as bytes (ours: the directory,
 * then the key pages of the article asked about, then its details chunk), or one file
 * JSON.parse'd (the naive index).
 */
function readIndexInPage(probe: Page, rounds: string[][], parse: boolean): Promise<number> {
  return probe.evaluate(
    async ({ rounds: names, parse: json }) => {
      const started = performance.now();
      for (const round of names) {
        await Promise.all(
          round.map(async (name) => {
            const response = await fetch(`/${name}`);
            if (json) JSON.parse(await response.text());
            else await response.arrayBuffer();
          }),
        );
      }
      return performance.now() - started;
    },
    { rounds, parse },
  );
}

/** Navigates `page` to a known article and returns, in the page's clock, when the in-page badge appeared and when load ended. */
async function badgeAfterNavigation(page: Page, url: string): Promise<{ badgeMs: number; loadMs: number }> {
  await page.goto(url, { waitUntil: 'load' });
  try {
    await page.waitForFunction(() => (window as unknown as { __esBadgeAt?: number }).__esBadgeAt !== undefined, null, { polling: 20, timeout: ANSWER_TIMEOUT_MS });
  } catch (error) {
    const seen = await page.evaluate(() => ({ url: location.href, badges: document.querySelectorAll('elsewhere-badge').length, probe: (window as unknown as { __esBadgeAt?: number }).__esBadgeAt ?? null }));
    throw new Error(`no in-page badge on ${url} within ${ANSWER_TIMEOUT_MS} ms: ${JSON.stringify(seen)}`, { cause: error });
  }
  return page.evaluate(() => ({
    badgeMs: (window as unknown as { __esBadgeAt: number }).__esBadgeAt,
    loadMs: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
  }));
}

interface PopupTimes {
  /** The first `.es-item` attached: the list is on screen. */
  itemMs: number;
  /** The popup's first render (its loading state) attached to #app. */
  shellMs: number;
  domContentLoadedMs: number;
}

/** Opens `popup.html?…` in a new tab and returns, in its clock (ms since navigation start), when the list appeared. */
async function popupFirstItem(browser: Browser, query: string): Promise<PopupTimes> {
  const page = await browser.context.newPage();
  try {
    await page.addInitScript(() => {
      const marks = window as unknown as { __esItemAt?: number; __esShellAt?: number };
      new MutationObserver((_records, observer) => {
        if (marks.__esShellAt === undefined && document.getElementById('app')?.firstChild) marks.__esShellAt = performance.now();
        if (document.querySelector('.es-item')) {
          marks.__esItemAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(extensionUrl(browser, `src/popup/popup.html?${query}`));
    await page.waitForFunction(() => (window as unknown as { __esItemAt?: number }).__esItemAt !== undefined, null, { polling: 20, timeout: ANSWER_TIMEOUT_MS });
    return await page.evaluate(() => {
      const marks = window as unknown as { __esItemAt: number; __esShellAt?: number };
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { itemMs: marks.__esItemAt, shellMs: marks.__esShellAt ?? marks.__esItemAt, domContentLoadedMs: navigation.domContentLoadedEventEnd };
    });
  } finally {
    await page.close();
  }
}

/** Opens the extension's FLOOR_PAGE in a new tab, as popupFirstItem opens the popup, and returns its DOMContentLoaded (ms since navigation start). */
async function floorPageLoaded(browser: Browser): Promise<number> {
  const page = await browser.context.newPage();
  try {
    await page.goto(extensionUrl(browser, FLOOR_PAGE));
    return await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd);
  } finally {
    await page.close();
  }
}

/** The tab id of the page at `url`, asked from an extension page (needs host access to `url`). */
function tabIdOf(probe: Page, url: string): Promise<number> {
  return probe.evaluate(async (address) => {
    const chromeApi = (globalThis as unknown as { chrome: { tabs: { query(query: { url: string }): Promise<Array<{ id?: number }>> } } }).chrome;
    const tabs = await chromeApi.tabs.query({ url: address });
    if (tabs.length !== 1 || tabs[0]?.id === undefined) throw new Error(`expected one tab at ${address}, found ${tabs.length}`);
    return tabs[0].id;
  }, url);
}

interface PageCost {
  scriptMs: number;
  compileMs: number;
  taskMs: number;
  styleLayoutMs: number;
  badge: boolean;
}

/**
 * Loads `url` in a fresh tab (so a fresh renderer) and reads the renderer's own counters after the
 * load event plus SETTLE_MS: DevTools Performance.getMetrics, which count every task and script of
 * the page's main thread, the content script's isolated world included.
 */
async function pageCost(browser: Browser, url: string): Promise<PageCost> {
  const page = await webPage(browser.context, false);
  try {
    return await withSession(browser, page, async (session) => {
      await session.send('Performance.enable');
      await page.goto(url, { waitUntil: 'load' });
      await sleep(SETTLE_MS);
      const { metrics } = await session.send('Performance.getMetrics');
      const metric = (name: string): number => (metrics.find((entry) => entry.name === name)?.value ?? 0) * 1000;
      const cost = {
        scriptMs: metric('ScriptDuration'),
        compileMs: metric('V8CompileDuration'),
        taskMs: metric('TaskDuration'),
        styleLayoutMs: metric('RecalcStyleDuration') + metric('LayoutDuration'),
      };
      const badge = await page.evaluate(() => document.querySelector('elsewhere-badge') !== null);
      return { ...cost, badge };
    });
  } finally {
    await page.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Bundles

/** Every file a surface loads: the entry, then its static imports (JS) and its scripts and stylesheets (HTML), transitively. */
function surfaceFiles(dir: string, entries: string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    const path = posix.normalize(file.replace(/^\/+/, ''));
    if (seen.has(path) || !existsSync(join(dir, path))) return;
    seen.add(path);
    const text = readFileSync(join(dir, path), 'utf8');
    const here = posix.dirname(path);
    const resolveRef = (ref: string): string => (ref.startsWith('/') ? ref : posix.join(here, ref));
    if (path.endsWith('.html')) {
      for (const match of text.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)) visit(resolveRef(match[1]!));
    } else if (path.endsWith('.js')) {
      for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{0,2}\/[^"']+)["']/g)) visit(resolveRef(match[1]!));
    }
  };
  for (const entry of entries) visit(entry);
  return [...seen].sort();
}

function bundleSize(dir: string, files: string[]): { minified: number; gzipped: number } {
  let minified = 0;
  let gzipped = 0;
  for (const file of files) {
    const bytes = readFileSync(join(dir, file));
    minified += bytes.byteLength;
    gzipped += gzipSync(bytes).byteLength;
  }
  return { minified, gzipped };
}

function bundleRows(builds: Builds, stories: number): BrowserBenchRow[] {
  const manifest = JSON.parse(readFileSync(join(builds.ours, 'manifest.json'), 'utf8')) as Manifest;
  const surfaces: Array<[string, string[]]> = [
    ['content script', (manifest.content_scripts ?? []).flatMap((script) => [...(script.js ?? []), ...(script.css ?? [])])],
    ['popup', [manifest.action?.default_popup ?? 'src/popup/popup.html']],
    ['background', [manifest.background?.service_worker ?? 'service-worker-loader.js']],
  ];
  const rows: BrowserBenchRow[] = [];
  for (const [surface, entries] of surfaces) {
    const files = surfaceFiles(builds.ours, entries);
    const { minified, gzipped } = bundleSize(builds.ours, files);
    const fileNote = `${files.length} file(s): ${files.map((file) => posix.basename(file)).join(', ')}`;
    rows.push(
      { name: `bundle: ${surface}, gzipped`, ours: gzipped / 1024, baseline: null, ratio: null, unit: 'KiB', note: `node zlib gzip (level 6) of each file, summed; ${fileNote}` },
      { name: `bundle: ${surface}, minified`, ours: minified / 1024, baseline: null, ratio: null, unit: 'KiB', note: fileNote },
    );
  }
  const indexFiles = filesUnder(join(builds.ours, BUNDLED_INDEX_DIR));
  const indexBytes = indexFiles.reduce((sum, file) => sum + statSync(file).size, 0);
  const directoryBytes = statSync(join(builds.ours, DIRECTORY_FILE)).size;
  const naiveBytes = statSync(join(builds.naive, 'naive.json')).size;
  const directory = BundleDirectory.parse(readFileSync(join(builds.ours, DIRECTORY_FILE)));
  const { header } = directory;
  rows.push({
    name: `index bytes per story (${sizeLabel(stories)})`,
    ours: indexBytes / header.storyCount,
    baseline: naiveBytes / header.storyCount,
    ratio: naiveBytes / indexBytes,
    unit: 'B',
    note: `index ${(indexBytes / 2 ** 20).toFixed(1)} MiB (directory ${(directoryBytes / 1024).toFixed(1)} KiB + ${indexFiles.length - 1 - directory.chunkCount} key pages + ${directory.chunkCount} details chunks) for ${header.storyCount} stories (${stories} seed files, ${header.articleCount} articles, ${header.keyCount} addresses: ${(indexBytes / stories).toFixed(0)} B per seed file); baseline = naive.json ${(naiveBytes / 2 ** 20).toFixed(1)} MiB`,
  });
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The run

interface Known {
  /** Articles with at least one other outlet (so the in-page badge shows), spread over the index. */
  urls: string[];
  counts: number[];
  /**
   * What a cold answer about each article reads after the directory, in rounds whose files are
   * fetched in parallel: the key pages of its lookup keys, then the details chunk of its story.
   */
  reads: string[][][];
}

function knownArticles(extensionDir: string, wanted: number): Known {
  const bytes = readBundledIndex(extensionDir);
  const index = CoverageIndex.decode(bytes, { verify: 'lazy' });
  const directory = BundleDirectory.parse(readFileSync(join(extensionDir, DIRECTORY_FILE)));
  const total = index.header.articleCount;
  const urls: string[] = [];
  const counts: number[] = [];
  const reads: string[][][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < wanted * 4 && urls.length < wanted; i++) {
    const start = Math.floor(((i * 7919) % (wanted * 4)) * (total / (wanted * 4)));
    for (let id = start; id < Math.min(total, start + 64); id++) {
      const coverage = index.coverageOf(id);
      if (coverage.otherOutletCount > 0 && !seen.has(coverage.article.url)) {
        seen.add(coverage.article.url);
        urls.push(coverage.article.url);
        counts.push(coverage.otherOutletCount);
        const pages = directory.pagesFor([coverage.article.url]).map(keyPageFile);
        reads.push([pages, [detailChunkFile(directory.chunkOfArticle(index.match([coverage.article.url])!.articleId))]]);
        break;
      }
    }
  }
  if (urls.length === 0) throw new Error(`${extensionDir}: no article with other outlets`);
  // The files must be the build's own: a bench that cut differently would time the wrong reads.
  if (directory.files().length !== filesUnder(join(extensionDir, BUNDLED_INDEX_DIR)).length) throw new Error(`${extensionDir}: index files differ from its directory`);
  return { urls, counts, reads };
}

function check(browser: Browser, answer: Answer, expected: number): void {
  if (answer.count !== expected) throw new Error(`${browser.name}: expected ${expected} other outlets, got ${answer.count}`);
}

function row(name: string, ours: number[], baseline: number[] | null, unit: string, note?: string): BrowserBenchRow {
  const oursMedian = median(ours);
  const baselineMedian = baseline ? median(baseline) : null;
  return {
    name,
    ours: oursMedian,
    baseline: baselineMedian,
    // No ratio against nothing: a baseline of 0 (no script at all) or a figure of 0.
    ratio: baselineMedian === null || oursMedian === 0 || baselineMedian === 0 ? null : baselineMedian / oursMedian,
    unit,
    ...(note ? { note } : {}),
  };
}

/** One extension under test, with articles its index knows and an outlet host of its match list. */
interface Subject {
  browser: Browser;
  known: Known;
  host: string;
}

interface Run {
  plan: Plan;
  /** "100k" (or the smoke corpus' size), for the rows' names. */
  size: string;
  builds: Builds;
  ours: Subject;
  naive: Subject;
  tiny: Subject;
  /** The 1-story build with the host lists of ours; left out of the smoke run, where the lists are short anyway. */
  tinyWide: Subject | null;
  /** Chromium without the extension. */
  plain: Browser;
}

const subjectsOf = (run: Run): Subject[] => [run.ours, run.naive, run.tiny, ...(run.tinyWide ? [run.tinyWide] : [])];

/** "… with the host lists of ours: N ms", or nothing when that build was not measured. */
const wideNote = (run: Run, figure: (subject: Subject) => string): string => (run.tinyWide ? `; 1-story index with the host lists of ours: ${figure(run.tinyWide)}` : '');

/** The i-th known article (cycling), with the count of other outlets the answer must carry. */
const pick = (known: Known, i: number): { url: string; count: number } => ({ url: known.urls[i % known.urls.length]!, count: known.counts[i % known.counts.length]! });

/** Runs `measure` for every subject, interleaved, warm-up rounds first; returns each subject's samples. */
async function interleaved<T>(run: Run, subjects: Subject[], measure: (subject: Subject, repeat: number) => Promise<T>, describe: (subject: Subject, sample: T) => string): Promise<Map<Subject, T[]>> {
  const samples = new Map<Subject, T[]>(subjects.map((subject) => [subject, []]));
  for (let repeat = -run.plan.warmups; repeat < run.plan.repeats; repeat++) {
    for (const subject of subjects) {
      const sample = await measure(subject, repeat + run.plan.warmups);
      // Warm-up rounds fill the OS file cache and Chromium's code caches; they are not counted.
      if (repeat < 0) continue;
      samples.get(subject)!.push(sample);
      log(`  ${subject.browser.name}: ${describe(subject, sample)}`);
    }
  }
  return samples;
}

const fixed = (value: number, digits = 0): string => value.toFixed(digits);

/** 4. From a stopped worker to the first answer, asked from an extension page; and where the time goes. */
async function coldStartRows(run: Run): Promise<BrowserBenchRow[]> {
  const { ours, naive, tiny, size } = run;
  const probes = new Map<Subject, Page>();
  for (const subject of subjectsOf(run)) {
    const probe = await subject.browser.context.newPage();
    await probe.goto(extensionUrl(subject.browser, 'src/popup/popup.html?tab=0'));
    probes.set(subject, probe);
  }
  try {
    log('service-worker cold start, getUrlView from an extension page');
    const answers = await interleaved(
      run,
      subjectsOf(run),
      async (subject, repeat) => {
        const probe = probes.get(subject)!;
        const first = pick(subject.known, repeat);
        const second = pick(subject.known, repeat + 32);
        await stopWorker(subject.browser, probe);
        const cold = await askUrlView(probe, first.url);
        check(subject.browser, cold, first.count);
        const warm = await askUrlView(probe, second.url);
        check(subject.browser, warm, second.count);
        return { cold: cold.ms, warm: warm.ms };
      },
      (_subject, sample) => `cold ${fixed(sample.cold, 1)} ms, warm ${fixed(sample.warm, 1)} ms`,
    );
    const cold = (subject: Subject): number[] => answers.get(subject)!.map((sample) => sample.cold);
    const warm = (subject: Subject): number[] => answers.get(subject)!.map((sample) => sample.warm);
    const note =
      'ServiceWorker.stopAllWorkers, then chrome.runtime.sendMessage getUrlView from an open extension page (so the extension process is up), timed in that page' +
      wideNote(run, (subject) => `${fixed(median(cold(subject)))} ms`);

    log('reading the bundled index in an extension page');
    const reads = await interleaved(
      run,
      [ours, naive],
      (subject, repeat) =>
        subject === ours ? readIndexInPage(probes.get(ours)!, [[DIRECTORY_FILE], ...ours.known.reads[(repeat + 1) % ours.known.reads.length]!], false) : readIndexInPage(probes.get(naive)!, [['naive.json']], true),
      (_subject, ms) => `${fixed(ms)} ms`,
    );
    const directoryKiB = statSync(join(run.builds.ours, DIRECTORY_FILE)).size / 1024;
    return [
      row(`worker cold start → first answer, ${size} (baseline: naive JSON index)`, cold(ours), cold(naive), 'ms', note),
      row(`worker cold start → first answer, ${size} (baseline: 1-story index)`, cold(ours), cold(tiny), 'ms', note),
      // The control: what the manifest's thousands of match patterns cost a waking extension by themselves.
      ...(run.tinyWide ? [row(`worker cold start → first answer, ${size} (baseline: 1-story index with the host lists of ${size})`, cold(ours), cold(run.tinyWide), 'ms', note)] : []),
      row(`answer from a running worker, ${size} (baseline: naive JSON index)`, warm(ours), warm(naive), 'ms', 'getUrlView round trip right after the cold one, another article'),
      row(
        `read the bundled index in an extension page, ${size} (baseline: naive JSON index)`,
        reads.get(ours)!,
        reads.get(naive)!,
        'ms',
        `ours = fetch().arrayBuffer() of ${DIRECTORY_FILE} (${fixed(directoryKiB, 1)} KiB), then of the key pages of one article's lookup keys (in parallel), then of its details chunk: what the worker reads before it can answer; baseline = fetch(naive.json).text() + JSON.parse`,
      ),
    ];
  } finally {
    for (const probe of probes.values()) await probe.close();
  }
}

/** 4, from a page: navigation to a known article until the in-page badge is attached, worker stopped and running. No extension page is open. */
async function badgeRows(run: Run): Promise<BrowserBenchRow[]> {
  const { ours, naive, tiny, size } = run;
  const tabs = new Map<Subject, Page>();
  for (const subject of subjectsOf(run)) tabs.set(subject, await webPage(subject.browser.context, true));
  try {
    log('navigation → in-page badge');
    const runs = await interleaved(
      run,
      subjectsOf(run),
      async (subject, repeat) => {
        const tab = tabs.get(subject)!;
        await stopWorker(subject.browser, tab);
        const cold = await badgeAfterNavigation(tab, pick(subject.known, repeat + 8).url);
        const warm = await badgeAfterNavigation(tab, pick(subject.known, repeat + 40).url);
        return { cold: cold.badgeMs, afterLoad: cold.badgeMs - cold.loadMs, warm: warm.badgeMs };
      },
      (_subject, sample) => `badge at ${fixed(sample.cold)} ms cold (${fixed(sample.afterLoad)} ms after load), ${fixed(sample.warm)} ms warm`,
    );
    const series = (subject: Subject, key: 'cold' | 'afterLoad' | 'warm'): number[] => runs.get(subject)!.map((sample) => sample[key]);
    const note = (baseline: Subject): string =>
      "navigation start → in-page badge attached, in the page's clock (the navigation wakes the worker, which asks the page at document_idle what it says about itself, puts in the rendering stage and answers; render); " +
      `after the load event: ours ${fixed(median(series(ours, 'afterLoad')))} ms, baseline ${fixed(median(series(baseline, 'afterLoad')))} ms` +
      wideNote(run, (subject) => `${fixed(median(series(subject, 'cold')))} ms`);
    return [
      row(`navigation → in-page badge, worker stopped, ${size} (baseline: naive JSON index)`, series(ours, 'cold'), series(naive, 'cold'), 'ms', note(naive)),
      row(`navigation → in-page badge, worker stopped, ${size} (baseline: 1-story index)`, series(ours, 'cold'), series(tiny, 'cold'), 'ms', note(tiny)),
      row(
        `navigation → in-page badge, worker running, ${size} (baseline: naive JSON index)`,
        series(ours, 'warm'),
        series(naive, 'warm'),
        'ms',
        `same tab, the next article; 1-story index: ${fixed(median(series(tiny, 'warm')))} ms` + wideNote(run, (subject) => `${fixed(median(series(subject, 'warm')))} ms`),
      ),
    ];
  } finally {
    for (const tab of tabs.values()) await tab.close();
  }
}

/** 5. Popup first render with the list, for a tab showing a known article (worker running and stopped), and for a link. */
async function popupRows(run: Run): Promise<BrowserBenchRow[]> {
  const { ours, naive, tiny, size } = run;
  const tabs = new Map<Subject, { page: Page; tabId: number }>();
  try {
    for (const subject of subjectsOf(run)) {
      // A tab showing a known article: its answer is in storage.session, where the popup reads it.
      const page = await webPage(subject.browser.context, true);
      await badgeAfterNavigation(page, pick(subject.known, 63).url);
      const probe = await subject.browser.context.newPage();
      await probe.goto(extensionUrl(subject.browser, 'src/popup/popup.html?tab=0'));
      tabs.set(subject, { page, tabId: await tabIdOf(probe, page.url()) });
      await probe.close();
    }
    log('popup first render');
    const runs = await interleaved(
      run,
      subjectsOf(run),
      async (subject, repeat) => {
        const { page, tabId } = tabs.get(subject)!;
        const running = await popupFirstItem(subject.browser, `tab=${tabId}`);
        // The floor under it, with the worker running as well.
        const floor = subject === ours ? await floorPageLoaded(subject.browser) : null;
        await stopWorker(subject.browser, page);
        const stopped = await popupFirstItem(subject.browser, `tab=${tabId}`);
        await stopWorker(subject.browser, page);
        const link = await popupFirstItem(subject.browser, `url=${encodeURIComponent(pick(subject.known, repeat + 16).url)}`);
        return { running, stopped, link, floor };
      },
      (_subject, sample) =>
        `popup ${fixed(sample.running.itemMs)} ms (worker running), ${fixed(sample.stopped.itemMs)} ms (stopped; DOMContentLoaded at ${fixed(sample.stopped.domContentLoadedMs)} ms), link popup ${fixed(sample.link.itemMs)} ms (stopped)`,
    );
    type Case = 'running' | 'stopped' | 'link';
    const items = (subject: Subject, key: Case): number[] => runs.get(subject)!.map((sample) => sample[key].itemMs);
    const at = (subject: Subject, key: Case, mark: 'domContentLoadedMs' | 'shellMs'): string => fixed(median(runs.get(subject)!.map((sample) => sample[key][mark])));
    const note = (key: Case, what: string): string =>
      `${what}; navigation start → first .es-item attached, in the page’s clock (MutationObserver); opened in a tab, as headless Chromium has no toolbar popup; ` +
      `ours: DOMContentLoaded at ${at(ours, key, 'domContentLoadedMs')} ms, first render (loading state) at ${at(ours, key, 'shellMs')} ms; ` +
      `1-story index: DOMContentLoaded at ${at(tiny, key, 'domContentLoadedMs')} ms` +
      wideNote(run, (subject) => `${fixed(median(items(subject, key)))} ms (DOMContentLoaded at ${at(subject, key, 'domContentLoadedMs')} ms)`);
    return [
      row(`popup first render with the list, worker running, ${size} (baseline: 1-story index)`, items(ours, 'running'), items(tiny, 'running'), 'ms', note('running', 'popup.html?tab=ID of a tab showing a known article: the answer comes from storage.session')),
      row(
        `popup first render with the list, worker running, ${size} (baseline: an extension page with one script, DOMContentLoaded)`,
        items(ours, 'running'),
        runs.get(ours)!.map((sample) => sample.floor!),
        'ms',
        `${FLOOR_PAGE}: a page and one script that reads chrome.runtime.id, written into our build and opened as the popup is, right after it; the time Chromium takes to get any extension page that shows something to its first script here`,
      ),
      row(
        `popup first render with the list, worker stopped, ${size} (baseline: 1-story index)`,
        items(ours, 'stopped'),
        items(tiny, 'stopped'),
        'ms',
        note('stopped', 'the same after ServiceWorker.stopAllWorkers, with no extension page open (so Chromium starts the extension’s process again)'),
      ),
      row(
        `link popup (?url=) first render, worker stopped, ${size} (baseline: naive JSON index)`,
        items(ours, 'link'),
        items(naive, 'link'),
        'ms',
        note('link', 'popup.html?url=ADDRESS (link badges, context menu): the woken worker loads the index to answer'),
      ),
    ];
  } finally {
    for (const { page } of tabs.values()) await page.close();
  }
}

/** Whether the build at `dir` runs its content script on every site (more outlets than its manifest lists). */
function runsEverywhere(dir: string): boolean {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  return (manifest.content_scripts ?? []).some((script) => script.matches?.includes(EVERY_SITE_MATCH));
}

/** 6. The content script's main-thread cost, next to the same page in Chromium without the extension (worker running). */
async function costRows(run: Run): Promise<BrowserBenchRow[]> {
  const { ours, tiny, tinyWide, plain, size } = run;
  // The smoke run measures ours only: it proves the path works.
  const kinds = [
    { kind: 'non-matching page (outlet host, unknown article)', url: (subject: Subject, i: number) => `https://${subject.host}/elsewhere-bench/not-indexed-${i}.html`, badge: false },
    { kind: 'matching page (known article)', url: (subject: Subject, i: number) => pick(subject.known, i + 24).url, badge: true },
    {
      kind: runsEverywhere(run.builds.ours) ? 'page on no outlet (content script injected: the build runs everywhere)' : 'page outside the outlet list (no content script injected)',
      url: (_subject: Subject, i: number) => `https://${OFF_LIST_HOST}/news/${i}.html`,
      badge: false,
    },
  ];
  const rows: BrowserBenchRow[] = [];
  for (const { kind, url, badge } of kinds) {
    log(`content-script main-thread cost: ${kind}`);
    const withExtension = run.plan.warmups === 0 ? [ours] : [ours, tiny, ...(tinyWide ? [tinyWide] : [])];
    const samples = await interleaved(
      { ...run, plan: { ...run.plan, repeats: run.plan.costRepeats } },
      withExtension,
      async (subject, repeat) => {
        const address = url(subject, repeat);
        const cost = await pageCost(subject.browser, address);
        if (cost.badge !== badge) throw new Error(`${subject.browser.name}, ${kind}: in-page badge ${cost.badge ? 'shown' : 'missing'} at ${address}`);
        // The same page without the extension, right after, so both see the same load on the machine.
        return { cost, without: await pageCost(plain, address) };
      },
      (_subject, sample) => `script ${fixed(sample.cost.scriptMs, 1)} vs ${fixed(sample.without.scriptMs, 1)} ms, tasks ${fixed(sample.cost.taskMs, 1)} vs ${fixed(sample.without.taskMs, 1)} ms`,
    );
    type Metric = 'scriptMs' | 'compileMs' | 'taskMs' | 'styleLayoutMs';
    const values = (subject: Subject, metric: Metric, side: 'cost' | 'without' = 'cost'): number[] => samples.get(subject)!.map((sample) => sample[side][metric]);
    const extra = (subject: Subject, metric: Metric): string => fixed(median(samples.get(subject)!.map((sample) => sample.cost[metric] - sample.without[metric])), 1);
    const others = (metric: Metric): string =>
      withExtension
        .filter((subject) => subject !== ours)
        .map((subject) => `${subject === tiny ? '1-story build' : '1-story build with the host lists of ours'}: ${fixed(median(values(subject, metric)), 1)} ms (extra ${extra(subject, metric)})`)
        .map((text) => `; ${text}`)
        .join('');
    rows.push(
      row(
        `${kind}: script time, ${size} (baseline: no extension)`,
        values(ours, 'scriptMs'),
        values(ours, 'scriptMs', 'without'),
        'ms',
        `Performance.getMetrics ScriptDuration of the page's renderer (isolated worlds included), navigation to load + ${SETTLE_MS} ms, in a new tab; the page runs no script of its own; ` +
          `median extra ${extra(ours, 'scriptMs')} ms, of which V8 compile ${fixed(median(values(ours, 'compileMs')), 1)} ms; style + layout extra ${extra(ours, 'styleLayoutMs')} ms${others('scriptMs')}`,
      ),
      row(
        `${kind}: main-thread task time, ${size} (baseline: no extension)`,
        values(ours, 'taskMs'),
        values(ours, 'taskMs', 'without'),
        'ms',
        `Performance.getMetrics TaskDuration: every main-thread task of the page's renderer, from its start to load + ${SETTLE_MS} ms; median extra ${extra(ours, 'taskMs')} ms${others('taskMs')}`,
      ),
    );
  }
  return rows;
}

/**
 * Runs the browser-side figures and returns one row per figure, medians over the plan's repeats.
 * Every timing interleaves the builds it compares, so changes in the machine's load hit all alike.
 */
export type OnlyStep = 'cold-start' | 'badge' | 'popup' | 'cost';
const ONLY_STEPS: readonly OnlyStep[] = ['cold-start', 'badge', 'popup', 'cost'];

export async function browserBenchmarks(options: { smoke: boolean; only?: OnlyStep }): Promise<BrowserBenchRow[]> {
  const plan = planFor(options.smoke);
  const size = sizeLabel(plan.stories);
  const builds = prepareBuilds(plan);
  const rows: BrowserBenchRow[] = bundleRows(builds, plan.stories);

  const manifest = JSON.parse(readFileSync(join(builds.ours, 'manifest.json'), 'utf8')) as Manifest;
  const patterns = manifest.content_scripts?.[0]?.matches ?? [];
  if (patterns.some((pattern) => pattern.includes(OFF_LIST_HOST.replace(/^www\./, '')))) throw new Error(`${OFF_LIST_HOST} is in the match list`);
  const knownOurs = knownArticles(builds.ours, 64);
  const knownTiny = knownArticles(builds.tiny, 64);
  const subject = (browser: Browser, known: Known): Subject => ({ browser, known, host: new URL(known.urls[0]!).host });

  const browsers: Browser[] = [];
  const started = async (name: string, dir: string | null): Promise<Browser> => {
    const browser = await launch(name, dir);
    browsers.push(browser);
    return browser;
  };
  try {
    const run: Run = {
      plan,
      size,
      builds,
      ours: subject(await started(`ours (${size})`, builds.ours), knownOurs),
      naive: subject(await started(`naive (${size})`, builds.naive), knownOurs),
      tiny: subject(await started('ours (1 story)', builds.tiny), knownTiny),
      tinyWide: options.smoke ? null : subject(await started(`ours (1 story, host lists of ${size})`, builds.tinyWide), knownTiny),
      plain: await started('no extension', null),
    };
    const launchMs = (subject: Subject | Browser): number => ('browser' in subject ? subject.browser : subject).launchMs;
    rows.push({
      name: `extension load at browser start, ${size}: ${patterns.length > 3 ? `${patterns.length} match patterns` : patterns.join(' ')} (baseline: 1-story build, 7 patterns)`,
      ours: launchMs(run.ours),
      baseline: launchMs(run.tiny),
      ratio: launchMs(run.tiny) / launchMs(run.ours),
      unit: 'ms',
      note:
        'one launch each, not a median: Chromium start with a new profile until the service worker is registered; ' +
        `the naive build (same host lists) took ${fixed(launchMs(run.naive))} ms, ` +
        (run.tinyWide ? `the 1-story build with the host lists of ours ${fixed(launchMs(run.tinyWide))} ms, ` : '') +
        `Chromium without an extension ${fixed(launchMs(run.plain))} ms`,
    });
    const runs = (step: OnlyStep): boolean => !options.only || options.only === step;
    if (runs('cold-start')) rows.push(...(await coldStartRows(run)));
    if (runs('badge')) rows.push(...(await badgeRows(run)));
    if (runs('popup')) rows.push(...(await popupRows(run)));
    if (runs('cost')) rows.push(...(await costRows(run)));
  } finally {
    for (const browser of browsers) await browser.close().catch(() => undefined);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Standalone

function format(value: number | null, unit: string): string {
  if (value === null || Number.isNaN(value)) return '—';
  if (unit === 'B' || Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(unit === 'KiB' ? 1 : 2);
}

function tableLines(rows: BrowserBenchRow[]): string[][] {
  return rows.map((r) => [r.name, format(r.ours, r.unit), format(r.baseline, r.unit), r.ratio === null ? '—' : `${r.ratio.toFixed(r.ratio < 10 ? 2 : 0)}×`, r.unit]);
}

const HEADER = ['figure', 'ours', 'baseline', 'baseline ÷ ours', 'unit'];

function printTable(rows: BrowserBenchRow[]): void {
  const lines = tableLines(rows);
  const widths = HEADER.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const render = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  process.stdout.write(`${render(HEADER)}\n${render(widths.map((width) => '-'.repeat(width)))}\n${lines.map(render).join('\n')}\n`);
}

function markdownTable(rows: BrowserBenchRow[]): string {
  const lines = tableLines(rows);
  return [`| ${HEADER.join(' | ')} |`, `| --- | ${HEADER.slice(1).map(() => '---:').join(' | ')} |`, ...lines.map((line) => `| ${line.join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke');
  if (process.argv.includes('--build-only')) {
    // The 100k build takes minutes: made ahead, it can overlap other work that must not overlap the timings.
    prepareBuilds(planFor(smoke));
    return;
  }
  const started = Date.now();
  const loadAtStart = loadavg();
  const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  if (only !== undefined && !(ONLY_STEPS as readonly string[]).includes(only)) throw new Error(`--only=${only}: the steps that run alone are ${ONLY_STEPS.join(', ')}`);
  const rows = await browserBenchmarks({ smoke, ...(only ? { only: only as OnlyStep } : {}) });
  const machine = {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    chromium: chromiumVersion(),
    platform: `${process.platform} ${process.arch}`,
  };
  printTable(rows);
  if (process.argv.includes('--markdown')) process.stdout.write(`\n${markdownTable(rows)}\n`);
  const results = {
    command: `npx tsx bench/browser.ts${smoke ? ' --smoke' : ''}${only ? ` --only=${only}` : ''}`,
    date: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    loadAverage: { start: loadAtStart, end: loadavg() },
    machine,
    plan: planFor(smoke),
    rows,
  };
  const out = join(TMP, `results${smoke ? '-smoke' : ''}${only ? `-${only}` : ''}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`done in ${results.seconds} s; results in ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
