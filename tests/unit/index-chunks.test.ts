/**
 * The bundled index as the extension ships it (issue 4, figure 4): a directory, key pages cut by
 * hash range and details chunks of whole stories with their own tables, all derived from the one
 * index.bin and read by the background through ChunkedIndex. Pages and chunks are cut small here
 * (TEST_OPTIONS), so that a few hundred stories make dozens of each, more than the background
 * keeps in memory.
 */
import { describe, expect, it } from 'vitest';
import { syntheticStories } from '../../bench/synthetic-stories';
import { ChunkedIndex, MAX_CACHED_CHUNKS, MAX_CACHED_PAGES, type FetchIndexFile } from '../../src/background/chunked-index';
import {
  BundleDirectory,
  bundledIndexFiles,
  DETAIL_CHUNK_BYTES,
  detailChunkFile,
  DIRECTORY_FILE,
  indexFromBundle,
  keyPageFile,
  type BundleOptions,
  type BundleSource,
  type DetailChunk,
  type KeyPage,
} from '../../src/core/index/chunks';
import { CoverageIndex, IndexFormatError } from '../../src/core/index/coverage-index';
import { encodeIndex } from '../../src/core/index/encode';
import { hashKey } from '../../src/core/index/hash';
import { combinedCoverage, type CoverageSource } from '../../src/core/list/combined-coverage';
import { lookupKeys } from '../../src/core/url/canonical';
import { encodeStories, indexOf, type Entry } from './story-fixture';

const TEST_OPTIONS: BundleOptions = { chunkBytes: 8 * 1024, keysPerPage: 32 };
const stories = syntheticStories(400, 11);
const bytes = encodeIndex(stories);
const whole = CoverageIndex.decode(bytes);
const urls = stories.flatMap((story) => story.articles.map((article) => article.url));

/** A small seeded generator, so the random addresses are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Addresses to look up: known articles as they are and in variants a reader meets (another scheme,
 * a tracking parameter, a fragment: all hits), and near misses (a changed path, an unknown host).
 */
function randomAddresses(count: number, seed: number): string[] {
  const next = random(seed);
  const variants = [
    (url: string) => url,
    (url: string) => url.replace(/^https:/, 'http:'),
    (url: string) => `${url}${url.includes('?') ? '&' : '?'}utm_source=newsletter`,
    (url: string) => `${url}#comments`,
    (url: string) => `${url}-never-indexed`,
    (url: string) => url.replace(/\/\/[^/]+/, '//unknown-host.example'),
    (url: string) => `${url}/${Math.floor(next() * 1e6)}`,
  ];
  return Array.from({ length: count }, () => variants[Math.floor(next() * variants.length)]!(urls[Math.floor(next() * urls.length)]!));
}

/** The files of `indexBytes` served from memory, counting fetches; `damage` may alter a file first. */
function served(indexBytes: Uint8Array, damage: (path: string, file: Uint8Array) => Uint8Array = (_path, file) => file, options = TEST_OPTIONS) {
  const files = new Map(bundledIndexFiles(CoverageIndex.decode(indexBytes), indexBytes, options).map((file) => [file.path, damage(file.path, file.bytes.slice())]));
  const fetched: string[] = [];
  const fetchFile: FetchIndexFile = async (path) => {
    fetched.push(path);
    const file = files.get(path);
    if (!file) throw new Error(`no file ${path}`);
    return file.slice().buffer;
  };
  return { files, fetched, open: () => ChunkedIndex.open(fetchFile) };
}

/** A synchronous source that holds every file: the pure core's reading, without the background. */
function everyFile(files: Map<string, Uint8Array>): { directory: BundleDirectory; source: BundleSource } {
  const directory = BundleDirectory.parse(files.get(DIRECTORY_FILE)!);
  const pages = new Map<number, KeyPage>();
  const chunks = new Map<number, DetailChunk>();
  const source: BundleSource = {
    keyPage: (page) => pages.get(page) ?? pages.set(page, directory.parseKeyPage(page, files.get(keyPageFile(page))!)).get(page)!,
    detailChunk: (chunk) => chunks.get(chunk) ?? chunks.set(chunk, directory.parseDetailChunk(chunk, files.get(detailChunkFile(chunk))!)).get(chunk)!,
  };
  return { directory, source };
}

/** The chunk holding the story that `url` finds. */
function chunkOfUrl(directory: BundleDirectory, url: string): number {
  return directory.chunkOfArticle(whole.match([url])!.articleId);
}

