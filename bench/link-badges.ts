/**
 * What link badges cost a page (issue 5): main-thread time, total blocking time and the longest
 * task, on generated pages of 1,000 and 10,000 links (every other one to a known article), each
 * next to the same page in a Chromium without the extension. Medians over several runs.
 *
 * Two phases, from one DevTools trace of the page's renderer main thread:
 * - load: from navigation until every known link within a screen of the view has its badge (or,
 *   without the extension, until the page has loaded), plus a quiet period;
 * - reading: the reader jumps a quarter of the page down, four times, and the badges there go in.
 * Tasks that ran a function of the content script give its own figures (ours only).
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
import { generatedPageBadges, generatedPageBadgesInView, manyLinksPage } from '../tests/e2e/link-site';

/** One figure; shaped like bench/run.ts's rows, so they can go in the same table. */
export interface BenchRow {
  name: string;
  ours: number;
  /** The same page without the extension; null for figures only the extension has (its own tasks). */
  baseline: number | null;
  /** baseline / ours, as in bench/run.ts: below 1 the extension costs more than the page alone. */
  ratio: number | null;
  unit: string;
}

export interface LinkBadgeBenchOptions {
  /** The built Chrome extension. */
  extensionDir?: string;
  /** Runs per page and browser; the median is reported. */
  runs?: number;
  /** Links per page. */
  sizes?: number[];
  /** One unmeasured load of each page first (first-run caches, the extension's index); the smoke run skips it. */
  warmUp?: boolean;
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

/** Where the reader jumps to after load: these fractions of the page. */
const READING_STOPS = [0.25, 0.5, 0.75, 1];
/** Time on each stop once its badges are in (or, without the extension, after the jump). */
const READING_PAUSE_MS = 300;
/** Marks the start of the reading phase in the trace. */
const READING_MARK = 'elsewhere-bench-reading';

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string; data?: { url?: string; message?: string }; beginData?: { url?: string } };
}

interface PhaseFigures {
  mainThreadMs: number;
  totalBlockingMs: number;
  longestTaskMs: number;
  /** Tasks that ran the content script: their time, and the longest. */
  extensionTaskMs: number;
  longestExtensionTaskMs: number;
  /**
   * The content script's own code in one task: its top-level calls (idle slices, animation-frame
   * commits, observer callbacks, its first run with the compile) and what they force, without the
   * browser's rendering after them. Promise reactions (message replies) are not in these events.
   */
  longestExtensionScriptMs: number;
}

