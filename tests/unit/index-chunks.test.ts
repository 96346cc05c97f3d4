/**
 * The bundled index as the extension ships it (issue 4): a head file and details chunks cut from
 * the one index.bin, read by the background through ChunkedIndex. Chunks are cut small here
 * (TEST_CHUNK_BYTES), so that a few hundred stories make dozens of chunks, more than the
 * background keeps in memory.
 */
import { describe, expect, it } from 'vitest';
import { syntheticStories } from '../../bench/synthetic-stories';
import { ChunkedIndex, MAX_CACHED_CHUNKS, type FetchIndexFile } from '../../src/background/chunked-index';
import { bundledIndexFiles, chunkAt, chunkCount, chunkLayout, chunkOfShard, DETAIL_CHUNK_BYTES, detailChunkFile, HEAD_FILE } from '../../src/core/index/chunks';
import { CoverageIndex, IndexFormatError } from '../../src/core/index/coverage-index';
import { encodeIndex } from '../../src/core/index/encode';
import { combinedCoverage, type CoverageSource } from '../../src/core/list/combined-coverage';
import { encodeStories, indexOf, type Entry } from './story-fixture';

const TEST_CHUNK_BYTES = 8 * 1024;
const stories = syntheticStories(400, 11);
const bytes = encodeIndex(stories);
const whole = CoverageIndex.decode(bytes);
const urls = stories.flatMap((story) => story.articles.map((article) => article.url));
const misses = urls.slice(0, 50).map((url) => `${url}-never-indexed`);

/** The files of `indexBytes` served from memory, counting fetches; `damage` may alter a file first. */
function served(indexBytes: Uint8Array, damage: (path: string, file: Uint8Array) => Uint8Array = (_path, file) => file) {
  const files = new Map(bundledIndexFiles(CoverageIndex.decode(indexBytes), indexBytes, TEST_CHUNK_BYTES).map((file) => [file.path, damage(file.path, file.bytes.slice())]));
  const fetched: string[] = [];
  const fetchFile: FetchIndexFile = async (path) => {
    fetched.push(path);
    const file = files.get(path);
    if (!file) throw new Error(`no file ${path}`);
    return file.slice().buffer;
  };
  return { files, fetched, open: () => ChunkedIndex.open(fetchFile, TEST_CHUNK_BYTES) };
}

