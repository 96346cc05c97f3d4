/**
 * indexFromColumns (src/build/columnar-index.ts) indexes a cold build's seeds from the columns
 * its workers write, with no object per article. It must give exactly what the object path gives
 * (clusterWithOrigins, then encodeIndex): the same bytes, the same story per seed, the same keys
 * per host.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferUtf8Writer } from '../../src/build/build-index';
import { indexFromColumns, type ColumnSeed } from '../../src/build/columnar-index';
import { readSeedText } from '../../src/build/read-seeds';
import { HostPartList, HostPartNumbering, recordWriter, SeedColumnsWriter } from '../../src/build/seed-columns';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { encodeIndex } from '../../src/core/index/encode';
import type { SeedArticle } from '../../src/core/seed/types';
import { canonicaliseSeed, clusterWithOrigins, type CanonicalSeed, type NamedSeed } from '../../src/core/story/cluster';
import { keyHost } from '../../src/core/url/canonical';

const REAL_TEXT = readFileSync(new URL('../../seeds/000_e29929052b0126c7.txt', import.meta.url), 'utf8');
const REAL: NamedSeed = { source: 'seeds/000.txt', document: readSeedText(REAL_TEXT).seed! };
const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

function article(webUrl: string, fields: Partial<SeedArticle> = {}): SeedArticle {
  return { title: `About ${webUrl}`, excerpt: '', publishedAt: null, alternateUrls: [], outletName: null, ...fields, webUrl };
}

function seed(source: string, main: SeedArticle, ...related: SeedArticle[]): NamedSeed {
  return { source, document: { article: main, related } };
}

/**
 * Seeds as two workers hand them over: batches of `perBatch` files, dealt to the workers in turn,
 * each numbering host parts across its own batches, and received per worker as parallel-read.ts does.
 */
function asColumns(seeds: readonly CanonicalSeed[], perBatch = 3): ColumnSeed[] {
  const out: ColumnSeed[] = [];
  const workers = [0, 1].map(() => ({ records: recordWriter(bufferUtf8Writer), numbering: new HostPartNumbering(), received: new HostPartList() }));
  for (let first = 0, turn = 0; first < seeds.length; first += perBatch, turn++) {
    const worker = workers[turn % workers.length]!;
    const writer = new SeedColumnsWriter(worker.records, worker.numbering);
    const batch = seeds.slice(first, first + perBatch);
    for (const s of batch) writer.addFile(s.articles);
    const { columns } = writer.finish();
    worker.received.receive(columns);
    batch.forEach((s, file) => out.push({ source: s.source, columns: { columns, file } }));
  }
  return out;
}

/** What the object path gives for the same seeds. */
function expectedOf(seeds: readonly CanonicalSeed[]): { bytes: Uint8Array; seedStory: number[]; hostKeys: Map<string, number> } {
  const { stories, seedStory } = clusterWithOrigins(seeds);
  const hostKeys = new Map<string, number>();
  for (const story of stories) for (const a of story.articles) for (const key of a.keys) hostKeys.set(keyHost(key), (hostKeys.get(keyHost(key)) ?? 0) + 1);
  return { bytes: encodeIndex(stories), seedStory: Array.from(seedStory), hostKeys };
}

function expectSame(seeds: readonly CanonicalSeed[], perBatch = 3): void {
  const expected = expectedOf(seeds);
  const built = indexFromColumns(asColumns(seeds, perBatch), { utf8Writer: bufferUtf8Writer });
  expect(Buffer.from(built.bytes!).equals(Buffer.from(expected.bytes))).toBe(true);
  expect(Array.from(built.seedStory)).toEqual(expected.seedStory);
  expect(new Map([...built.hostKeys].sort())).toEqual(new Map([...expected.hostKeys].sort()));
}

