/**
 * A/B of the content script's main-thread cost (figure 6 of bench/browser.ts) between built
 * extensions, e.g. main's build and a branch's, in one run: each in its own Chromium, measured in
 * turn (so changes in the machine's load hit all alike), on a page of an outlet host that the index
 * does not know, on a known article and on a page of no outlet. The figure is the renderer's own: DevTools
 * Performance.getMetrics ScriptDuration (and V8CompileDuration), navigation to load + 1 s, in a new
 * tab, on a page that runs no script of its own; beside it, the same script events' thread CPU time
 * from a trace of the load, which the machine's load inflates far less.
 *
 *   npx tsx bench/content-cost-ab.ts REPEATS LABEL=EXTENSION_DIR [LABEL=EXTENSION_DIR ...]
 *
 * Each EXTENSION_DIR is a Chrome build (`vite build --mode chrome`, ELSEWHERE_OUT_DIR and
 * ELSEWHERE_SEEDS as bench/browser.ts builds them). One unmeasured round comes first; medians are printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { readBundledIndex } from '../src/build/index-file';
import { CoverageIndex } from '../src/core/index/coverage-index';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../tests/e2e/browsers';

const SETTLE_MS = 1000;
/** The first stage, as the manifest lists it. */
const CONTENT_SCRIPT = 'src/content/main.js';
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The first article of the build's index with other outlets: its page shows the in-page badge. */
function knownArticle(dir: string): string {
  const index = CoverageIndex.decode(readBundledIndex(dir), { verify: 'lazy' });
  for (let id = 0; id < index.header.articleCount; id++) {
    const coverage = index.coverageOf(id);
    if (coverage.otherOutletCount > 0) return coverage.article.url;
  }
  throw new Error(`${dir}: no article with other outlets`);
}

/** The article page of bench/browser.ts: a canonical link, og:url, three links to its own site, no script. */
function articlePage(url: string): string {
  const paragraphs = Array.from({ length: 24 }, (_, i) => `<p>Paragraph ${i + 1} of the report. ${'The council met on Tuesday to discuss the budget, the harbour and the new tram line. '.repeat(4)}</p>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Benchmark article</title>
<link rel="canonical" href="${url}"><meta property="og:url" content="${url}">
<meta name="viewport" content="width=device-width">
<style>body{font:16px/1.5 serif;max-width:40em;margin:auto}</style></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>Benchmark article</h1>
${paragraphs}
</article></main><footer>© Benchmark</footer></body></html>`;
}

interface Subject {
  label: string;
  context: BrowserContext;
  profile: string;
  article: string;
}

async function launch(label: string, dir: string): Promise<Subject> {
  const profile = mkdtempSync(join(tmpdir(), 'elsewhere-cost-ab-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${dir}`, `--load-extension=${dir}`],
    ignoreDefaultArgs: ['--disable-extensions'],
  });
  if (context.serviceWorkers().length === 0) await context.waitForEvent('serviceworker');
  return { label, context, profile, article: knownArticle(dir) };
}

interface Sample {
  scriptMs: number;
  compileMs: number;
  /**
   * The content script's CPU time on the page's main thread, from a trace: the thread time (not
   * wall-clock time, which the other processes of this loaded machine inflate) of the script events
   * of the thread that ran it (the page runs no script of its own).
   */
  scriptCpuMs: number;
}

/** Trace events that run script; nested ones are counted once, in the outermost. */
const SCRIPT_EVENTS = new Set(['EvaluateScript', 'FunctionCall', 'RunMicrotasks', 'TimerFire', 'v8.callFunction', 'v8.run', 'v8.compile']);
const TRACE_CATEGORIES = ['devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-devtools.timeline'];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { data?: { url?: string } };
}

/** The thread CPU time of the script events on the thread that evaluated the content script (`script`: its file). */
function scriptCpuMs(events: TraceEvent[], script: string): number {
  const evaluation = events.find((event) => event.name === 'EvaluateScript' && event.args?.data?.url?.endsWith(script));
  // A build that lists its outlets runs no content script on another site's page.
  if (!evaluation) return 0;
  const own = events
    .filter((event) => event.pid === evaluation.pid && event.tid === evaluation.tid && event.ph === 'X' && SCRIPT_EVENTS.has(event.name))
    .sort((a, b) => a.ts - b.ts);
  let total = 0;
  let coveredUntil = -Infinity;
  for (const event of own) {
    if (event.ts < coveredUntil) continue;
    total += event.tdur ?? 0;
    coveredUntil = event.ts + (event.dur ?? 0);
  }
  return total / 1000;
}

