import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { assembleIndex, encodeIndex, encodeParts } from '../../src/core/index/encode';
import { HEADER_WORDS, STORIES_PER_SHARD, keyReferenceStart } from '../../src/core/index/format';
import { checksum, hashKey } from '../../src/core/index/hash';
import { readParts } from '../../src/core/index/splice';
import type { Article, Story } from '../../src/core/story/types';

function article(url: string, fields: Partial<Article> = {}): Article {
  return { url, title: 't', excerpt: '', outlet: 'o', outletDomain: 'example.com', publishedAt: null, keys: [url.replace(/^https?:\/\/(www\.)?/, '')], ...fields };
}

describe('index format', () => {
  // 300 runs take 2–7 s on a loaded 2-core machine: past vitest's default 5 s at times.
  it('stores any text, as TextEncoder would (lone surrogates become U+FFFD)', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), (title, excerpt) => {
        const index = CoverageIndex.decode(encodeIndex([{ articles: [article('https://www.example.com/a', { title, excerpt, outlet: title })] }]));
        const expected = (text: string): string => new TextDecoder().decode(new TextEncoder().encode(text));
        expect(index.article(0)).toMatchObject({ title: expected(title), excerpt, outlet: expected(title) });
      }),
      { numRuns: 300 },
    );
  });

  it('writes the very bytes TextEncoder writes for any text: pairs, lone halves at either end, 1 to 4 byte characters', { timeout: 30_000 }, () => {
    const encoder = new TextEncoder();
    const unit = fc.constantFrom('a', '\x7f', '\x80', 'é', '\u07ff', '\u0800', '€', '\uffff', '😀', '\ud800', '\udbff', '\udc00', '\udfff');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 30 }).map((units) => units.join('')), (title) => {
        const bytes = encodeIndex([{ articles: [article('https://example.com/a', { title, outlet: '', outletDomain: '', keys: ['example.com/a'] })] }]);
        const encoded = encoder.encode(title);
        // The record ends with the title's length (one byte: at most 120 bytes here), its bytes, then three empty texts.
        expect([...bytes.subarray(bytes.length - encoded.length - 4)]).toEqual([encoded.length, ...encoded, 0, 0, 0]);
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

  it('sums bytes the same wherever they start in their buffer, to the buffer\'s last byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.nat(), fc.nat(), (data, startSeed, lengthSeed) => {
        const start = data.length === 0 ? 0 : startSeed % data.length;
        const length = (lengthSeed % (data.length - start + 1));
        const view = data.subarray(start, start + length);
        expect(checksum(view)).toBe(checksum(new Uint8Array(view)));
      }),
      { numRuns: 2000 },
    );
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

  it('lays each key out as one 12-byte slot (hi, lo, article), sorted by hash, and reads it back into columns', () => {
    const stories: Story[] = Array.from({ length: 40 }, (_unused, s) => ({ articles: [article(`https://example.com/${s}`, { keys: [`example.com/${s}`, `example.com/${s}/amp`] })] }));
    const bytes = encodeIndex(stories);
    const index = CoverageIndex.decode(bytes);
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + HEADER_WORDS * 4, 3 * index.header.keyCount);
    const parts = readParts(bytes);
    for (let slot = 0; slot < index.header.keyCount; slot++) {
      const [hi, lo, articleId] = [words[3 * slot]!, words[3 * slot + 1]!, words[3 * slot + 2]!];
      expect([parts.keyHi[slot], parts.keyLo[slot], parts.keyArticle[slot]]).toEqual([hi, lo, articleId]);
      if (slot > 0) expect(hi > words[3 * slot - 3]! || (hi === words[3 * slot - 3]! && lo > words[3 * slot - 2]!)).toBe(true);
      const key = index.article(articleId).keys.find((candidate) => hashKey(candidate)[0] === hi && hashKey(candidate)[1] === lo);
      expect(key).toBeDefined();
    }
    expect(assembleIndex(parts)).toEqual(bytes);
  });

  it('finds what a Map of the same keys finds, for random keys and misses, at sizes with one bucket and with many', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,12}$/), { minLength: 1, maxLength: 3000 }), fc.array(fc.stringMatching(/^[a-z0-9]{1,12}$/), { maxLength: 200 }), (names, probes) => {
        // Two keys per article, stories of up to three articles: the shapes a real index has.
        const reference = new Map<string, number>();
        const stories: Story[] = [];
        for (let i = 0, articleId = 0; i < names.length; articleId++) {
          const keys = names.slice(i, i + 2).map((name) => `example.com/${name}`);
          i += keys.length;
          for (const key of keys) reference.set(key, articleId);
          const articleOf = article(`https://example.com/${articleId}`, { keys });
          if (articleId % 3 === 0) stories.push({ articles: [articleOf] });
          else stories[stories.length - 1]!.articles.push(articleOf);
        }
        const index = CoverageIndex.decode(encodeIndex(stories));
        for (const key of reference.keys()) expect(index.findArticle(key)).toBe(reference.get(key));
        for (const probe of probes) expect(index.findArticle(`example.com/${probe}`)).toBe(reference.get(`example.com/${probe}`) ?? -1);
        for (const probe of probes) expect(index.findArticle(`other.org/${probe}`)).toBe(-1);
      }),
      { numRuns: 40 },
    );
  });

  it('confirms each of several slots with one hash against the records, in slot order', () => {
    // Two articles whose keys' slots carry the same 64-bit hash (a collision, forced by hand):
    // a lookup must try the first article's record, find no such key there, and go on to the next.
    const parts = encodeParts([{ articles: [article('https://example.com/a', { keys: ['example.com/a'] }), article('https://example.com/b', { keys: ['example.com/b'] })] }]);
    const [hi, lo] = hashKey('example.com/b');
    const bytes = assembleIndex({ ...parts, keyHi: Uint32Array.of(hi, hi), keyLo: Uint32Array.of(lo, lo), keyArticle: Uint32Array.of(0, 1) });
    const index = CoverageIndex.decode(bytes);
    expect(index.findArticle('example.com/b')).toBe(1);
    expect(index.findArticle('example.com/a')).toBe(-1);
  });

  it('verifies every byte after the header in a full decode: the head, then each shard (format 4 has no checksum of the whole)', () => {
    const stories: Story[] = Array.from({ length: STORIES_PER_SHARD * 2 + 3 }, (_unused, s) => ({ articles: [article(`https://example.com/${s}`, { title: `T${s}`, publishedAt: s })] }));
    const bytes = encodeIndex(stories);
    expect(new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_WORDS)[6]).toBe(0);
    expect(CoverageIndex.decode(bytes).header.storyCount).toBe(stories.length);
    fc.assert(
      fc.property(fc.integer({ min: HEADER_WORDS * 4, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const damaged = new Uint8Array(bytes);
        damaged[at]! ^= flip;
        expect(() => CoverageIndex.decode(damaged)).toThrow(/checksum|size/);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an index whose records start after the shard sums or end before the details do: bytes no shard would cover', () => {
    const stories: Story[] = Array.from({ length: 3 }, (_unused, s) => ({ articles: [article(`https://example.com/${s}`)] }));
    const parts = encodeParts(stories);
    const shifted = { ...parts, recordStart: parts.recordStart.map((start) => start + 4), records: new Uint8Array([0, 0, 0, 0, ...parts.records]) };
    expect(() => CoverageIndex.decode(assembleIndex(shifted))).toThrow(/size does not match/);
    const padded = { ...parts, records: new Uint8Array([...parts.records, 0, 0, 0, 0]) };
    expect(() => CoverageIndex.decode(assembleIndex(padded), { verify: 'lazy' })).toThrow(/size does not match/);
    expect(CoverageIndex.decode(assembleIndex(parts)).article(2).url).toBe('https://example.com/2');
  });

  it('refuses an index whose key slots were damaged, even when only the head is verified', () => {
    const stories: Story[] = Array.from({ length: 20 }, (_unused, s) => ({ articles: [article(`https://example.com/${s}`)] }));
    const bytes = encodeIndex(stories);
    for (const word of [HEADER_WORDS, HEADER_WORDS + 1, HEADER_WORDS + 2, HEADER_WORDS + 3 * 20 - 1]) {
      const damaged = new Uint8Array(bytes);
      damaged[word * 4]! ^= 0x01;
      expect(() => CoverageIndex.decode(damaged)).toThrow(/checksum/);
      expect(() => CoverageIndex.decode(damaged, { verify: 'lazy' })).toThrow(/checksum/);
    }
  });

  it('keeps keys before the display text in a record, so a confirmed lookup reads only its start', () => {
    const title = 'T'.repeat(500);
    const bytes = encodeIndex([{ articles: [article('https://www.example.com/a', { title, keys: ['example.com/a', 'example.com/b'] })] }]);
    const index = CoverageIndex.decode(bytes);
    const text = new TextDecoder('latin1').decode(bytes);
    // 'b' is the rest of the second key (its first 12 bytes are the url's); the title comes after it.
    expect(text.lastIndexOf('b', text.indexOf('TTTT'))).toBeGreaterThan(text.indexOf('www.example.com/a'));
    expect(index.findArticle('example.com/b')).toBe(0);
    expect(index.article(0)).toMatchObject({ title, keys: ['example.com/a', 'example.com/b'] });
  });

  it('writes each text as its varint UTF-8 length then TextEncoder bytes, also when the bytes need a longer length than the characters', () => {
    const encoder = new TextEncoder();
    const varint = (value: number): number[] => (value < 0x80 ? [value] : [(value & 0x7f) | 0x80, ...varint(value >>> 7)]);
    // Around the one-, two- and three-byte length boundaries, in text of 1 to 4 UTF-8 bytes a
    // character and a lone surrogate: the encoder places the length before it knows the bytes.
    for (const unit of ['a', 'é', '€', '😀', '\ud800']) {
      for (const count of [1, 42, 43, 63, 64, 127, 128, 5461, 5462, 16383, 16384]) {
        const title = unit.repeat(count);
        const url = 'https://example.com/a';
        const bytes = encodeIndex([{ articles: [article(url, { title, outlet: '', outletDomain: '', keys: ['example.com/a'] })] }]);
        const index = CoverageIndex.decode(bytes);
        expect(index.article(0).title).toBe(new TextDecoder().decode(encoder.encode(title)));
        // The record ends with title, excerpt, outlet and outletDomain; the last three are empty here.
        const expected = [...varint(encoder.encode(title).length), ...encoder.encode(title), 0, 0, 0];
        expect([...bytes.subarray(bytes.length - expected.length)]).toEqual(expected);
      }
    }
  });
});