const CORPUS: NamedSeed[] = [
  REAL,
  // Shares the Forbes article of the real seed, newer: its title wins and its keys join.
  seed('b.md', article(REAL.document.related[1]!.webUrl, { title: 'Forbes, updated ✓', publishedAt: Date.UTC(2020, 4, 20, 13, 59), alternateUrls: ['https://www.forbes.com/amp/x'] }), article('https://www.zdnet.com/article/ms-super/', { publishedAt: Date.UTC(2020, 4, 19, 12) })),
  // The same time on two articles: ordered by address.
  seed('c.md', article('https://edition.cnn.com/2024/x', { publishedAt: T0 }), article('https://www.bbc.co.uk/news/x', { publishedAt: T0 }), article('https://www.abc.net.au/news/x', { publishedAt: T0 })),
  // Shares the BBC article (another address form, the same key), with the same time: the later seed wins.
  seed('d.md', article('https://www.bbc.co.uk/news/x/', { title: 'BBC, tied time, later file', publishedAt: T0 }), article('https://undated.example.org/x'), article('https://undated.example.org/y')),
  // Undated articles last, keys out of order (the AMP address sorts before the main one), a port.
  seed('e.md', article('https://zz.example.net/1', { alternateUrls: ['https://amp.example.net/1', 'https://aa.example.net/1'], outletName: 'Zed' }), article('https://example.com:8443/2', { publishedAt: T0 - HOUR })),
  // Unicode text and an address with non-ASCII in it.
  seed('f.md', article('https://例え.jp/ニュース/1?q=ü', { title: '日本語の見出し 🗞️', excerpt: 'Ünïcödé', publishedAt: T0 + HOUR })),
  // Stories joined through a third seed.
  seed('g.md', article('https://one.example/a', { publishedAt: T0 + 2 * HOUR })),
  seed('h.md', article('https://two.example/b', { publishedAt: T0 + 2 * HOUR })),
  seed('i.md', article('https://two.example/b', { title: 'b again' }), article('https://one.example/a')),
];