async function cost(subject: Subject, url: string): Promise<Sample & { badge: boolean }> {
  const page = await subject.context.newPage();
  await page.route(/^https?:\/\//, (route) => {
    const address = route.request().url();
    if (new URL(address).pathname === '/favicon.ico') return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: articlePage(address) });
  });
  const session = await subject.context.newCDPSession(page);
  const events: TraceEvent[] = [];
  session.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])));
  const traced = new Promise((done) => session.once('Tracing.tracingComplete', done));
  try {
    await session.send('Performance.enable');
    await session.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: TRACE_CATEGORIES } });
    await page.goto(url, { waitUntil: 'load' });
    await sleep(SETTLE_MS);
    const { metrics } = await session.send('Performance.getMetrics');
    await session.send('Tracing.end');
    await traced;
    const metric = (name: string) => (metrics.find((entry) => entry.name === name)?.value ?? 0) * 1000;
    const badge = await page.evaluate(() => document.querySelector('elsewhere-badge') !== null);
    return { scriptMs: metric('ScriptDuration'), compileMs: metric('V8CompileDuration'), scriptCpuMs: scriptCpuMs(events, CONTENT_SCRIPT), badge };
  } finally {
    await session.detach().catch(() => undefined);
    await page.close();
  }
}

const [repeatsArg, ...pairs] = process.argv.slice(2);
const repeats = Number(repeatsArg);
if (!Number.isInteger(repeats) || repeats < 1 || pairs.length === 0) throw new Error('usage: npx tsx bench/content-cost-ab.ts REPEATS LABEL=EXTENSION_DIR ...');
const subjects: Subject[] = [];
for (const pair of pairs) {
  const [label, dir] = pair.split('=');
  subjects.push(await launch(label!, resolve(dir!)));
}
const load = loadavg();
const kinds = [
  { kind: 'non-matching page (outlet host, unknown article)', url: (subject: Subject, i: number) => `https://${new URL(subject.article).host}/elsewhere-bench/not-indexed-${i}.html`, badge: false },
  { kind: 'matching page (known article)', url: (subject: Subject) => subject.article, badge: true },
  // Where a build that runs everywhere (more outlets than its manifest lists) still runs its first stage; a build that lists its outlets runs none.
  { kind: 'page on no outlet', url: (_subject: Subject, i: number) => `https://www.example.org/news/${i}.html`, badge: false },
];
const samples = new Map<string, Sample[]>();
try {
  for (let repeat = -1; repeat < repeats; repeat++) {
    for (const subject of subjects) {
      for (const { kind, url, badge } of kinds) {
        const sample = await cost(subject, url(subject, repeat + 1));
        if (sample.badge !== badge) throw new Error(`${subject.label}, ${kind}: in-page badge ${sample.badge ? 'shown' : 'missing'}`);
        if (repeat < 0) continue;
        const key = `${kind}: ${subject.label}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        process.stderr.write(`${key}: script ${sample.scriptMs.toFixed(2)} ms, compile ${sample.compileMs.toFixed(2)} ms, script CPU ${sample.scriptCpuMs.toFixed(2)} ms\n`);
      }
    }
  }
} finally {
  for (const subject of subjects) {
    await subject.context.close();
    rmSync(subject.profile, { recursive: true, force: true });
  }
}
for (const [key, values] of samples) {
  const script = values.map((value) => value.scriptMs);
  process.stdout.write(`${key}: script median ${median(script).toFixed(2)} ms (min ${Math.min(...script).toFixed(2)}, max ${Math.max(...script).toFixed(2)}), compile median ${median(values.map((value) => value.compileMs)).toFixed(2)} ms, script CPU median ${median(values.map((value) => value.scriptCpuMs)).toFixed(2)} ms, n=${values.length}\n`);
}
const fixed = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
process.stdout.write(`load average ${fixed(load)} at start, ${fixed(loadavg())} at end\n`);
