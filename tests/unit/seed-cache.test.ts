import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SeedCache } from '../../src/build/seed-cache';

const dir = mkdtempSync(join(tmpdir(), 'elsewhere-seed-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the seed cache manifest', () => {
  it('reads well-formed lines and skips malformed ones', () => {
    const hash = 'a'.repeat(40);
    const lines = [
      JSON.stringify({ key: 'k', writtenAt: 1e13, recordLines: 1 }),
      `F\t/seeds/good.md\t10\t1000.5\t${hash}`,
      `F\t/seeds/extra-field.md\t10\t1000\t${hash}\tmore`,
      `F\t/seeds/short.md\t10\t${hash}`,
      `Fx\t/seeds/bad-kind.md\t10\t1000\t${hash}`,
      `R\t${hash}\t0\t12\t1`,
      `F\t/seeds/torn.md\t10`,
    ];
    writeFileSync(join(dir, 'seed-manifest.tsv'), lines.join('\n'));
    const cache = SeedCache.load(dir, 'k');
    expect(cache.fileCount).toBe(1);
    expect(cache.has(hash)).toBe(true);
    expect(cache.validity(hash)).toBe(true);
    expect(cache.trustedHash('/seeds/good.md', 10, 1000.5)).toBe(hash);
    expect(cache.trustedHash('/seeds/good.md', 11, 1000.5)).toBeNull();
    expect(cache.trustedHash('/seeds/extra-field.md', 10, 1000)).toBeNull();
  });

  it('ignores a manifest written under another key', () => {
    writeFileSync(join(dir, 'seed-manifest.tsv'), `${JSON.stringify({ key: 'other', writtenAt: 1, recordLines: 0 })}\nF\t/x.md\t1\t1\t${'b'.repeat(40)}\n`);
    expect(SeedCache.load(dir, 'k').fileCount).toBe(0);
  });
});
