import type { CanonicalSeed } from '../core/story/cluster';
import { indexSeeds, prefetchPreviousBuild, type PreviousBuild, type SeedIndex } from './index-cache';
import { readSeedEntries, readSeedsParallel, type CanonicalReadResult } from './parallel-read';
import { formatProblem } from './read-seeds';
import { DEFAULT_CACHE_DIR, seedCacheKey } from './seed-cache';
import { fail } from './usage-error';

export interface SeedLoadOptions {
  /** Leave out invalid files (naming each) instead of failing. */
  skipInvalid: boolean;
  /** Reuse parses and the last index from DEFAULT_CACHE_DIR. */
  cache: boolean;
  workers?: number;
}

/**
 * Prints every problem as FILE:LINE: message; any invalid file fails the command unless
 * `skipInvalid`, which names each file it leaves out, so nobody ships an index that silently
 * lacks stories.
 */
function reportProblems(read: Pick<CanonicalReadResult, 'problems' | 'invalidFiles' | 'fileCount'>, options: SeedLoadOptions): void {
  if (read.problems.length === 0) return;
  for (const problem of read.problems) process.stderr.write(`${formatProblem(problem)}\n`);
  if (!options.skipInvalid) fail(`${read.invalidFiles.length} of ${read.fileCount} seed files are invalid; fix them or pass --skip-invalid`);
  for (const file of read.invalidFiles) process.stderr.write(`skipped ${file}\n`);
}

/** Reads every seed below `seedsDir` with the parallel, cached reader, for commands that need the stories themselves (publish). */
export async function loadCanonicalSeeds(seedsDir: string, options: SeedLoadOptions): Promise<CanonicalSeed[]> {
  const read = await readSeedsParallel(seedsDir, { cacheDir: options.cache ? DEFAULT_CACHE_DIR : null, workers: options.workers });
  reportProblems(read, options);
  return read.seeds;
}

/** What a build that stays up (build --watch) knows ahead of its next rebuild. */
export interface RebuildHints {
  /** See ParallelReadOptions.mayHaveChanged. */
  mayHaveChanged?: ReadonlySet<string> | null;
  /** The last build, read ahead (prefetchLastBuild); read now when not given. */
  previous?: Promise<PreviousBuild | null>;
}

/**
 * Starts reading the last build in the cache, for a rebuild to come (RebuildHints.previous): a
 * watching build reads it while it waits for a change, rather than after one (~0.15-0.35 s of a
 * one-change rebuild at 100k seeds, issue 4). Undefined without a cache.
 */
export function prefetchLastBuild(options: SeedLoadOptions): Promise<PreviousBuild | null> | undefined {
  return options.cache ? prefetchPreviousBuild(DEFAULT_CACHE_DIR, seedCacheKey()) : undefined;
}

/**
 * The index of every seed below `seedsDir`, for every command that builds one (build, lookup,
 * stats, and the extension's vite build): read on every core, reusing the parse of every seed
 * the cache has seen, and rebuilt incrementally from the last index (index-cache.ts).
 */
export async function loadSeedIndex(seedsDir: string, options: SeedLoadOptions, hints: RebuildHints = {}): Promise<SeedIndex> {
  const startedAt = performance.now();
  const cacheDir = options.cache ? DEFAULT_CACHE_DIR : null;
  const recordKey = seedCacheKey();
  // Read while the seeds are: it never rejects (null when unusable).
  const previous = cacheDir ? (hints.previous ?? prefetchPreviousBuild(cacheDir, recordKey)) : Promise.resolve(null);
  const read = await readSeedEntries(seedsDir, { cacheDir, workers: options.workers, cacheKey: recordKey, mayHaveChanged: hints.mayHaveChanged });
  reportProblems(read, options);
  return indexSeeds(read.entries, cacheDir, recordKey, { startedAt, previous: await previous });
}