describe('cutting the index into a head and chunks', () => {
  const layout = chunkLayout(whole, TEST_CHUNK_BYTES);
  const files = bundledIndexFiles(whole, bytes, TEST_CHUNK_BYTES);

  it('makes many chunks of whole shards, each shard in exactly one chunk', () => {
    expect(chunkCount(layout)).toBeGreaterThan(MAX_CACHED_CHUNKS);
    expect(layout.firstShard[0]).toBe(0);
    expect(layout.firstShard[chunkCount(layout)]).toBe(whole.shardCount);
    for (let chunk = 0; chunk < chunkCount(layout); chunk++) {
      expect(layout.firstShard[chunk + 1]!).toBeGreaterThan(layout.firstShard[chunk]!);
      // A chunk is exactly its shards' bytes: it starts where its first shard starts (the first
      // chunk right after the shard sums, where shard 0 starts) and ends where the next chunk starts.
      expect(layout.start[chunk]).toBe(chunk === 0 ? whole.shardCount * 4 : whole.shardStart(layout.firstShard[chunk]!));
    }
    expect(whole.shardStart(0)).toBe(whole.shardCount * 4);
    expect(layout.start[chunkCount(layout)]).toBe(whole.header.detailBytes);
    for (let shard = 0; shard < whole.shardCount; shard++) {
      const chunk = chunkOfShard(layout, shard);
      expect(layout.firstShard[chunk]!).toBeLessThanOrEqual(shard);
      expect(layout.firstShard[chunk + 1]!).toBeGreaterThan(shard);
      expect(chunkAt(layout, whole.shardStart(shard))).toBe(chunk);
      expect(chunkAt(layout, whole.shardStart(shard + 1) - 1)).toBe(chunk);
    }
  });

  it('closes each chunk at the first shard boundary past the target', () => {
    for (let chunk = 0; chunk + 1 < chunkCount(layout); chunk++) {
      const size = layout.start[chunk + 1]! - layout.start[chunk]!;
      const lastShard = layout.firstShard[chunk + 1]! - 1;
      expect(size).toBeGreaterThanOrEqual(TEST_CHUNK_BYTES);
      expect(whole.shardStart(lastShard) - layout.start[chunk]!).toBeLessThan(TEST_CHUNK_BYTES);
    }
  });

  it('reassembles to index.bin byte for byte: the head, then every chunk in order', () => {
    expect(files[0]!.path).toBe(HEAD_FILE);
    expect(files[0]!.bytes.byteLength).toBe(CoverageIndex.headLength(whole.header));
    expect(files.map((file) => file.path)).toEqual([...new Set(files.map((file) => file.path))]);
    const joined = new Uint8Array(bytes.byteLength);
    let at = 0;
    for (const file of files) {
      joined.set(file.bytes, at);
      at += file.bytes.byteLength;
    }
    expect(at).toBe(bytes.byteLength);
    // Buffer.equals: vitest's deep equality takes seconds over 600 KB.
    expect(Buffer.from(joined).equals(Buffer.from(bytes))).toBe(true);
  });

  it('ships an index without stories as its head alone, and cuts at the default size as the build does', () => {
    const empty = encodeIndex([]);
    expect(bundledIndexFiles(CoverageIndex.decode(empty), empty).map((file) => file.path)).toEqual([HEAD_FILE]);
    const chunks = bundledIndexFiles(whole, bytes).slice(1);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.bytes.byteLength).toBeGreaterThanOrEqual(DETAIL_CHUNK_BYTES);
  });
});

