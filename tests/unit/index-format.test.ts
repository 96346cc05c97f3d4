import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { encodeIndex } from '../../src/core/index/encode';
import { STORIES_PER_SHARD, keyReferenceStart } from '../../src/core/index/format';
import { checksum } from '../../src/core/index/hash';
import type { Article, Story } from '../../src/core/story/types';

function article(url: string, fields: Partial<Article> = {}): Article {
  return { url, title: 't', excerpt: '', outlet: 'o', outletDomain: 'example.com', publishedAt: null, keys: [url.replace(/^https?:\/\/(www\.)?/, '')], ...fields };
}

describe('index format v2', () => {
  it('stores any text, as TextEncoder would (lone surrogates become U+FFFD)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), (title, excerpt) => {
        const index = CoverageIndex.decode(encodeIndex([{ articles: [article('https://www.example.com/a', { title, excerpt, outlet: title })] }]));
        const expected = (text: string): string => new TextDecoder().decode(new TextEncoder().encode(text));
        expect(index.article(0)).toMatchObject({ title: expected(title), excerpt, outlet: expected(title) });
      }),
      { numRuns: 300 },
    );
  });

  it('finds keys that share nothing, part or all of the url, and never a prefix of one', () => {
    const keys = ['example.com/a', 'example.com/amp/a', 'other.org/x?id=1', 'xn--bcher-kva.de/a'];
    const index = CoverageIndex.decode(encodeIndex([{ articles: [article('https://www.example.com/a', { keys: [...keys].sort() })] }]));
    for (const key of keys) expect(index.findArticle(key)).toBe(0);
    for (const miss of ['example.com/', 'example.com/a/', 'example.com/ab', 'other.org/x?id=12', 'EXAMPLE.com/a']) expect(index.findArticle(miss)).toBe(-1);
    expect(index.article(0).keys).toEqual([...keys].sort());
  });

  it('keeps a url whose scheme part is odd or not ASCII', () => {
    expect(keyReferenceStart('https://www.example.com/a')).toBe(12);
    expect(keyReferenceStart('http://example.com/a')).toBe(7);
    expect(keyReferenceStart('no scheme here')).toBe(0);
    expect(keyReferenceStart(`é${'x'.repeat(5)}://host/path`)).toBe(0);
    const url = `${'x'.repeat(300)}://host/a`;
    const index = CoverageIndex.decode(encodeIndex([{ articles: [article(url, { keys: ['host/a'] })] }]));
    expect(index.findArticle('host/a')).toBe(0);
    expect(index.article(0).url).toBe(url);
  });

  it('checksums each shard of STORIES_PER_SHARD stories, verified lazily', () => {
    const stories: Story[] = Array.from({ length: STORIES_PER_SHARD * 3 + 1 }, (_unused, s) => ({ articles: [article(`https://example.com/${s}`, { publishedAt: s })] }));
    const bytes = encodeIndex(stories);
    const lazy = CoverageIndex.decode(bytes, { verify: 'lazy' });
    for (let id = 0; id < stories.length; id++) expect(lazy.article(id).url).toBe(stories[id]!.articles[0]!.url);
    const damaged = new Uint8Array(bytes);
    damaged[damaged.length - 2]! ^= 0x40;
    const opened = CoverageIndex.decode(damaged, { verify: 'lazy' });
    expect(opened.article(0).url).toBe('https://example.com/0');
    expect(() => opened.article(stories.length - 1)).toThrow(/shard 3/);
  });

  it('catches any one changed word in the checksum', () => {
    const bytes = new Uint8Array(64).map((_v, i) => i * 7);
    const sum = checksum(bytes);
    for (let at = 0; at < bytes.length; at++) {
      const changed = new Uint8Array(bytes);
      changed[at]! ^= 0x80;
      expect(checksum(changed)).not.toBe(sum);
    }
    expect(checksum(bytes.subarray(1, 33))).toBe(checksum(new Uint8Array(bytes.subarray(1, 33))));
  });
});
