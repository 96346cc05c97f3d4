import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCorpus } from '../../src/build/generate-corpus';
import { readVerifiedHead } from '../../src/build/previous-index';
import { buildIndex } from '../../src/build/build-index';
import { readSeeds } from '../../src/build/read-seeds';
import { CoverageIndex } from '../../src/core/index/coverage-index';

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-previous-index-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('readVerifiedHead', () => {
  // An index of a few hundred KB, read in chunks far smaller than it and a few shards large:
  // shards straddle chunk ends, and most start at an offset that is not 4-byte aligned.
  const seeds = join(scratch, 'seeds');
  writeCorpus(seeds, { stories: 200, seed: 11 });
  const bytes = buildIndex(readSeeds(seeds).seeds).bytes;
  const path = join(scratch, 'index.bin');
  writeFileSync(path, bytes);
  const headLength = CoverageIndex.headLength(CoverageIndex.decodeHeader(bytes));

  it('returns the head of a whole index, whatever the chunk size', () => {
    expect(bytes.length - headLength).toBeGreaterThan(16 * 4096);
    for (const chunk of [4096, 16_387, 32_768, 40_000, 1 << 20]) {
      const head = readVerifiedHead(path, chunk);
      expect(head && Buffer.from(head).equals(Buffer.from(bytes.subarray(0, headLength)))).toBe(true);
    }
  });

  it('refuses an index with any shard damaged, or cut short', () => {
    for (const at of [headLength + 1, Math.floor((headLength + bytes.length) / 2), bytes.length - 1]) {
      const damaged = new Uint8Array(bytes);
      damaged[at]! ^= 0x40;
      writeFileSync(join(scratch, 'damaged.bin'), damaged);
      for (const chunk of [4096, 32_768, 1 << 20]) expect(readVerifiedHead(join(scratch, 'damaged.bin'), chunk)).toBeNull();
    }
    writeFileSync(join(scratch, 'short.bin'), readFileSync(path).subarray(0, bytes.length - 10));
    expect(readVerifiedHead(join(scratch, 'short.bin'))).toBeNull();
    expect(readVerifiedHead(join(scratch, 'missing.bin'))).toBeNull();
  });
});
