/** Reusing the last listing of a seed folder while no folder in it has changed (issue 4). */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listSeedFiles } from '../../src/build/read-seeds';
import { StringColumn } from '../../src/build/columns';
import { listSeedFilesReusing } from '../../src/build/seed-listing';

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-seed-listing-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Lets the clock move past every ctime set so far: a listing taken next is not racy with a zero window. */
async function tick(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
}

function setUp(name: string): { seeds: string; cache: string } {
  const seeds = join(scratch, name, 'seeds');
  mkdirSync(join(seeds, 'nested'), { recursive: true });
  for (const file of ['a.md', 'b.md', join('nested', 'c.md')]) writeFileSync(join(seeds, file), '---\ntitle: x\n---\n');
  return { seeds, cache: join(scratch, name, 'cache') };
}

const NOT_RACY = { racyWindowMs: 0 };

describe('listSeedFilesReusing', () => {
  it('reuses the kept listing while no folder changed, and lists again after each kind of change', async () => {
    const { seeds, cache } = setUp('changes');
    await tick();
    const list = (): ReturnType<typeof listSeedFilesReusing> => listSeedFilesReusing(seeds, cache, 'k', NOT_RACY);
    expect(list()).toMatchObject({ files: listSeedFiles(seeds), reused: false });
    writeFileSync(join(seeds, 'a.md'), 'edited in place');
    expect(list()).toMatchObject({ files: listSeedFiles(seeds), reused: true });
    const changes: Array<() => void> = [
      () => writeFileSync(join(seeds, 'd.md'), 'new'),
      () => unlinkSync(join(seeds, 'a.md')),
      () => renameSync(join(seeds, 'b.md'), join(seeds, 'e.md')),
      () => writeFileSync(join(seeds, 'nested', 'f.md'), 'new in a nested folder'),
      () => mkdirSync(join(seeds, 'more')),
    ];
    for (const change of changes) {
      change();
      await tick();
      expect(list()).toMatchObject({ files: listSeedFiles(seeds), reused: false });
      expect(list().reused).toBe(true);
    }
  });

  it('lists a folder replaced by another of the same name again', async () => {
    const { seeds, cache } = setUp('replaced');
    await tick();
    listSeedFilesReusing(seeds, cache, 'k', NOT_RACY);
    renameSync(seeds, `${seeds}-old`);
    mkdirSync(join(seeds, 'nested'), { recursive: true });
    writeFileSync(join(seeds, 'other.md'), 'x');
    await tick();
    expect(listSeedFilesReusing(seeds, cache, 'k', NOT_RACY)).toMatchObject({ files: [join(seeds, 'other.md')], reused: false });
  });

  it('lists again under another key or root, from a damaged file, or when a folder changed just before it was listed', async () => {
    const { seeds, cache } = setUp('refused');
    const kept = join(cache, 'seed-listing.bin');
    // With the default window, folders written just now are racy: their listing is never reused.
    listSeedFilesReusing(seeds, cache, 'k');
    expect(listSeedFilesReusing(seeds, cache, 'k').reused).toBe(false);
    await tick();
    listSeedFilesReusing(seeds, cache, 'k', NOT_RACY);
    expect(listSeedFilesReusing(seeds, cache, 'other', NOT_RACY).reused).toBe(false);
    expect(listSeedFilesReusing(join(seeds, 'nested'), cache, 'other', NOT_RACY)).toMatchObject({ files: listSeedFiles(join(seeds, 'nested')), reused: false });
    const damages = [(file: Buffer) => file.subarray(0, file.length - 2), (file: Buffer) => Buffer.from(file.toString('latin1').replace('a.md', 'q.md'), 'latin1'), (file: Buffer) => file.subarray(1)];
    for (const damage of damages) {
      listSeedFilesReusing(seeds, cache, 'k', NOT_RACY);
      expect(listSeedFilesReusing(seeds, cache, 'k', NOT_RACY).reused).toBe(true);
      writeFileSync(kept, damage(readFileSync(kept)));
      expect(listSeedFilesReusing(seeds, cache, 'k', NOT_RACY)).toMatchObject({ files: listSeedFiles(seeds), reused: false });
    }
  });
  it("takes the files from the seed cache's rows when the listing holds with their hash, without reading its own paths", async () => {
    const { seeds, cache } = setUp('known');
    await tick();
    const first = listSeedFilesReusing(seeds, cache, 'k', NOT_RACY);
    expect(first.pathsHash).toMatch(/^[0-9a-f]{40}$/);
    const rows = StringColumn.of(first.files);
    const known = { pathsHash: first.pathsHash!, paths: rows };
    expect(listSeedFilesReusing(seeds, cache, 'k', { ...NOT_RACY, known })).toMatchObject({ files: first.files, reused: true, pathsHash: first.pathsHash });
    // The listing's own paths damaged: with the rows' hash they are not read; without it, the folder is listed again.
    const kept = join(cache, 'seed-listing.bin');
    const file = readFileSync(kept);
    writeFileSync(kept, Buffer.concat([file.subarray(0, file.length - 4), Buffer.from('q.md')]));
    expect(listSeedFilesReusing(seeds, cache, 'k', { ...NOT_RACY, known })).toMatchObject({ files: first.files, reused: true });
    expect(listSeedFilesReusing(seeds, cache, 'k', { ...NOT_RACY, known: { ...known, pathsHash: 'f'.repeat(40) } })).toMatchObject({ files: first.files, reused: false });
    // A folder changed: listed again, whatever the rows say, and the new listing has a hash of its own.
    writeFileSync(join(seeds, 'new.md'), 'new');
    await tick();
    const again = listSeedFilesReusing(seeds, cache, 'k', { ...NOT_RACY, known });
    expect(again).toMatchObject({ files: listSeedFiles(seeds), reused: false });
    expect(again.pathsHash).not.toBe(first.pathsHash);
  });

  it('tells how many seed files a fresh listing has found after each folder, and nothing when it reuses one', async () => {
    const { seeds, cache } = setUp('found');
    writeFileSync(join(seeds, 'notes.json'), 'not a seed');
    writeFileSync(join(seeds, 'z.md'), '---\ntitle: x\n---\n');
    await tick();
    const found: number[] = [];
    expect(listSeedFilesReusing(seeds, cache, 'k', { ...NOT_RACY, onFound: (count) => found.push(count) }).reused).toBe(false);
    // The nested folder is read while its parent is, after a.md and b.md: it reports first, with c.md.
    expect(found).toEqual([3, 4]);
    const withoutCache: number[] = [];
    listSeedFilesReusing(seeds, null, 'k', { onFound: (count) => withoutCache.push(count) });
    expect(withoutCache).toEqual([3, 4]);
    const reused: number[] = [];
    expect(listSeedFilesReusing(seeds, cache, 'k', { ...NOT_RACY, onFound: (count) => reused.push(count) }).reused).toBe(true);
    expect(reused).toEqual([]);
  });

  it('lists a folder in sorted order, where readdir\'s byte order and a sort\'s UTF-16 order differ, and across folders', () => {
    const flat = join(scratch, 'order', 'flat');
    mkdirSync(flat, { recursive: true });
    // U+FF21 sorts before U+1F600 by UTF-8 bytes (readdir), after it by UTF-16 units (a JS sort).
    const names = ['b.md', 'a.md', '\uFF21.md', '\u{1F600}.md', 'Z.md', '`.md', 'é.md'];
    for (const name of names) writeFileSync(join(flat, name), 'x');
    expect(listSeedFiles(flat)).toEqual(names.map((name) => join(flat, name)).sort());
    const nested = join(scratch, 'order', 'nested');
    for (const file of ['a/z.md', 'a.md', 'a-b.md', 'b/a.md', 'a/b/c.md']) {
      mkdirSync(join(nested, file, '..'), { recursive: true });
      writeFileSync(join(nested, file), 'x');
    }
    const listed = listSeedFiles(nested);
    expect(listed).toEqual([...listed].sort());
    expect(listed).toHaveLength(5);
    // One folder of seeds beside folders without any (one empty, one of other files): not sorted again, and in order.
    const beside = join(scratch, 'order', 'beside');
    mkdirSync(join(beside, 'empty'), { recursive: true });
    mkdirSync(join(beside, 'notes'));
    writeFileSync(join(beside, 'notes', 'a.json'), 'x');
    for (const name of ['b.md', 'a.txt', 'c-d.md', 'c.md']) writeFileSync(join(beside, name), 'x');
    expect(listSeedFiles(beside)).toEqual(['a.txt', 'b.md', 'c-d.md', 'c.md'].map((name) => join(beside, name)));
  });

  it('keeps a fresh listing only when asked, with `keepLater`, and then as it would have at once', async () => {
    const { seeds, cache } = setUp('later');
    await tick();
    const later = listSeedFilesReusing(seeds, cache, 'k', { ...NOT_RACY, keepLater: true });
    expect(later).toMatchObject({ files: listSeedFiles(seeds), reused: false, pathsHash: null });
    expect(() => readFileSync(join(cache, 'seed-listing.bin'))).toThrow(/ENOENT/);
    const hash = later.keep();
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
    expect(later.pathsHash).toBe(hash);
    expect(later.keep()).toBe(hash);
    const reused = listSeedFilesReusing(seeds, cache, 'k', NOT_RACY);
    expect(reused).toMatchObject({ files: later.files, reused: true, pathsHash: hash });
    expect(reused.keep()).toBe(hash);
    expect(listSeedFilesReusing(seeds, null, 'k', { keepLater: true }).keep()).toBeNull();
  });
});
