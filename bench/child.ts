/**
 * One measurement in a fresh process, so that each cold load really is cold (no JIT warmth, no
 * cached objects) and each memory figure is this process's alone. bench/run.ts starts it as
 * `node --expose-gc --import tsx bench/child.ts MODE …` and reads one JSON line from stdout.
 */
import { createReadStream, createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ChunkedIndex } from '../src/background/chunked-index';
import { indexSeeds, prefetchPreviousBuild } from '../src/build/index-cache';
import { openIndexFile } from '../src/build/index-file';
import { BufferedOutput, lookupResult } from '../src/build/lookup-output';
import { readSeedEntries } from '../src/build/parallel-read';
import { listSeedFiles } from '../src/build/read-seeds';
import { seedCacheKey } from '../src/build/seed-cache';
import { bundledIndexFiles } from '../src/core/index/chunks';
import { CoverageIndex, type Coverage } from '../src/core/index/coverage-index';
import { lookupKeys } from '../src/core/url/canonical';
import { encodeIndex } from '../src/core/index/encode';
import { NaiveIndex } from './naive-index';
import { syntheticStories } from './synthetic-stories';

const [mode, ...args] = process.argv.slice(2);

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function rss(): number {
  gc();
  gc();
  return process.memoryUsage().rss;
}

/**
 * The file's lines, each as a string of its own, as a message delivers an address to the
 * background (structured clone). `split` alone gives slices of the whole file's string: reading
 * their characters goes through the parent, which made canonicalising 2–4× slower than on the
 * strings the extension gets (issue 4, session 8), for ours and the naive index alike.
 */
function readLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => structuredClone(line));
}

/** Minor page faults of the whole process so far (field 10 of /proc/self/stat), or NaN off Linux. */
function minorFaults(): number {
  try {
    return Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[7]);
  } catch {
    return Number.NaN;
  }
}

/**
 * When this thread first sent a worker a batch of files, and first heard a batch's answer
 * (performance.now(), -1 until then): how long a build's workers wait for their first work.
 */
function watchFirstBatch(): { sent: number; answered: number } {
  const first = { sent: -1, answered: -1 };
  const postMessage = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: Parameters<Worker['postMessage']>[1]): void {
    if (first.sent < 0 && (message as { files?: unknown }).files) first.sent = performance.now();
    postMessage.call(this, message, transfer);
  };
  const emit = Worker.prototype.emit;
  Worker.prototype.emit = function (this: Worker, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message' && first.answered < 0 && (args[0] as { files?: unknown }).files) first.answered = performance.now();
    return emit.call(this, event, ...args);
  };
  return first;
}

function percentile(sorted: Float64Array, share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

interface Latency {
  p50: number;
  p99: number;
  mean: number;
}

function summarise(times: Float64Array): Latency {
  const total = times.reduce((sum, time) => sum + time, 0);
  times.sort();
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), mean: total / times.length };
}

/**
 * Times each call on its own, in microseconds; hrtime costs ~50 ns, small next to a lookup but
 * included. Ours and the naive index are timed in processes of their own (see 'lookups'): taking
 * turns in one process, 1000 addresses each (sessions 7–11), kept each other's CPU caches apart but
 * not the naive index's garbage collections out of our tail.
 */
function latencies(count: number, call: (i: number) => unknown): Float64Array {
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    call(i);
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  return times;
}

