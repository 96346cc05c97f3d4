import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSeedText } from '../../src/build/read-seeds';
import { CoverageIndex, IndexFormatError } from '../../src/core/index/coverage-index';
import { encodeIndex } from '../../src/core/index/encode';
import { HEADER_WORDS, INDEX_MAGIC, INDEX_VERSION } from '../../src/core/index/format';
import { checksum } from '../../src/core/index/hash';
import { clusterStories } from '../../src/core/story/cluster';
import type { Article, Story } from '../../src/core/story/types';
import { canonicalise } from '../../src/core/url/canonical';
import { outletDomain } from '../../src/core/url/outlet';

const REAL_DOCUMENT = readSeedText(readFileSync(new URL('../../seeds/000_e29929052b0126c7.txt', import.meta.url), 'utf8')).seed!;
const REAL_STORIES = clusterStories([{ source: 'seeds/000_e29929052b0126c7.txt', document: REAL_DOCUMENT }]);
const REAL_BYTES = encodeIndex(REAL_STORIES);
const REAL_INDEX = CoverageIndex.decode(REAL_BYTES);

const DCK = 'https://www.datacenterknowledge.com/microsoft/microsoft-says-it-s-built-top-five-supercomputer-cloud-ai';
const CNET = 'https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
const CNET_AMP = 'https://www.cnet.com/google-amp/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
const CNET_AMP_CACHE = 'https://www-cnet-com.cdn.ampproject.org/c/s/www.cnet.com/google-amp/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
const FORBES = 'https://www.forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/';
const FORBES_AMP = 'https://www.forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/amp/';
const FORBES_AMP_CACHE = 'https://www-forbes-com.cdn.ampproject.org/c/s/www.forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/amp/';

/** Ways a reader's browser may show an article's address. */
function variants(url: string): string[] {
  const parsed = new URL(url);
  const noSlash = url.endsWith('/') ? url.slice(0, -1) : `${url}/`;
  return [
    url,
    `${url}?utm_source=twitter&utm_medium=social&fbclid=abc123`,
    `${url}#comments`,
    url.replace('https://', 'http://'),
    url.replace(parsed.hostname, parsed.hostname.toUpperCase()),
    url.replace('://www.', '://'),
    noSlash,
    `  ${url}  `,
  ];
}

function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function setWord(bytes: Uint8Array, word: number, value: number): Uint8Array {
  const changed = copy(bytes);
  new DataView(changed.buffer).setUint32(word * 4, value, true);
  return changed;
}

function art(url: string, outlet: string, publishedAt: number | null, extraKeys: string[] = []): Article {
  const canonical = canonicalise(url)!;
  return {
    url,
    title: `Title of ${url}`,
    excerpt: `Excerpt of ${url}`,
    outlet,
    outletDomain: outletDomain(canonical.hostname),
    publishedAt,
    keys: [...new Set([canonical.key, ...extraKeys])].sort(),
  };
}

describe('encoding and decoding', () => {
  it('round-trips every article of every story', () => {
    for (const [storyId, story] of REAL_STORIES.entries()) {
      for (const original of story.articles) {
        const id = REAL_INDEX.findArticle(original.keys[0]!);
        expect(id).not.toBe(-1);
        expect(REAL_INDEX.article(id)).toEqual({
          url: original.url,
          title: original.title,
          excerpt: original.excerpt,
          outlet: original.outlet,
          outletDomain: original.outletDomain,
          publishedAt: original.publishedAt,
          keys: original.keys,
        });
        expect(REAL_INDEX.storyArticles(id).map((other) => REAL_INDEX.article(other).url)).toEqual(REAL_STORIES[storyId]!.articles.map((a) => a.url));
      }
    }
  });

  it('writes a header that describes the payload', () => {
    const keys = REAL_STORIES.flatMap((s) => s.articles.flatMap((a) => a.keys));
    const { header } = REAL_INDEX;
    expect(header.version).toBe(INDEX_VERSION);
    expect(header.storyCount).toBe(1);
    expect(header.articleCount).toBe(3);
    expect(header.keyCount).toBe(new Set(keys).size);
    expect(header.keyCount).toBe(5);
    expect(new Uint32Array(REAL_BYTES.buffer, REAL_BYTES.byteOffset, HEADER_WORDS)[6]).toBe(0);
    expect(header.headChecksum).toBe(checksum(REAL_BYTES.subarray(HEADER_WORDS * 4, CoverageIndex.headLength(header))));
    const words = HEADER_WORDS + 3 * header.keyCount + header.articleCount + (header.storyCount + 1) + (header.articleCount + 1);
    expect(REAL_BYTES.byteLength).toBe(words * 4 + header.detailBytes);
  });

  it('starts with the magic number, which reads "ELSW"', () => {
    expect(new DataView(REAL_BYTES.buffer).getUint32(0, true)).toBe(INDEX_MAGIC);
    expect(new TextDecoder().decode(REAL_BYTES.subarray(0, 4))).toBe('ELSW');
  });

  it('is deterministic', () => {
    expect(encodeIndex(REAL_STORIES)).toEqual(REAL_BYTES);
  });

  it('encodes an empty corpus that finds nothing', () => {
    const empty = CoverageIndex.decode(encodeIndex([]));
    expect(empty.header).toMatchObject({ keyCount: 0, articleCount: 0, storyCount: 0, detailBytes: 0 });
    expect(empty.coverage([CNET])).toBeNull();
  });

  it('accepts an aligned view into a larger buffer', () => {
    const padded = new Uint8Array(REAL_BYTES.byteLength + 16);
    padded.set(REAL_BYTES, 8);
    const index = CoverageIndex.decode(padded.subarray(8, 8 + REAL_BYTES.byteLength));
    expect(index.coverage([CNET])?.article.url).toBe(CNET);
  });
});