describe('indexFromColumns', () => {
  const seeds = CORPUS.map(canonicaliseSeed);

  it('sanity: the corpus merges articles and stories, and breaks ties', () => {
    const { stories } = clusterWithOrigins(seeds);
    expect(stories.length).toBeLessThan(CORPUS.length);
    const bbc = stories.flatMap((s) => s.articles).find((a) => a.outletDomain === 'bbc.co.uk')!;
    expect(bbc.title).toBe('BBC, tied time, later file');
  });

  it('gives the object path’s bytes, seed stories and host counts', () => {
    expectSame(seeds);
    expectSame(seeds, 1);
    expectSame(seeds, 100);
  });

  it('does so whatever the order and batching of the seeds', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(seeds, { minLength: 1, maxLength: seeds.length }), fc.integer({ min: 1, max: 5 }), (subset, perBatch) => expectSame(subset, perBatch)),
      { numRuns: 80 },
    );
  });

  it('reads back as the stories it was given', () => {
    const built = indexFromColumns(asColumns(seeds), { utf8Writer: bufferUtf8Writer });
    const index = CoverageIndex.decode(built.bytes!);
    const { stories } = clusterWithOrigins(seeds);
    expect(index.header.storyCount).toBe(stories.length);
    const found = index.findArticle(stories[0]!.articles[0]!.keys[0]!);
    expect(index.article(found)).toEqual(stories[0]!.articles[0]);
  });

  it('writes the same bytes to a file, a shard at a time, over a longer old file', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-columnar-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));
    // Several megabytes of records, so that the writer's buffer fills many times, and one
    // article larger than that buffer.
    const big = Array.from({ length: 3000 }, (_, i) =>
      canonicaliseSeed(seed(`s${String(i).padStart(5, '0')}.md`, article(`https://big${i % 50}.example/${i}`, { excerpt: 'x'.repeat(1000 + i), publishedAt: T0 + (i % 700) * HOUR }))),
    );
    big.push(canonicaliseSeed(seed('zz.md', article('https://huge.example/1', { excerpt: 'é'.repeat(700_000) }))));
    const file = join(scratch, 'index.bin');
    writeFileSync(file, Buffer.alloc(16 << 20, 0xab));
    const inMemory = indexFromColumns(asColumns(big, 128), { utf8Writer: bufferUtf8Writer });
    const written = indexFromColumns(asColumns(big, 128), { utf8Writer: bufferUtf8Writer, file });
    expect(written.bytes).toBeNull();
    const bytes = readFileSync(file);
    expect(bytes.length).toBe(inMemory.bytes!.length);
    expect(bytes.equals(Buffer.from(inMemory.bytes!))).toBe(true);
    expect(Buffer.from(written.head!).equals(bytes.subarray(0, written.head!.length))).toBe(true);
    expect(CoverageIndex.verify(new Uint8Array(bytes)).storyCount).toBe(written.storyCount);
  });

  it('does not join two articles whose keys only share a hash', () => {
    const two = [seed('a.md', article('https://a.example/1')), seed('b.md', article('https://b.example/2'))].map(canonicaliseSeed);
    const columns = asColumns(two, 2);
    // Forge a 64-bit collision: the second key gets the first one's hash.
    const batch = columns[0]!.columns.columns;
    batch.keyHi[1] = batch.keyHi[0]!;
    batch.keyLo[1] = batch.keyLo[0]!;
    const built = indexFromColumns(columns);
    expect(built.storyCount).toBe(2);
    expect(built.seedStory[0]).not.toBe(built.seedStory[1]);
  });

  it('sends each host part once per writer, and refuses batches out of order or not received', () => {
    const numbering = new HostPartNumbering();
    const batches = [seeds.slice(0, 2), seeds.slice(0, 3), seeds.slice(3, 4)].map((batch) => {
      const writer = new SeedColumnsWriter(recordWriter(bufferUtf8Writer), numbering);
      for (const s of batch) writer.addFile(s.articles);
      return writer.finish().columns;
    });
    const sent = batches.flatMap((columns) => columns.hostParts);
    expect(new Set(sent).size).toBe(sent.length);
    expect(batches.map((columns) => columns.hostPartsFrom)).toEqual([0, batches[0]!.hostParts.length, batches[0]!.hostParts.length + batches[1]!.hostParts.length]);
    // The second batch repeats the first's two seeds and adds one with hosts of its own: it sends only those.
    expect(batches[1]!.hostParts.length).toBeGreaterThan(0);
    expect(batches[1]!.hostParts.some((part) => batches[0]!.hostParts.includes(part))).toBe(false);
    expect(() => indexFromColumns([{ source: 'c.md', columns: { columns: batches[1]!, file: 0 } }])).toThrow(/not received/);
    expect(() => new HostPartList().receive(batches[1]!)).toThrow(/out of order/);
  });

  it('numbers host parts as they come, among thousands and among parts made to share a slot', () => {
    const fnv = (text: string): number => {
      let hash = 0x811c9dc5;
      for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
      return hash >>> 0;
    };
    // 40 parts whose hashes share their low 10 bits: one run of slots in a new table, past its probe limit.
    const crowded: string[] = [];
    for (let i = 0; crowded.length < 40; i++) if ((fnv(`h${i}.example`) & 1023) === 7) crowded.push(`h${i}.example`);
    const many = Array.from({ length: 5000 }, (_unused, i) => `site${i}.example:8${i % 10}`);
    for (const parts of [crowded, many]) {
      const numbering = new HostPartNumbering();
      const keys = parts.flatMap((part, i) => [`${part}/a/${i}`, `${part}?q=${i}`, part]);
      const numbers = keys.map((key) => numbering.numberOfKeyHost(key));
      // The same parts again, in reverse: the numbers they were first given.
      const again = [...keys].reverse().map((key) => numbering.numberOfKeyHost(key));
      expect(numbers).toEqual(parts.flatMap((_part, i) => [i, i, i]));
      expect(again).toEqual([...numbers].reverse());
      expect(numbering.takeNew()).toEqual({ from: 0, parts });
    }
  });

  it('takes no seed, and seeds without articles', () => {
    const none = indexFromColumns([]);
    expect(none.storyCount).toBe(0);
    expect(Buffer.from(none.bytes!).equals(Buffer.from(encodeIndex([])))).toBe(true);
    const empty = asColumns([{ source: 'a.md', articles: [] }, ...seeds.slice(0, 1)]);
    expect(Array.from(indexFromColumns(empty).seedStory)).toEqual([-1, 0]);
  });
});
