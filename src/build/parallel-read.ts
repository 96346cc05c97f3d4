import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RecordWriter } from '../core/index/encode';
import type { CanonicalSeed } from '../core/story/cluster';
import { bufferUtf8Writer } from './build-index';
import { Progress } from './progress';
import { type SeedFileProblem } from './read-seeds';
import { SeedCache, seedCacheKey } from './seed-cache';
import { listSeedFilesReusing } from './seed-listing';
import { StatAhead } from './stat-ahead';
import { fileRecord, HostPartList, recordWriter, SeedColumnsWriter, type ColumnsPlace, type SeedColumns } from './seed-columns';
import { contentHash, parseSeedFile, readRecord, readWithStat, type InvalidRecord, type SeedRecord } from './seed-records';
import type { WorkerResult, WorkerTask } from './seed-worker';
import { workerStarter } from './worker-bundle';

/**
 * Below this many files to parse, starting workers (≈300 ms each under tsx) costs more than it
 * saves: gray-matter parses a few thousand seeds a second on one core.
 */
export const PARALLEL_MIN_FILES = 400;
/**
 * Files per message to a worker. Small enough that both cores stay busy to the end (dynamic
 * balancing), large enough that message overhead is negligible next to ~0.3 ms of parsing per file.
 */
export const BATCH_FILES = 128;
/** Batches sent to each worker ahead of its answers: one queued behind the one it works on. */
export const BATCHES_IN_FLIGHT = 2;
/** Workers beyond the machine's cores only add contention; the machine has 2. */
const MAX_WORKERS = 8;

export interface ParallelReadOptions {
  /** Worker threads; 0 or 1 parses on the calling thread. Defaults to one per core. */
  workers?: number;
  /** Cache directory (see seed-cache.ts), or null for none. */
  cacheDir?: string | null;
  /** Show a progress bar on a terminal once the read takes over a second. */
  progress?: boolean;
  /** The cache's identity; defaults to seedCacheKey() (format version + record code). Tests vary it. */
  cacheKey?: string;
  /**
   * The files (absolute paths) that may have changed since the cache was saved, when something
   * knows (a watcher's events: watch-seeds.ts). Only these are stat-ed; every other listed file
   * the cache has a row for is taken to be as that row says. Without it, every file is stat-ed.
   */
  mayHaveChanged?: ReadonlySet<string> | null;
}

export interface CanonicalReadResult {
  seeds: CanonicalSeed[];
  problems: SeedFileProblem[];
  /** Files with at least one problem, in order. */
  invalidFiles: string[];
  fileCount: number;
  /** Files parsed in this run (the rest came from the cache). */
  parsedFiles: number;
}

type FileOutcome = {
  hash: string | null;
  /** The record of an invalid seed parsed in this run; null for a valid one (`columns`), or when the cache had it. */
  problems: InvalidRecord | null;
  readError: string | null;
  size: number;
  mtimeMs: number;
  /** Where its articles are as columns, for a valid seed parsed in this run: its record (fileRecord). */
  columns?: ColumnsPlace;
  /** Its record went to the cache as the workers answered (SeedCache.streamRecords). */
  streamed?: boolean;
};

/** Places the files of a batch in its columns: each valid seed parsed in this run has its articles there. */
function placeInColumns(outcomes: readonly FileOutcome[], columns: SeedColumns): void {
  outcomes.forEach((outcome, file) => {
    if (columns.valid[file]) outcome.columns = { columns, file };
  });
}

function defaultWorkers(): number {
  return Math.min(MAX_WORKERS, availableParallelism());
}

/** This thread's writer for processHere's columns, made when first needed. */
let hereRecords: RecordWriter | null = null;

/** Processes files on this thread: the same work a worker does. */
function processHere(paths: readonly string[], isKnown: (hash: string) => boolean, progress: Progress): FileOutcome[] {
  const columns = new SeedColumnsWriter((hereRecords ??= recordWriter(bufferUtf8Writer)));
  const outcomes = paths.map((path): FileOutcome => {
    let read: ReturnType<typeof readWithStat>;
    try {
      read = readWithStat(path);
    } catch (error) {
      columns.addFile(null);
      return { hash: null, problems: null, readError: (error as Error).message, size: -1, mtimeMs: -1 };
    } finally {
      progress.tick();
    }
    const hash = contentHash(read.bytes);
    const parsed = isKnown(hash) ? null : parseSeedFile(read.bytes);
    columns.addFile(parsed?.articles ?? null);
    return { hash, problems: parsed?.problems ?? null, readError: null, size: read.size, mtimeMs: read.mtimeMs };
  });
  placeInColumns(outcomes, columns.finish().columns);
  return outcomes;
}

