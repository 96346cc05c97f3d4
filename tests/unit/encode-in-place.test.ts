import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bufferUtf8Writer } from '../../src/build/build-index';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { assembleIndex, encodeIndex, encodeParts } from '../../src/core/index/encode';
import type { Article, Story } from '../../src/core/story/types';

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  // Long enough for a native writer, lone surrogates included.
  fc.string({ unit: 'binary', minLength: 30, maxLength: 80 }),
  // ASCII past 127 characters: a two-byte length prefix.
  fc.string({ minLength: 120, maxLength: 300 }),
  // Three UTF-8 bytes per unit: more than encodeIndex's first guess of the records' size.
  fc.string({ unit: fc.constantFrom('中', '文', '字'), minLength: 50, maxLength: 200 }),
);

/** Articles whose keys come from a small set, so that unclustered stories share keys. */
const articleArb: fc.Arbitrary<Article> = fc.record({
  url: fc.constantFrom('https://www.example.com/a', 'http://news.example.org/b?x=1', 'https://例え.jp/記事'),
  title: text,
  excerpt: text,
  outlet: text,
  outletDomain: fc.constantFrom('example.com', 'example.org'),
  publishedAt: fc.option(fc.integer({ min: 0, max: 2e12 })),
  keys: fc.uniqueArray(fc.constantFrom('example.com/a', 'example.com/amp/a', 'news.example.org/b?x=1', 'xn--r8jz45g.jp/x'), { minLength: 1, maxLength: 3 }),
});

const storiesArb: fc.Arbitrary<Story[]> = fc.array(fc.record({ articles: fc.array(articleArb, { minLength: 1, maxLength: 4 }) }), { maxLength: 12 });

describe('encodeIndex', () => {
  it('writes records where the index holds them, giving the bytes of parts assembled apart', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(storiesArb, (stories) => {
        const bytes = encodeIndex(stories);
        expect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(Buffer.from(assembleIndex(encodeParts(stories))))).toBe(true);
        const index = CoverageIndex.decode(bytes);
        const decode = (value: string): string => new TextDecoder().decode(new TextEncoder().encode(value));
        stories.flatMap((story) => story.articles).forEach((article, id) => {
          expect(index.article(id)).toMatchObject({ title: decode(article.title), excerpt: decode(article.excerpt), outlet: decode(article.outlet), url: article.url });
        });
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same bytes when the stories it samples for its first size are far smaller than the rest', () => {
    // Past 8,192 stories the first size comes from evenly spaced stories (every second one here),
    // which are tiny: the writer must grow, in place in the index as in parts.
    const stories: Story[] = Array.from({ length: 20_000 }, (_, i) => ({
      articles: [{ url: `https://example.com/${i}`, title: i % 2 ? `${'t€'.repeat(500)}${i}` : 'x', excerpt: '', outlet: 'o', outletDomain: 'example.com', publishedAt: i, keys: [`example.com/${i}`] }],
    }));
    const bytes = encodeIndex(stories);
    expect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(Buffer.from(assembleIndex(encodeParts(stories))))).toBe(true);
    const index = CoverageIndex.decode(bytes);
    expect(index.article(19_999).title).toBe(`${'t€'.repeat(500)}19999`);
    expect(index.findArticle('example.com/12345')).toBe(12_345);
  });

  it('lays a large index out in a SharedArrayBuffer, with the bytes of parts assembled apart', () => {
    // 20 MB of excerpt: past the size where V8 would collect the whole heap for an ArrayBuffer.
    const excerpt = 'e'.repeat(20 << 20);
    const stories: Story[] = [{ articles: [{ url: 'https://example.com/big', title: 'Big', excerpt, outlet: 'o', outletDomain: 'example.com', publishedAt: 1, keys: ['example.com/big'] }] }];
    const bytes = encodeIndex(stories);
    expect(bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(Buffer.from(assembleIndex(encodeParts(stories))))).toBe(true);
    expect(CoverageIndex.decode(bytes).article(0)).toMatchObject({ title: 'Big', excerpt });
    // Small indexes keep a plain ArrayBuffer.
    expect(encodeIndex([{ articles: [{ ...stories[0]!.articles[0]!, excerpt: '' }] }]).buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('shows its key visitor every key it writes, in order', () => {
    const stories: Story[] = [
      { articles: [{ url: 'https://a.example/1', title: 'One', excerpt: '', outlet: 'A', outletDomain: 'a.example', publishedAt: 1, keys: ['a.example/1', 'a.example/1?amp'] }] },
      { articles: [{ url: 'https://b.example/2', title: 'Two', excerpt: '', outlet: 'B', outletDomain: 'b.example', publishedAt: 2, keys: ['b.example/2'] }] },
    ];
    const seen: string[] = [];
    encodeIndex(stories, (key) => seen.push(key));
    expect(seen).toEqual(['a.example/1', 'a.example/1?amp', 'b.example/2']);
  });

  it('writes the same bytes with a native UTF-8 writer as with its own, lone surrogates as U+FFFD', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(storiesArb, (stories) => {
        const bytes = encodeIndex(stories, undefined, bufferUtf8Writer);
        expect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(Buffer.from(encodeIndex(stories)))).toBe(true);
      }),
      { numRuns: 150 },
    );
    const lone = `${'a'.repeat(40)}\ud800 \udc00 \ud83d\ude00 é 中`;
    const written = new Uint8Array(3 * lone.length);
    const count = bufferUtf8Writer(written)(lone, 0);
    expect(written.subarray(0, count)).toEqual(new TextEncoder().encode(lone));
  });

  it('writes the same bytes with a native UTF-8 writer when the records outgrow their first buffer', () => {
    // As in the test of a small first size above: the writer must follow the records into the grown buffer.
    const stories: Story[] = Array.from({ length: 20_000 }, (_, i) => ({
      articles: [{ url: `https://example.com/${i}`, title: i % 2 ? `${'t€'.repeat(500)}${i}` : 'x', excerpt: '', outlet: 'o', outletDomain: 'example.com', publishedAt: i, keys: [`example.com/${i}`] }],
    }));
    const bytes = encodeIndex(stories, undefined, bufferUtf8Writer);
    expect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(Buffer.from(encodeIndex(stories)))).toBe(true);
  });
});