describe('decode refuses damaged input', () => {
  const refuses = (bytes: Uint8Array, message: RegExp): void => {
    expect(() => CoverageIndex.decode(bytes)).toThrow(IndexFormatError);
    expect(() => CoverageIndex.decode(bytes)).toThrow(message);
  };

  it('a bad magic number', () => {
    refuses(setWord(REAL_BYTES, 0, 0x12345678), /magic/);
  });

  it('an unsupported version', () => {
    refuses(setWord(REAL_BYTES, 1, INDEX_VERSION + 1), new RegExp(`version ${INDEX_VERSION + 1} is not supported`));
  });

  it('a buffer shorter than the header', () => {
    refuses(REAL_BYTES.slice(0, HEADER_WORDS * 4 - 1), /truncated/);
    refuses(new Uint8Array(0), /truncated/);
  });

  it('a truncated payload', () => {
    refuses(REAL_BYTES.slice(0, REAL_BYTES.byteLength - 1), /size/);
    refuses(REAL_BYTES.slice(0, HEADER_WORDS * 4 + 4), /size/);
  });

  it('trailing bytes', () => {
    const longer = new Uint8Array(REAL_BYTES.byteLength + 4);
    longer.set(REAL_BYTES);
    refuses(longer, /size/);
  });

  it('counts in the header that do not match the payload', () => {
    refuses(setWord(REAL_BYTES, 2, 0xffffffff), /size/);
  });

  it('a flipped byte anywhere in the payload', () => {
    for (const at of [HEADER_WORDS * 4, HEADER_WORDS * 4 + 13, REAL_BYTES.byteLength - 1]) {
      const flipped = copy(REAL_BYTES);
      flipped[at]! ^= 0x01;
      refuses(flipped, /checksum/);
    }
  });

  it('a misaligned view', () => {
    const shifted = new Uint8Array(REAL_BYTES.byteLength + 1);
    shifted.set(REAL_BYTES, 1);
    refuses(shifted.subarray(1), /misaligned/);
  });
});