interface RunFigures {
  load: PhaseFigures;
  reading: PhaseFigures;
  /** From navigation to the badges in view (0 without the extension). */
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

/** Sums the page's renderer main thread, per phase: all tasks, blocking time, the longest task, and those running the extension. */
function figures(events: TraceEvent[], url: string): { load: PhaseFigures; reading: PhaseFigures } {
  const parse = events.find((event) => event.name === 'ParseHTML' && event.args?.beginData?.url === url);
  if (!parse) throw new Error(`no ParseHTML for ${url} in the trace`);
  const mark = events.find((event) => event.name === 'TimeStamp' && event.args?.data?.message === READING_MARK);
  if (!mark) throw new Error('no reading mark in the trace');
  const main = events.filter((event) => event.pid === parse.pid && event.tid === parse.tid && event.ph === 'X');
  const tasks = main.filter((event) => event.name === 'RunTask').sort((a, b) => a.ts - b.ts);
  const extensionEvents = main
    .filter((event) => (event.name === 'FunctionCall' || event.name === 'EvaluateScript') && (event.args?.data?.url ?? '').startsWith('chrome-extension://'))
    .sort((a, b) => a.ts - b.ts);
  const extensionCalls = extensionEvents.map((event) => event.ts);
  // Outermost calls only: a call nested in another is already in its duration.
  const outermost: TraceEvent[] = [];
  for (const event of extensionEvents) {
    const last = outermost.at(-1);
    if (!last || event.ts >= last.ts + (last.dur ?? 0)) outermost.push(event);
  }
  const phase = (from: number, to: number): PhaseFigures => {
    const figures: PhaseFigures = { mainThreadMs: 0, totalBlockingMs: 0, longestTaskMs: 0, extensionTaskMs: 0, longestExtensionTaskMs: 0, longestExtensionScriptMs: 0 };
    let call = 0;
    let outer = 0;
    for (const task of tasks) {
      if (task.ts < from || task.ts >= to) continue;
      const end = task.ts + (task.dur ?? 0);
      const ms = (task.dur ?? 0) / 1000;
      figures.mainThreadMs += ms;
      figures.totalBlockingMs += Math.max(0, ms - LONG_TASK_MS);
      figures.longestTaskMs = Math.max(figures.longestTaskMs, ms);
      // Does a call into the content script start inside this task?
      while (call < extensionCalls.length && extensionCalls[call]! < task.ts) call++;
      if (call < extensionCalls.length && extensionCalls[call]! <= end) {
        figures.extensionTaskMs += ms;
        figures.longestExtensionTaskMs = Math.max(figures.longestExtensionTaskMs, ms);
      }
      while (outer < outermost.length && outermost[outer]!.ts < task.ts) outer++;
      let scriptMs = 0;
      for (; outer < outermost.length && outermost[outer]!.ts <= end; outer++) scriptMs += (outermost[outer]!.dur ?? 0) / 1000;
      figures.longestExtensionScriptMs = Math.max(figures.longestExtensionScriptMs, scriptMs);
    }
    return figures;
  };
  return { load: phase(0, mark.ts), reading: phase(mark.ts, Number.POSITIVE_INFINITY) };
}

/** Loads a page of `size` links in a fresh tab, traced, waits for the badges in view, then reads down the page. */
async function measure(context: BrowserContext, size: number, withExtension: boolean): Promise<RunFigures> {
  const url = manyLinksPage(size);
  const page: Page = await context.newPage();
  const session = await context.newCDPSession(page);
  // With the extension: until every known link near the view has its badge. Polled every 200 ms; costs the page little.
  const badgesInView = async (): Promise<void> => {
    // The baseline asks too (and ignores the answer), so both sides pay for the polling alike.
    if (!withExtension) {
      await page.evaluate(generatedPageBadgesInView);
      return;
    }
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      if (await page.evaluate(generatedPageBadgesInView)) return;
      if (Date.now() > deadline) throw new Error(`${size} links: badges did not settle`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  let settledMs = 0;
  try {
    const events = await trace(session, async () => {
      const started = Date.now();
      await page.goto(url, { waitUntil: 'load' });
      await badgesInView();
      settledMs = withExtension ? Date.now() - started : 0;
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      await page.evaluate((mark) => console.timeStamp(mark), READING_MARK);
      for (const stop of READING_STOPS) {
        await page.evaluate((n) => document.querySelector(`#links > li:nth-child(${n})`)!.scrollIntoView({ block: 'center' }), Math.max(1, Math.round(size * stop)));
        await badgesInView();
        await new Promise((resolve) => setTimeout(resolve, READING_PAUSE_MS));
      }
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    });
    // Checked after the trace, so the full walk over the page is not counted.
    const state = await page.evaluate(generatedPageBadges);
    if (state.misplaced > 0) throw new Error(`${size} links: ${state.misplaced} links badged wrongly`);
    return { ...figures(events, url), settledMs, badges: state.badges };
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

function row(name: string, ours: number, baseline: number | null, unit: string): BenchRow {
  const ratio = baseline === null || ours === 0 ? null : Math.round((baseline / ours) * 100) / 100;
  return { name, ours: round(ours), baseline: baseline === null ? null : round(baseline), ratio, unit };
}

/**
 * Runs the link-badge benchmark in real Chromium and returns one row per figure: ours (with the
 * extension) next to the baseline (the same page without it).
 */
export async function benchLinkBadges(options: LinkBadgeBenchOptions = {}): Promise<BenchRow[]> {
  const { extensionDir = 'dist/chrome', runs = DEFAULT_RUNS, sizes = DEFAULT_SIZES, warmUp = true, log = () => undefined } = options;
  const ours = await ChromiumHarness.launch(resolve(extensionDir));
  const baseline = await launchBaseline();
  const rows: BenchRow[] = [];
  try {
    for (const size of sizes) {
      const withExtension: RunFigures[] = [];
      const without: RunFigures[] = [];
      if (warmUp) {
        await measure(ours.context, size, true);
        await measure(baseline.context, size, false);
      }
      for (let run = 0; run < runs; run++) {
        // Interleaved, so drift in the machine's load hits both sides alike.
        withExtension.push(await measure(ours.context, size, true));
        without.push(await measure(baseline.context, size, false));
        const [last, base] = [withExtension.at(-1)!, without.at(-1)!];
        log(
          `${size} links, run ${run + 1}/${runs}: load ${round(last.load.mainThreadMs)} vs ${round(base.load.mainThreadMs)} ms main thread, ` +
            `longest task ${round(last.load.longestTaskMs)} vs ${round(base.load.longestTaskMs)} ms; ` +
            `reading ${round(last.reading.mainThreadMs)} vs ${round(base.reading.mainThreadMs)} ms, longest ${round(last.reading.longestTaskMs)} vs ${round(base.reading.longestTaskMs)} ms; ` +
            `badges in view after ${last.settledMs} ms, ${last.badges} badges in the end`,
        );
      }
      const m = (list: RunFigures[], pick: (figures: RunFigures) => number) => median(list.map(pick));
      const label = `link badges, ${size.toLocaleString('en')} links (half known)`;
      for (const phase of ['load', 'reading'] as const) {
        const name = phase === 'load' ? 'load' : `reading (${READING_STOPS.length} jumps down the page)`;
        rows.push(
          row(`${label}, ${name}: main-thread time`, m(withExtension, (f) => f[phase].mainThreadMs), m(without, (f) => f[phase].mainThreadMs), 'ms'),
          row(`${label}, ${name}: total blocking time`, m(withExtension, (f) => f[phase].totalBlockingMs), m(without, (f) => f[phase].totalBlockingMs), 'ms'),
          row(`${label}, ${name}: longest task`, m(withExtension, (f) => f[phase].longestTaskMs), m(without, (f) => f[phase].longestTaskMs), 'ms'),
          // Ours only: the baseline runs no content script.
          row(`${label}, ${name}: longest task running the content script`, m(withExtension, (f) => f[phase].longestExtensionTaskMs), null, 'ms'),
          row(`${label}, ${name}: longest run of the content script's own code in one task`, m(withExtension, (f) => f[phase].longestExtensionScriptMs), null, 'ms'),
        );
      }
      rows.push(row(`${label}: navigation to the badges in view`, m(withExtension, (f) => f.settledMs), null, 'ms'));
    }
  } finally {
    await ours.close();
    await baseline.close();
  }
  return rows;
}

function formatTable(rows: BenchRow[]): string {
  const header = ['figure', 'ours', 'without the extension', 'baseline ÷ ours', 'unit'];
  const cells = rows.map((r) => [r.name, String(r.ours), r.baseline === null ? '-' : String(r.baseline), r.ratio === null ? '-' : `${r.ratio}×`, r.unit]);
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
