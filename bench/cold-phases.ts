/**
 * One cold build into a fresh cache, phase by phase, as session 18 measured the main thread's
 * share of it (issue 4, figure 8): when the first batch went to a worker and when the first answer
 * came back (from the start of the read), the read and index phases, and per phase the process's
 * minor page faults and the main thread's heap. Run it alternately from two checkouts (a
 * `git worktree` of the older commit) to compare them; each run is a fresh process.
 *
 *   npx tsx bench/cold-phases.ts [CORPUS] [WORKERS]   # defaults: bench/tmp/corpus-100000, 2
 *
 * The build's output and cache go to a temporary folder, removed afterwards.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { indexSeeds, prefetchPreviousBuild } from '../src/build/index-cache';
import { readSeedEntries, type SeedEntriesResult } from '../src/build/parallel-read';
import { seedCacheKey } from '../src/build/seed-cache';

const [corpus = 'bench/tmp/corpus-100000', workers = '2'] = process.argv.slice(2);

/** Minor page faults of the whole process so far (field 10 of /proc/self/stat), or NaN off Linux. */
function minorFaults(): number {
  try {
    return Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[7]);
  } catch {
    return Number.NaN;
  }
}

// The first batch sent and the first answer, seen from this thread: every worker is a Worker.
let firstBatchSent = -1;
let firstAnswer = -1;
const postMessage = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: Parameters<Worker['postMessage']>[1]): void {
  if (firstBatchSent < 0 && (message as { files?: unknown }).files) firstBatchSent = performance.now();
  postMessage.call(this, message, transfer);
};
const emit = Worker.prototype.emit;
Worker.prototype.emit = function (this: Worker, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'message' && firstAnswer < 0 && (args[0] as { files?: unknown }).files) firstAnswer = performance.now();
  return emit.call(this, event, ...args);
};

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-cold-phases-'));
try {
  const cacheDir = join(scratch, 'cache');
  const started = performance.now();
  const faultsAtStart = minorFaults();
  const key = seedCacheKey();
  const previous = prefetchPreviousBuild(cacheDir, key);
  const read: SeedEntriesResult = await readSeedEntries(corpus, { cacheDir, workers: Number(workers), progress: false, cacheKey: key });
  const readDone = performance.now();
  const faultsAtRead = minorFaults();
  const heapAfterRead = process.memoryUsage().heapUsed;
  const built = indexSeeds(read.entries, cacheDir, key, { previous: await previous });
  mkdirSync(join(scratch, 'out'), { recursive: true });
  await Promise.all([built.writeTo(join(scratch, 'out', 'index.bin')), built.saved]);
  const done = performance.now();
  const ms = (from: number, to: number): number => Math.round(to - from);
  console.log(
    JSON.stringify({
      files: read.fileCount,
      firstBatchSentMs: firstBatchSent < 0 ? null : ms(started, firstBatchSent),
      firstAnswerMs: firstAnswer < 0 ? null : ms(started, firstAnswer),
      readMs: ms(started, readDone),
      indexMs: ms(readDone, done),
      totalMs: ms(started, done),
      readFaults: faultsAtRead - faultsAtStart,
      indexFaults: minorFaults() - faultsAtRead,
      heapAfterReadMb: Math.round(heapAfterRead / 2 ** 20),
      stories: built.storyCount,
      bytes: built.byteLength,
    }),
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
