import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CanonicalSeed } from '../core/story/cluster';
import { Progress } from './progress';
import { listSeedFiles, type SeedFileProblem } from './read-seeds';
import { SeedCache } from './seed-cache';
import { contentHash, isValidRecord, readRecord, seedRecord, type SeedRecord } from './seed-records';
import type { WorkerResult, WorkerTask } from './seed-worker';

/**
 * Below this many files to parse, starting workers (≈300 ms each under tsx) costs more than it
 * saves: gray-matter parses a few thousand seeds a second on one core.
 */
export const PARALLEL_MIN_FILES = 400;
/**
 * Files per message to a worker. Small enough that both cores stay busy to the end (dynamic
 * balancing), large enough that message overhead is negligible next to ~0.3 ms of parsing per file.
 */
const BATCH_FILES = 128;
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

type FileOutcome = { hash: string | null; record: SeedRecord | null; readError: string | null };

function defaultWorkers(): number {
  return Math.min(MAX_WORKERS, availableParallelism());
}

/** Processes files on this thread: the same work a worker does. */
function processHere(paths: readonly string[], known: ReadonlySet<string>, progress: Progress): FileOutcome[] {
  return paths.map((path) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      return { hash: null, record: null, readError: (error as Error).message };
    } finally {
      progress.tick();
    }
    const hash = contentHash(bytes);
    return { hash, record: known.has(hash) ? null : seedRecord(bytes), readError: null };
  });
}

/** Spreads files over worker threads in batches, each worker taking the next batch when done. */
async function processInWorkers(paths: readonly string[], known: readonly string[], workerCount: number, progress: Progress): Promise<FileOutcome[]> {
  const outcomes = new Array<FileOutcome>(paths.length);
  const workerModule = new URL(`./seed-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
  const workers = Array.from({ length: Math.min(workerCount, Math.ceil(paths.length / BATCH_FILES)) }, () => new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { module: workerModule, known } }));
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolveAll, reject) => {
            let batchStart = 0;
            const send = (): void => {
              if (next >= paths.length) {
                resolveAll();
                return;
              }
              batchStart = next;
              next = Math.min(paths.length, next + BATCH_FILES);
              const task: WorkerTask = { files: paths.slice(batchStart, next) as string[] };
              worker.postMessage(task);
            };
            worker.on('message', (results: WorkerResult) => {
              results.forEach(([hash, record, readError], i) => {
                outcomes[batchStart + i] = { hash, record, readError };
              });
              progress.tick(results.length);
              send();
            });
            worker.once('error', reject);
            worker.once('exit', (code) => {
              if (next < paths.length || code !== 0) reject(new Error(`a build worker stopped early (exit code ${code})`));
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return outcomes;
}

/** One valid seed file after reading: its record is parsed only when a build needs its articles. */
export interface SeedEntry {
  /** The name it is known by (relative to the working directory), as CanonicalSeed.source. */
  source: string;
  path: string;
  hash: string;
  /** Its record when parsed in this run; otherwise `cache` has it. */
  fresh: SeedRecord | null;
  cache: SeedCache | null;
}

/** An entry's record: parsed in this run, or read from the cache on demand ('' when it cannot be). */
function recordOf(entry: SeedEntry): SeedRecord {
  return entry.fresh ?? entry.cache?.record(entry.hash) ?? '';
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
  const read = readRecord(seedRecord(readFileSync(entry.path)), entry.source);
  if (!('seed' in read)) throw new Error(`${entry.source} changed while it was being built; build again`);
  return read.seed;
}

/** relative(process.cwd(), path), computed once per folder: path.relative costs microseconds a call. */
function sourceNamer(): (path: string) => string {
  const folders = new Map<string, string>();
  return (path) => {
    const folder = dirname(path);
    let name = folders.get(folder);
    if (name === undefined) {
      name = relative(process.cwd(), folder);
      folders.set(folder, name);
    }
    return join(name, basename(path));
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
  const files = listSeedFiles(dir);
  const absolute = files.map((file) => resolve(file));
  const cache = options.cacheDir ? SeedCache.load(options.cacheDir, options.cacheKey) : null;
  const stats = absolute.map((path) => {
    try {
      const stat = statSync(path);
      return { size: stat.size, mtimeMs: stat.mtimeMs };
    } catch {
      return { size: -1, mtimeMs: -1 };
    }
  });

  const outcomes = new Array<FileOutcome>(files.length);
  const todo: number[] = [];
  absolute.forEach((path, i) => {
    const hash = cache?.trustedHash(path, stats[i]!.size, stats[i]!.mtimeMs) ?? null;
    if (hash) outcomes[i] = { hash, record: null, readError: null };
    else todo.push(i);
  });

  const progress = new Progress('reading seeds', todo.length, options.progress ?? Boolean(process.stderr.isTTY));
  const todoPaths = todo.map((i) => absolute[i]!);
  // Only when something is parsed: listing 100k hashes costs a rebuild that parses nothing.
  const known = cache && todo.length > 0 ? cache.knownHashes() : [];
  const workerCount = options.workers ?? defaultWorkers();
  const processed = workerCount > 1 && todo.length >= PARALLEL_MIN_FILES ? await processInWorkers(todoPaths, known, workerCount, progress) : processHere(todoPaths, new Set(known), progress);
  progress.finish();
  let parsedFiles = 0;
  todo.forEach((fileIndex, i) => {
    outcomes[fileIndex] = processed[i]!;
    if (processed[i]!.record !== null) parsedFiles++;
  });

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
    let fresh = outcomes[i]!.record;
    let recordHash = hash;
    let read: ReturnType<typeof readRecord> | 'valid' | null = null;
    try {
      if (fresh !== null) read = isValidRecord(fresh) ? 'valid' : readRecord(fresh, file);
      else if (cache?.has(hash)) read = cache.isValid(hash) ? 'valid' : readRecord(cache.record(hash) ?? '', file);
    } catch {
      // A damaged cache line: parse the file again rather than fail the build.
    }
    if (!read) {
      const again = processHere([absolute[i]!], new Set(), new Progress('', 0, false))[0]!;
      if (again.hash === null) {
        problems.push({ file, line: 1, message: `cannot read: ${again.readError}` });
        invalidFiles.push(file);
        return;
      }
      fresh = again.record!;
      recordHash = again.hash;
      read = isValidRecord(fresh) ? 'valid' : readRecord(fresh, file);
      parsedFiles++;
    }
    cache?.remember(absolute[i]!, stats[i]!.size, stats[i]!.mtimeMs, recordHash, fresh);
    if (read === 'valid' || 'seed' in read) entries.push({ source: file, path: absolute[i]!, hash: recordHash, fresh, cache });
    else {
      invalidFiles.push(file);
      for (const problem of read.problems) problems.push({ file, ...problem });
    }
  });
  cache?.save(absolute);
  return { entries, problems, invalidFiles, fileCount: files.length, parsedFiles };
}
