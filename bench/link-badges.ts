/**
 * What link badges cost a page (issue 5): main-thread time, total blocking time and the longest
 * task, on generated pages of 1,000 and 10,000 links (every other one to a known article), each
 * next to the same page in a Chromium without the extension. Medians over several runs.
 *
 * Measured from a DevTools trace of the page's renderer main thread, from navigation until every
 * badge is in place (or, without the extension, until the page has loaded) plus a quiet period.
 * The extension's own script time and its longest task come from the same trace: tasks that run
 * a function of the content script.
 *
 *   npx tsx bench/link-badges.ts [--runs N] [--sizes 1000,10000] [--extension dist/chrome]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../tests/e2e/browsers';
import { ChromiumHarness } from '../tests/e2e/chromium-harness';
import { pageFixture } from '../tests/e2e/fixtures';
import { knownLinksOn, manyLinksPage } from '../tests/e2e/link-site';

export interface BenchRow {
  name: string;
  ours: number;
  baseline: number;
  ratio: number;
  unit: string;
}

export interface LinkBadgeBenchOptions {
  /** The built Chrome extension. */
  extensionDir?: string;
  /** Runs per page and browser; the median is reported. */
  runs?: number;
  /** Links per page. */
  sizes?: number[];
  /** Called with a line of progress, if given. */
  log?: (line: string) => void;
}

/** Three runs is the least that gives a median; more on a quiet machine. */
const DEFAULT_RUNS = 3;
const DEFAULT_SIZES = [1_000, 10_000];
/** After the last badge (or the load event), the trace runs on this long to catch the layout and paint that follow. */
const QUIET_MS = 750;
/** A long task, as the browser's Long Tasks API defines it; total blocking time counts what exceeds it. */
const LONG_TASK_MS = 50;
/** How long the badges of one page may take in all before the run is called failed. */
const SETTLE_TIMEOUT_MS = 120_000;

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string; data?: { url?: string }; beginData?: { url?: string } };
}

interface RunFigures {
  mainThreadMs: number;
  totalBlockingMs: number;
  longestTaskMs: number;
  /** Tasks that ran the content script: their time, and the longest. */
  extensionTaskMs: number;
  longestExtensionTaskMs: number;
  /** From navigation to the last badge (0 without the extension). */
  settledMs: number;
  badges: number;
}

async function trace(session: CDPSession, during: () => Promise<void>): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  session.on('Tracing.dataCollected', (params) => events.push(...(params.value as unknown as TraceEvent[])));
  const complete = new Promise((resolve) => session.once('Tracing.tracingComplete', resolve));
  await session.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: ['disabled-by-default-devtools.timeline', 'devtools.timeline', '__metadata'] },
  });
  try {
    await during();
  } finally {
    await session.send('Tracing.end');
    await complete;
  }
  return events;
}

/** Sums the page's renderer main thread: all tasks, blocking time, the longest task, and those running the extension. */
function figures(events: TraceEvent[], url: string): Omit<RunFigures, 'settledMs' | 'badges'> {
  const parse = events.find((event) => event.name === 'ParseHTML' && event.args?.beginData?.url === url);
  if (!parse) throw new Error(`no ParseHTML for ${url} in the trace`);
  const main = events.filter((event) => event.pid === parse.pid && event.tid === parse.tid && event.ph === 'X');
  const tasks = main.filter((event) => event.name === 'RunTask').sort((a, b) => a.ts - b.ts);
  const extensionCalls = main
    .filter((event) => (event.name === 'FunctionCall' || event.name === 'EvaluateScript') && (event.args?.data?.url ?? '').startsWith('chrome-extension://'))
    .sort((a, b) => a.ts - b.ts);
  let mainThread = 0;
  let blocking = 0;
  let longest = 0;
  let extension = 0;
  let longestExtension = 0;
  let call = 0;
  for (const task of tasks) {
    const duration = (task.dur ?? 0) / 1000;
    mainThread += duration;
    blocking += Math.max(0, duration - LONG_TASK_MS);
    longest = Math.max(longest, duration);
    // Does a call into the content script start inside this task?
    while (call < extensionCalls.length && extensionCalls[call]!.ts < task.ts) call++;
    if (call < extensionCalls.length && extensionCalls[call]!.ts <= task.ts + (task.dur ?? 0)) {
      extension += duration;
      longestExtension = Math.max(longestExtension, duration);
    }
  }
  return { mainThreadMs: mainThread, totalBlockingMs: blocking, longestTaskMs: longest, extensionTaskMs: extension, longestExtensionTaskMs: longestExtension };
}

/** Loads a page of `size` links in a fresh tab, traced, and waits for the expected badges. */
async function measure(context: BrowserContext, size: number, withExtension: boolean): Promise<RunFigures> {
  const url = manyLinksPage(size);
  const expected = withExtension ? knownLinksOn(size) : 0;
  const page: Page = await context.newPage();
  const session = await context.newCDPSession(page);
  let settledMs = 0;
  let badges = 0;
  try {
    const events = await trace(session, async () => {
      const started = Date.now();
      await page.goto(url, { waitUntil: 'load' });
      // getElementsByTagName is a live, cached list: polling it costs the page next to nothing.
      await page.waitForFunction((count) => document.getElementsByTagName('elsewhere-link-badge').length >= count, expected, {
        polling: 200,
        timeout: SETTLE_TIMEOUT_MS,
      });
      settledMs = withExtension ? Date.now() - started : 0;
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      badges = await page.evaluate(() => document.getElementsByTagName('elsewhere-link-badge').length);
    });
    return { ...figures(events, url), settledMs, badges };
  } finally {
    await session.detach().catch(() => undefined);
    await page.close();
  }
}

