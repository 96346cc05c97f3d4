import type { CanonicalSeed } from '../core/story/cluster';
import { readSeedsParallel } from './parallel-read';
import { formatProblem } from './read-seeds';
import { DEFAULT_CACHE_DIR } from './seed-cache';
import { fail } from './usage-error';

export interface SeedLoadOptions {
  /** Leave out invalid files (naming each) instead of failing. */
  skipInvalid: boolean;
  /** Reuse parses from DEFAULT_CACHE_DIR. */
  cache: boolean;
  workers?: number;
}

/**
 * Reads every seed below `seedsDir` with the parallel, cached reader, for every command that
 * builds from seeds (build, lookup, stats, publish). Every problem is printed as FILE:LINE:
 * message; any invalid file fails the command unless `skipInvalid`, which names each file it
 * leaves out, so nobody ships an index that silently lacks stories.
 */
export async function loadCanonicalSeeds(seedsDir: string, options: SeedLoadOptions): Promise<CanonicalSeed[]> {
  const read = await readSeedsParallel(seedsDir, { cacheDir: options.cache ? DEFAULT_CACHE_DIR : null, workers: options.workers });
  if (read.problems.length > 0) {
    for (const problem of read.problems) process.stderr.write(`${formatProblem(problem)}\n`);
    if (!options.skipInvalid) fail(`${read.invalidFiles.length} of ${read.fileCount} seed files are invalid; fix them or pass --skip-invalid`);
    for (const file of read.invalidFiles) process.stderr.write(`skipped ${file}\n`);
  }
  return read.seeds;
}