describe('coverage of the real seed', () => {
  const outlets: Record<string, string> = { [DCK]: 'Data Center Knowledge', [CNET]: 'CNET', [FORBES]: 'Forbes' };
  const time = (url: string): number => REAL_STORIES[0]!.articles.find((a) => a.url === url)!.publishedAt!;
  const addresses: Record<string, string[]> = {
    [DCK]: variants(DCK),
    [CNET]: [...variants(CNET), CNET_AMP, CNET_AMP_CACHE, `${CNET_AMP}?amp_js_v=0.1`, `https://www.google.com/amp/s/www.cnet.com/google-amp/news/microsoft-builds-massive-supercomputer-for-smarter-ai/`],
    [FORBES]: [...variants(FORBES), FORBES_AMP, FORBES_AMP_CACHE],
  };

  for (const [url, forms] of Object.entries(addresses)) {
    describe(outlets[url]!, () => {
      for (const form of forms) {
        it(`finds ${form}`, () => {
          const coverage = REAL_INDEX.coverage([form]);
          expect(coverage).not.toBeNull();
          expect(coverage!.article.url).toBe(url);
          expect(coverage!.article.outlet).toBe(outlets[url]);
          const others = [DCK, CNET, FORBES].filter((other) => other !== url).sort((a, b) => time(a) - time(b));
          expect(coverage!.otherOutlets.map((a) => a.url)).toEqual(others);
          expect(coverage!.otherOutlets.map((a) => a.outlet)).toEqual(others.map((other) => outlets[other]));
          expect(coverage!.otherOutletCount).toBe(2);
          expect(coverage!.sameOutlet).toEqual([]);
          expect(coverage!.firstReportUrl).toBe(CNET);
        });
      }
    });
  }

  it('returns display fields only, not the keys', () => {
    const coverage = REAL_INDEX.coverage([FORBES])!;
    for (const shown of [coverage.article, ...coverage.otherOutlets]) {
      expect(Object.keys(shown).sort()).toEqual(['excerpt', 'outlet', 'outletDomain', 'publishedAt', 'title', 'url']);
    }
  });

  it('uses the first address the index knows, in the order given', () => {
    expect(REAL_INDEX.coverage(['https://unknown.example.com/x', FORBES, CNET])!.article.url).toBe(FORBES);
    expect(REAL_INDEX.coverage([DCK, CNET])!.article.url).toBe(DCK);
    expect(REAL_INDEX.coverage([])).toBeNull();
  });

  const misses = [
    'https://www.cnet.com/',
    'https://www.cnet.com/news/',
    'https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/comments/',
    'https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-a',
    'https://cnet.org/news/microsoft-builds-massive-supercomputer-for-smarter-ai/',
    'ftp://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/',
    'javascript:location="https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/"',
    'file:///news/microsoft-builds-massive-supercomputer-for-smarter-ai/',
    'about:blank',
    'chrome://extensions',
    'www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/',
    'not a url at all',
    '',
    `${CNET}?${'x'.repeat(2100)}`,
  ];
  for (const miss of misses) {
    it(`finds nothing for ${JSON.stringify(miss.slice(0, 90))}`, () => {
      expect(REAL_INDEX.coverage([miss])).toBeNull();
    });
  }

  it('matches an address indexed without a query whatever query the visit adds', () => {
    expect(REAL_INDEX.coverage([`${CNET}?page=2`])?.article.url).toBe(CNET);
    expect(REAL_INDEX.coverage([`${FORBES}?id=2&utm_source=x`])?.article.url).toBe(FORBES);
  });

  it('matches an address indexed with a query only with that query', () => {
    const story: Story = { articles: [art('https://news.example.com/article.php?id=7', 'Example', 1), art('https://other.example.org/a', 'Other', 2)] };
    const index = CoverageIndex.decode(encodeIndex([story]));
    expect(index.coverage(['https://news.example.com/article.php?utm_source=x&id=7'])?.article.url).toBe('https://news.example.com/article.php?id=7');
    expect(index.coverage(['https://news.example.com/article.php'])).toBeNull();
    expect(index.coverage(['https://news.example.com/article.php?id=8'])).toBeNull();
  });
});

describe('coverage of a story with several articles per outlet', () => {
  const t = (hours: number): number => Date.UTC(2024, 2, 2, hours);
  const cnnWorld = art('https://edition.cnn.com/2024/03/02/world/outage', 'CNN', t(8));
  const cnnFollowUp = art('https://www.cnn.com/2024/03/02/world/outage-update', 'CNN', t(18));
  const bbcFirst = art('https://www.bbc.co.uk/news/world-1', 'BBC News', t(6));
  const bbcSecond = art('https://www.bbc.co.uk/news/world-2', 'BBC News', t(12));
  const reuters = art('https://www.reuters.com/world/outage', 'Reuters', t(10));
  const story: Story = { articles: [bbcFirst, cnnWorld, reuters, bbcSecond, cnnFollowUp] };
  const index = CoverageIndex.decode(encodeIndex([story]));

  it('lists the reader’s own outlet apart and does not count it', () => {
    const coverage = index.coverage([cnnWorld.url])!;
    expect(coverage.sameOutlet.map((a) => a.url)).toEqual([cnnFollowUp.url]);
    expect(coverage.otherOutlets.map((a) => a.url)).toEqual([bbcFirst.url, reuters.url, bbcSecond.url]);
    expect(coverage.otherOutletCount).toBe(2);
  });

  it('treats subdomains of one registrable domain as the same outlet', () => {
    const coverage = index.coverage([cnnFollowUp.url])!;
    expect(coverage.article.outletDomain).toBe('cnn.com');
    expect(coverage.sameOutlet.map((a) => a.url)).toEqual([cnnWorld.url]);
  });

  it('counts distinct other outlets, not other articles', () => {
    const coverage = index.coverage([reuters.url])!;
    expect(coverage.otherOutlets).toHaveLength(4);
    expect(coverage.otherOutletCount).toBe(2);
    expect(coverage.sameOutlet).toEqual([]);
  });

  it('names the earliest report of the story', () => {
    for (const article of story.articles) expect(index.coverage([article.url])!.firstReportUrl).toBe(bbcFirst.url);
  });

  it('has no first report when the earliest article is undated', () => {
    const undated: Story = { articles: [art('https://a.example.com/1', 'A', null), art('https://b.example.org/1', 'B', null)] };
    const coverage = CoverageIndex.decode(encodeIndex([undated])).coverage(['https://b.example.org/1'])!;
    expect(coverage.firstReportUrl).toBeNull();
    expect(coverage.otherOutlets.map((a) => a.url)).toEqual(['https://a.example.com/1']);
  });

  it('keeps stories apart', () => {
    const other: Story = { articles: [art('https://a.example.com/other', 'A', t(1)), art('https://b.example.org/other', 'B', t(2))] };
    const both = CoverageIndex.decode(encodeIndex([story, other]));
    expect(both.coverage(['https://b.example.org/other'])!.otherOutlets.map((a) => a.url)).toEqual(['https://a.example.com/other']);
    expect(both.coverage([reuters.url])!.otherOutlets).toHaveLength(4);
  });

  it('gives a key claimed by two articles to the first one', () => {
    const first = art('https://a.example.com/1', 'A', t(1), ['shared.example.org/x']);
    const second = art('https://b.example.com/1', 'B', t(2), ['shared.example.org/x']);
    const index2 = CoverageIndex.decode(encodeIndex([{ articles: [first] }, { articles: [second] }]));
    expect(index2.header.keyCount).toBe(3);
    expect(index2.coverage(['https://shared.example.org/x'])!.article.url).toBe(first.url);
  });
});

