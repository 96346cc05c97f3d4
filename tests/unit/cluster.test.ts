import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSeedText } from '../../src/build/read-seeds';
import type { SeedArticle, SeedDocument } from '../../src/core/seed/types';
import { clusterStories, clusterWithOrigins, type CanonicalArticle, type CanonicalSeed, type NamedSeed } from '../../src/core/story/cluster';
import { canonicalise } from '../../src/core/url/canonical';

const REAL_TEXT = readFileSync(new URL('../../seeds/000_e29929052b0126c7.txt', import.meta.url), 'utf8');
const REAL_DOCUMENT = readSeedText(REAL_TEXT).seed!;
const REAL: NamedSeed = { source: 'seeds/000_e29929052b0126c7.txt', document: REAL_DOCUMENT };

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2024, 0, 1);

function article(webUrl: string, fields: Partial<SeedArticle> = {}): SeedArticle {
  return { title: `About ${webUrl}`, excerpt: '', publishedAt: null, alternateUrls: [], outletName: null, ...fields, webUrl };
}

function seed(source: string, main: SeedArticle, ...related: SeedArticle[]): NamedSeed {
  const document: SeedDocument = { article: main, related };
  return { source, document };
}

const keyOf = (url: string): string => canonicalise(url)!.key;
const urlsOf = (stories: ReturnType<typeof clusterStories>): string[][] => stories.map((story) => story.articles.map((a) => a.url));

describe('the real seed', () => {
  const stories = clusterStories([REAL]);

  it('is one story of its three articles', () => {
    expect(stories).toHaveLength(1);
    expect(stories[0]!.articles).toHaveLength(3);
  });

  it('orders the articles by publication time, oldest first', () => {
    const times = stories[0]!.articles.map((a) => a.publishedAt!);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(stories[0]!.articles.map((a) => a.outlet)).toEqual(['CNET', 'Forbes', 'Data Center Knowledge']);
  });

  it('carries each article’s display fields from the seed', () => {
    const bySeedUrl = new Map([REAL_DOCUMENT.article, ...REAL_DOCUMENT.related].map((s) => [s.webUrl, s]));
    for (const shipped of stories[0]!.articles) {
      const source = bySeedUrl.get(shipped.url)!;
      expect(source, shipped.url).toBeDefined();
      expect(shipped).toMatchObject({ title: source.title, excerpt: source.excerpt, publishedAt: source.publishedAt, outlet: source.outletName });
    }
  });

  it('keys each article by every address it is known under, deduplicated and sorted', () => {
    const cnet = stories[0]!.articles.find((a) => a.outlet === 'CNET')!;
    const cnetSeed = REAL_DOCUMENT.related[0]!;
    const expected = [...new Set([cnetSeed.webUrl, ...cnetSeed.alternateUrls].map(keyOf))].sort();
    expect(cnet.keys).toEqual(expected);
    // The AMP cache address unwraps to the AMP page, so CNET has two keys, not three.
    expect(cnet.keys).toHaveLength(2);
    expect(cnet.keys).toContain('cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai');
  });

  it('names each outlet by its registrable domain', () => {
    expect(stories[0]!.articles.map((a) => a.outletDomain)).toEqual(['cnet.com', 'forbes.com', 'datacenterknowledge.com']);
  });
});

