import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

describe('records streamed while a cold build reads', () => {
  const valid = (title: string): string => JSON.stringify({ a: [['https://example.com/a', title, '', null, null, 'example.com', ['example.com/a']]] });
  const invalid = JSON.stringify({ p: [[1, 'has no front matter: the first line must be ---']] });
  const [h1, h2, h3] = ['1', '2', '3'].map((digit) => digit.repeat(40)) as [string, string, string];

  it('are put in place by save, with the records remembered only afterwards, and read back', () => {
    const cacheDir = join(dir, 'streamed');
    const cache = SeedCache.load(cacheDir, 'k');
    cache.streamRecords([[h1, valid('One')], [h2, invalid]]);
    // The same content twice (two files alike) is written once.
    cache.streamRecords([[h1, valid('One')]]);
    expect(readdirSync(cacheDir).some((name) => name.endsWith('.tmp'))).toBe(true);
    cache.remember('/seeds/one.md', 10, 1000, h1, valid('One'));
    cache.remember('/seeds/two.md', 10, 1000, h2, invalid);
    // Not streamed (a file parsed again on this thread): save appends it to the streamed file.
    cache.remember('/seeds/three.md', 10, 1000, h3, valid('Three'));
    cache.save(['/seeds/one.md', '/seeds/two.md', '/seeds/three.md']);
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const again = SeedCache.load(cacheDir, 'k');
    expect(again.fileCount).toBe(3);
    expect(again.record(h1)).toBe(valid('One'));
    expect(again.record(h2)).toBe(invalid);
    expect(again.record(h3)).toBe(valid('Three'));
    expect([again.validity(h1), again.validity(h2), again.validity(h3)]).toEqual([true, false, true]);
  });

  it('are known to the cache while it streams, so that callers need not keep their text', () => {
    const cacheDir = join(dir, 'streamed-dropped');
    const cache = SeedCache.load(cacheDir, 'k');
    cache.streamRecords([[h1, valid('Ünïcode “One”')], [h2, invalid]]);
    expect([cache.isStreamed(h1), cache.isStreamed(h2), cache.isStreamed(h3)]).toEqual([true, true, false]);
    expect([cache.has(h1), cache.validity(h1), cache.validity(h2), cache.validity(h3)]).toEqual([true, true, false, undefined]);
    // Read back from the file being streamed: the offsets count UTF-8 bytes.
    expect(cache.record(h1)).toBe(valid('Ünïcode “One”'));
    // Remembered without their text, as parallel-read.ts does once a record is parsed.
    cache.remember('/seeds/one.md', 10, 1000, h1, null);
    cache.remember('/seeds/two.md', 10, 1000, h2, null);
    cache.save(['/seeds/one.md', '/seeds/two.md']);
    const again = SeedCache.load(cacheDir, 'k');
    expect(again.fileCount).toBe(2);
    expect([again.record(h1), again.record(h2)]).toEqual([valid('Ünïcode “One”'), invalid]);
  });

  it('keep their offsets when a batch outgrows the memory it is encoded in', () => {
    const cacheDir = join(dir, 'large-batch');
    const cache = SeedCache.load(cacheDir, 'k');
    // ~0.9 MB of three-byte characters each: past the stream's 2 MB scratch, and a new chunk each.
    const large = [h1, h2, h3].map((hash, i) => [hash, valid(`${i}${'中'.repeat(300_000)}`)] as const);
    cache.streamRecords(large);
    cache.streamRecords([['4'.repeat(40), valid('After')]]);
    for (const [hash] of large) cache.remember(`/seeds/${hash}.md`, 10, 1000, hash, null);
    cache.remember('/seeds/after.md', 10, 1000, '4'.repeat(40), null);
    cache.save([...large.map(([hash]) => `/seeds/${hash}.md`), '/seeds/after.md']);
    const again = SeedCache.load(cacheDir, 'k');
    for (const [hash, record] of large) expect(again.record(hash) === record).toBe(true);
    expect(again.record('4'.repeat(40))).toBe(valid('After'));
  });

  it('are left to save when the cache has records already, and discarded when the build stops early', () => {
    const cacheDir = join(dir, 'not-streamed');
    const first = SeedCache.load(cacheDir, 'k');
    first.remember('/seeds/one.md', 10, 1000, h1, valid('One'));
    first.save(['/seeds/one.md']);
    const second = SeedCache.load(cacheDir, 'k');
    second.streamRecords([[h2, valid('Two')]]);
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const stopped = SeedCache.load(join(dir, 'stopped'), 'k');
    stopped.streamRecords([[h1, valid('One')]]);
    stopped.discardStream();
    expect(readdirSync(join(dir, 'stopped'))).toEqual([]);
  });

  it('removes the files of builds that were killed, and not those of running ones', () => {
    const cacheDir = join(dir, 'killed');
    mkdirSync(cacheDir);
    // Above Linux's largest process id (2^22): no such process runs.
    const killed = 'seed-records.jsonl.99999999.tmp';
    const running = `seed-records.jsonl.${process.ppid}.tmp`;
    for (const name of [killed, running, 'seed-records.jsonl.tmp']) writeFileSync(join(cacheDir, name), 'x');
    const cache = SeedCache.load(cacheDir, 'k');
    cache.streamRecords([[h1, valid('One')]]);
    const left = readdirSync(cacheDir);
    cache.discardStream();
    expect(left).not.toContain(killed);
    expect(left).toEqual(expect.arrayContaining([running, 'seed-records.jsonl.tmp', `seed-records.jsonl.${process.pid}.tmp`]));
  });
});