/** An AMP cache's address (peeled by the canonicaliser) and an address whose host needs the URL parser (IDNA). */
const AMP_CACHE_ADDRESS = /^https?:\/\/[^/?#]*(?:\.cdn\.ampproject\.org|\.bing-amp\.com)[/?#:]/i;
const PARSER_HOST_ADDRESS = /^https?:\/\/[^/?#]*(?:[\u0080-\uffff]|xn--)/i;

/** A lookup address's shape: a hit or a miss, and what canonicalising it takes beyond the common case. */
function addressShape(address: string, hit: boolean): string {
  const kind = AMP_CACHE_ADDRESS.test(address) ? 'AMP cache' : PARSER_HOST_ADDRESS.test(address) ? 'host for the URL parser' : address.includes('?') ? 'query' : 'plain';
  return `${hit ? 'hit' : 'miss'}, ${kind}`;
}

interface ShapeLatency {
  addresses: number;
  lookup: Latency;
  membership: Latency;
  canonicalise: Latency;
  /** The shape's share of the lookups slower than the p99 of all: what the tail is made of. */
  shareAboveLookupP99: number;
}

/** Latencies by address shape (issue 4, lookup p99): call by call, from the same timed passes as the totals. */
function latenciesByShape(shapes: readonly string[], lookup: Float64Array, membership: Float64Array, canonicalise: Float64Array): Record<string, ShapeLatency> {
  const p99 = percentile(Float64Array.from(lookup).sort(), 0.99);
  const above = lookup.filter((time) => time > p99).length;
  const members = new Map<string, number[]>();
  shapes.forEach((shape, i) => (members.get(shape) ?? members.set(shape, []).get(shape)!).push(i));
  const result: Record<string, ShapeLatency> = {};
  for (const [shape, ids] of [...members].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const of = (times: Float64Array): Latency => summarise(Float64Array.from(ids, (i) => times[i]!));
    result[shape] = { addresses: ids.length, lookup: of(lookup), membership: of(membership), canonicalise: of(canonicalise), shareAboveLookupP99: ids.filter((i) => lookup[i]! > p99).length / above };
  }
  return result;
}

async function main(): Promise<object> {
  switch (mode) {
    case 'load': {
      // load KIND PATH FIRST_URL WARM_FILE: cold load to first answer, then memory after the warm lookups.
      const [kind, path, firstUrl, warmFile] = args as [string, string, string, string];
      const warm = readLines(warmFile);
      const before = rss();
      const start = performance.now();
      let answer: (url: string) => unknown;
      if (kind === 'ours-bundle') {
        // The files the extension ships, read as its background reads them (ChunkedIndex): the
        // directory, then the key page and the details chunk the lookup needs.
        const chunked = await ChunkedIndex.open(async (file) => {
          const bytes = await readFile(join(path, file));
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        });
        answer = (url) => chunked.lookup([url], () => chunked.index.coverage([url]));
      } else if (kind === 'ours-lazy') {
        const { index } = openIndexFile(path);
        answer = (url) => index.coverage([url]);
      } else if (kind === 'ours-memory') {
        const index = CoverageIndex.decode(new Uint8Array(readFileSync(path)), { verify: 'lazy' });
        answer = (url) => index.coverage([url]);
      } else {
        const index = NaiveIndex.load(path);
        answer = (url) => index.coverage(url);
      }
      const first = await answer(firstUrl);
      const loadMs = performance.now() - start;
      if (!first) throw new Error(`the first lookup of ${firstUrl} found nothing`);
      for (const url of warm) await answer(url);
      const rssBytes = rss() - before;
      // Still used after the reading, so that the collector cannot have freed the index before it.
      if (!(await answer(firstUrl))) throw new Error('the index was gone');
      return { loadMs, rssBytes };
    }
    case 'bundle': {
      // bundle INDEX DIR: writes the files the extension would ship for INDEX into DIR.
      const [indexPath, dir] = args as [string, string];
      const bytes = new Uint8Array(readFileSync(indexPath));
      rmSync(dir, { recursive: true, force: true });
      const files = bundledIndexFiles(CoverageIndex.decode(bytes, { verify: 'lazy' }), bytes);
      for (const file of files) {
        mkdirSync(dirname(join(dir, file.path)), { recursive: true });
        writeFileSync(join(dir, file.path), file.bytes);
      }
      return { files: files.length };
    }
    case 'lookups': {
      // lookups ours|naive PATH ADDRESSES_FILE COUNT: one index's latencies, in a process of its own
      // (bench/run.ts alternates the two): a background holds its own index only, and beside the
      // naive index's heap of ~2 GB ours picked up that heap's garbage collections in its tail.
      const [kind, path, addressesFile, countText] = args as ['ours' | 'naive', string, string, string];
      const addresses = readLines(addressesFile);
      const count = Math.min(Number(countText), addresses.length);
      const keys = addresses.slice(0, count).map((url) => lookupKeys(url));
      if (kind === 'naive') {
        const plain = NaiveIndex.load(path);
        for (let i = 0; i < count; i++) plain.match(addresses[i]!);
        const naive = latencies(count, (i) => plain.match(addresses[i]!));
        const naiveMembership = latencies(count, (i) => {
          for (const key of keys[i]!) if (plain.find(key) !== undefined) return;
        });
        return { naive: summarise(naive), naiveMembership: summarise(naiveMembership) };
      }
      const index = CoverageIndex.decode(new Uint8Array(readFileSync(path)), { verify: 'lazy' });
      // One untimed pass warms the JIT and verifies every shard once, as a long-lived background would have.
      for (let i = 0; i < count; i++) index.match([addresses[i]!]);
      let hits = 0;
      const shapes: string[] = [];
      for (let i = 0; i < count; i++) {
        const hit = index.match([addresses[i]!]) !== null;
        if (hit) hits++;
        shapes.push(addressShape(addresses[i]!, hit));
      }
      const ours = latencies(count, (i) => index.match([addresses[i]!]));
      const oursMembership = latencies(count, (i) => {
        for (const key of keys[i]!) if (index.findArticle(key) !== -1) return;
      });
      const oursCoverage = latencies(count, (i) => index.coverage([addresses[i]!]));
      // Canonicalisation alone: the part of a lookup that ours and the baseline share.
      const canonicalise = latencies(count, (i) => lookupKeys(addresses[i]!));
      const byShape = latenciesByShape(shapes, ours, oursMembership, canonicalise);
      return {
        count,
        hits,
        ours: summarise(ours),
        oursMembership: summarise(oursMembership),
        oursCoverage: summarise(oursCoverage),
        canonicalise: summarise(canonicalise),
        byShape,
      };
    }
    case 'bulk': {
      // bulk KIND PATH ADDRESSES_FILE COUNT OUT: what `lookup --stdin --json --index DIR` does (the same
      // reading, answers and output), with each phase timed: opening, lookups, reading, writing.
      const [kind, path, addressesFile, countText, outFile] = args as [string, string, string, string, string];
      const start = performance.now();
      let answer: (url: string) => Coverage | null;
      if (kind === 'ours') {
        const { index } = openIndexFile(path);
        answer = (url) => index.coverage([url]);
      } else {
        const index = NaiveIndex.load(path);
        answer = (url) => index.coverage(url) as Coverage | null;
      }
      const openMs = performance.now() - start;
      const stream = createWriteStream(outFile);
      const output = new BufferedOutput(stream);
      const input = createInterface({ input: createReadStream(addressesFile), crlfDelay: Infinity });
      let lookupMs = 0;
      let writeMs = 0;
      let lines = 0;
      let hits = 0;
      for await (const line of input) {
        if (lines === Number(countText)) break;
        const url = line.trim();
        if (!url) continue;
        const asked = performance.now();
        const coverage = answer(url);
        const answered = performance.now();
        await output.write(`${JSON.stringify(lookupResult(coverage))}\n`);
        writeMs += performance.now() - answered;
        lookupMs += answered - asked;
        lines++;
        if (coverage) hits++;
      }
      const flushed = performance.now();
      await output.flush();
      stream.end();
      await finished(stream);
      writeMs += performance.now() - flushed;
      const totalMs = performance.now() - start;
      return { openMs, lookupMs, writeMs, readMs: totalMs - openMs - lookupMs - writeMs, totalMs, lines, hits, outputBytes: stream.bytesWritten };
    }
    case 'build': {
      // build SEEDS OUT CACHE_DIR|- WORKERS
      const [seeds, out, cacheDir, workers] = args as [string, string, string, string];
      // What `npm run -s cli -- build` does (load-seeds.ts), timed phase by phase, with when the
      // workers got their first batch and answered it, and the minor faults and heap per phase.
      const firstBatch = watchFirstBatch();
      const start = performance.now();
      // CPU time of the whole process (every thread), per phase: on a machine shared with other
      // work, wall time says more about the neighbours than about the build.
      const cpuAtStart = process.cpuUsage();
      const faultsAtStart = minorFaults();
      const cache = cacheDir === '-' ? null : cacheDir;
      const recordKey = seedCacheKey();
      const previous = cache ? prefetchPreviousBuild(cache, recordKey) : Promise.resolve(null);
      const read = await readSeedEntries(seeds, { cacheDir: cache, workers: Number(workers), progress: false, cacheKey: recordKey });
      const readMs = performance.now() - start;
      const cpuAtRead = process.cpuUsage();
      const faultsAtRead = minorFaults();
      const heapAfterReadMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
      const built = indexSeeds(read.entries, cache, recordKey, { previous: await previous });
      const indexMs = performance.now() - start - readMs;
      mkdirSync(out, { recursive: true });
      await Promise.all([built.writeTo(join(out, 'index.bin')), built.saved]);
      const ms = performance.now() - start;
      const cpuMs = (from: NodeJS.CpuUsage, to = process.cpuUsage()): number => (to.user - from.user + to.system - from.system) / 1000;
      const readCpuMs = cpuMs(cpuAtStart, cpuAtRead);
      const sinceStart = (at: number): number | null => (at < 0 ? null : at - start);
      return {
        ms,
        readMs,
        indexMs,
        cpuMs: cpuMs(cpuAtStart),
        readCpuMs,
        restCpuMs: cpuMs(cpuAtRead),
        firstBatchSentMs: sinceStart(firstBatch.sent),
        firstAnswerMs: sinceStart(firstBatch.answered),
        readFaults: faultsAtRead - faultsAtStart,
        restFaults: minorFaults() - faultsAtRead,
        heapAfterReadMb,
        how: built.how,
        files: read.fileCount,
        parsedFiles: read.parsedFiles,
        problems: read.problems.length,
        stories: built.storyCount,
        bytes: built.byteLength,
      };
    }
    case 'warm-rebuilds': {
      // warm-rebuilds SEEDS OUT CACHE_DIR ROUNDS: one-change rebuilds one after another in this
      // one process, each after the title of SEEDS' first file was edited in place (SEEDS is
      // written: give it a copy, as bench/build-ab.sh's CORPUS). What a first build in a process
      // pays that later ones do not: JIT warm-up and first touches of memory (issue 4, session 13).
      const [seeds, out, cacheDir, roundsText] = args as [string, string, string, string];
      const victim = join(seeds, readdirSync(seeds).filter((name) => name.endsWith('.txt')).sort()[0]!);
      const original = readFileSync(victim, 'utf8');
      const rounds: Array<{ ms: number; how: string }> = [];
      try {
        for (let round = 0; round < Number(roundsText); round++) {
          writeFileSync(victim, original.replace(/^title: "/m, `title: "Warm ${round} `));
          const start = performance.now();
          const recordKey = seedCacheKey();
          const previous = prefetchPreviousBuild(cacheDir, recordKey);
          const read = await readSeedEntries(seeds, { cacheDir, progress: false, cacheKey: recordKey });
          const built = indexSeeds(read.entries, cacheDir, recordKey, { previous: await previous });
          mkdirSync(out, { recursive: true });
          await Promise.all([built.writeTo(join(out, 'index.bin')), built.saved]);
          rounds.push({ ms: performance.now() - start, how: built.how });
        }
      } finally {
        writeFileSync(victim, original);
      }
      return { rounds };
    }
    case 'synth': {
      // synth COUNT SEED OUT: an index of synthetic stories, with no seed files (see synthetic-stories.ts).
      const [countText, seedText, out] = args as [string, string, string];
      const start = performance.now();
      const bytes = encodeIndex(syntheticStories(Number(countText), Number(seedText)));
      writeFileSync(out, bytes);
      return { ms: performance.now() - start, bytes: bytes.length };
    }
    case 'read-floor': {
      // read-floor SEEDS WORKERS: the build's workers read and parse every seed while this thread
      // ignores their answers: the floor under a cold build's read phase (bench/read-floor.ts).
      const [seeds, workers] = args as [string, string];
      const { workersAloneMs } = await import('./read-floor');
      return { ms: await workersAloneMs(listSeedFiles(resolve(seeds)), Number(workers)) };
    }
    case 'build-sequential': {
      // build-sequential SEEDS: the single-threaded path the CLI had before issue 4 (readSeeds, then buildIndex).
      const [seeds] = args as [string];
      const { readSeeds } = await import('../src/build/read-seeds');
      const { buildIndex } = await import('../src/build/build-index');
      const start = performance.now();
      const built = buildIndex(readSeeds(seeds).seeds);
      return { ms: performance.now() - start, bytes: built.bytes.length };
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
