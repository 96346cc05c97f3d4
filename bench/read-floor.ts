/**
 * The floor under a cold build's read phase (issue 4, figure 8): the build's own workers
 * (seed-worker.ts, bundled as a build starts them) read, hash and parse every seed file, sent in
 * the build's batches, each answered with its columns, while this thread does nothing with their
 * answers. A cold build's read phase does the same and, on this thread, writes the records to the
 * cache and collects the files; the
 * difference is what that costs. Also prints what touching fresh memory
 * costs here, a page at a time: a cold build touches about a gigabyte (its minor page faults).
 *
 *   npx tsx bench/read-floor.ts [CORPUS] [WORKERS…]   # defaults: bench/tmp/corpus-100000, 1 2
 *
 * `npm run bench` measures the same (workersAloneMs) beside each cold build's read phase.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
// Files sent as parallel-read.ts sends them.
import { BATCH_FILES, BATCHES_IN_FLIGHT } from '../src/build/parallel-read';
import { listSeedFiles } from '../src/build/read-seeds';
import type { WorkerTask } from '../src/build/seed-worker';
import { workerStarter } from '../src/build/worker-bundle';


/** Reads every file on `count` workers; returns the wall time from the first batch sent to the last answer. */
export async function workersAloneMs(files: readonly string[], count: number): Promise<number> {
  const start = workerStarter('seed-worker');
  const workers: Worker[] = Array.from({ length: count }, () => start());
  // Started and loaded before the clock runs: a build starts its workers while it lists the folder.
  await Promise.all(workers.map((worker) => new Promise((online) => worker.once('online', online))));
  const began = performance.now();
  let next = 0;
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((done) => {
          let inFlight = 0;
          const send = (): void => {
            if (next >= files.length) return;
            worker.postMessage({ files: files.slice(next, (next += BATCH_FILES)) } satisfies WorkerTask);
            inFlight++;
          };
          worker.on('message', () => {
            inFlight--;
            send();
            if (inFlight === 0) done();
          });
          for (let i = 0; i < BATCHES_IN_FLIGHT; i++) send();
          // A worker the others left no batch for.
          if (inFlight === 0) done();
        }),
    ),
  );
  const ms = performance.now() - began;
  await Promise.all(workers.map((worker) => worker.terminate()));
  return ms;
}

/** Milliseconds to touch each 4 KiB page of `mib` MiB of fresh memory once. */
function firstTouch(mib: number): number {
  const began = performance.now();
  const bytes = Buffer.alloc(mib << 20);
  for (let at = 0; at < bytes.length; at += 4096) bytes[at] = 1;
  return performance.now() - began;
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const [dir = 'bench/tmp/corpus-100000', ...counts] = process.argv.slice(2);
  const files = listSeedFiles(resolve(dir));
  console.log(`${files.length} seed files in ${dir}`);
  const workerCounts = (counts.length > 0 ? counts : ['1', '2']).map(Number);
  // One unmeasured round: the page cache and the worker bundle.
  await workersAloneMs(files, workerCounts[0]!);
  for (const count of workerCounts) {
    const ms = await workersAloneMs(files, count);
    console.log(`${count} worker(s): ${(ms / 1000).toFixed(2)} s, ${((ms * 1000 * count) / files.length).toFixed(0)} µs a file on each`);
  }
  const touches = [firstTouch(200), firstTouch(200), firstTouch(200)].sort((a, b) => a - b);
  console.log(`fresh memory: ${((touches[1]! * 1000) / ((200 << 20) / 4096)).toFixed(1)} µs a 4 KiB page (median of 3 × 200 MiB)`);
}
