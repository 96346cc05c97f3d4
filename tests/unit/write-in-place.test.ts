import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyInPlace, writeInPlace } from '../../src/build/write-in-place';

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-write-in-place-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('writeInPlace', () => {
  it('creates a file, rewrites a longer one and cuts it to length, and grows a shorter one, keeping its inode', async () => {
    const path = join(scratch, 'index.bin');
    await writeInPlace(path, new Uint8Array([1, 2, 3, 4, 5, 6]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3, 4, 5, 6]);
    const inode = statSync(path).ino;
    await writeInPlace(path, new Uint8Array([9, 8]));
    expect([...readFileSync(path)]).toEqual([9, 8]);
    await writeInPlace(path, new Uint8Array(70_000).fill(7));
    expect(readFileSync(path).equals(Buffer.alloc(70_000, 7))).toBe(true);
    expect(statSync(path).ino).toBe(inode);
    writeFileSync(path, 'x'.repeat(10));
    await writeInPlace(path, new Uint8Array(0));
    expect(statSync(path).size).toBe(0);
  });

  it('writes a view at its offset, not its whole buffer', async () => {
    const path = join(scratch, 'view.bin');
    const buffer = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
    await writeInPlace(path, buffer.subarray(3, 6));
    expect([...readFileSync(path)]).toEqual([3, 4, 5]);
  });
});

describe('copyInPlace', () => {
  it('copies a file of several chunks over a longer one (cut to length, same inode), and creates a missing one', async () => {
    const source = join(scratch, 'source.bin');
    // Over two 1 MiB chunks, the last one short, with bytes that differ chunk to chunk.
    const bytes = new Uint8Array((2 << 20) + 12_345).map((_byte, i) => (i * 7 + (i >> 20)) & 0xff);
    writeFileSync(source, bytes);
    const target = join(scratch, 'target.bin');
    writeFileSync(target, new Uint8Array(bytes.length + 5_000).fill(0xee));
    const inode = statSync(target).ino;
    await copyInPlace(source, target);
    expect(readFileSync(target).equals(Buffer.from(bytes))).toBe(true);
    expect(statSync(target).ino).toBe(inode);
    await copyInPlace(source, join(scratch, 'new.bin'));
    expect(readFileSync(join(scratch, 'new.bin')).equals(Buffer.from(bytes))).toBe(true);
    await expect(copyInPlace(join(scratch, 'missing.bin'), target)).rejects.toThrow(/ENOENT/);
  });
});
