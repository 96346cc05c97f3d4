/**
 * The incremental index (issue 4): reusing the last index when nothing changed, splicing the
 * stories of changed seeds into it otherwise, and every path giving the bytes a build from
 * scratch gives, single-threaded or on workers.
 */
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/build/build-index';
import { generateCorpus, Prng, writeCorpus } from '../../src/build/generate-corpus';
import { StringColumn } from '../../src/build/columns';
import { readAt } from '../../src/build/index-file';
import { indexCacheKey, indexSeeds, prefetchPreviousBuild, previousPositions, type SeedIndex } from '../../src/build/index-cache';
import { readSeedEntries } from '../../src/build/parallel-read';
import { readLastBuild, writeSplice, type LastBuildFiles } from '../../src/build/previous-index';
import type { IndexWorkerData } from '../../src/build/index-worker';
import { workerStarter } from '../../src/build/worker-bundle';
import { listSeedFiles, readSeeds } from '../../src/build/read-seeds';
import { encodeIndex } from '../../src/core/index/encode';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { STORIES_PER_SHARD } from '../../src/core/index/format';
import { planSplice, readParts, readTables, spliceIndex } from '../../src/core/index/splice';
import { clusterStories } from '../../src/core/story/cluster';
import type { Story } from '../../src/core/story/types';

/** Workers start under tsx and parse hundreds of seeds: generous on a loaded 2-core machine. */
const TIMEOUT = 120_000;
const RECORD_KEY = 'index-cache-test';
const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-index-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function setUp(name: string, stories = 40): { seeds: string; cache: string } {
  const seeds = join(scratch, name, 'seeds');
  writeCorpus(seeds, { stories, seed: 7 });
  return { seeds, cache: join(scratch, name, 'cache') };
}

/** An incremental build; with `prefetch`, the last build is read while the seeds are, as load-seeds.ts does. */
async function incremental(seeds: string, cache: string | null, workers = 1, recordKey = RECORD_KEY, prefetch = false): Promise<SeedIndex> {
  const previous = prefetch && cache ? prefetchPreviousBuild(cache, recordKey) : undefined;
  const read = await readSeedEntries(seeds, { cacheDir: cache, workers, progress: false, cacheKey: recordKey });
  const built = indexSeeds(read.entries, cache, recordKey, previous ? { previous: await previous } : {});
  await built.saved;
  return built;
}

function fromScratch(seeds: string): { bytes: Uint8Array; hosts: string[] } {
  return buildIndex(readSeeds(seeds).seeds);
}

function expectSameIndex(built: SeedIndex, seeds: string): void {
  const expected = fromScratch(seeds);
  expect(Buffer.from(built.bytes()).equals(Buffer.from(expected.bytes))).toBe(true);
  expect(built.byteLength).toBe(expected.bytes.length);
  expect(built.hosts).toEqual(expected.hosts);
}


