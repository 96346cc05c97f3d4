/**
 * `npm run bench [-- --smoke] [-- --only=SECTION,…]`: the figures of issue 4 (build, index, and in
 * real Chromium the browser section) and of issue 5 (link badges), each next to its baseline
 * measured in the same run. Prints one table and writes bench/results.json (see BENCHMARKS.md).
 *
 * Sections (`SECTIONS` below) run in order and each returns rows of the same shape.
 *
 * `--smoke` runs a tiny version for CI: it proves the bench still runs, and checks no thresholds,
 * because timings belong in benchmarks, not in tests. Its link-badge section is one page of 100
 * links measured once; the browser section is left out (it builds four extensions, minutes here)
 * and says so: `npx tsx bench/browser.ts --smoke` runs it alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import matter from 'gray-matter';
import { ensureCorpus, Prng } from '../src/build/generate-corpus';
import { listSeedFiles } from '../src/build/read-seeds';
import { NOT_SUBSET, parseSeedYaml } from '../src/core/seed/fast-yaml';
import { CoverageIndex } from '../src/core/index/coverage-index';
import { CHROMIUM_PATH } from '../tests/e2e/browsers';
import { browserBenchmarks, type BrowserBenchRow } from './browser';
import { benchLinkBadges } from './link-badges';
import { writeNaiveIndex } from './naive-index';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TMP = join(ROOT, 'bench', 'tmp');
const SMOKE = process.argv.includes('--smoke');
/** One seed for every generated corpus and address list, so runs compare like with like. */
const SEED = 4;

/** What each run measures. The full run takes ~10 minutes on the 2-core machine (see BENCHMARKS.md). */
const PLAN = SMOKE
  ? { indexSizes: [300], syntheticSizes: [] as number[], buildSize: 300, sequentialBuildSize: 300, lookups: 20_000, lookupRepeats: 1, loadRepeats: 1, buildRepeats: 1, parseSample: 300 }
  : {
      indexSizes: [10_000, 100_000],
      /** 1M stories come from memory, not seed files: see synthetic-stories.ts. */
      syntheticSizes: [1_000_000],
      buildSize: 100_000,
      /** The old single-threaded build, at a size that keeps the run short. */
      sequentialBuildSize: 10_000,
      lookups: 1_000_000,
      /** Lookup runs per index, each in its own process: a run's p99 moves by 2× here with the neighbours' load, so the row is their median. */
      lookupRepeats: 3,
      loadRepeats: 5,
      /** Cold builds of 100k seeds take a minute or more here; incremental ones use three times this. */
      buildRepeats: 2,
      /** gray-matter's raw rate is measured on this many files of the build corpus. */
      parseSample: 5_000,
    };
/** Heap for child processes: the naive index at 100k stories and the 1M synthetic index need gigabytes. */
const CHILD_HEAP_MB = 16_384;
/** node's option that holds V8's young generation at 1 MB semi-spaces (see indexFigures' memory rows). */
const PINNED_YOUNG_GENERATION = '--max-semi-space-size=1';