describe('lookups agree with a plain map (property)', () => {
  const label = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
  const host = fc
    .tuple(fc.constantFrom('', 'www.', 'news.', 'edition.'), label, fc.constantFrom('com', 'org', 'co.uk', 'de', 'news'))
    .map(([sub, name, tld]) => `${sub}${name}.${tld}`);
  const path = fc.array(fc.stringMatching(/^[a-z0-9-]{1,10}$/), { minLength: 1, maxLength: 4 }).map((segments) => `/${segments.join('/')}`);
  const query = fc.option(fc.constantFrom('?id=1', '?p=42', '?story=a&section=b'), { nil: '' });
  const address = fc.tuple(host, path, query).map(([h, p, q]) => `https://${h}${p}${q}`);
  /** Stories of articles of addresses; repeated keys are dropped so that each key has one owner. */
  const corpus = fc.array(fc.array(fc.array(address, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 15 });

  function build(raw: string[][][]): { stories: Story[]; owner: Map<string, number> } {
    const owner = new Map<string, number>();
    const stories: Story[] = [];
    for (const rawStory of raw) {
      const articles: Article[] = [];
      for (const [i, urls] of rawStory.entries()) {
        const fresh = urls.filter((url) => !owner.has(canonicalise(url)!.key));
        const keys = [...new Set(fresh.map((url) => canonicalise(url)!.key))];
        if (keys.length === 0) continue;
        for (const key of keys) owner.set(key, stories.length);
        articles.push({ ...art(fresh[0]!, `Outlet ${i}`, i % 3 === 0 ? null : Date.UTC(2024, 0, 1 + i)), keys: keys.sort() });
      }
      if (articles.length > 0) stories.push({ articles });
    }
    return { stories, owner };
  }

  it('every indexed key finds an article of the story that owns it', () => {
    fc.assert(
      fc.property(corpus, (raw) => {
        const { stories, owner } = build(raw);
        const index = CoverageIndex.decode(encodeIndex(stories));
        expect(index.header.keyCount).toBe(owner.size);
        for (const [key, storyId] of owner) {
          const id = index.findArticle(key);
          expect(id, key).not.toBe(-1);
          expect(index.article(id).keys).toContain(key);
          const urls = index.storyArticles(id).map((other) => index.article(other).url);
          expect(urls).toEqual(stories[storyId]!.articles.map((a) => a.url));
          const coverage = index.coverage([`https://${key}`])!;
          expect(coverage.article.url).toBe(index.article(id).url);
          expect(coverage.otherOutlets.length + coverage.sameOutlet.length).toBe(urls.length - 1);
        }
      }),
      { numRuns: 150 },
    );
  }, 60_000); // fast-check over many random corpora: seconds on a loaded 2-core machine

  it('keys that were never indexed find nothing', () => {
    fc.assert(
      fc.property(corpus, fc.array(address, { minLength: 1, maxLength: 20 }), (raw, probes) => {
        const { stories, owner } = build(raw);
        const index = CoverageIndex.decode(encodeIndex(stories));
        for (const probe of probes) {
          const keys = [canonicalise(probe)!.key, canonicalise(probe)!.pathKey];
          if (keys.some((key) => owner.has(key))) continue;
          expect(index.findArticle(keys[0]!), probe).toBe(-1);
          expect(index.coverage([probe]), probe).toBeNull();
        }
      }),
      { numRuns: 150 },
    );
  });
});