describe('merging', () => {
  it('merges two seeds that list the same article under the same webUrl', () => {
    const other = seed('b.md', article('https://news.example.org/follow-up', { publishedAt: T0 }), article(REAL_DOCUMENT.related[1]!.webUrl));
    const stories = clusterStories([REAL, other]);
    expect(stories).toHaveLength(1);
    expect(stories[0]!.articles).toHaveLength(4);
  });

  it('merges when one seed’s webUrl is another seed’s ampWebUrl', () => {
    const cnetAmp = REAL_DOCUMENT.related[0]!.alternateUrls[0]!;
    const other = seed('b.md', article(cnetAmp, { publishedAt: Date.UTC(2020, 4, 19, 21, 0) }), article('https://news.example.org/more', { publishedAt: T0 }));
    const stories = clusterStories([REAL, other]);
    expect(stories).toHaveLength(1);
    expect(stories[0]!.articles).toHaveLength(4);
    const cnet = stories[0]!.articles.filter((a) => a.outletDomain === 'cnet.com');
    expect(cnet).toHaveLength(1);
    expect(cnet[0]!.keys).toContain(keyOf(REAL_DOCUMENT.related[0]!.webUrl));
    expect(cnet[0]!.keys).toContain(keyOf(cnetAmp));
  });

  it('treats addresses that differ only in tracking, scheme, www or trailing slash as one article', () => {
    const a = seed('a.md', article('https://www.example.com/story/'), article('https://one.example.org/x'));
    const b = seed('b.md', article('http://example.com/story?utm_source=feed#top'), article('https://two.example.net/y'));
    const stories = clusterStories([a, b]);
    expect(stories).toHaveLength(1);
    expect(stories[0]!.articles.map((x) => x.outletDomain).sort()).toEqual(['example.com', 'example.net', 'example.org']);
  });

  it('merges transitively: A shares with B, B shares with C', () => {
    const a = seed('a.md', article('https://a.example.com/1'), article('https://shared-ab.example.org/1'));
    const b = seed('b.md', article('https://shared-ab.example.org/1'), article('https://shared-bc.example.net/1'));
    const c = seed('c.md', article('https://shared-bc.example.net/1'), article('https://c.example.io/1'));
    const stories = clusterStories([a, c, b]);
    expect(stories).toHaveLength(1);
    expect(stories[0]!.articles).toHaveLength(4);
  });

  it('keeps unrelated seeds in separate stories, earliest story first', () => {
    const later = seed('a.md', article('https://a.example.com/1', { publishedAt: T0 + 5 * DAY }), article('https://b.example.com/1', { publishedAt: T0 + 6 * DAY }));
    const earlier = seed('z.md', article('https://c.example.com/1', { publishedAt: T0 + 2 * DAY }), article('https://d.example.com/1', { publishedAt: T0 + 1 * DAY }));
    expect(urlsOf(clusterStories([later, earlier]))).toEqual([
      ['https://d.example.com/1', 'https://c.example.com/1'],
      ['https://a.example.com/1', 'https://b.example.com/1'],
    ]);
  });

  it('does not merge articles that merely share an outlet', () => {
    const a = seed('a.md', article('https://www.cnn.com/one'), article('https://x.example.org/1'));
    const b = seed('b.md', article('https://www.cnn.com/two'), article('https://y.example.org/2'));
    expect(clusterStories([a, b])).toHaveLength(2);
  });

  it('puts undated articles after dated ones', () => {
    const s = seed('a.md', article('https://undated.example.com/a'), article('https://dated.example.com/b', { publishedAt: T0 }));
    expect(urlsOf(clusterStories([s]))).toEqual([['https://dated.example.com/b', 'https://undated.example.com/a']]);
  });
});

describe('when copies of an article disagree', () => {
  const shared = 'https://www.example.com/shared';
  const older = article(shared, { title: 'Old headline', excerpt: 'old', publishedAt: T0, outletName: 'Old Name' });
  const newer = article(`${shared}/?utm_campaign=x`, { title: 'New headline', excerpt: 'new', publishedAt: T0 + DAY, outletName: 'New Name' });

  it('the copy with the newer publishedAt wins, whichever seed sorts first', () => {
    for (const [first, second] of [[older, newer], [newer, older]] as const) {
      const stories = clusterStories([seed('a.md', first, article('https://x.example.org/1')), seed('b.md', second, article('https://y.example.org/2'))]);
      const merged = stories[0]!.articles.find((a) => a.outletDomain === 'example.com')!;
      expect(merged).toMatchObject({ title: 'New headline', excerpt: 'new', publishedAt: T0 + DAY, outlet: 'New Name', url: newer.webUrl });
    }
  });

  it('a dated copy beats an undated one', () => {
    const undated = article(shared, { title: 'Undated' });
    const dated = article(shared, { title: 'Dated', publishedAt: T0 });
    for (const [a, b] of [[undated, dated], [dated, undated]] as const) {
      const stories = clusterStories([seed('a.md', a), seed('b.md', b)]);
      expect(stories[0]!.articles[0]!.title).toBe('Dated');
    }
  });

  it('on equal times, the copy from the later source name wins, regardless of input order', () => {
    const fromA = article(shared, { title: 'From a.md', publishedAt: T0 });
    const fromB = article(shared, { title: 'From b.md', publishedAt: T0 });
    const seedA = seed('seeds/a.md', fromA);
    const seedB = seed('seeds/b.md', fromB);
    expect(clusterStories([seedA, seedB])[0]!.articles[0]!.title).toBe('From b.md');
    expect(clusterStories([seedB, seedA])[0]!.articles[0]!.title).toBe('From b.md');
  });

  it('the merged article keeps the keys of every copy', () => {
    const a = seed('a.md', article(shared, { alternateUrls: ['https://amp.example.com/shared'] }));
    const b = seed('b.md', article(shared, { alternateUrls: ['https://www.example.com/shared/amp'], publishedAt: T0 }));
    const [only] = clusterStories([a, b])[0]!.articles;
    expect(only!.keys).toEqual(['amp.example.com/shared', 'example.com/shared', 'example.com/shared/amp']);
  });
});