/** The same Chromium, flags and fixtures as the extension's, without the extension. */
async function launchBaseline(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'elsewhere-bench-baseline-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
  await context.route('**/*', async (route) => {
    const fixture = pageFixture(route.request().url());
    if (!fixture) return route.abort();
    return route.fulfill({ status: fixture.status, headers: { 'content-type': 'text/html; charset=utf-8', ...fixture.headers }, body: fixture.body });
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round = (value: number): number => Math.round(value * 10) / 10;

function row(name: string, ours: number, baseline: number, unit: string): BenchRow {
  return { name, ours: round(ours), baseline: round(baseline), ratio: baseline > 0 ? Math.round((ours / baseline) * 100) / 100 : Number.NaN, unit };
}

/**
 * Runs the link-badge benchmark in real Chromium and returns one row per figure: ours (with the
 * extension) next to the baseline (the same page without it).
 */
export async function benchLinkBadges(options: LinkBadgeBenchOptions = {}): Promise<BenchRow[]> {
  const { extensionDir = 'dist/chrome', runs = DEFAULT_RUNS, sizes = DEFAULT_SIZES, log = () => undefined } = options;
  const ours = await ChromiumHarness.launch(resolve(extensionDir));
  const baseline = await launchBaseline();
  const rows: BenchRow[] = [];
  try {
    for (const size of sizes) {
      const withExtension: RunFigures[] = [];
      const without: RunFigures[] = [];
      // Warm both browsers up on this page once, unmeasured (first-run caches, the extension's index).
      await measure(ours.context, size, true);
      await measure(baseline.context, size, false);
      for (let run = 0; run < runs; run++) {
        // Interleaved, so drift in the machine's load hits both sides alike.
        withExtension.push(await measure(ours.context, size, true));
        without.push(await measure(baseline.context, size, false));
        const last = withExtension.at(-1)!;
        if (last.badges !== knownLinksOn(size)) throw new Error(`${size} links: expected ${knownLinksOn(size)} badges, found ${last.badges}`);
        log(
          `${size} links, run ${run + 1}/${runs}: main thread ${round(last.mainThreadMs)} vs ${round(without.at(-1)!.mainThreadMs)} ms, ` +
            `longest task ${round(last.longestTaskMs)} vs ${round(without.at(-1)!.longestTaskMs)} ms, ` +
            `longest task running the content script ${round(last.longestExtensionTaskMs)} ms, all badges after ${last.settledMs} ms`,
        );
      }
      const m = (list: RunFigures[], key: keyof RunFigures) => median(list.map((figure) => figure[key]));
      const label = `link badges, ${size.toLocaleString('en')} links (half known)`;
      rows.push(
        row(`${label}: main-thread time`, m(withExtension, 'mainThreadMs'), m(without, 'mainThreadMs'), 'ms'),
        row(`${label}: total blocking time`, m(withExtension, 'totalBlockingMs'), m(without, 'totalBlockingMs'), 'ms'),
        row(`${label}: longest task`, m(withExtension, 'longestTaskMs'), m(without, 'longestTaskMs'), 'ms'),
        // Ours only: the baseline runs no content script, so its figure is 0 and there is no ratio.
        row(`${label}: longest task running the content script`, m(withExtension, 'longestExtensionTaskMs'), 0, 'ms'),
        row(`${label}: tasks running the content script, in all`, m(withExtension, 'extensionTaskMs'), 0, 'ms'),
        row(`${label}: navigation to last badge`, m(withExtension, 'settledMs'), 0, 'ms'),
      );
    }
  } finally {
    await ours.close();
    await baseline.close();
  }
  return rows;
}

function formatTable(rows: BenchRow[]): string {
  const header = ['figure', 'ours', 'baseline', 'ratio', 'unit'];
  const cells = rows.map((r) => [r.name, String(r.ours), r.baseline === 0 ? '-' : String(r.baseline), Number.isNaN(r.ratio) ? '-' : `${r.ratio}x`, r.unit]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const line = (values: string[]) => values.map((value, column) => (column === 0 ? value.padEnd(widths[column]!) : value.padStart(widths[column]!))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const runs = flag('runs');
  const sizes = flag('sizes');
  const rows = await benchLinkBadges({
    extensionDir: flag('extension') ?? 'dist/chrome',
    runs: runs ? Number(runs) : DEFAULT_RUNS,
    sizes: sizes ? sizes.split(',').map(Number) : DEFAULT_SIZES,
    log: (text) => process.stderr.write(`${text}\n`),
  });
  process.stdout.write(`${formatTable(rows)}\n`);
}