/**
 * Build workers, started as soon as a build knows it will parse many files, which a cold build
 * overlaps with listing and the cache instead of waiting for it. Run from TypeScript sources, a
 * worker loads one bundled file (worker-bundle.ts); tsx in every worker took ~1 s to start.
 */
class WorkerPool {
  private readonly workers: Worker[] = [];
  /** Per worker: the host parts it has numbered (its batches number them as one writer's, seed-columns.ts). */
  private readonly hostParts: HostPartList[] = [];
  /** Made once per pool: from sources, finding the worker's bundle hashes its ~70 inputs (~5 ms). */
  private start: (() => Worker) | null = null;

  /** Starts workers until there are `count` (a cold build calls this after each folder it lists). */
  grow(count: number): void {
    if (this.workers.length >= count) return;
    this.start ??= workerStarter('seed-worker');
    while (this.workers.length < count) {
      this.workers.push(this.start());
      this.hostParts.push(new HostPartList());
    }
  }

  /**
   * Spreads files over the workers in batches, each worker taking the next batch as it answers one.
   * Fresh records go to `cache` as they arrive (SeedCache.streamRecords), while this thread would wait.
   */
  async run(paths: readonly string[], known: readonly string[], progress: Progress, cache: SeedCache | null): Promise<FileOutcome[]> {
    const outcomes = new Array<FileOutcome>(paths.length);
    let next = 0;
    await Promise.all(
      this.workers.map(
        (worker, index) =>
          new Promise<void>((resolveAll, reject) => {
            /** Starts of the batches sent to this worker and not answered yet, oldest first (a worker answers in order). */
            const inFlight: number[] = [];
            const send = (): void => {
              if (next >= paths.length) return;
              const start = next;
              next = Math.min(paths.length, next + BATCH_FILES);
              inFlight.push(start);
              worker.postMessage({ files: paths.slice(start, next) as string[] } satisfies WorkerTask);
            };
            worker.on('message', ({ files: results, columns }: WorkerResult) => {
              const start = inFlight.shift()!;
              try {
                this.hostParts[index]!.receive(columns);
              } catch (error) {
                reject(error as Error);
                return;
              }
              const batch = results.map(([hash, problems, readError, size, mtimeMs]): FileOutcome => ({ hash, problems, readError, size, mtimeMs }));
              placeInColumns(batch, columns);
              batch.forEach((outcome, i) => (outcomes[start + i] = outcome));
              progress.tick(results.length);
              send();
              if (inFlight.length === 0) resolveAll();
              if (cache?.streams) {
                const records: Array<readonly [string, SeedRecord]> = [];
                for (const outcome of batch) {
                  const record = outcome.columns ? fileRecord(outcome.columns) : outcome.problems;
                  if (outcome.hash === null || record === null) continue;
                  records.push([outcome.hash, record]);
                  outcome.streamed = true;
                }
                cache.streamRecords(records);
              }
            });
            worker.once('error', reject);
            worker.once('exit', (code) => {
              if (next < paths.length || inFlight.length > 0 || code !== 0) reject(new Error(`a build worker stopped early (exit code ${code})`));
            });
            if (known.length > 0) worker.postMessage({ known: known as string[] } satisfies WorkerTask);
            // Each worker has a batch queued behind the one it works on, so that it never waits while
            // this thread is busy (a GC pause, writing the cache).
            for (let i = 0; i < BATCHES_IN_FLIGHT; i++) send();
            if (inFlight.length === 0) resolveAll();
          }),
      ),
    );
    return outcomes;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** One valid seed file after reading: its record is read only when a build needs its articles. */
export interface SeedEntry {
  /** The name it is known by (relative to the working directory), as CanonicalSeed.source. */
  source: string;
  path: string;
  hash: string;
  cache: SeedCache | null;
  /**
   * Its articles as columns, when it was parsed in this run: what a build from scratch indexes
   * (columnar-index.ts), and its record. Otherwise `cache` has its record.
   */
  columns?: ColumnsPlace;
}

/** An entry's record: parsed in this run, or read from the cache on demand ('' when it cannot be). */
function recordOf(entry: SeedEntry): SeedRecord {
  return entry.columns ? fileRecord(entry.columns) : (entry.cache?.record(entry.hash) ?? '');
}

export interface SeedEntriesResult extends Omit<CanonicalReadResult, 'seeds'> {
  /** Valid files, in file order. */
  entries: SeedEntry[];
}

/** The seed of a valid entry. A damaged cache record is not fatal: the file is parsed again. */
export function canonicalSeedOf(entry: SeedEntry): CanonicalSeed {
  try {
    const read = readRecord(recordOf(entry), entry.source);
    if ('seed' in read) return read.seed;
  } catch {
    // Damaged: parse the file again below.
  }
  const bytes = readFileSync(entry.path);
  const { articles } = parseSeedFile(bytes);
  if (contentHash(bytes) !== entry.hash || !articles) throw new Error(`${entry.source} changed while it was being built; build again`);
  return { source: entry.source, articles };
}

/** relative(process.cwd(), path), computed once per folder: path.relative costs microseconds a call. */
function sourceNamer(): (path: string) => string {
  const prefixes = new Map<string, string>();
  return (path) => {
    const cut = path.lastIndexOf(sep);
    if (cut === -1) return join(relative(process.cwd(), dirname(path)), basename(path));
    const folder = path.slice(0, cut);
    let prefix = prefixes.get(folder);
    if (prefix === undefined) {
      const name = relative(process.cwd(), folder);
      prefix = name === '' ? '' : `${name}${sep}`;
      prefixes.set(folder, prefix);
    }
    // join(name, basename) without join's normalising pass, which cost a 100k rebuild ~0.3 s.
    return prefix + path.slice(cut + 1);
  };
}

/**
 * Reads every seed below `dir` like readSeeds, but parses on every core, reuses the records of
 * files whose content the cache has seen, and returns canonicalised seeds ready for clustering.
 * Every problem in every file is still collected, as FILE:LINE: message.
 */
export async function readSeedsParallel(dir: string, options: ParallelReadOptions = {}): Promise<CanonicalReadResult> {
  const { entries, ...rest } = await readSeedEntries(dir, options);
  return { ...rest, seeds: entries.map(canonicalSeedOf) };
}

/**
 * readSeedsParallel without parsing the records of valid files: an incremental build needs the
 * articles of the few seeds that changed, and their content hashes for the rest.
 */
export async function readSeedEntries(dir: string, options: ParallelReadOptions = {}): Promise<SeedEntriesResult> {
  const cacheDir = options.cacheDir || null;
  const cacheKey = cacheDir ? (options.cacheKey ?? seedCacheKey()) : '';
  const cache = cacheDir ? SeedCache.load(cacheDir, cacheKey) : null;
  // A rebuild stats the last build's files on another thread from now on, while this one lists
  // the folder (or reuses the last listing) and then joins in.
  const mayHaveChanged = cache && cache.fileCount > 0 ? (options.mayHaveChanged ?? null) : null;
  const statAhead = cache && cache.fileCount > 0 && !mayHaveChanged ? StatAhead.start(cache.listedPaths) : null;
  const workerCount = options.workers ?? defaultWorkers();
  const workersFor = (count: number): number => (workerCount > 1 && count >= PARALLEL_MIN_FILES ? Math.min(workerCount, Math.ceil(count / BATCH_FILES)) : 0);
  // A cold build (the cache knows no file) parses every file, and needs no stat pass, since
  // workers report each file's size and time as they read it. Its workers start as soon as the
  // listing has found enough files to share, and boot (~0.14 s here) while it goes on: reading a
  // folder of 100k seeds takes ~0.2 s (issue 4).
  const cold = !cache || cache.fileCount === 0;
  let pool: WorkerPool | null = null;
  /** Starts the workers `count` files to parse want, if none or fewer are running; gives the pool. */
  const startWorkers = (count: number): WorkerPool | null => {
    const wanted = workersFor(count);
    // The pool is kept before it starts any worker, so that the finally below closes every one
    // started, even if starting another fails.
    if (wanted > 0) (pool ??= new WorkerPool()).grow(wanted);
    return pool;
  };
  try {
    // Listed from the absolute folder, so that paths need no resolve() each (sourceNamer names them
    // relative to the working directory all the same).
    const listing = listSeedFilesReusing(resolve(dir), cacheDir, cacheKey, { known: cache?.rowsListing, onFound: cold ? startWorkers : undefined, keepLater: cold });
    const absolute = listing.files;
    const files = absolute;
    // A rebuild needs the cache's rows for the files now; a cold build has none to match, and
    // lists its files in the cache once its workers are on their first batches (below).
    if (!cold) cache?.list(absolute, listing.pathsHash);
    const outcomes = new Array<FileOutcome>(files.length);
    const todo: number[] = [];
    const statsAhead = statAhead?.finish() ?? null;
    absolute.forEach((path, i) => {
      if (cold) {
        todo.push(i);
        return;
      }
      let size = -1;
      let mtimeMs = -1;
      const row = statsAhead ? cache!.rowOf(i) : -1;
      const recorded = mayHaveChanged && !mayHaveChanged.has(path) ? cache!.recordedStat(i) : null;
      if (row !== -1) {
        size = statsAhead!.sizes[row]!;
        mtimeMs = statsAhead!.mtimes[row]!;
      } else if (recorded) {
        ({ size, mtimeMs } = recorded);
      } else {
        try {
          ({ size, mtimeMs } = statSync(path));
        } catch {
          // Unreadable: read (and report) below.
        }
      }
      const hash = cache?.trustedHash(i, size, mtimeMs) ?? null;
      if (hash) outcomes[i] = { hash, problems: null, readError: null, size, mtimeMs };
      else todo.push(i);
    });

    const progress = new Progress('reading seeds', todo.length, options.progress ?? Boolean(process.stderr.isTTY));
    const todoPaths = todo.map((i) => absolute[i]!);
    // A rebuild's workers, for the files it must read; a cold build's, topped up to the whole listing.
    pool = startWorkers(todo.length);
    // Workers get the list of known hashes, only when they have files to read: listing 100k hashes
    // costs a rebuild that parses nothing (or one file, here on this thread, which asks the cache).
    const running = pool?.run(todoPaths, cache && todo.length > 0 ? cache.knownHashes() : [], progress, cache);
    // Awaited below; should what comes first throw, the finally stops the workers and `running`
    // rejects with no one awaiting it: that must not end the process as an unhandled rejection.
    running?.catch(() => undefined);
    // Keeping a cold build's listing joins, hashes and writes ~4 MB of paths at 100k seeds (~0.1 s):
    // done while the workers start on their first batches rather than before they have any.
    if (cold) cache?.list(absolute, listing.keep());
    const processed = running ? await running : processHere(todoPaths, (hash) => cache?.has(hash) ?? false, progress);
    progress.finish();
    let parsedFiles = 0;
    todo.forEach((fileIndex, i) => {
      outcomes[fileIndex] = processed[i]!;
      if (processed[i]!.problems !== null || processed[i]!.columns) parsedFiles++;
    });
    return collectEntries(files, absolute, outcomes, cache, parsedFiles);
  } finally {
    cache?.discardStream();
    await pool?.close();
  }
}

/** Sorts read files into valid entries and located problems, and brings the cache up to date. */
function collectEntries(files: readonly string[], absolute: readonly string[], outcomes: readonly FileOutcome[], cache: SeedCache | null, parsedFiles: number): SeedEntriesResult {
  const entries: SeedEntry[] = [];
  const problems: SeedFileProblem[] = [];
  const invalidFiles: string[] = [];
  const sourceOf = sourceNamer();
  files.forEach((path, i) => {
    const file = sourceOf(path);
    const { hash, readError } = outcomes[i]!;
    if (hash === null) {
      problems.push({ file, line: 1, message: `cannot read: ${readError}` });
      invalidFiles.push(file);
      return;
    }
    // A file parsed now, or one the cache knows: valid records are read only when a build needs
    // their articles; an invalid one is read now for its problems.
    let outcome = outcomes[i]!;
    let recordHash = hash;
    let read: ReturnType<typeof readRecord> | 'valid' | null = null;
    try {
      if (outcome.columns) read = 'valid';
      else if (outcome.problems !== null) read = readRecord(outcome.problems, file);
      else {
        const valid = cache?.fileValidity(i, hash);
        if (valid !== undefined) read = valid ? 'valid' : readRecord(cache!.record(hash) ?? '', file);
      }
    } catch {
      // A damaged cache record: parse the file again rather than fail the build.
    }
    if (!read) {
      outcome = processHere([absolute[i]!], () => false, new Progress('', 0, false))[0]!;
      if (outcome.hash === null) {
        problems.push({ file, line: 1, message: `cannot read: ${outcome.readError}` });
        invalidFiles.push(file);
        return;
      }
      recordHash = outcome.hash;
      read = outcome.columns ? 'valid' : readRecord(outcome.problems!, file);
      parsedFiles++;
    }
    const { columns, size, mtimeMs } = outcome;
    // What this run parsed, for the cache to keep, unless the workers streamed it there already.
    const fresh = outcome.streamed ? null : columns ? fileRecord(columns) : outcome.problems;
    cache?.remember(i, size, mtimeMs, recordHash, fresh);
    if (read === 'valid' || 'seed' in read) {
      entries.push(columns ? { source: file, path: absolute[i]!, hash: recordHash, cache, columns } : { source: file, path: absolute[i]!, hash: recordHash, cache });
    }
    else {
      invalidFiles.push(file);
      for (const problem of read.problems) problems.push({ file, ...problem });
    }
  });
  cache?.save();
  return { entries, problems, invalidFiles, fileCount: files.length, parsedFiles };
}
