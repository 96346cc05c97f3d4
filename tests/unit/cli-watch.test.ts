/** `build --watch`: a real CLI process over a folder of seeds that the test edits under it. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgs, ROOT } from './cli-command';

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-cli-watch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const BRIDGE = 'https://www.reuters.com/world/bridge-traffic-resumes-2024-04-10/';

/** The CLI's stderr as it comes, and a way to wait for its next line matching a pattern. */
class Watching {
  private text = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.text += chunk;
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  lines(): string[] {
    return this.text.split('\n').filter(Boolean);
  }

  /** Waits until the `count`-th line matching `pattern` has come. */
  async until(pattern: RegExp, count: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines().filter((line) => pattern.test(line)).length < count) {
      if (Date.now() > deadline) throw new Error(`no ${count}× ${pattern} in:\n${this.text}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
}

function lookupTitle(out: string): string {
  const run = spawnSync(process.execPath, cliArgs(['lookup', BRIDGE, '--index', out, '--json']), { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(run.stdout) as { related: Array<{ title: string }> }).related.map((article) => article.title).join(' | ');
}

/** The good fixtures copied to `seeds`, and `build --watch` over them, run from `cwd` (whose node_modules/.cache is its build cache). */
function startWatching(seeds: string, out: string, cwd: string): Watching {
  cpSync(join(ROOT, 'tests/fixtures/seeds-good'), seeds, { recursive: true });
  // The launcher by its full path: cliArgs names it from the repository root.
  const launcher = join(ROOT, cliArgs([])[0]!);
  return new Watching(spawn(process.execPath, [launcher, 'build', '--seeds', seeds, '--out', out, '--watch'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] }));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('build --watch', () => {
  it('builds again after each change to a seed, keeps the last index through an invalid one, and ignores what is not a seed', async () => {
    const seeds = join(scratch, 'seeds');
    const out = join(seeds, 'out');
    // The build cache goes below the working folder: here, inside the watched seeds too.
    const watching = startWatching(seeds, out, seeds);
    try {
      await watching.until(/^watching /, 1);
      await watching.until(/^wrote .*index\.bin: 2 stories, \d+ bytes in \d+ ms$/, 1);
      expect(lookupTitle(out)).toBe('Harbour bridge reopens after repairs');

      const bridge = join(seeds, 'harbour-bridge.md');
      const original = readFileSync(bridge, 'utf8');
      writeFileSync(bridge, original.replace('Harbour bridge reopens after repairs', 'Harbour bridge reopens early'));
      await watching.until(/^wrote /, 2);
      expect(lookupTitle(out)).toBe('Harbour bridge reopens early');
      // The first rebuild checks every file; from the second, only those the events named.
      writeFileSync(bridge, original.replace('Harbour bridge reopens after repairs', 'Harbour bridge reopens at dawn'));
      await watching.until(/^wrote /, 3);
      expect(lookupTitle(out)).toBe('Harbour bridge reopens at dawn');

      const index = readFileSync(join(out, 'index.bin'));
      writeFileSync(join(seeds, 'broken.md'), '---\ntitle: 5\n---\n');
      await watching.until(/is left as it was$/, 1);
      // Named from the working folder, as every build names seeds.
      expect(watching.lines()).toContain('broken.md:2: title: must be text, not a number');
      expect(readFileSync(join(out, 'index.bin')).equals(index)).toBe(true);

      rmSync(join(seeds, 'broken.md'));
      await watching.until(/^wrote /, 4);
      // A new folder, with a seed in it, is watched from then on.
      mkdirSync(join(seeds, 'more'));
      await watching.until(/^wrote /, 5);
      writeFileSync(join(seeds, 'more', 'bridge-copy.md'), original.replace('Harbour bridge reopens after repairs', 'Harbour bridge: a second view'));
      await watching.until(/^wrote /, 6);

      // Files that are not seeds (notes, the index's own writes) start no build.
      writeFileSync(join(seeds, 'notes.json'), '{}');
      writeFileSync(join(seeds, 'more', 'README'), 'not a seed');
      await sleep(1_000);
      expect(watching.lines().filter((line) => line.startsWith('wrote '))).toHaveLength(6);

      watching.child.kill('SIGTERM');
      expect(await watching.exited).toBe(0);
    } finally {
      watching.child.kill('SIGKILL');
    }
  }, 60_000);

  it('waits for the seeds folder when it goes, and builds it again when it comes back', async () => {
    const seeds = join(scratch, 'moving');
    const watching = startWatching(seeds, join(scratch, 'moving-out'), scratch);
    try {
      await watching.until(/^watching /, 1);
      renameSync(seeds, `${seeds}-away`);
      await watching.until(/is gone; waiting for it to come back$/, 1);
      mkdirSync(seeds);
      cpSync(join(`${seeds}-away`, 'harbour-bridge.md'), join(seeds, 'harbour-bridge.md'));
      await watching.until(/^wrote .*: 1 stories, /, 1);
      watching.child.kill('SIGTERM');
      expect(await watching.exited).toBe(0);
    } finally {
      watching.child.kill('SIGKILL');
    }
  }, 60_000);
});
