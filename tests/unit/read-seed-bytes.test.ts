/**
 * readSeedBytes (src/build/read-seeds.ts) reads a seed file's bytes without decoding them whole
 * when it can (issue 4); whatever the bytes, its answer must be readSeedText's for their UTF-8
 * text: the same seed, or the same problems at the same lines.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../src/build/generate-corpus';
import { readSeedBytes, readSeedText } from '../../src/build/read-seeds';
import { SEED_LIMITS } from '../../src/core/seed/limits';

const REAL_SEED = readFileSync(new URL('../../seeds/000_e29929052b0126c7.txt', import.meta.url));
const GENERATED = [...generateCorpus({ stories: 40, seed: 7 })].map((file) => Buffer.from(file.text));

function expectSameAsText(bytes: Buffer): void {
  expect(readSeedBytes(bytes)).toEqual(readSeedText(bytes.toString('utf8')));
}

function withText(text: string): Buffer {
  return Buffer.from(text);
}

describe('readSeedBytes', () => {
  it('reads real and generated seeds as readSeedText does', () => {
    expect(readSeedBytes(REAL_SEED).seed).not.toBeNull();
    for (const bytes of [REAL_SEED, ...GENERATED]) expectSameAsText(bytes);
  });

  it('gives the same problems, at the same lines, for broken and unusual files', () => {
    const real = REAL_SEED.toString('utf8');
    const cases = [
      real.replace('\ntitle:', '\ntitle: ""\nold_title:'),
      real.replace('\nwebUrl:', '\nwebUrl: "ftp://x"\nold_webUrl:'),
      real.replace('\n  name:', '\n   name:'),
      real.replace('\ntype: article', '\ntype: article\ntype: other'),
      real.replace('\ntitle: "', '\ntitle: "\\q'),
      real.replace('\ntitle: "', '\ntitle: "“Quoted” 東京 😀 '),
      real.replaceAll('\n', '\r\n'),
      `\uFEFF${real}`,
      real.replace(/^---\n/, '---yaml\n'),
      real.replace(/^---\n/, '---js\n'),
      real.replace(/\n---\n?$/, '\n'),
      `${real}\nbody text\u0000`,
      `${real}\nbody “text” after the front matter`,
      real.replace('\ntitle: "', '\ntitle: "\t'),
      '',
      '---',
      '---\n---\n',
      '---\ntitle: T\nwebUrl: https://ok.example/a\n---',
      '---\n- a\n- b\n---\n',
    ];
    for (const text of cases) expectSameAsText(withText(text));
  });

  it('reads broken UTF-8 as the text it decodes to', () => {
    const real = REAL_SEED.toString('utf8');
    const title = real.indexOf('\ntitle: "') + 9;
    for (const broken of [[0xe2, 0x80], [0xc3], [0xed, 0xa0, 0x80], [0xff], [0xf0, 0x9f, 0x98, 0x0a]]) {
      expectSameAsText(Buffer.concat([Buffer.from(real.slice(0, title)), Buffer.from(broken), Buffer.from(real.slice(title))]));
    }
  });

  it('leaves files near the size limit to readSeedText, which measures them decoded', () => {
    // 200 broken bytes are 200 U+FFFD, 600 bytes once decoded: a file under the limit as bytes is over it as text.
    const real = REAL_SEED.toString('utf8');
    const padding = SEED_LIMITS.fileBytes - REAL_SEED.length - 200;
    const bytes = Buffer.concat([REAL_SEED, Buffer.from(`\n${'x'.repeat(padding - 1)}`), Buffer.alloc(200, 0xff)]);
    expect(bytes.length).toBeLessThanOrEqual(SEED_LIMITS.fileBytes);
    expect(readSeedBytes(bytes).problems[0]?.message).toMatch(/limit/);
    expectSameAsText(bytes);
    expectSameAsText(Buffer.from(`${real}\n${'é'.repeat(SEED_LIMITS.fileBytes / 6)}`));
  });

  it('agrees with readSeedText on seeds with bytes spliced in', { timeout: 30_000 }, () => {
    const seeds = [REAL_SEED, ...GENERATED.slice(0, 10)];
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 3 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }).map((text) => new Uint8Array(Buffer.from(text))))), { minLength: 1, maxLength: 3 }),
        (seed, insertions) => {
          let bytes = seed;
          for (const [at, inserted] of insertions) {
            const position = at % (bytes.length + 1);
            bytes = Buffer.concat([bytes.subarray(0, position), inserted, bytes.subarray(position)]);
          }
          expectSameAsText(bytes);
        },
      ),
      { numRuns: 500 },
    );
  });
});
