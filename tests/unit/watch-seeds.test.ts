/** What a watch tells each rebuild: which seed files changed, or null when it cannot say. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listSeedFiles } from '../../src/build/read-seeds';
import { watchSeeds } from '../../src/build/watch-seeds';

// Below the working folder and named relative to it, as `--seeds` usually is.
mkdirSync(resolve('node_modules/.cache'), { recursive: true });
const scratch = mkdtempSync(resolve('node_modules/.cache/elsewhere-watch-seeds-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A watch over `root` whose rebuilds are recorded, and succeed unless `fail` says otherwise. */
function watchRecording(root: string, fail: (call: number) => boolean = () => false) {
  const calls: Array<string[] | null> = [];
  const waiters: Array<() => void> = [];
  const watcher = watchSeeds(root, async (changed) => {
    calls.push(changed === null ? null : [...changed].sort());
    for (const wake of waiters.splice(0)) wake();
    return !fail(calls.length);
  });
  const nextCall = async (): Promise<string[] | null> => {
    const count = calls.length;
    const deadline = Date.now() + 5_000;
    while (calls.length === count) {
      if (Date.now() > deadline) throw new Error('no rebuild');
      await new Promise<void>((wake) => {
        waiters.push(wake);
        setTimeout(wake, 100);
      });
    }
    return calls[count]!;
  };
  return { watcher, nextCall };
}

describe('watchSeeds', () => {
  it('names the changed seed files as the listing names them, from the second rebuild on', async () => {
    const root = relative(process.cwd(), join(scratch, 'named'));
    mkdirSync(join(root, 'sub'), { recursive: true });
    const [a, b] = [join(root, 'a.md'), join(root, 'sub', 'b.md')];
    writeFileSync(a, 'a');
    writeFileSync(b, 'b');
    const { watcher, nextCall } = watchRecording(root);
    try {
      writeFileSync(a, 'a1');
      // Changes made before the watch began are only found by a look at every file.
      expect(await nextCall()).toBeNull();
      writeFileSync(a, 'a2');
      writeFileSync(b, 'b2');
      writeFileSync(join(root, 'notes.json'), '{}');
      // Absolute, and the very paths a build lists.
      expect(await nextCall()).toEqual(listSeedFiles(resolve(root)));
    } finally {
      watcher.close();
    }
  });

  it('names nothing after a rebuild that failed, or once folders came', async () => {
    const root = join(scratch, 'unknown');
    mkdirSync(root, { recursive: true });
    const seed = join(root, 'a.md');
    writeFileSync(seed, 'a');
    const { watcher, nextCall } = watchRecording(root, (call) => call === 2);
    try {
      writeFileSync(seed, 'a1');
      expect(await nextCall()).toBeNull();
      writeFileSync(seed, 'a2');
      // This one fails: what it was told may not have reached the cache.
      expect(await nextCall()).toEqual([seed]);
      writeFileSync(seed, 'a3');
      expect(await nextCall()).toBeNull();
      writeFileSync(seed, 'a4');
      expect(await nextCall()).toEqual([seed]);
      mkdirSync(join(root, 'more'));
      expect(await nextCall()).toBeNull();
    } finally {
      watcher.close();
    }
  });
});