describe('cutting the index into a directory, key pages and chunks', () => {
  const files = bundledIndexFiles(whole, bytes, TEST_OPTIONS);
  const byPath = new Map(files.map((file) => [file.path, file.bytes]));
  const directory = BundleDirectory.parse(byPath.get(DIRECTORY_FILE)!);

  it('cuts the keys by hash range into pages of about the target size, each key in the page of its hash', () => {
    const { keyCount } = whole.header;
    expect(directory.pageCount).toBe(2 ** directory.pageBits);
    expect(keyCount / directory.pageCount).toBeLessThanOrEqual(TEST_OPTIONS.keysPerPage!);
    expect(keyCount / directory.pageCount).toBeGreaterThan(TEST_OPTIONS.keysPerPage! / 2);
    let keys = 0;
    for (let page = 0; page < directory.pageCount; page++) {
      if (directory.pageKeys(page) === 0) {
        expect(byPath.has(keyPageFile(page))).toBe(false);
        continue;
      }
      const slots = directory.parseKeyPage(page, byPath.get(keyPageFile(page))!);
      keys += slots.hi.length;
      for (const hi of slots.hi) expect(directory.pageOfHash(hi)).toBe(page);
    }
    expect(keys).toBe(keyCount);
    // Every key of every article is found in the page of its hash.
    const { source } = everyFile(byPath);
    for (const story of stories.slice(0, 100)) {
      for (const key of story.articles.flatMap((article) => article.keys)) {
        const [hi, lo] = hashKey(key);
        const page = source.keyPage(directory.pageOfHash(hi));
        expect([...page.hi.keys()].some((slot) => page.hi[slot] === hi && page.lo[slot] === lo)).toBe(true);
      }
    }
  });

  it('cuts the details into chunks of whole stories, each closed at the first story past the target', () => {
    expect(directory.chunkCount).toBeGreaterThan(MAX_CACHED_CHUNKS);
    for (let chunk = 0; chunk < directory.chunkCount; chunk++) {
      const details = directory.parseDetailChunk(chunk, byPath.get(detailChunkFile(chunk))!);
      const stories = details.storyStart.length - 1;
      expect(stories).toBeGreaterThan(0);
      expect(details.storyStart[0]).toBe(directory.chunkArticleStart(chunk));
      if (chunk + 1 < directory.chunkCount) {
        expect(details.records.bytes.byteLength).toBeGreaterThanOrEqual(TEST_OPTIONS.chunkBytes!);
        // Without its last story, the chunk would have been under the target.
        expect(details.recordStart[details.storyStart[stories - 1]! - details.storyStart[0]!]! - details.records.base).toBeLessThan(TEST_OPTIONS.chunkBytes!);
      }
    }
  });

  it('keeps the directory tiny: counts, bounds and sums, no keys', () => {
    expect(byPath.get(DIRECTORY_FILE)!.byteLength).toBe((12 + 2 * directory.pageCount + 1 + 4 * directory.chunkCount + 2 + 1) * 4);
    expect(directory.header).toEqual(whole.header);
    expect(directory.files().sort()).toEqual(files.map((file) => file.path).sort());
    expect(new Set(files.map((file) => file.path)).size).toBe(files.length);
  });

  it('turns back into index.bin byte for byte', () => {
    // Buffer.equals: vitest's deep equality takes seconds over 600 KB.
    expect(Buffer.from(indexFromBundle((path) => byPath.get(path)!)).equals(Buffer.from(bytes))).toBe(true);
    const one = encodeIndex(stories.slice(0, 1));
    const empty = encodeIndex([]);
    for (const small of [one, empty]) {
      const smallFiles = new Map(bundledIndexFiles(CoverageIndex.decode(small), small).map((file) => [file.path, file.bytes]));
      expect(Buffer.from(indexFromBundle((path) => smallFiles.get(path)!)).equals(Buffer.from(small))).toBe(true);
    }
  });

  it('ships an index without stories as its directory alone, a 1-story one as three files, and cuts at the default sizes as the build does', () => {
    const empty = encodeIndex([]);
    expect(bundledIndexFiles(CoverageIndex.decode(empty), empty).map((file) => file.path)).toEqual([DIRECTORY_FILE]);
    const one = encodeIndex(stories.slice(0, 1));
    expect(bundledIndexFiles(CoverageIndex.decode(one), one).map((file) => file.path)).toEqual([DIRECTORY_FILE, keyPageFile(0), detailChunkFile(0)]);
    const atDefault = bundledIndexFiles(whole, bytes);
    const chunks = atDefault.filter((file) => file.path.includes('details-'));
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.bytes.byteLength).toBeGreaterThanOrEqual(DETAIL_CHUNK_BYTES);
  });

  it('reads through the pure core as the whole index does, for many random addresses, hits and misses', () => {
    const { directory: parsed, source } = everyFile(byPath);
    const paged = parsed.open(source);
    let hits = 0;
    for (const address of randomAddresses(3000, 7)) {
      const expected = whole.coverage([address]);
      if (expected) hits++;
      expect(paged.coverage([address])).toEqual(expected);
    }
    expect(hits).toBeGreaterThan(1000);
    expect(hits).toBeLessThan(2900);
    for (const id of [0, 1, whole.header.articleCount >> 1, whole.header.articleCount - 1]) {
      expect(paged.storyArticles(id)).toEqual(whole.storyArticles(id));
      expect(paged.article(id)).toEqual(whole.article(id));
    }
  });
});