/** Edits a seed corpus the ways maintainers do, each one a different kind of change to the stories. */
const EDITS: Array<(files: string[], random: Prng, round: number) => void> = [
  // A new title: the same story, one record different.
  (files, random, round) => {
    const file = files[random.int(0, files.length - 1)]!;
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: "/m, `title: "Edit ${round} `));
  },
  // A new date: the story moves in the index's order.
  (files, random) => {
    const file = files[random.int(0, files.length - 1)]!;
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^publishedDateTime: \S+/m, `publishedDateTime: ${random.int(1990, 2030)}-01-0${random.int(1, 9)}T00:00:00Z`));
  },
  // A related article of another seed's story: two stories merge.
  (files, random) => {
    const [from, to] = [files[random.int(0, files.length - 1)]!, files[random.int(0, files.length - 1)]!];
    // The other seed may have been made invalid already: then there is nothing to link to.
    const other = /^webUrl: "([^"]*)"/m.exec(readFileSync(to, 'utf8'))?.[1];
    if (other) writeFileSync(from, readFileSync(from, 'utf8').replace(/^( {4}webUrl: )"[^"]*"/m, `$1"${other}"`));
  },
  // A deleted seed: its story shrinks, or splits if it bridged two.
  (files, random) => {
    if (files.length > 2) unlinkSync(files[random.int(0, files.length - 1)]!);
  },
  // A new seed, copying an existing one under another name: the same story gains a document.
  (files, random, round) => {
    const file = files[random.int(0, files.length - 1)]!;
    writeFileSync(`${file.replace(/\.txt$/, '')}-copy-${round}.md`, readFileSync(file, 'utf8'));
  },
  // A new seed of a new story.
  (files, _random, round) => {
    const extra = [...generateCorpus({ stories: 3, seed: 1000 + round })].pop()!;
    writeFileSync(join(files[0]!, '..', `new-${round}-${extra.name}`), extra.text);
  },
  // A seed made invalid: it drops out of the index.
  (files, random) => {
    writeFileSync(files[random.int(0, files.length - 1)]!, '---\ntitle: "unclosed\n---\n');
  },
];

describe('incremental index', () => {
  it('reuses the last index when nothing changed', async () => {
    const { seeds, cache } = setUp('reuse');
    const first = await incremental(seeds, cache);
    expect(first.how).toBe('built');
    const second = await incremental(seeds, cache);
    expect(second.how).toBe('reused');
    expectSameIndex(second, seeds);
    expect(second.storyCount).toBe(first.storyCount);
    // Its head read, and the file verified, on a worker as the seeds are read.
    const head = (await prefetchPreviousBuild(cache, RECORD_KEY))?.head;
    expect(head && CoverageIndex.decodeHeader(head)).toMatchObject({ storyCount: first.storyCount });
    const prefetched = await incremental(seeds, cache, 1, RECORD_KEY, true);
    expect(prefetched.how).toBe('reused');
    expectSameIndex(prefetched, seeds);
  });

  it('splices changed seeds into the last index, giving the bytes of a build from scratch', { timeout: TIMEOUT }, async () => {
    const { seeds, cache } = setUp('splice');
    await incremental(seeds, cache);
    const random = new Prng(12);
    const how: string[] = [];
    for (let round = 0; round < 40; round++) {
      const edits = random.int(1, 3);
      for (let n = 0; n < edits; n++) EDITS[random.int(0, EDITS.length - 1)]!(listSeedFiles(seeds), random, round);
      // Every other round reads the last build while reading the seeds.
      const built = await incremental(seeds, cache, 1, RECORD_KEY, round % 2 === 1);
      how.push(built.how);
      expectSameIndex(built, seeds);
    }
    // An edit can change nothing (an invalid seed made invalid again), so a round may reuse the index.
    expect(how.filter((done) => done === 'spliced').length).toBeGreaterThan(30);
    expect(how).not.toContain('built');
  });

  it('builds the same bytes single-threaded, on workers, and from the cache', { timeout: TIMEOUT }, async () => {
    const { seeds, cache } = setUp('paths', 450);
    const expected = fromScratch(seeds);
    const parallel = await incremental(seeds, null, 2);
    const cold = await incremental(seeds, cache, 2);
    const [file] = listSeedFiles(seeds);
    writeFileSync(file!, readFileSync(file!, 'utf8').replace(/^title: "/m, 'title: "Changed '));
    const spliced = await incremental(seeds, cache, 2);
    expect([parallel.how, cold.how, spliced.how]).toEqual(['built', 'built', 'spliced']);
    for (const built of [parallel, cold]) expect(Buffer.from(built.bytes()).equals(Buffer.from(expected.bytes))).toBe(true);
    expectSameIndex(spliced, seeds);
  });

  it('builds from scratch when most seeds changed', async () => {
    const { seeds, cache } = setUp('many');
    await incremental(seeds, cache);
    for (const file of listSeedFiles(seeds)) writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: "/m, 'title: "All new '));
    const built = await incremental(seeds, cache);
    expect(built.how).toBe('built');
    expectSameIndex(built, seeds);
  });

  it('ignores a cache written under another version or by other code', async () => {
    expect(indexCacheKey('a')).not.toBe(indexCacheKey('b'));
    expect(indexCacheKey('a')).toBe(indexCacheKey('a'));
    const { seeds, cache } = setUp('version');
    expect((await incremental(seeds, cache, 1, 'version-a')).how).toBe('built');
    expect((await incremental(seeds, cache, 1, 'version-a')).how).toBe('reused');
    expect((await incremental(seeds, cache, 1, 'version-b', true)).how).toBe('built');
    expect(await prefetchPreviousBuild(cache, 'version-a')).toBeNull();
  });

  it('reads the last build on the index worker as on this thread', async () => {
    const { seeds, cache } = setUp('worker');
    await incremental(seeds, cache);
    const onWorker = await new Promise<LastBuildFiles>((resolve, reject) => {
      const worker = workerStarter('index-worker')({ dir: cache } satisfies IndexWorkerData);
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const here = readLastBuild(cache);
    expect(here.indexHead).not.toBeNull();
    expect(onWorker.manifest?.head).toEqual(here.manifest?.head);
    expect(Buffer.from(onWorker.manifest!.columns).equals(Buffer.from(here.manifest!.columns))).toBe(true);
    expect(Buffer.from(onWorker.indexHead!).equals(Buffer.from(here.indexHead!))).toBe(true);
  });

  it('builds from scratch when the last index file is cut short after it was verified', async () => {
    const { seeds, cache } = setUp('cut-after-verify');
    await incremental(seeds, cache);
    const previous = await prefetchPreviousBuild(cache, RECORD_KEY);
    expect(previous?.head).not.toBeNull();
    // Another build writing the slot meanwhile: the records end early.
    writeFileSync(previous!.path, readFileSync(previous!.path).subarray(0, previous!.head!.length + 100));
    const files = listSeedFiles(seeds);
    for (const file of [files[0]!, files[files.length - 1]!]) writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: "/m, 'title: "Cut '));
    const read = await readSeedEntries(seeds, { cacheDir: cache, workers: 1, progress: false, cacheKey: RECORD_KEY });
    const built = indexSeeds(read.entries, cache, RECORD_KEY, { previous });
    await built.saved;
    expect(built.how).toBe('built');
    expectSameIndex(built, seeds);
  });

  it('builds from scratch when the cached index is damaged', async () => {
    const { seeds, cache } = setUp('damaged');
    await incremental(seeds, cache);
    const indexFile = readdirSync(cache).find((name) => /^index-[0-9a-f]+\.bin$/.test(name))!;
    const bytes = readFileSync(join(cache, indexFile));
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    writeFileSync(join(cache, indexFile), bytes);
    const [file] = listSeedFiles(seeds);
    writeFileSync(file!, readFileSync(file!, 'utf8').replace(/^title: "/m, 'title: "After damage '));
    // Read while the seeds are, the damaged index is refused all the same.
    const prefetched = await prefetchPreviousBuild(cache, RECORD_KEY);
    expect(prefetched?.head).toBeNull();
    const built = await incremental(seeds, cache, 1, RECORD_KEY, true);
    expect(built.how).toBe('built');
    expectSameIndex(built, seeds);
  });

  it('writes the index into two files in turn, and refuses a manifest whose file holds another build\'s index', async () => {
    const { seeds, cache } = setUp('slots');
    const indexFiles = (): string[] => readdirSync(cache).filter((name) => /^index-.*\.bin$/.test(name) && name !== 'index-manifest.bin').sort();
    // An index file of an earlier cache version, named per build: removed by the next save.
    await incremental(seeds, cache);
    writeFileSync(join(cache, 'index-0123abcd.bin'), 'old');
    const [file] = listSeedFiles(seeds);
    writeFileSync(file!, readFileSync(file!, 'utf8').replace(/^title: "/m, 'title: "Slot '));
    expect((await incremental(seeds, cache)).how).toBe('spliced');
    expect(indexFiles()).toEqual(['index-0.bin', 'index-1.bin']);
    // Another build writing the slot this manifest names leaves an index whole and valid, but not
    // the one the manifest describes: copied here from the other slot.
    const last = await incremental(seeds, cache);
    expect(last.how).toBe('reused');
    const slots = indexFiles().map((slot) => join(cache, slot));
    const named = slots.find((path) => readFileSync(path).equals(Buffer.from(last.bytes())))!;
    const other = slots.find((path) => path !== named)!;
    expect(readFileSync(other).equals(Buffer.from(last.bytes()))).toBe(false);
    writeFileSync(named, readFileSync(other));
    const rebuilt = await incremental(seeds, cache);
    expect(rebuilt.how).toBe('built');
    expectSameIndex(rebuilt, seeds);
  });

  it('builds from scratch when its manifest is damaged, and reuses the next one', async () => {
    const { seeds, cache } = setUp('damaged-manifest');
    await incremental(seeds, cache);
    const path = join(cache, 'index-manifest.bin');
    const bytes = readFileSync(path);
    // The last byte of the last seed's hash.
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
    writeFileSync(path, bytes);
    expect(await prefetchPreviousBuild(cache, RECORD_KEY)).toBeNull();
    const built = await incremental(seeds, cache);
    expect(built.how).toBe('built');
    expectSameIndex(built, seeds);
    expect((await incremental(seeds, cache, 1, RECORD_KEY, true)).how).toBe('reused');
  });
});

describe('previousPositions', () => {
  const entries = (...sources: string[]): { source: string }[] => sources.map((source) => ({ source }));

  it('finds entries in place, after an insertion or a deletion, and marks new ones', () => {
    expect(Array.from(previousPositions(entries('a', 'b', 'c'), StringColumn.of(['a', 'b', 'c'])))).toEqual([0, 1, 2]);
    expect(Array.from(previousPositions(entries('a', 'n', 'b', 'c'), StringColumn.of(['a', 'b', 'c'])))).toEqual([0, -1, 1, 2]);
    expect(Array.from(previousPositions(entries('a', 'c'), StringColumn.of(['a', 'b', 'c'])))).toEqual([0, 2]);
    expect(Array.from(previousPositions(entries('c', 'b', 'a'), StringColumn.of(['a', 'b', 'c'])))).toEqual([2, 1, 0]);
    expect(Array.from(previousPositions(entries('x'), StringColumn.of([])))).toEqual([-1]);
  });
});

describe('spliceIndex', () => {
  it('removes and adds stories as encodeIndex would place them', () => {
    const documents = readSeeds(setUp('splice-unit', 30).seeds).seeds;
    const stories = clusterStories(documents);
    const previous = encodeIndex(stories);
    const removed = new Set([0, 5, stories.length - 1]);
    const kept = stories.filter((_story, id) => !removed.has(id));
    // Added stories come sorted, as clustering returns them.
    const added = [{ articles: [{ ...stories[0]!.articles[0]!, title: 'Replaced' }] }, stories[5]!];
    const spliced = spliceIndex(previous, removed, added);
    const expected = [...kept, ...added].sort((a, b) => (a.articles[0]!.publishedAt ?? Infinity) - (b.articles[0]!.publishedAt ?? Infinity) || (a.articles[0]!.url < b.articles[0]!.url ? -1 : 1));
    expect(Buffer.from(spliced.bytes).equals(Buffer.from(encodeIndex(expected)))).toBe(true);
    expect(spliced.previousStory[0]).toBe(-1);
    expect(spliced.addedStory).toHaveLength(2);
  });

  it('keeps the sums of the shards it copies whole, so damage there is neither summed again nor hidden', () => {
    const stories = clusterStories(readSeeds(setUp('splice-sums', 40).seeds).seeds);
    expect(stories.length).toBeGreaterThan(3 * STORIES_PER_SHARD);
    const previous = encodeIndex(stories);
    const parts = readParts(previous);
    // A byte of the last shard's records, far from the retitled first story.
    const damaged = new Uint8Array(previous);
    damaged[damaged.length - 2]! ^= 0x20;
    const retitled = { articles: stories[0]!.articles.map((article) => ({ ...article, title: `New ${article.title}` })) };
    const spliced = spliceIndex(damaged, new Set([0]), [retitled]);
    const sums = readParts(spliced.bytes).shardSums;
    expect(sums[sums.length - 1]).toBe(parts.shardSums[parts.shardSums.length - 1]);
    expect(sums[0]).not.toBe(parts.shardSums[0]);
    expect(() => CoverageIndex.decode(spliced.bytes)).toThrow(/shard/);
    // Undamaged, the same splice is what a build from scratch writes.
    expect(Buffer.from(spliceIndex(previous, new Set([0]), [retitled]).bytes).equals(Buffer.from(encodeIndex([retitled, ...stories.slice(1)])))).toBe(true);
  });

  it('places runs of kept stories between removals and additions anywhere, numbering every story as encodeIndex does', () => {
    const stories = clusterStories(readSeeds(setUp('splice-runs', 30).seeds).seeds);
    const previous = encodeIndex(stories);
    const last = stories.length - 1;
    const order = (a: Story, b: Story): number => (a.articles[0]!.publishedAt ?? Infinity) - (b.articles[0]!.publishedAt ?? Infinity) || (a.articles[0]!.url < b.articles[0]!.url ? -1 : 1);
    const cases: Array<[removed: number[], added: number[]]> = [
      [[], []],
      [[1, 2, 3], []],
      [[0, 1], [0, 1]],
      [[last - 1, last], [last]],
      [[4, 9], [2, 4, 9, last]],
      [[], [0, last]],
      // Kept records that move left, then right, and the other way round.
      [[0, 1, 2], [last]],
      [[last - 1], [0, 1]],
    ];
    for (const [removedIds, addedIds] of cases) {
      const removed = new Set(removedIds);
      // An added story replaces a removed one (retitled), or goes right after a kept one (its
      // addresses and keys renamed, so that none is shared with a kept story).
      const added = addedIds
        .map((id) => ({ articles: stories[id]!.articles.map((article) => (removed.has(id) ? { ...article, title: `New ${article.title}` } : { ...article, url: `${article.url}-new`, keys: article.keys.map((key) => `${key}-new`) })) }))
        .sort(order);
      const spliced = spliceIndex(previous, removed, added);
      const kept = stories.filter((_story, id) => !removed.has(id));
      const expected = [...kept, ...added].sort(order);
      expect(Buffer.from(spliced.bytes).equals(Buffer.from(encodeIndex(expected)))).toBe(true);
      stories.forEach((story, id) => expect(spliced.previousStory[id]).toBe(removed.has(id) ? -1 : expected.indexOf(story)));
      added.forEach((story, j) => expect(expected.indexOf(story)).toBe(spliced.addedStory[j]));
      expectSameFromFile(previous, removed, added, spliced.bytes);
    }
  });
});

/**
 * The same splice carried out from file to file, as a rebuild does (writeSplice), gives `expected`:
 * over a target file longer than the new index (cut to length) and over a missing one.
 */
function expectSameFromFile(previous: Uint8Array, removed: ReadonlySet<number>, added: readonly Story[], expected: Uint8Array): void {
  const dir = mkdtempSync(join(scratch, 'splice-file-'));
  writeFileSync(join(dir, 'previous.bin'), previous);
  writeFileSync(join(dir, 'longer.bin'), new Uint8Array(expected.length + 100).fill(0xa5));
  const fd = openSync(join(dir, 'previous.bin'), 'r');
  try {
    const tables = readTables(previous);
    const headLength = previous.length - tables.recordBytes;
    for (const target of ['longer.bin', 'missing.bin']) {
      const plan = planSplice(tables, (from, to) => readAt(fd, headLength + from, to - from), removed, added);
      const head = writeSplice(fd, headLength, plan, join(dir, target));
      expect(readFileSync(join(dir, target)).equals(Buffer.from(expected))).toBe(true);
      expect(Buffer.from(head).equals(Buffer.from(expected.subarray(0, head.length)))).toBe(true);
    }
  } finally {
    closeSync(fd);
  }
}
