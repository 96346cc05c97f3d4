import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIndex, buildIndexFromCanonical } from '../../src/build/build-index';
import { generateCorpus, writeCorpus } from '../../src/build/generate-corpus';
import { PARALLEL_MIN_FILES, readSeedsParallel, type ParallelReadOptions } from '../../src/build/parallel-read';
import { listSeedFiles, readSeeds } from '../../src/build/read-seeds';
import { seedCacheKey } from '../../src/build/seed-cache';
import { CoverageIndex } from '../../src/core/index/coverage-index';

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-incremental-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function setUp(name: string): { seeds: string; options: ParallelReadOptions } {
  const seeds = join(scratch, name, 'seeds');
  writeCorpus(seeds, { stories: 30, seed: 5 });
  return { seeds, options: { cacheDir: join(scratch, name, 'cache'), workers: 1, progress: false } };
}

async function build(seeds: string, options: ParallelReadOptions): Promise<{ parsed: number; bytes: Uint8Array }> {
  const read = await readSeedsParallel(seeds, options);
  return { parsed: read.parsedFiles, bytes: buildIndexFromCanonical(read.seeds).bytes };
}

function fromScratch(seeds: string): Uint8Array {
  return buildIndex(readSeeds(seeds).seeds).bytes;
}

describe('incremental builds', () => {
  it('parses nothing again when nothing changed, and builds the same index', async () => {
    const { seeds, options } = setUp('unchanged');
    const first = await build(seeds, options);
    expect(first.parsed).toBe(30);
    const second = await build(seeds, options);
    expect(second.parsed).toBe(0);
    expect(second.bytes).toEqual(first.bytes);
  });

  it('picks up a changed seed, parsing only that one', async () => {
    const { seeds, options } = setUp('changed');
    await build(seeds, options);
    const [file] = listSeedFiles(seeds);
    const text = readFileSync(file!, 'utf8');
    // Same length, written at once: size and (maybe) time are unchanged, so only the content hash can tell.
    writeFileSync(file!, text.replace(/^title: "(.)/m, (_match, first: string) => `title: "${first === 'X' ? 'Y' : 'X'}`));
    const after = await build(seeds, options);
    expect(after.parsed).toBe(1);
    expect(after.bytes).toEqual(fromScratch(seeds));
    const index = CoverageIndex.decode(after.bytes);
    const titles = Array.from({ length: index.header.articleCount }, (_unused, id) => index.article(id).title);
    expect(titles.some((title) => /^[XY]/.test(title))).toBe(true);
  });

  it('drops a deleted seed and adds a new one', async () => {
    const { seeds, options } = setUp('added');
    await build(seeds, options);
    unlinkSync(listSeedFiles(seeds)[3]!);
    const extra = [...generateCorpus({ stories: 31, seed: 99 })].pop()!;
    writeFileSync(join(seeds, `new-${extra.name}`), extra.text);
    const after = await build(seeds, options);
    expect(after.parsed).toBe(1);
    expect(after.bytes).toEqual(fromScratch(seeds));
  });

  // Workers start and parse hundreds of seeds: generous on a loaded 2-core machine, as index-cache.test.ts is.
  it('caches a cold build whose workers stream records, and reads them back without parsing', { timeout: 120_000 }, async () => {
    const seeds = join(scratch, 'streamed', 'seeds');
    // Enough files for workers to run, plus a broken one: its problems come back from the cache too.
    writeCorpus(seeds, { stories: PARALLEL_MIN_FILES + 20, seed: 6 });
    writeFileSync(join(seeds, 'broken.md'), 'no front matter\n');
    // The same content twice: its line is written twice, and the second is a dead line the cache never reads.
    writeFileSync(join(seeds, 'zz-duplicate.md'), readFileSync(listSeedFiles(seeds)[0]!));
    const options: ParallelReadOptions = { cacheDir: join(scratch, 'streamed', 'cache'), workers: 2, progress: false };
    const cold = await readSeedsParallel(seeds, options);
    expect(cold.parsedFiles).toBe(cold.fileCount);
    expect(readdirSync(options.cacheDir!).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const warm = await readSeedsParallel(seeds, options);
    expect(warm.parsedFiles).toBe(0);
    expect(warm.problems).toEqual(cold.problems);
    expect(buildIndexFromCanonical(warm.seeds).bytes).toEqual(fromScratch(seeds));
  });

  it('ignores a cache written under another version', async () => {
    const { seeds, options } = setUp('version');
    expect((await build(seeds, { ...options, cacheKey: 'version-a' })).parsed).toBe(30);
    expect((await build(seeds, { ...options, cacheKey: 'version-a' })).parsed).toBe(0);
    expect((await build(seeds, { ...options, cacheKey: 'version-b' })).parsed).toBe(30);
    expect((await build(seeds, { ...options, cacheKey: 'version-b' })).parsed).toBe(0);
  });

  it('keys the cache by its version and by the code that makes records', () => {
    expect(seedCacheKey()).toMatch(/^[0-9a-f]{40}$/);
    expect(seedCacheKey()).toBe(seedCacheKey());
  });

  it('survives a damaged cache by parsing again', async () => {
    const { seeds, options } = setUp('damaged');
    await build(seeds, options);
    writeFileSync(join(options.cacheDir!, 'seed-records.bin'), 'not\ta record\n');
    const after = await build(seeds, options);
    expect(after.bytes).toEqual(fromScratch(seeds));
  });

  it('rewrites the manifest after a few edits, leaves it alone when nothing changed, and rebuilds a damaged one', { timeout: 60_000 }, async () => {
    const { seeds, options } = setUp('manifest');
    await build(seeds, options);
    const manifestPath = join(options.cacheDir!, 'seed-manifest.bin');
    const files = listSeedFiles(seeds);
    for (const [round, file] of [files[0]!, files[5]!, files[0]!].entries()) {
      const before = readFileSync(manifestPath);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: "/m, `title: "Edit ${round} `));
      const after = await build(seeds, options);
      expect(after.parsed).toBe(1);
      expect(after.bytes).toEqual(fromScratch(seeds));
      expect(readFileSync(manifestPath).equals(before)).toBe(false);
    }
    const again = await build(seeds, options);
    expect(again.parsed).toBe(0);
    expect(again.bytes).toEqual(fromScratch(seeds));
    // One byte of a path changed: the checksum fails, the manifest is ignored, every file is parsed again.
    const damaged = readFileSync(manifestPath);
    damaged[damaged.length - 2] = damaged[damaged.length - 2]! ^ 1;
    writeFileSync(manifestPath, damaged);
    const rebuilt = await build(seeds, options);
    expect(rebuilt.parsed).toBe(30);
    expect(rebuilt.bytes).toEqual(fromScratch(seeds));
    expect((await build(seeds, options)).parsed).toBe(0);
  });

  it('keeps what it knows of files after one is added before them all, and of a renamed one', async () => {
    const { seeds, options } = setUp('shifted');
    await build(seeds, options);
    const files = listSeedFiles(seeds);
    // Sorts first: every other file moves one place down the listing.
    writeFileSync(join(seeds, '0000-first.md'), readFileSync(files[2]!, 'utf8').replace(/^title: "/m, 'title: "First '));
    renameSync(files[9]!, join(seeds, 'zz-renamed.md'));
    const after = await build(seeds, options);
    expect(after.parsed).toBe(1);
    expect(after.bytes).toEqual(fromScratch(seeds));
    expect((await build(seeds, options)).parsed).toBe(0);
  });

  it('stats only the files a watcher names, taking every other one as the cache last saw it', async () => {
    const { seeds, options } = setUp('named');
    const files = listSeedFiles(seeds);
    // Older than the cache by far, so that it trusts every row (a file written just before the
    // cache would be hashed again whatever it is told).
    const past = new Date(Date.now() - 60_000);
    for (const file of files) utimesSync(file, past, past);
    await build(seeds, options);
    const retitle = (file: string, title: string): void => writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: "/m, `title: "${title} `));
    retitle(files[4]!, 'Named');
    retitle(files[7]!, 'Unnamed');
    const titles = (bytes: Uint8Array): string[] => {
      const index = CoverageIndex.decode(bytes);
      return Array.from({ length: index.header.articleCount }, (_unused, id) => index.article(id).title);
    };

    // Only the named file is read: the other change is not seen, which shows that no stat looked.
    const named = await build(seeds, { ...options, mayHaveChanged: new Set([resolve(files[4]!)]) });
    expect(named.parsed).toBe(1);
    expect(titles(named.bytes).some((title) => title.startsWith('Named '))).toBe(true);
    expect(titles(named.bytes).some((title) => title.startsWith('Unnamed '))).toBe(false);

    // Told nothing, a build stats every file and finds the other.
    const all = await build(seeds, options);
    expect(all.parsed).toBe(1);
    expect(all.bytes).toEqual(fromScratch(seeds));
  });
});
