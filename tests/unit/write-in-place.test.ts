import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeInPlace } from '../../src/build/write-in-place';

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