describe('outlets', () => {
  it('uses the registrable domain, so edition.cnn.com is cnn.com', () => {
    const s = seed('a.md', article('https://edition.cnn.com/2024/world/x', { outletName: 'CNN' }), article('https://www.bbc.co.uk/news/1'), article('https://news.bbc.co.uk/2'));
    const articles = clusterStories([s])[0]!.articles;
    expect(articles.map((a) => a.outletDomain).sort()).toEqual(['bbc.co.uk', 'bbc.co.uk', 'cnn.com']);
  });

  it('falls back to the domain as the outlet name when the seed names none', () => {
    const s = seed('a.md', article('https://edition.cnn.com/x'));
    expect(clusterStories([s])[0]!.articles[0]!.outlet).toBe('cnn.com');
  });

  it('takes the outlet from the address the article is opened at, not from its AMP cache', () => {
    const s = seed('a.md', article('https://www.forbes.com/a/', { alternateUrls: ['https://www-forbes-com.cdn.ampproject.org/c/s/www.forbes.com/a/amp/'] }));
    expect(clusterStories([s])[0]!.articles[0]!.outletDomain).toBe('forbes.com');
  });
});

describe('determinism', () => {
  const corpus: NamedSeed[] = [
    REAL,
    seed('b.md', article(REAL_DOCUMENT.related[1]!.webUrl, { title: 'Forbes, updated', publishedAt: Date.UTC(2020, 4, 20, 13, 59) }), article('https://www.zdnet.com/article/ms-super/', { publishedAt: Date.UTC(2020, 4, 19, 12) })),
    seed('c.md', article('https://edition.cnn.com/2024/x', { publishedAt: T0 }), article('https://www.bbc.co.uk/news/x', { publishedAt: T0 })),
    seed('d.md', article('https://www.bbc.co.uk/news/x/', { title: 'BBC, tied time, later file', publishedAt: T0 }), article('https://undated.example.org/x')),
    seed('e.md', article('https://alone.example.net/1', { publishedAt: T0 - DAY }), article('https://alone.example.net/2')),
  ];
  const expected = clusterStories(corpus);

  it('sanity: the corpus exercises merging and tie-breaks', () => {
    expect(expected).toHaveLength(3);
    const bbc = expected.flatMap((s) => s.articles).find((a) => a.outletDomain === 'bbc.co.uk')!;
    expect(bbc.title).toBe('BBC, tied time, later file');
  });

  it('gives the same stories whatever the order of the input', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(corpus, { minLength: corpus.length, maxLength: corpus.length }), (shuffled) => {
        expect(clusterStories(shuffled)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('does not modify its input', () => {
    const before = structuredClone(corpus);
    clusterStories(corpus);
    expect(corpus).toEqual(before);
  });
});

describe('grouping keys by hash (clusterWithOrigins)', () => {
  const canonical = (url: string, keys: string[], publishedAt: number | null = null): CanonicalArticle => ({
    url,
    title: url,
    excerpt: '',
    outletName: null,
    publishedAt,
    outletDomain: 'example.com',
    keys,
  });
  // These two keys have the same 32-bit hash in clustering's key grouping; they must stay apart.
  const [A, B] = ['example.com/a1462789', 'example.com/a1679192'];

  it('keeps two different keys with one hash apart, and still joins copies of each', () => {
    const seeds: CanonicalSeed[] = [
      { source: 's1', articles: [canonical('https://example.com/a1462789', [A], T0)] },
      { source: 's2', articles: [canonical('https://example.com/a1679192', [B], T0 + DAY)] },
      { source: 's3', articles: [canonical('https://example.com/a1462789?copy', [A, 'example.com/other'], T0 + 2 * DAY)] },
    ];
    const { stories, seedStory } = clusterWithOrigins(seeds);
    // The joined article takes its newer copy's time (T0 + 2 days), so it sorts after B's story.
    expect(urlsOf(stories)).toEqual([['https://example.com/a1679192'], ['https://example.com/a1462789?copy']]);
    expect(stories[1]!.articles[0]!.keys).toEqual([A, 'example.com/other']);
    expect(Array.from(seedStory)).toEqual([1, 0, 1]);
  });

  it('gives the same stories whatever order the seeds come in', () => {
    const seeds: CanonicalSeed[] = [
      { source: 'b', articles: [canonical('https://x.com/1', ['x.com/1', 'x.com/shared'], T0), canonical('https://y.com/2', ['y.com/2'], null)] },
      { source: 'a', articles: [canonical('https://z.com/3', ['z.com/3', 'x.com/shared'], T0)] },
      { source: 'c', articles: [canonical('https://w.com/4', ['w.com/4'], T0 - DAY)] },
    ];
    const forward = clusterWithOrigins(seeds);
    const backward = clusterWithOrigins([...seeds].reverse());
    expect(backward.stories).toEqual(forward.stories);
    expect(Array.from(backward.seedStory).reverse()).toEqual(Array.from(forward.seedStory));
    // Same publication time: the later document ('b' after 'a') gives the article its metadata.
    expect(forward.stories[1]!.articles[0]).toMatchObject({ url: 'https://x.com/1', keys: ['x.com/1', 'x.com/shared', 'z.com/3'] });
  });
});
