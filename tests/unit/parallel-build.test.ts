import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bufferUtf8Writer, buildIndex, buildIndexFromCanonical } from '../../src/build/build-index';
import { writeCorpus } from '../../src/build/generate-corpus';
import { indexFromColumns, type ColumnSeed } from '../../src/build/columnar-index';
import { PARALLEL_MIN_FILES, readSeedEntries, readSeedsParallel } from '../../src/build/parallel-read';
import { formatProblem, readSeeds } from '../../src/build/read-seeds';

/** Workers start under tsx and parse hundreds of seeds: generous on a loaded 2-core machine. */
const TIMEOUT = 120_000;
const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-parallel-'));
const seeds = relative(process.cwd(), join(scratch, 'seeds')) || join(scratch, 'seeds');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  // More files than PARALLEL_MIN_FILES, so that workers really run, plus broken files.
  writeCorpus(seeds, { stories: PARALLEL_MIN_FILES + 50, seed: 11 });
  writeFileSync(join(seeds, 'zz-broken-yaml.md'), '---\ntitle: "unclosed\nwebUrl: https://example.com/a\n---\n');
  writeFileSync(join(seeds, 'aa-no-url.md'), '---\ntitle: A title\nrelated:\n  - title: Related\n    webUrl: not a url\n---\n');
  writeFileSync(join(seeds, 'mm-code.md'), '---js\n{ title: "x" }\n---\n');
});

describe('parallel build', () => {
  it('stops the workers a cold build started while listing when the listing fails', { timeout: TIMEOUT }, async () => {
    // Enough seeds in the first folder to start the workers; then a chain of folders whose path
    // grows past PATH_MAX, which cannot be listed (ENAMETOOLONG) once the workers are running.
    const root = mkdtempSync(join(tmpdir(), 'elsewhere-deep-'));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    try {
      writeCorpus(join(root, 'a'), { stories: PARALLEL_MIN_FILES + 10, seed: 3 });
      execFileSync('bash', ['-c', 'cd "$1" && mkdir z && cd z && for i in $(seq 18); do mkdir "$2" && cd "$2"; done', 'deep', root, 'd'.repeat(250)]);
      await expect(readSeedEntries(root, { workers: 2, cacheDir: null, progress: false })).rejects.toThrow(/ENAMETOOLONG/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(terminate).toHaveBeenCalledTimes(2);
      expect(unhandled).toEqual([]);
    } finally {
      terminate.mockRestore();
      process.off('unhandledRejection', onUnhandled);
      // rm walks the chain folder by folder; rmSync would name each by its whole path, too long.
      execFileSync('rm', ['-rf', root]);
    }
  });

  it('builds the same bytes as the single-threaded path, and reports the same problems', { timeout: TIMEOUT }, async () => {
    const sequential = readSeeds(seeds);
    const expected = buildIndex(sequential.seeds);
    const parallel = await readSeedsParallel(seeds, { workers: 2, cacheDir: null, progress: false });
    expect(parallel.fileCount).toBe(sequential.fileCount);
    expect(parallel.parsedFiles).toBe(sequential.fileCount);
    expect(parallel.problems.map(formatProblem)).toEqual(sequential.problems.map(formatProblem));
    expect(parallel.invalidFiles).toEqual(sequential.invalidFiles);
    expect(parallel.invalidFiles).toHaveLength(3);
    const built = buildIndexFromCanonical(parallel.seeds);
    expect(Buffer.from(built.bytes).equals(Buffer.from(expected.bytes))).toBe(true);
    expect(built.hosts).toEqual(expected.hosts);
  });

  it('hands every valid seed of a cold read over as columns, which index to the same bytes', { timeout: TIMEOUT }, async () => {
    const expected = buildIndex(readSeeds(seeds).seeds);
    for (const workers of [2, 0]) {
      const { entries } = await readSeedEntries(seeds, { workers, cacheDir: null, progress: false });
      expect(entries.length).toBeGreaterThan(PARALLEL_MIN_FILES);
      expect(entries.every((entry) => entry.columns !== undefined), `${workers} workers`).toBe(true);
      const built = indexFromColumns(entries as Array<(typeof entries)[number] & ColumnSeed>, { utf8Writer: bufferUtf8Writer });
      expect(Buffer.from(built.bytes!).equals(Buffer.from(expected.bytes)), `${workers} workers`).toBe(true);
      expect([...built.hostKeys.keys()].filter((host) => built.hostKeys.get(host)! > 0).sort()).toEqual(expected.hosts);
    }
  });

  it('lists every bad file as FILE:LINE: message', { timeout: TIMEOUT }, async () => {
    const { problems } = await readSeedsParallel(seeds, { workers: 2, cacheDir: null, progress: false });
    const lines = problems.map(formatProblem);
    expect(lines.some((line) => line.startsWith(`${join(seeds, 'zz-broken-yaml.md')}:`))).toBe(true);
    expect(lines).toContain(`${join(seeds, 'aa-no-url.md')}:5: related[0].webUrl: must be an absolute http(s) address, not "not a url"`);
    expect(lines.some((line) => line.startsWith(`${join(seeds, 'mm-code.md')}:1: `))).toBe(true);
    for (const line of lines) expect(line).toMatch(/^[^:]+:\d+: \S/);
  });

  it('gives the same answer on one thread', { timeout: TIMEOUT }, async () => {
    const [one, two] = await Promise.all([
      readSeedsParallel(seeds, { workers: 1, cacheDir: null, progress: false }),
      readSeedsParallel(seeds, { workers: 2, cacheDir: null, progress: false }),
    ]);
    expect(Buffer.from(buildIndexFromCanonical(one.seeds).bytes).equals(Buffer.from(buildIndexFromCanonical(two.seeds).bytes))).toBe(true);
    expect(one.problems).toEqual(two.problems);
  });
});
