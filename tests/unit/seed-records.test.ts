/**
 * seedRecord (src/build/seed-records.ts) is the per-file half of a build: its record must read back
 * as the straightforward parse (readSeedText, canonicaliseSeed) whatever shortcuts it takes (issue
 * 4): canonical forms replayed from validation, outlet domains remembered across files, articles
 * kept as index records.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../src/build/generate-corpus';
import { readSeedText } from '../../src/build/read-seeds';
import { readRecord, seedRecord } from '../../src/build/seed-records';
import { canonicaliseSeed, sortedDistinct } from '../../src/core/story/cluster';

const REAL_SEED = readFileSync(new URL('../../seeds/000_e29929052b0126c7.txt', import.meta.url), 'utf8');
const GENERATED = [...generateCorpus({ stories: 40, seed: 11 })].map((file) => file.text);

/**
 * What a record must read back as: the seed parsed without any shortcut, as clustering reads its
 * articles (articleOf): keys sorted and distinct, the outlet named by its domain when the seed
 * names none.
 */
function plainRead(text: string): ReturnType<typeof readRecord> {
  const result = readSeedText(text);
  if (!result.seed) return { problems: result.problems.map(({ line, message }) => ({ line, message })) };
  const { articles } = canonicaliseSeed({ source: '', document: result.seed });
  return { seed: { source: 'x', articles: articles.map((a) => ({ ...a, outletName: a.outletName ?? a.outletDomain, keys: sortedDistinct(a.keys.slice()) })) } };
}

/** The real seed with an AMP address for its main article (it has none). */
function withMainAmp(address: string): string {
  return REAL_SEED.replace(/\nwebUrl: "[^"]+"/, (line) => `${line}\nampWebUrl: "${address}"`);
}

function expectPlainRecord(text: string): void {
  expect(readRecord(seedRecord(Buffer.from(text)), 'x')).toEqual(plainRead(text));
}

describe('seedRecord', () => {
  it('writes the plain record of real and generated seeds', () => {
    for (const text of [REAL_SEED, ...GENERATED]) expectPlainRecord(text);
  });

  it('writes the plain record when addresses repeat within a seed or differ only in what canonicalising removes', () => {
    const webUrl = /\nwebUrl: "([^"]+)"/.exec(REAL_SEED)![1]!;
    const cases = [
      // The AMP address is the article's own address.
      withMainAmp(webUrl),
      // A related article repeats the main one's address, and another its AMP address with tracking added.
      REAL_SEED.replace(/\n {4}webUrl: "[^"]+"/, `\n    webUrl: "${webUrl}"`).replace(/\n {4}ampWebUrl: "[^"]+"/, `\n    ampWebUrl: "${webUrl}?utm_source=x"`),
      // Addresses in upper case, with spaces to trim: canonical forms differ from the text.
      REAL_SEED.replace(/\nwebUrl: "https:\/\/([^/"]+)/, (_whole, host: string) => `\nwebUrl: "  HTTPS://${host.toUpperCase()}`),
    ];
    for (const text of cases) {
      expect(text).not.toBe(REAL_SEED);
      expectPlainRecord(text);
    }
  });

  it('writes the problems of a seed whose address does not canonicalise', () => {
    const text = withMainAmp('mailto:x@example.com');
    expect(readRecord(seedRecord(Buffer.from(text)), 'x')).toHaveProperty('problems');
    expectPlainRecord(text);
  });

  it('gives each seed its own answers, file after file', () => {
    // The same seeds again in another order: nothing one file leaves behind changes another's record.
    for (const text of [...GENERATED].reverse()) expectPlainRecord(text);
  });
});