export interface Row {
  section: string;
  figure: string;
  stories: number | null;
  ours: number | null;
  baseline: number | null;
  /** baseline / ours for costs (higher is better), stated per row. */
  ratio: number | null;
  unit: string;
  target: string;
  note?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function child<T>(mode: string, ...args: Array<string | number>): T {
  return childWith<T>([], mode, ...args);
}

/** child, with more of node's options (`nodeFlags`) for the child process. */
function childWith<T>(nodeFlags: readonly string[], mode: string, ...args: Array<string | number>): T {
  const run = spawnSync(process.execPath, ['--expose-gc', `--max-old-space-size=${CHILD_HEAP_MB}`, ...nodeFlags, '--import', 'tsx', 'bench/child.ts', mode, ...args.map(String)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (run.status !== 0) throw new Error(`bench child ${mode} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as T;
}

/**
 * One run of a CLI command (`command` is node's arguments before the CLI's), timed from this
 * process: node's start, loading the CLI and its exit included, as a maintainer waits for it.
 * It runs in `cwd`, whose node_modules/.cache/elsewhere is the build cache the CLI uses.
 */
function timedCommand(command: readonly string[], args: readonly string[], cwd: string): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, [...command, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`${command.join(' ')} ${args.join(' ')} failed:\n${run.stderr}`);
  return ms;
}

/**
 * One-change rebuilds in a CLI that stays up (`build --watch`, src/build/watch-seeds.ts): the
 * rebuild time it prints for each (`wrote … in X ms`, from the start of the rebuild), and the time
 * from each edit to that line, settling included. `edit(round)` changes one seed.
 */
async function watchedRebuilds(command: readonly string[], args: readonly string[], cwd: string, edit: (round: number) => void, rounds: number): Promise<{ rebuildMs: number[]; editToWrittenMs: number[] }> {
  const child = spawn(process.execPath, [...command, ...args, '--watch'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let text = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const lines = (pattern: RegExp): string[] => text.split('\n').filter((line) => pattern.test(line));
  const until = async (pattern: RegExp, count: number): Promise<string> => {
    const deadline = Date.now() + 300_000;
    while (lines(pattern).length < count) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`build --watch: no ${count}× ${pattern} in:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return lines(pattern)[count - 1]!;
  };
  const rebuildMs: number[] = [];
  const editToWrittenMs: number[] = [];
  try {
    await until(/^watching /, 1);
    for (let round = 0; round < rounds; round++) {
      const start = performance.now();
      edit(round);
      const line = await until(/^wrote .* in \d+ ms$/, round + 2);
      editToWrittenMs.push(performance.now() - start);
      rebuildMs.push(Number(/ in (\d+) ms$/.exec(line)![1]));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return { rebuildMs, editToWrittenMs };
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A generated corpus, reused across runs while its options and the generator are unchanged. */
function corpus(stories: number): string {
  const dir = join(TMP, `corpus-${stories}`);
  if (ensureCorpus(dir, { stories, seed: SEED })) log(`generated ${stories} seed files into ${dir}`);
  return dir;
}

/**
 * Addresses for lookups: half hits (an article's address as written, another of its addresses,
 * or with tracking parameters added) and half misses (the same hosts, paths that were never indexed),
 * shuffled.
 */
function writeAddresses(indexPath: string, count: number, path: string): void {
  const index = CoverageIndex.decode(new Uint8Array(readFileSync(indexPath)), { verify: 'lazy' });
  const random = new Prng(SEED);
  const lines: string[] = [];
  const articles = index.header.articleCount;
  for (let i = 0; i < count; i++) {
    const article = index.article(random.int(0, articles - 1));
    const key = article.keys[random.int(0, article.keys.length - 1)]!;
    if (i % 2 === 1) {
      lines.push(`https://${key.split('?')[0]}-${random.hex(6)}`);
      continue;
    }
    const roll = random.int(0, 3);
    if (roll === 0) lines.push(`https://${key}`);
    else if (roll === 1) lines.push(`${article.url}${article.url.includes('?') ? '&' : '?'}utm_source=bench&utm_medium=email`);
    else lines.push(article.url);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  // A small file of its own for the memory figure, so reading a million addresses does not move it.
  writeFileSync(`${path}.warm`, `${lines.slice(0, WARM_LOOKUPS).join('\n')}\n`);
}

/** Lookups a memory figure is taken after: an index in use, not just opened. */
const WARM_LOOKUPS = 10_000;

function fileSize(path: string): number {
  return readFileSync(path).byteLength;
}

interface LoadResult {
  loadMs: number;
  rssBytes: number;
}
interface Latency {
  p50: number;
  p99: number;
  mean: number;
}
/** What child.ts 'lookups ours' returns. */
interface OursLookups {
  count: number;
  hits: number;
  ours: Latency;
  oursMembership: Latency;
  oursCoverage: Latency;
  canonicalise: Latency;
}

/** What child.ts 'lookups naive' returns. */
interface NaiveLookups {
  naive: Latency;
  naiveMembership: Latency;
}

interface LookupResult extends OursLookups {
  naive: Latency | null;
  naiveMembership: Latency | null;
}

interface BulkResult {
  openMs: number;
  lookupMs: number;
  readMs: number;
  writeMs: number;
  totalMs: number;
  lines: number;
  hits: number;
  outputBytes: number;
}

/** Addresses in the bulk lookup: the "100k addresses against a 100k-story index". */
const BULK_ADDRESSES = 100_000;

/**
 * `lookup --stdin --json --index DIR` over the first 100k lookup addresses (half hits), split into its
 * phases, against the same over the naive index: is a bulk lookup bound by loading or by reading and
 * writing? Median of the load repeats, each in a fresh process.
 */
function bulkFigures(stories: number, indexPath: string, naivePath: string, addressesPath: string): Row[] {
  const section = 'index';
  const count = Math.min(BULK_ADDRESSES, PLAN.lookups);
  const out = join(TMP, 'bulk-lookup.jsonl');
  log(`${stories} stories: bulk lookups of ${count} addresses`);
  const runs = (kind: string, path: string): BulkResult[] =>
    Array.from({ length: PLAN.loadRepeats }, () => child<BulkResult>('bulk', kind, path, addressesPath, count, out));
  const ours = runs('ours', indexPath);
  const naive = runs('naive', naivePath);
  rmSync(out, { force: true });
  const phase = (results: BulkResult[], pick: (result: BulkResult) => number): number => median(results.map(pick));
  const { lines, hits, outputBytes } = ours[0]!;
  const note = `${lines} addresses, ${hits} hits, ${(outputBytes / 2 ** 20).toFixed(0)} MiB of JSON lines out`;
  const figures: Array<[string, (result: BulkResult) => number]> = [
    [`bulk lookup of ${count} addresses (--index DIR --stdin --json): whole run`, (r) => r.totalMs],
    ['bulk lookup: opening the index', (r) => r.openMs],
    ['bulk lookup: lookups and story details', (r) => r.lookupMs],
    ['bulk lookup: reading addresses, formatting and writing results', (r) => r.readMs + r.writeMs],
  ];
  return figures.map(([figure, pick]) => {
    const value = phase(ours, pick);
    const base = phase(naive, pick);
    return { section, figure, stories, ours: value, baseline: base, ratio: base / value, unit: 'ms', target: '', note };
  });
}

/** Figures 1–3 and index bytes: cold load, lookup latency and memory, for one index. */
function indexFigures(stories: number, indexPath: string, naivePath: string | null, note: string): Row[] {
  const section = 'index';
  const rows: Row[] = [];
  const addressesPath = `${indexPath}.addresses.txt`;
  log(`${stories} stories: writing ${PLAN.lookups} lookup addresses`);
  writeAddresses(indexPath, PLAN.lookups, addressesPath);
  const firstUrl = readFileSync(addressesPath, 'utf8').split('\n')[0]!;
  const diskBytes = fileSize(indexPath);
  const header = CoverageIndex.decodeHeader(new Uint8Array(readFileSync(indexPath).subarray(0, 32)));
  const naiveBytes = naivePath ? fileSize(naivePath) : null;

  const loads = (kind: string, path: string): LoadResult[] =>
    Array.from({ length: PLAN.loadRepeats }, () => child<LoadResult>('load', kind, path, firstUrl, `${addressesPath}.warm`));
  log(`${stories} stories: cold loads`);
  const bundleDir = `${indexPath}.bundle`;
  child('bundle', indexPath, bundleDir);
  const bundled = loads('ours-bundle', bundleDir);
  const lazy = loads('ours-lazy', indexPath);
  const memory = loads('ours-memory', indexPath);
  const naive = naivePath ? loads('naive', naivePath) : null;
  // The same memory figure with V8's young generation held small: the lookups' short-lived garbage
  // may grow it to 32 MB (two 16 MB semi-spaces) whatever the index (14 of the 47 MiB measured at
  // 10k stories, BENCHMARKS.md). Held at 1 MB, what stays is what the index and the lookup code hold.
  const pinnedLoads = (kind: string, path: string): LoadResult[] =>
    Array.from({ length: PLAN.loadRepeats }, () => childWith<LoadResult>([PINNED_YOUNG_GENERATION], 'load', kind, path, firstUrl, `${addressesPath}.warm`));
  const memoryPinned = pinnedLoads('ours-memory', indexPath);
  const naivePinned = naivePath ? pinnedLoads('naive', naivePath) : null;
  const bundledMs = median(bundled.map((r) => r.loadMs));
  const lazyMs = median(lazy.map((r) => r.loadMs));
  const memoryMs = median(memory.map((r) => r.loadMs));
  const naiveMs = naive ? median(naive.map((r) => r.loadMs)) : null;
  const ratio = (ours: number, base: number | null): number | null => (base === null ? null : base / ours);
  rows.push(
    { section, figure: 'cold load to first answer (the files the extension ships, read as its background does)', stories, ours: bundledMs, baseline: naiveMs, ratio: ratio(bundledMs, naiveMs), unit: 'ms', target: stories === 100_000 ? '≤ 50 ms, ≥ 20×' : '', note: `index/directory.bin, then one key page and one details chunk (ChunkedIndex); ${note}` },
    { section, figure: 'cold load to first answer (file read lazily)', stories, ours: lazyMs, baseline: naiveMs, ratio: ratio(lazyMs, naiveMs), unit: 'ms', target: '', note: `index.bin as the CLI's --index reads it: the whole head, details on demand; ${note}` },
    { section, figure: 'cold load to first answer (whole file in memory)', stories, ours: memoryMs, baseline: naiveMs, ratio: ratio(memoryMs, naiveMs), unit: 'ms', target: '', note: 'what the background does: fetch, then views' },
  );

  log(`${stories} stories: ${PLAN.lookupRepeats} × ${PLAN.lookups} lookups`);
  // Each index in a process of its own (child.ts, 'lookups'), the two alternated run by run so that
  // both see the machine alike.
  const runs = Array.from({ length: PLAN.lookupRepeats }, (_unused, repeat): LookupResult => {
    const runOurs = (): OursLookups => child<OursLookups>('lookups', 'ours', indexPath, addressesPath, PLAN.lookups);
    const runNaive = (): NaiveLookups | null => (naivePath ? child<NaiveLookups>('lookups', 'naive', naivePath, addressesPath, PLAN.lookups) : null);
    let ours: OursLookups;
    let naive: NaiveLookups | null;
    if (repeat % 2 === 0) {
      ours = runOurs();
      naive = runNaive();
    } else {
      naive = runNaive();
      ours = runOurs();
    }
    return { ...ours, naive: naive?.naive ?? null, naiveMembership: naive?.naiveMembership ?? null };
  });
  /** The median over the runs of one figure; null where the runs have none (no naive index). */
  const across = (pick: (run: LookupResult) => number | undefined): number | null => {
    const values = runs.map(pick).filter((value): value is number => value !== undefined);
    return values.length === 0 ? null : median(values);
  };
  const lookups = runs[0]!;
  const runsNote = runs.length > 1 ? `; median of ${runs.length} runs, p99 by run ${runs.map((run) => run.ours.p99.toFixed(2)).join(' / ')} µs` : '';
  const hitNote = `${lookups.count} addresses, ${lookups.hits} hits${runsNote}`;
  for (const [figure, ours, base, target] of [
    ['lookup p50 (canonicalise + find + confirm)', across((r) => r.ours.p50)!, across((r) => r.naive?.p50), ''],
    ['lookup p99 (canonicalise + find + confirm)', across((r) => r.ours.p99)!, across((r) => r.naive?.p99), '≤ 5 µs'],
    ['membership p50 (keys given)', across((r) => r.oursMembership.p50)!, across((r) => r.naiveMembership?.p50), ''],
    ['membership p99 (keys given)', across((r) => r.oursMembership.p99)!, across((r) => r.naiveMembership?.p99), ''],
    ['coverage p99 (lookup + story details)', across((r) => r.oursCoverage.p99)!, null, ''],
    ['canonicalise p50 (lookupKeys alone, shared with the baseline)', across((r) => r.canonicalise.p50)!, null, ''],
    ['canonicalise p99 (lookupKeys alone, shared with the baseline)', across((r) => r.canonicalise.p99)!, null, ''],
  ] as const) {
    rows.push({ section, figure, stories, ours, baseline: base, ratio: ratio(ours, base), unit: 'µs', target, note: hitNote });
  }

  if (naivePath) rows.push(...bulkFigures(stories, indexPath, naivePath, addressesPath));

  const memoryRss = median(memory.map((r) => r.rssBytes));
  const lazyRss = median(lazy.map((r) => r.rssBytes));
  const naiveRss = naive ? median(naive.map((r) => r.rssBytes)) : null;
  const memoryPinnedRss = median(memoryPinned.map((r) => r.rssBytes));
  const naivePinnedRss = naivePinned ? median(naivePinned.map((r) => r.rssBytes)) : null;
  rows.push(
    { section, figure: 'resident memory ÷ index bytes on disk (in memory)', stories, ours: memoryRss / diskBytes, baseline: naiveRss === null ? null : naiveRss / diskBytes, ratio: ratio(memoryRss, naiveRss), unit: '×', target: '≤ 2×', note: `${(memoryRss / 2 ** 20).toFixed(0)} MiB resident, ${(diskBytes / 2 ** 20).toFixed(0)} MiB on disk, after ${WARM_LOOKUPS} lookups` },
    {
      section,
      figure: 'resident memory ÷ index bytes on disk (in memory, young generation held small)',
      stories,
      ours: memoryPinnedRss / diskBytes,
      baseline: naivePinnedRss === null ? null : naivePinnedRss / diskBytes,
      ratio: ratio(memoryPinnedRss, naivePinnedRss),
      unit: '×',
      target: '',
      note: `the row above with node ${PINNED_YOUNG_GENERATION} (ours and the baseline alike): ${(memoryPinnedRss / 2 ** 20).toFixed(0)} MiB resident, without the room V8's young generation grows to for the lookups' garbage`,
    },
    { section, figure: 'resident memory ÷ index bytes on disk (lazy file)', stories, ours: lazyRss / diskBytes, baseline: null, ratio: null, unit: '×', target: '', note: `${(lazyRss / 2 ** 20).toFixed(0)} MiB resident` },
    { section, figure: 'index bytes per address (membership)', stories, ours: 12, baseline: null, ratio: null, unit: 'B', target: '≤ 16 B', note: `${header.keyCount} addresses; +${((4 * 2 ** Math.ceil(Math.log2(Math.max(2, header.keyCount)))) / 2 / header.keyCount).toFixed(1)} B in memory for the derived bucket table` },
    { section, figure: 'index bytes per address (whole file)', stories, ours: diskBytes / header.keyCount, baseline: naiveBytes === null ? null : naiveBytes / header.keyCount, ratio: ratio(diskBytes, naiveBytes), unit: 'B', target: '', note: 'includes titles, excerpts, urls' },
    { section, figure: 'index bytes per story', stories, ours: diskBytes / header.storyCount, baseline: naiveBytes === null ? null : naiveBytes / header.storyCount, ratio: ratio(diskBytes, naiveBytes), unit: 'B', target: '', note: `${header.storyCount} stories, ${header.articleCount} articles` },
  );
  return rows;
}

function indexSection(): Row[] {
  const rows: Row[] = [];
  for (const size of PLAN.indexSizes) {
    const seeds = corpus(size);
    const out = join(TMP, `index-${size}`);
    mkdirSync(out, { recursive: true });
    log(`${size} stories: building index`);
    // The build section's cache makes this a quick incremental build for the corpus it built.
    child('build', seeds, out, join(TMP, size === PLAN.buildSize ? `build-cache-${size}` : `cache-${size}`), availableParallelism());
    const indexPath = join(out, 'index.bin');
    const naivePath = join(out, 'naive.json');
    const index = CoverageIndex.decode(new Uint8Array(readFileSync(indexPath)), { verify: 'lazy' });
    writeNaiveIndex(naivePath, index);
    rows.push(...indexFigures(size, indexPath, naivePath, `${size} seed files`));
  }
  for (const size of PLAN.syntheticSizes) {
    const out = join(TMP, `index-synthetic-${size}`);
    mkdirSync(out, { recursive: true });
    const indexPath = join(out, 'index.bin');
    log(`${size} synthetic stories: encoding index in memory`);
    child('synth', size, SEED, indexPath);
    // The plain JSON of a million stories is gigabytes: past V8's longest string, so JSON.parse cannot load it at all.
    rows.push(...indexFigures(size, indexPath, null, 'synthetic stories, no seed files; no naive baseline: its JSON exceeds V8’s maximum string length'));
  }
  return rows;
}

interface BuildResult {
  ms: number;
  /** Listing, stat, hashing, parsing (workers) and the seed cache. */
  readMs: number;
  /** Clustering and encoding, or splicing into (or reusing) the last index. */
  indexMs: number;
  how: 'built' | 'spliced' | 'reused';
  files: number;
  parsedFiles: number;
  problems: number;
  stories: number;
}

/** Figure 8: build 100k seeds cold and incremental, against gray-matter's raw parse rate. */
async function buildSection(): Promise<Row[]> {
  const section = 'build';
  const size = PLAN.buildSize;
  const seeds = corpus(size);
  const files = listSeedFiles(seeds);
  const out = join(TMP, `build-${size}`);
  const cacheDir = join(TMP, `build-cache-${size}`);
  mkdirSync(out, { recursive: true });
  const cores = availableParallelism();

  log(`gray-matter raw parse rate on ${PLAN.parseSample} files`);
  const sample = files.slice(0, PLAN.parseSample).map((file) => readFileSync(file, 'utf8'));
  const rates: number[] = [];
  for (let repeat = 0; repeat < 3; repeat++) {
    const start = performance.now();
    // No options would hit gray-matter's own cache after the first repeat; an empty engines map does not.
    for (const text of sample) matter(text, { engines: {} });
    rates.push(sample.length / ((performance.now() - start) / 1000));
  }
  const rate = median(rates);
  const floorMs = (size / (rate * cores)) * 1000;
  // The seed subset parser the build uses (fast-yaml.ts) on the same blocks gray-matter hands js-yaml.
  const blocks = sample.map((text) => text.slice(3, text.indexOf('\n---', 3)));
  if (blocks.some((block) => parseSeedYaml(block) === NOT_SUBSET)) throw new Error('a corpus seed is outside the seed YAML subset');
  const subsetRates: number[] = [];
  for (let repeat = 0; repeat < 3; repeat++) {
    const start = performance.now();
    for (const block of blocks) parseSeedYaml(block);
    subsetRates.push(sample.length / ((performance.now() - start) / 1000));
  }
  const subsetRate = median(subsetRates);

  const cold: BuildResult[] = [];
  for (let repeat = 0; repeat < PLAN.buildRepeats; repeat++) {
    rmSync(cacheDir, { recursive: true, force: true });
    log(`build ${size} seeds cold (${repeat + 1}/${PLAN.buildRepeats})`);
    cold.push(child<BuildResult>('build', seeds, out, cacheDir, cores));
  }
  // The floor under the read phase: the same workers with nothing done with their answers (bench/read-floor.ts).
  const workersAlone: number[] = [];
  for (let repeat = 0; repeat < PLAN.buildRepeats; repeat++) {
    log(`${size} seeds read and parsed by ${cores} workers alone (${repeat + 1}/${PLAN.buildRepeats})`);
    workersAlone.push(child<{ ms: number }>('read-floor', seeds, cores).ms);
  }
  const incremental: BuildResult[] = [];
  const unchanged: BuildResult[] = [];
  const renamed: BuildResult[] = [];
  const commandRuns: number[] = [];
  const commandRunsTsx: number[] = [];
  let watched!: { rebuildMs: number[]; editToWrittenMs: number[] };
  const victim = files[Math.floor(files.length / 2)]!;
  const original = readFileSync(victim, 'utf8');
  const rounds = PLAN.buildRepeats * (SMOKE ? 1 : 3);
  const launcher = [join(ROOT, 'src/build/cli-launch.mjs')];
  try {
    for (let repeat = 0; repeat < rounds; repeat++) {
      // Written over the file's bytes, as many editors save: its folder does not change.
      writeFileSync(victim, original.replace(/^title: "/m, `title: "Edit ${repeat} `));
      log(`build ${size} seeds after one changed (${repeat + 1})`);
      incremental.push(child<BuildResult>('build', seeds, out, cacheDir, cores));
      unchanged.push(child<BuildResult>('build', seeds, out, cacheDir, cores));
    }
    for (let repeat = 0; repeat < rounds; repeat++) {
      // Written to a new file renamed over the old, as other editors save: its folder changes, so
      // the build lists it again (seed-listing.ts).
      writeFileSync(`${victim}.saving`, original.replace(/^title: "/m, `title: "Renamed ${repeat} `));
      renameSync(`${victim}.saving`, victim);
      log(`build ${size} seeds after one replaced by a rename (${repeat + 1})`);
      renamed.push(child<BuildResult>('build', seeds, out, cacheDir, cores));
    }
    // The whole command, as a maintainer runs it after an edit: the CLI's launcher (its bundle,
    // package.json's cli script) against the same CLI through tsx's loader, as it ran before, in turn.
    const cliCwd = join(TMP, 'build-cli-cwd');
    const cacheLink = join(cliCwd, 'node_modules/.cache/elsewhere');
    // Made afresh each run: a smoke run links the 300-seed cache, a full one the 100k cache.
    rmSync(cacheLink, { force: true });
    mkdirSync(dirname(cacheLink), { recursive: true });
    symlinkSync(resolve(cacheDir), cacheLink, 'junction');
    const cliArgs = ['build', '--seeds', resolve(seeds), '--out', resolve(out)];
    const throughTsx = ['--import', 'tsx', join(ROOT, 'src/build/cli.ts')];
    // Unmeasured: makes the CLI's bundle if its sources changed since the last run.
    timedCommand(launcher, cliArgs, cliCwd);
    for (let repeat = 0; repeat < rounds; repeat++) {
      writeFileSync(victim, original.replace(/^title: "/m, `title: "Command ${repeat} `));
      log(`npm run cli -- build after one changed (${repeat + 1})`);
      const first = repeat % 2 === 0 ? 'launcher' : 'tsx';
      for (const side of [first, first === 'launcher' ? 'tsx' : 'launcher']) {
        if (side !== first) writeFileSync(victim, original.replace(/^title: "/m, `title: "Command ${repeat}b `));
        (side === 'launcher' ? commandRuns : commandRunsTsx).push(timedCommand(side === 'launcher' ? launcher : throughTsx, cliArgs, cliCwd));
      }
    }
    // The same edits in a CLI that stays up (build --watch): its first rebuild is a process's first.
    log(`npm run cli -- build --watch, ${rounds} edits`);
    watched = await watchedRebuilds(launcher, cliArgs, cliCwd, (round) => writeFileSync(victim, original.replace(/^title: "/m, `title: "Watched ${round} `)), rounds);
  } finally {
    writeFileSync(victim, original);
  }
  if ([...incremental, ...renamed].some((r) => r.parsedFiles !== 1 || r.how !== 'spliced')) throw new Error(`an incremental build parsed ${[...incremental, ...renamed].map((r) => r.parsedFiles)} files (not 1) or did not splice: ${[...incremental, ...renamed].map((r) => r.how)}`);
  if (unchanged.some((r) => r.parsedFiles !== 0 || r.how !== 'reused')) throw new Error(`a build with nothing changed parsed ${unchanged.map((r) => r.parsedFiles)} files or did not reuse the index`);
  const phases = (results: BuildResult[]): string => `median read ${Math.round(median(results.map((r) => r.readMs)))} ms + index ${Math.round(median(results.map((r) => r.indexMs)))} ms`;
  log(`build ${PLAN.sequentialBuildSize} seeds single-threaded (the old path)`);
  const sequentialSeeds = corpus(PLAN.sequentialBuildSize);
  const sequential = child<{ ms: number }>('build-sequential', sequentialSeeds);
  const parallelSame = PLAN.sequentialBuildSize === size ? median(cold.map((r) => r.ms)) : child<BuildResult>('build', sequentialSeeds, join(TMP, 'build-seq-out'), '-', cores).ms;
  // A cold publish (a list for subscribers, src/build/publish-list.ts) next to a cold build of the
  // same seeds: each the whole command, in a folder of its own made afresh, so its seed cache starts
  // empty and every file is written. Alternated, so the machine's load hits both alike.
  const coldCommand = (command: 'build' | 'publish'): number => {
    const cwd = join(TMP, `cold-${command}-cwd`);
    rmSync(cwd, { recursive: true, force: true });
    mkdirSync(cwd, { recursive: true });
    const listArgs = command === 'publish' ? ['--name', 'Benchmark list', '--homepage', 'https://example.org/'] : [];
    return timedCommand(launcher, [command, '--seeds', resolve(sequentialSeeds), '--out', join(cwd, 'out'), ...listArgs], cwd);
  };
  const coldPublishes: number[] = [];
  const coldBuilds: number[] = [];
  for (let repeat = 0; repeat < PLAN.buildRepeats; repeat++) {
    log(`publish and build ${PLAN.sequentialBuildSize} seeds cold, the whole commands (${repeat + 1}/${PLAN.buildRepeats})`);
    const order = repeat % 2 === 0 ? (['publish', 'build'] as const) : (['build', 'publish'] as const);
    for (const command of order) (command === 'publish' ? coldPublishes : coldBuilds).push(coldCommand(command));
  }

  const coldMs = median(cold.map((r) => r.ms));
  const coldReadMs = median(cold.map((r) => r.readMs));
  const stories = cold[0]!.stories;
  return [
    { section, figure: `gray-matter alone, 1 core`, stories: size, ours: rate, baseline: null, ratio: null, unit: 'docs/s', target: '', note: `raw parse of ${sample.length} of the corpus files; floor for ${size} on ${cores} cores: ${(floorMs / 1000).toFixed(1)} s` },
    { section, figure: `seed YAML subset parser alone, 1 core`, stories: size, ours: subsetRate, baseline: rate, ratio: subsetRate / rate, unit: 'docs/s', target: '', note: `src/core/seed/fast-yaml.ts on the same ${sample.length} front matter blocks; baseline = gray-matter (js-yaml)` },
    { section, figure: `build ${size} seeds, cold (${cores} workers)`, stories: size, ours: coldMs, baseline: floorMs, ratio: floorMs / coldMs, unit: 'ms', target: '≤ 6 s', note: `baseline = gray-matter floor on ${cores} cores; ratio = share of that floor reached; ${stories} stories; ${phases(cold)}` },
    {
      section,
      figure: `build ${size} seeds, cold: read phase (${cores} workers)`,
      stories: size,
      ours: coldReadMs,
      baseline: median(workersAlone),
      ratio: median(workersAlone) / coldReadMs,
      unit: 'ms',
      target: '',
      note: `baseline = the same workers reading and parsing every seed while the main thread ignores their answers (bench/read-floor.ts), ${PLAN.buildRepeats} runs; the rest of the read phase is the main thread's: listing the folder, writing the batches' records to the cache, collecting the files`,
    },
    { section, figure: `rebuild after one seed changed in place`, stories: size, ours: median(incremental.map((r) => r.ms)), baseline: coldMs, ratio: coldMs / median(incremental.map((r) => r.ms)), unit: 'ms', target: '≤ 1 s', note: `baseline = cold build; spliced; ${phases(incremental)}` },
    { section, figure: `rebuild after one seed replaced by a rename`, stories: size, ours: median(renamed.map((r) => r.ms)), baseline: coldMs, ratio: coldMs / median(renamed.map((r) => r.ms)), unit: 'ms', target: '≤ 1 s', note: `baseline = cold build; spliced; the folder listed again; ${phases(renamed)}` },
    { section, figure: `rebuild after one seed changed in place, the whole command`, stories: size, ours: median(commandRuns), baseline: median(commandRunsTsx), ratio: median(commandRunsTsx) / median(commandRuns), unit: 'ms', target: '≤ 1 s', note: `node src/build/cli-launch.mjs build (npm run cli without npm's own start), timed from its start to its exit; baseline = the same through tsx's loader (node --import tsx src/build/cli.ts build), the CLI before the launcher; ${rounds} alternated runs each` },
    { section, figure: `rebuild after one seed changed in place, build --watch`, stories: size, ours: median(watched.rebuildMs), baseline: median(commandRuns), ratio: median(commandRuns) / median(watched.rebuildMs), unit: 'ms', target: '≤ 1 s', note: `as the CLI that stays up prints it, from the start of each rebuild; ${rounds} edits: ${watched.rebuildMs.join(', ')} ms; from each edit to the index written, settling included, median ${Math.round(median(watched.editToWrittenMs))} ms; baseline = the whole command, a new process per rebuild (the row above)` },
    { section, figure: `rebuild with nothing changed`, stories: size, ours: median(unchanged.map((r) => r.ms)), baseline: coldMs, ratio: coldMs / median(unchanged.map((r) => r.ms)), unit: 'ms', target: '', note: `baseline = cold build; last index reused; ${phases(unchanged)}` },
    { section, figure: `build ${PLAN.sequentialBuildSize} seeds, cold: parallel vs single-threaded`, stories: PLAN.sequentialBuildSize, ours: parallelSame, baseline: sequential.ms, ratio: sequential.ms / parallelSame, unit: 'ms', target: '', note: 'baseline = readSeeds + buildIndex on one thread (the pre-issue-4 CLI)' },
    {
      section,
      figure: `publish ${PLAN.sequentialBuildSize} seeds, cold, the whole command`,
      stories: PLAN.sequentialBuildSize,
      ours: median(coldPublishes),
      baseline: median(coldBuilds),
      ratio: median(coldBuilds) / median(coldPublishes),
      unit: 'ms',
      target: '',
      note: `node src/build/cli-launch.mjs publish, from its start to its exit, in a fresh folder (empty seed cache, empty --out): ${coldPublishes.map(Math.round).join(', ')} ms; baseline = build of the same seeds the same way: ${coldBuilds.map(Math.round).join(', ')} ms; ${PLAN.buildRepeats} alternated runs each`,
    },
  ];
}

/** Rows of the browser benchmarks (bench/browser.ts, bench/link-badges.ts), in this table's shape; their sizes are in their names. */
function browserRows(section: string, rows: BrowserBenchRow[]): Row[] {
  return rows.map((row) => ({ section, figure: row.name, stories: null, ours: row.ours, baseline: row.baseline, ratio: row.ratio, unit: row.unit, target: '', ...(row.note ? { note: row.note } : {}) }));
}

/** Issue 4 figures 4–7 in real Chromium: worker cold start, popup render, content-script cost, bundle sizes. */
async function browserSection(): Promise<Row[]> {
  if (SMOKE) {
    log('browser section left out of --smoke (it builds four extensions); run it alone: npx tsx bench/browser.ts --smoke');
    return [];
  }
  return browserRows('browser', await browserBenchmarks({ smoke: false }));
}

/** The built extension the link-badge section measures: `npm run build` makes it (`npm test` does first). */
const CHROME_BUILD = join(ROOT, 'dist', 'chrome');

/** Issue 5: what link badges cost a page of 1,000 and 10,000 links, next to the page without the extension. */
async function linkBadgeSection(): Promise<Row[]> {
  if (!existsSync(join(CHROME_BUILD, 'manifest.json'))) {
    if (SMOKE) {
      log(`link-badges section skipped: no build in ${CHROME_BUILD} (npm run build)`);
      return [];
    }
    throw new Error(`no build in ${CHROME_BUILD}: run npm run build first`);
  }
  const plan = SMOKE ? { runs: 1, sizes: [100], warmUp: false } : { runs: 5, sizes: [1_000, 10_000], warmUp: true };
  return browserRows('link-badges', await benchLinkBadges({ extensionDir: CHROME_BUILD, ...plan, log }));
}

const SECTIONS: Array<{ name: string; run: () => Row[] | Promise<Row[]> }> = [
  { name: 'build', run: buildSection },
  { name: 'index', run: indexSection },
  { name: 'browser', run: browserSection },
  { name: 'link-badges', run: linkBadgeSection },
];

function format(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === 'µs') return value.toFixed(2);
  if (unit === '×') return value.toFixed(2);
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(1);
}

function printTable(rows: Row[]): void {
  const header = ['figure', 'stories', 'ours', 'baseline', 'ratio', 'unit', 'target'];
  const lines = rows.map((row) => [row.figure, row.stories?.toLocaleString('en-US') ?? '', format(row.ours, row.unit), format(row.baseline, row.unit), row.ratio === null ? '—' : `${row.ratio.toFixed(1)}×`, row.unit, row.target]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const render = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  process.stdout.write(`${render(header)}\n${render(widths.map((w) => '-'.repeat(w)))}\n${lines.map(render).join('\n')}\n`);
}

interface SectionRun {
  name: string;
  date: string;
  seconds: number;
  loadAverage: { start: number[]; end: number[] };
  rows: Row[];
}

/** What bench/results.json holds of its sections. */
interface RecordedResults {
  sections: Omit<SectionRun, 'rows'>[];
  rows: Row[];
}

/** bench/results.json as it is before this run writes it, when there is one. */
function lastCommittedResults(): RecordedResults | null {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'bench', 'results.json'), 'utf8')) as RecordedResults;
  } catch {
    return null;
  }
}

/**
 * Runs the sections asked for (`--only build,index`, default all) and keeps each one's rows in
 * bench/tmp, so a later `--only` run of one section still reports the others from their last run
 * (each with its own date and machine load), or from bench/results.json where bench/tmp has none.
 */
async function runSections(): Promise<SectionRun[]> {
  const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
  const unknown = only?.filter((name) => !SECTIONS.some((section) => section.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}; sections: ${SECTIONS.map((section) => section.name).join(', ')}`);
  const runs: SectionRun[] = [];
  const lastResults = SMOKE ? null : lastCommittedResults();
  for (const section of SECTIONS) {
    const saved = join(TMP, `section-${section.name}${SMOKE ? '-smoke' : ''}.json`);
    if (only && !only.includes(section.name)) {
      if (existsSync(saved)) runs.push(JSON.parse(readFileSync(saved, 'utf8')) as SectionRun);
      else {
        // A fresh checkout has no bench/tmp: the section as bench/results.json last recorded it.
        const info = lastResults?.sections.find((run) => run.name === section.name);
        if (info) runs.push({ ...info, rows: lastResults!.rows.filter((row) => row.section === section.name) });
      }
      continue;
    }
    const started = Date.now();
    const loadAtStart = loadavg();
    const rows = await section.run();
    const result = { name: section.name, date: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), loadAverage: { start: loadAtStart, end: loadavg() }, rows };
    writeFileSync(saved, `${JSON.stringify(result, null, 2)}\n`);
    runs.push(result);
  }
  return runs;
}

async function main(): Promise<void> {
  mkdirSync(TMP, { recursive: true });
  const started = Date.now();
  const sections = await runSections();
  const rows = sections.flatMap((section) => section.rows);
  printTable(rows);
  const machine = {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    // The browser the browser and link-badge sections ran in.
    chromium: spawnSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8' }).stdout?.trim() || null,
    platform: `${process.platform} ${process.arch}`,
  };
  // Other work on the machine inflates every timing; each section's load averages say how much there was.
  const sectionInfo = sections.map(({ rows: _rows, ...info }) => info);
  const results = { command: `npm run bench${SMOKE ? ' -- --smoke' : ''}`, smoke: SMOKE, date: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), machine, plan: PLAN, sections: sectionInfo, rows };
  writeFileSync(join(ROOT, 'bench', SMOKE ? 'tmp/results-smoke.json' : 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`done in ${results.seconds} s`);
}

await main();