describe('ChunkedIndex (the background’s bundled index)', () => {
  it('reads the directory alone to open, then answers random lookups as the whole index does, reading only its keys’ pages and at most one chunk', { timeout: 60_000 }, async () => {
    const { fetched, open } = served(bytes);
    const chunked = await open();
    expect(fetched).toEqual([DIRECTORY_FILE]);
    for (const address of randomAddresses(1500, 3)) {
      const before = fetched.length;
      const expected = whole.coverage([address]);
      expect(await chunked.lookup([address], () => chunked.index.coverage([address]))).toEqual(expected);
      const read = fetched.slice(before);
      expect(read.filter((path) => path.includes('details-')).length).toBeLessThanOrEqual(1);
      if (!expected) expect(read.filter((path) => path.includes('details-'))).toEqual([]);
      const pages = new Set(lookupKeys(address).map((key) => keyPageFile(chunked.directory.pageOfHash(hashKey(key)[0]))));
      for (const path of read.filter((file) => file.includes('keys-'))) expect(pages.has(path)).toBe(true);
    }
    expect(chunked.loaded.chunks).toBeLessThanOrEqual(MAX_CACHED_CHUNKS);
    expect(chunked.loaded.pages).toBeLessThanOrEqual(MAX_CACHED_PAGES);
    expect(chunked.loaded.pages).toBe(MAX_CACHED_PAGES);
  });

  it('opens an index of one story and one without stories, and answers them', async () => {
    const story = stories[0]!;
    const one = encodeIndex([story]);
    const small = served(one, undefined, {});
    const chunked = await small.open();
    const url = story.articles[0]!.url;
    expect(await chunked.lookup([url], () => chunked.index.coverage([url]))).toEqual(CoverageIndex.decode(one).coverage([url]));
    // The page and the chunk were fetched once, on open, in parallel with nothing waiting on them.
    expect(small.fetched.sort()).toEqual([DIRECTORY_FILE, detailChunkFile(0), keyPageFile(0)].sort());
    expect(await chunked.lookup(['https://unknown.example/a'], () => chunked.index.coverage(['https://unknown.example/a']))).toBeNull();

    const none = served(encodeIndex([]), undefined, {});
    const empty = await none.open();
    expect(await empty.lookup([url], () => empty.index.coverage([url]))).toBeNull();
    expect(none.fetched).toEqual([DIRECTORY_FILE]);
  });

  it('shares one fetch of a page and of a chunk between concurrent lookups', async () => {
    const { fetched, open } = served(bytes);
    const chunked = await open();
    const url = urls[urls.length - 1]!;
    const answers = await Promise.all([1, 2, 3].map(() => chunked.lookup([url], () => chunked.index.coverage([url]))));
    expect(answers).toEqual([1, 2, 3].map(() => whole.coverage([url])));
    expect(fetched.filter((path) => path === detailChunkFile(chunkOfUrl(chunked.directory, url))).length).toBe(1);
    expect(fetched.length).toBe(new Set(fetched).size);
  });

  it('loads the pages and chunks that a lookup across lists reaches through shared addresses', async () => {
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
    // Nothing of the bundled index matches c's own keys, so the preparation loads no chunk …
    await chunked.prepare([c.url]);
    expect(fetched.filter((path) => path.includes('details-'))).toEqual([]);
    // … and the lookup still finds a, loading its chunk when the shared address leads there.
    expect(await chunked.lookup([c.url], () => combinedCoverage(sources, [c.url]))).toEqual(expected);
    expect(fetched.filter((path) => path.includes('details-')).length).toBe(1);
  });

  it('finishes a lookup that reads more pages and chunks than the caches hold, fetching each once, then trims the caches', async () => {
    // A list's story can lead into many bundled stories: each rerun after a load must still find
    // every file it read before, or a strict LRU would evict exactly the file the next run needs.
    const { fetched, open } = served(bytes);
    const chunked = await open();
    const wide = [...new Map(urls.map((url) => [chunked.directory.pageOfHash(hashKey(lookupKeys(url)[0]!)[0]), url])).values()];
    expect(wide.length).toBeGreaterThan(MAX_CACHED_PAGES + 8);
    const readAll = (): unknown[] => wide.map((url) => chunked.index.coverage([url]));
    expect(await chunked.lookup([], readAll)).toEqual(wide.map((url) => whole.coverage([url])));
    expect(fetched.length).toBe(new Set(fetched).size);
    expect(fetched.filter((path) => path.includes('keys-')).length).toBe(wide.length);
    expect(chunked.loaded.pages).toBe(MAX_CACHED_PAGES);
    expect(chunked.loaded.chunks).toBeLessThanOrEqual(MAX_CACHED_CHUNKS);
  });

  it('refuses a damaged chunk or page with an IndexFormatError, and answers from the other files', async () => {
    const files = new Map(bundledIndexFiles(whole, bytes, TEST_OPTIONS).map((file) => [file.path, file.bytes]));
    const directory = BundleDirectory.parse(files.get(DIRECTORY_FILE)!);
    const victim = 3;
    const inVictim = urls.find((url) => chunkOfUrl(directory, url) === victim)!;
    const elsewhere = urls.find((url) => chunkOfUrl(directory, url) !== victim)!;
    const damagedChunk = served(bytes, (path, file) => {
      if (path === detailChunkFile(victim)) file[file.byteLength >> 1]! ^= 0x40;
      return file;
    });
    const chunked = await damagedChunk.open();
    await expect(chunked.lookup([inVictim], () => chunked.index.coverage([inVictim]))).rejects.toThrow(IndexFormatError);
    await expect(chunked.lookup([inVictim], () => chunked.index.coverage([inVictim]))).rejects.toThrow(/checksum mismatch in details chunk 3/);
    expect(await chunked.lookup([elsewhere], () => chunked.index.coverage([elsewhere]))).toEqual(whole.coverage([elsewhere]));

    const page = directory.pageOfHash(hashKey(lookupKeys(inVictim)[0]!)[0]);
    const otherPage = urls.find((url) => lookupKeys(url).every((key) => directory.pageOfHash(hashKey(key)[0]) !== page))!;
    const damagedPage = served(bytes, (path, file) => {
      if (path === keyPageFile(page)) file[4]! ^= 1;
      return file;
    });
    const withBadPage = await damagedPage.open();
    await expect(withBadPage.lookup([inVictim], () => withBadPage.index.coverage([inVictim]))).rejects.toThrow(new RegExp(`checksum mismatch in key page ${page}`));
    expect(await withBadPage.lookup([otherPage], () => withBadPage.index.coverage([otherPage]))).toEqual(whole.coverage([otherPage]));
  });

  it('refuses a truncated chunk or page, a missing one, and a damaged, truncated or foreign directory', async () => {
    const inFirst = urls[0]!;
    const truncated = served(bytes, (path, file) => (path === detailChunkFile(0) ? file.subarray(0, file.byteLength - 4) : file));
    const chunked = await truncated.open();
    await expect(chunked.lookup([inFirst], () => chunked.index.coverage([inFirst]))).rejects.toThrow(/details chunk 0 has \d+ bytes, expected \d+/);

    const shortPage = served(bytes, (path, file) => (path.includes('keys-') ? file.subarray(0, file.byteLength - 12) : file));
    const withShortPage = await shortPage.open();
    await expect(withShortPage.lookup([inFirst], () => withShortPage.index.coverage([inFirst]))).rejects.toThrow(/key page \d+ has \d+ bytes, expected \d+/);

    const missing = served(bytes);
    missing.files.delete(detailChunkFile(0));
    const withoutChunk = await missing.open();
    await expect(withoutChunk.lookup([inFirst], () => withoutChunk.index.coverage([inFirst]))).rejects.toThrow(/no file/);

    const damagedDirectory = served(bytes, (path, file) => {
      if (path === DIRECTORY_FILE) file[file.byteLength - 100]! ^= 1;
      return file;
    });
    await expect(damagedDirectory.open()).rejects.toThrow(/index directory checksum mismatch/);
    const longDirectory = served(bytes, (path, file) => (path === DIRECTORY_FILE ? Uint8Array.from([...file, 0, 0, 0, 0]) : file));
    await expect(longDirectory.open()).rejects.toThrow(/index directory has \d+ bytes, expected \d+/);
    const shortDirectory = served(bytes, (path, file) => (path === DIRECTORY_FILE ? file.subarray(0, 20) : file));
    await expect(shortDirectory.open()).rejects.toThrow(IndexFormatError);
    // index.bin itself is no directory.
    const foreign = served(bytes, (path, file) => (path === DIRECTORY_FILE ? bytes.slice(0, 4096) : file));
    await expect(foreign.open()).rejects.toThrow(/not an Elsewhere index directory/);
  });
});
