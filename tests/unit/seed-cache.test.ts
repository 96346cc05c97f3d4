import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SeedCache } from '../../src/build/seed-cache';
import { articlesRecord, type ValidRecord } from '../../src/build/seed-records';

/** A valid seed's record: one article titled `title`. */
function validRecord(title: string): ValidRecord {
  return articlesRecord([{ url: 'https://example.com/a', title, excerpt: '', outletName: null, publishedAt: null, outletDomain: 'example.com', keys: ['example.com/a'] }]);
}

const dir = mkdtempSync(join(tmpdir(), 'elsewhere-seed-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the seed cache manifest', () => {
  const valid = validRecord('A');
  const invalid = JSON.stringify({ p: [[1, 'has no front matter: the first line must be ---']] });
  const [h1, h2, h3] = ['a', 'b', 'c'].map((digit) => digit.repeat(40)) as [string, string, string];
  // Long past: trusted (a time within 2 s of the manifest's writing would not be).
  const old = 1e12;

  /** A cache in `name` that knows three files, one of them (two.md) invalid and one with a tab and non-ASCII in its name. */
  function written(name: string): { cacheDir: string; paths: string[] } {
    const cacheDir = join(dir, name);
    const paths = ['/seeds/one.md', '/seeds/t\twö “two”.md', '/seeds/three.md'];
    const cache = SeedCache.load(cacheDir, 'k');
    cache.list(paths);
    [h1, h2, h3].forEach((hash, file) => cache.remember(file, 10 + file, old + file + 0.5, hash, hash === h2 ? invalid : valid));
    cache.save();
    return { cacheDir, paths };
  }

  it('reads back what it wrote, trusting a file only at its size and time', () => {
    const { cacheDir, paths } = written('round-trip');
    const cache = SeedCache.load(cacheDir, 'k');
    expect(cache.fileCount).toBe(3);
    cache.list(paths);
    expect([0, 1, 2].map((file) => cache.trustedHash(file, 10 + file, old + file + 0.5))).toEqual([h1, h2, h3]);
    expect([cache.fileValidity(0, h1), cache.fileValidity(1, h2), cache.has(h3), cache.has('d'.repeat(40))]).toEqual([true, false, true, false]);
    expect([cache.record(h1), cache.record(h2)]).toEqual([valid, invalid]);

    const other = SeedCache.load(cacheDir, 'k');
    other.list(paths);
    expect(other.trustedHash(0, 11, old + 0.5)).toBeNull();
    expect(other.trustedHash(2, 12, old + 2)).toBeNull();
  });

  it('writes a rebuild with the same files over the rows it changed, and reads every row back', () => {
    const { cacheDir, paths } = written('same-files');
    const cache = SeedCache.load(cacheDir, 'k');
    cache.list(paths);
    [0, 2].forEach((file) => expect(cache.trustedHash(file, 10 + file, old + file + 0.5)).not.toBeNull());
    // The middle file edited: a new size, time, hash and (valid) record.
    cache.remember(1, 99, old + 7, 'd'.repeat(40), valid);
    cache.save();
    const again = SeedCache.load(cacheDir, 'k');
    again.list(paths);
    expect(again.trustedHash(1, 11, old + 1.5)).toBeNull();
    expect([0, 1, 2].map((file) => again.trustedHash(file, [10, 99, 12][file]!, [old + 0.5, old + 7, old + 2.5][file]!))).toEqual([h1, 'd'.repeat(40), h3]);
    expect([again.fileValidity(1, 'd'.repeat(40)), again.record('d'.repeat(40)), again.record(h1)]).toEqual([true, valid, valid]);
  });

  it('records the listing its rows are, only while they are every file of it in its order', () => {
    const { cacheDir, paths } = written('listing-hash');
    expect(SeedCache.load(cacheDir, 'k').rowsListing).toBeNull();
    const cache = SeedCache.load(cacheDir, 'k');
    cache.list(paths, 'listing-1');
    [0, 1, 2].forEach((file) => cache.trustedHash(file, 10 + file, old + file + 0.5));
    // Nothing else changed: the manifest is written for the hash alone, once.
    cache.save();
    const again = SeedCache.load(cacheDir, 'k');
    expect(again.rowsListing?.pathsHash).toBe('listing-1');
    expect(Array.from({ length: 3 }, (_unused, i) => again.rowsListing!.paths.at(i))).toEqual(paths);
    // A listing with that hash is taken as the rows without a comparison: a different (wrong) path list
    // given with it still matches every row by place, which shows no comparison was made.
    const trusting = SeedCache.load(cacheDir, 'k');
    trusting.list(['/x/1', '/x/2', '/x/3'], 'listing-1');
    expect(trusting.rowOf(2)).toBe(2);
    const comparing = SeedCache.load(cacheDir, 'k');
    comparing.list(['/x/1', '/x/2', '/x/3'], 'listing-2');
    expect(comparing.rowOf(2)).toBe(-1);
    // A listed file left out of the rows (no record) means the rows are no listing.
    const partial = SeedCache.load(cacheDir, 'k');
    partial.list([...paths, '/seeds/unreadable.md'], 'listing-3');
    [0, 1, 2].forEach((file) => partial.trustedHash(file, 10 + file, old + file + 0.5));
    partial.save();
    expect(SeedCache.load(cacheDir, 'k').rowsListing).toBeNull();
  });

  it('finds files by path when the listing differs, and forgets those no longer listed', () => {
    const { cacheDir, paths } = written('shifted');
    const cache = SeedCache.load(cacheDir, 'k');
    // A new file first, one gone: the others are found at other places.
    cache.list(['/seeds/a-new.md', paths[0]!, paths[2]!]);
    expect([cache.trustedHash(0, 10, old), cache.trustedHash(1, 10, old + 0.5), cache.trustedHash(2, 12, old + 2.5)]).toEqual([null, h1, h3]);
    cache.remember(0, 5, old, h2, null);
    cache.remember(1, 10, old + 0.5, h1, null);
    cache.remember(2, 12, old + 2.5, h3, null);
    cache.save();
    const again = SeedCache.load(cacheDir, 'k');
    again.list(['/seeds/a-new.md', paths[0]!, paths[1]!, paths[2]!]);
    expect([0, 1, 3].map((file) => again.trustedHash(file, [5, 10, 0, 12][file]!, [old, old + 0.5, 0, old + 2.5][file]!))).toEqual([h2, h1, h3]);
    expect(again.trustedHash(2, 11, old + 1.5)).toBeNull();
    expect(again.fileValidity(0, h2)).toBe(false);
  });

  it('ignores a manifest written under another key, or damaged', () => {
    const { cacheDir } = written('damaged');
    expect(SeedCache.load(cacheDir, 'other').fileCount).toBe(0);
    const path = join(cacheDir, 'seed-manifest.bin');
    const bytes = readFileSync(path);
    for (const damage of [(b: Buffer) => b.subarray(0, b.length - 1), (b: Buffer) => Buffer.from(b).fill(0x41, b.length - 3, b.length - 2)]) {
      writeFileSync(path, damage(bytes));
      expect(SeedCache.load(cacheDir, 'k').fileCount).toBe(0);
    }
    writeFileSync(path, bytes);
    expect(SeedCache.load(cacheDir, 'k').fileCount).toBe(3);
  });
});

describe('records streamed while a cold build reads', () => {
  const valid = validRecord;
  const invalid = JSON.stringify({ p: [[1, 'has no front matter: the first line must be ---']] });
  const [h1, h2, h3] = ['1', '2', '3'].map((digit) => digit.repeat(40)) as [string, string, string];

  it('are put in place by save, with the records remembered only afterwards, and read back', () => {
    const cacheDir = join(dir, 'streamed');
    const cache = SeedCache.load(cacheDir, 'k');
    cache.streamRecords([[h1, valid('One')], [h2, invalid]]);
    // The same content twice (two files alike) is written once.
    cache.streamRecords([[h1, valid('One')]]);
    expect(readdirSync(cacheDir).some((name) => name.endsWith('.tmp'))).toBe(true);
    cache.list(['/seeds/one.md', '/seeds/two.md', '/seeds/three.md']);
    cache.remember(0, 10, 1000, h1, valid('One'));
    cache.remember(1, 10, 1000, h2, invalid);
    // Not streamed (a file parsed again on this thread): save appends it to the streamed file.
    cache.remember(2, 10, 1000, h3, valid('Three'));
    cache.save();
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const again = SeedCache.load(cacheDir, 'k');
    expect(again.fileCount).toBe(3);
    expect(again.record(h1)).toEqual(valid('One'));
    expect(again.record(h2)).toBe(invalid);
    expect(again.record(h3)).toEqual(valid('Three'));
    expect([again.validity(h1), again.validity(h2), again.validity(h3)]).toEqual([true, false, true]);
  });

  it('are known to the cache while it streams, so that callers need not keep them', () => {
    const cacheDir = join(dir, 'streamed-dropped');
    const cache = SeedCache.load(cacheDir, 'k');
    cache.streamRecords([[h1, valid('Ünïcode “One”')], [h2, invalid]]);
    expect([cache.isStreamed(h1), cache.isStreamed(h2), cache.isStreamed(h3)]).toEqual([true, true, false]);
    expect([cache.has(h1), cache.validity(h1), cache.validity(h2), cache.validity(h3)]).toEqual([true, true, false, undefined]);
    // Read back from the file being streamed: the offsets count UTF-8 bytes.
    expect(cache.record(h1)).toEqual(valid('Ünïcode “One”'));
    // Remembered without their records, as parallel-read.ts does once a record is streamed.
    cache.list(['/seeds/one.md', '/seeds/two.md']);
    cache.remember(0, 10, 1000, h1, null);
    cache.remember(1, 10, 1000, h2, null);
    cache.save();
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
    cache.list([...large.map(([hash]) => `/seeds/${hash}.md`), '/seeds/after.md']);
    large.forEach(([hash], file) => cache.remember(file, 10, 1000, hash, null));
    cache.remember(large.length, 10, 1000, '4'.repeat(40), null);
    cache.save();
    const again = SeedCache.load(cacheDir, 'k');
    // Compared as buffers: a deep comparison of ~0.9 MB element by element takes seconds.
    for (const [hash, record] of large) expect(Buffer.from(again.record(hash) as Uint8Array).equals(record)).toBe(true);
    expect(again.record('4'.repeat(40))).toEqual(valid('After'));
  });

  it('give no record for a line damaged since, so that the build parses its file again', () => {
    const cacheDir = join(dir, 'damaged-line');
    const cache = SeedCache.load(cacheDir, 'k');
    cache.streamRecords([[h1, valid('One')], [h2, invalid], [h3, valid('Three')]]);
    cache.list(['/seeds/one.md', '/seeds/two.md', '/seeds/three.md']);
    [h1, h2, h3].forEach((hash, file) => cache.remember(file, 10, 1000, hash, null));
    cache.save();
    const path = join(cacheDir, 'seed-records.bin');
    const bytes = readFileSync(path);
    // One byte of the first record's title changed: still a well-formed record, but not the one written.
    const title = bytes.indexOf('One');
    bytes[title] = 'T'.charCodeAt(0);
    // The last line torn.
    writeFileSync(path, bytes.subarray(0, bytes.length - 2));
    const again = SeedCache.load(cacheDir, 'k');
    expect([again.record(h1), again.record(h2), again.record(h3)]).toEqual([undefined, invalid, undefined]);
  });

  it('are left to save when the cache has records already, and discarded when the build stops early', () => {
    const cacheDir = join(dir, 'not-streamed');
    const first = SeedCache.load(cacheDir, 'k');
    first.list(['/seeds/one.md']);
    first.remember(0, 10, 1000, h1, valid('One'));
    first.save();
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
    const killed = 'seed-records.bin.99999999.tmp';
    // A stream of the last version's (JSON) records, left by a build that was killed.
    const killedOld = 'seed-records.jsonl.99999999.tmp';
    const running = `seed-records.bin.${process.ppid}.tmp`;
    for (const name of [killed, killedOld, running, 'seed-records.bin.tmp']) writeFileSync(join(cacheDir, name), 'x');
    const cache = SeedCache.load(cacheDir, 'k');
    cache.streamRecords([[h1, valid('One')]]);
    const left = readdirSync(cacheDir);
    cache.discardStream();
    expect(left).not.toContain(killed);
    expect(left).not.toContain(killedOld);
    expect(left).toEqual(expect.arrayContaining([running, 'seed-records.bin.tmp', `seed-records.bin.${process.pid}.tmp`]));
  });
});
