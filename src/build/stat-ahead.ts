import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { StringColumn } from './columns';

/**
 * Below this many files, a thread of its own costs more to start (~40 ms here) than it saves: one
 * stat takes ~4.5 µs on this machine's file system, in node as in C (python's os.stat).
 */
export const STAT_AHEAD_MIN_FILES = 10_000;

/** Files a thread claims at a time: few enough that both finish together, many enough that claims cost nothing. */
const CLAIM = 256;

/** Size of a file that could not be stat-ed (gone, say), as the cache's trustedHash expects it. */
const UNREADABLE = -1;

/** The slot of the shared counters that counts paths done; slot 0 is the next path to claim. */
const DONE = 1;

/**
 * The loop both threads run: claim CLAIM paths at a time, stat them, count them done. The worker
 * runs it from its source text (WORKER_SOURCE), so that it starts without loading TypeScript or a
 * bundle, and this thread runs the function itself: the two cannot drift apart. It must refer to
 * nothing outside itself; the counters' slots are literals for that reason.
 */
function statClaims(
  statFile: (path: string) => { size: number; mtimeMs: number } | undefined,
  text: string,
  ends: Uint32Array,
  counters: Int32Array,
  sizes: Float64Array,
  mtimes: Float64Array,
  claim: number,
  unreadable: number,
): void {
  const count = ends.length;
  for (let start = Atomics.add(counters, 0, claim); start < count; start = Atomics.add(counters, 0, claim)) {
    const end = Math.min(count, start + claim);
    for (let i = start; i < end; i++) {
      let stat: { size: number; mtimeMs: number } | undefined;
      try {
        stat = statFile(text.slice(i === 0 ? 0 : ends[i - 1], ends[i]));
      } catch {
        stat = undefined;
      }
      sizes[i] = stat ? stat.size : unreadable;
      mtimes[i] = stat ? stat.mtimeMs : unreadable;
    }
    Atomics.add(counters, 1, end - start);
    Atomics.notify(counters, 1);
  }
}

/**
 * The worker's script. tsx compiles with esbuild's keepNames, which wraps nested functions in
 * calls to a `__name` helper of the module: the worker gets one that does nothing.
 */
const WORKER_SOURCE = `
const __name = (f) => f;
const { statSync } = require('node:fs');
const { workerData: d } = require('node:worker_threads');
(${statClaims.toString()})((path) => statSync(path, { throwIfNoEntry: false }), d.text, d.ends, d.counters, d.sizes, d.mtimes, ${CLAIM}, ${UNREADABLE});
`;

/** Each listed file's size and modification time (UNREADABLE for both when it could not be stat-ed). */
export interface FileStats {
  sizes: Float64Array;
  mtimes: Float64Array;
}

/**
 * Stats the files of the last build's listing on a worker thread, started before this build lists
 * its own: a rebuild's main thread spent ~0.25 s listing 100k files and then ~0.5 s in stat, one
 * file after the other (issue 4). The worker stats while this thread lists; finish() then joins
 * in on what is left. Files that are new since the last build are stat-ed by the caller.
 */
export class StatAhead {
  private readonly counters = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  private readonly stats: FileStats;

  private constructor(private readonly paths: StringColumn) {
    const shared = (): Float64Array => new Float64Array(new SharedArrayBuffer(paths.count * Float64Array.BYTES_PER_ELEMENT));
    // NaN until answered: finishUnanswered() tells what a dead worker left by it.
    this.stats = { sizes: shared().fill(Number.NaN), mtimes: shared().fill(Number.NaN) };
    try {
      const { sizes, mtimes } = this.stats;
      // The ends copied on their own: a view of the seed manifest's columns would clone the whole
      // ~11 MB file it was read from (~35 ms of this thread at 100k seeds).
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { text: paths.text, ends: paths.ends.slice(), counters: this.counters, sizes, mtimes } });
      // It ends by itself once no paths are left; it must not keep the process alive, nor fail the build.
      worker.unref();
      worker.on('error', () => undefined);
    } catch {
      // No worker: finish() stats everything on this thread.
    }
  }

  /** Starts on `paths` (absolute, as the seed cache lists them), or null when there are fewer than `minFiles`. */
  static start(paths: StringColumn, minFiles = STAT_AHEAD_MIN_FILES): StatAhead | null {
    return paths.count >= minFiles ? new StatAhead(paths) : null;
  }

  /**
   * Stats what the worker has not claimed, waits for what it has, and returns every path's stats
   * by its place in the listing. A worker that died mid-claim leaves its paths unanswered: after
   * a wait far longer than any claim takes, this thread stats them itself.
   */
  finish(): FileStats {
    const { sizes, mtimes } = this.stats;
    statClaims((path) => statSync(path, { throwIfNoEntry: false }), this.paths.text, this.paths.ends, this.counters, sizes, mtimes, CLAIM, UNREADABLE);
    const deadline = performance.now() + 5_000;
    for (let done = Atomics.load(this.counters, DONE); done < this.paths.count; done = Atomics.load(this.counters, DONE)) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.counters, DONE, done, left) === 'timed-out') return this.finishUnanswered();
    }
    return this.stats;
  }

  private finishUnanswered(): FileStats {
    const { sizes, mtimes } = this.stats;
    for (let i = 0; i < this.paths.count; i++) {
      if (!Number.isNaN(sizes[i]!)) continue;
      const stat = statOrNull(this.paths.at(i));
      sizes[i] = stat ? stat.size : UNREADABLE;
      mtimes[i] = stat ? stat.mtimeMs : UNREADABLE;
    }
    return this.stats;
  }
}

function statOrNull(path: string): { size: number; mtimeMs: number } | null {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}