describe('ChunkedIndex (the background’s bundled index)', () => {
  it('reads the head (and the first chunk) to open, then answers every lookup as the whole index does, fetching one chunk per known page and none for an unknown one', { timeout: 30_000 }, async () => {
    const { fetched, open } = served(bytes);
    const chunked = await open();
    expect(fetched.sort()).toEqual([detailChunkFile(0), HEAD_FILE]);
    for (const url of urls) {
      const before = fetched.length;
      expect(await chunked.lookup([url], () => chunked.index.coverage([url]))).toEqual(whole.coverage([url]));
      expect(fetched.length - before).toBeLessThanOrEqual(1);
    }
    const before = fetched.length;
    for (const url of misses) expect(await chunked.lookup([url], () => chunked.index.coverage([url]))).toBeNull();
    expect(fetched.length).toBe(before);
    expect(chunked.loadedChunks).toBeLessThanOrEqual(MAX_CACHED_CHUNKS);
  });

  it('shares one fetch of a chunk between concurrent lookups', async () => {
    const { fetched, open } = served(bytes);
    const chunked = await open();
    const url = urls[urls.length - 1]!;
    const answers = await Promise.all([1, 2, 3].map(() => chunked.lookup([url], () => chunked.index.coverage([url]))));
    expect(answers).toEqual([1, 2, 3].map(() => whole.coverage([url])));
    expect(fetched.filter((path) => path === detailChunkFile(chunkOfShard(chunkLayout(whole, TEST_CHUNK_BYTES), whole.shardOfArticle(whole.match([url])!.articleId)))).length).toBe(1);
  });

  it('loads the chunks that a lookup across lists reaches through shared addresses', async () => {
    // The bundled story (a, b) is large enough to sit in a later chunk; a list knows c and d and
    // also b, so a lookup of c starts in the list and reaches the bundled story only through b.
    const filler: Array<[Entry, Entry[]]> = Array.from({ length: 120 }, (_unused, i) => [
      { url: `https://filler${i}.example/news/${'long-path-segment-'.repeat(8)}${i}`, outlet: `Filler ${i}`, date: '2025-01-01T10:00:00Z' },
      [{ url: `https://other${i}.example/news/${i}`, outlet: `Other ${i}`, date: '2025-01-01T11:00:00Z' }],
    ]);
    const a: Entry = { url: 'https://alpha.example/news/one', outlet: 'Alpha', date: '2026-01-01T10:00:00Z' };
    const b: Entry = { url: 'https://beta.example/2026/one', outlet: 'Beta', date: '2026-01-01T09:00:00Z' };
    const c: Entry = { url: 'https://gamma.example/one', outlet: 'Gamma', date: '2026-01-01T12:00:00Z' };
    const d: Entry = { url: 'https://delta.example/one', outlet: 'Delta', date: '2026-01-01T08:00:00Z' };
    const bundledBytes = encodeStories([...filler, [a, [b]]]);
    const list = indexOf([[c, [d, b]]]);
    const { fetched, open } = served(bundledBytes);
    const chunked = await open();
    const sources: CoverageSource[] = [
      { index: chunked.index, list: null },
      { index: list, list: 'Newsroom list' },
    ];
    const expected = combinedCoverage(
      [
        { index: CoverageIndex.decode(bundledBytes), list: null },
        { index: list, list: 'Newsroom list' },
      ],
      [c.url],
    );
    expect(expected!.otherOutlets.map((article) => article.url)).toContain(a.url);
    // Nothing of the bundled index matches c's own keys, so the preparation loads nothing …
    expect(chunked.index.candidateShards([c.url]).size).toBe(0);
    // … and the lookup still finds a, loading its chunk when the shared address leads there.
    const before = fetched.length;
    expect(await chunked.lookup([c.url], () => combinedCoverage(sources, [c.url]))).toEqual(expected);
    expect(fetched.length).toBe(before + 1);
  });

  it('reports a damaged chunk rather than use it, and answers from the other chunks', async () => {
    const layout = chunkLayout(whole, TEST_CHUNK_BYTES);
    const victim = 3;
    const inVictim = urls.find((url) => chunkOfShard(layout, whole.shardOfArticle(whole.match([url])!.articleId)) === victim)!;
    const elsewhere = urls.find((url) => chunkOfShard(layout, whole.shardOfArticle(whole.match([url])!.articleId)) !== victim)!;
    const { open } = served(bytes, (path, file) => {
      if (path.endsWith('details-0003.bin')) file[file.byteLength >> 1]! ^= 0x40;
      return file;
    });
    const chunked = await open();
    await expect(chunked.lookup([inVictim], () => chunked.index.coverage([inVictim]))).rejects.toThrow(IndexFormatError);
    await expect(chunked.lookup([inVictim], () => chunked.index.coverage([inVictim]))).rejects.toThrow(/checksum mismatch in details shard/);
    expect(await chunked.lookup([elsewhere], () => chunked.index.coverage([elsewhere]))).toEqual(whole.coverage([elsewhere]));
  });

  it('refuses a truncated chunk, a missing one, and a damaged or truncated head', async () => {
    const inFirst = urls[0]!;
    const truncated = served(bytes, (path, file) => (path.endsWith('details-0000.bin') ? file.subarray(0, file.byteLength - 4) : file));
    const chunked = await truncated.open();
    await expect(chunked.lookup([inFirst], () => chunked.index.coverage([inFirst]))).rejects.toThrow(/details chunk 0 has \d+ bytes, expected \d+/);

    const missing = served(bytes);
    missing.files.delete('index/details-0000.bin');
    const withoutChunk = await missing.open();
    await expect(withoutChunk.lookup([inFirst], () => withoutChunk.index.coverage([inFirst]))).rejects.toThrow(/no file/);

    const damagedHead = served(bytes, (path, file) => {
      if (path === HEAD_FILE) file[file.byteLength - 100]! ^= 1;
      return file;
    });
    await expect(damagedHead.open()).rejects.toThrow(/checksum mismatch/);
    const longHead = served(bytes, (path, file) => (path === HEAD_FILE ? Uint8Array.from([...file, 0, 0, 0, 0]) : file));
    await expect(longHead.open()).rejects.toThrow(/head size/);
  });
});
