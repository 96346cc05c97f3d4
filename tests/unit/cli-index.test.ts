import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgs, ROOT } from './cli-command';
import { generateCorpus } from '../../src/build/generate-corpus';
import { openIndexFile } from '../../src/build/index-file';
import { CoverageIndex, IndexFormatError } from '../../src/core/index/coverage-index';
import { detailsOffset } from '../../src/core/index/format';

/** The CLI runs as a real process from the repository root, as `npm run cli` does. */
/** Each run starts node and tsx; a loaded 2-core machine needs room. */
const TIMEOUT = 90_000;

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-cli-index-'));
const seeds = join(scratch, 'seeds');
const out = join(scratch, 'out');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, cliArgs(args), { cwd: ROOT, encoding: 'utf8', input, maxBuffer: 1 << 26, timeout: TIMEOUT - 5_000, env: { ...process.env, NO_COLOR: '1' } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Addresses to ask about: indexed ones in several forms, and misses on the same hosts. */
const probes: string[] = [];

beforeAll(() => {
  const generate = cli(['generate', '--stories', '60', '--seed', '3', '--out', seeds]);
  expect(generate.status, generate.stderr).toBe(0);
  const build = cli(['build', '--seeds', seeds, '--out', out, '--no-cache']);
  expect(build.status, build.stderr).toBe(0);
  for (const file of [...generateCorpus({ stories: 60, seed: 3 })].slice(0, 12)) {
    for (const match of file.text.matchAll(/(?:webUrl|ampWebUrl|cdnAmpWebUrl): "([^"]+)"/g)) probes.push(match[1]!);
  }
  probes.push(`${probes[0]}?utm_source=test`, `${probes[1]}-not-indexed`, 'https://example.com/never', 'not a url');
}, TIMEOUT);

describe('lookup and stats with --index', () => {
  it('answers each lookup as --seeds does', { timeout: TIMEOUT }, () => {
    for (const url of [probes[0]!, probes.at(-3)!]) {
      const fromIndex = cli(['lookup', '--index', out, '--json', url]);
      const fromSeeds = cli(['lookup', '--seeds', seeds, '--no-cache', '--json', url]);
      expect(fromIndex.status, fromIndex.stderr).toBe(0);
      expect(fromIndex.stdout).toBe(fromSeeds.stdout);
    }
    expect(JSON.parse(cli(['lookup', '--index', out, '--json', probes[0]!]).stdout).matched).toBe(true);
  });

  it('answers --stdin as --seeds does, one line per address', { timeout: TIMEOUT }, () => {
    const input = `${probes.join('\n')}\n`;
    const fromIndex = cli(['lookup', '--index', out, '--stdin', '--json'], input);
    const fromSeeds = cli(['lookup', '--seeds', seeds, '--no-cache', '--stdin', '--json'], input);
    expect(fromIndex.status, fromIndex.stderr).toBe(0);
    expect(fromIndex.stdout).toBe(fromSeeds.stdout);
    const answers = fromIndex.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { matched: boolean });
    expect(answers).toHaveLength(probes.length);
    expect(answers.filter((answer) => answer.matched).length).toBeGreaterThan(probes.length / 2);
    expect(answers.at(-1)!.matched).toBe(false);
  });

  it('prints the same stats as --seeds', { timeout: TIMEOUT }, () => {
    const fromIndex = cli(['stats', '--index', out, '--json']);
    const fromSeeds = cli(['stats', '--seeds', seeds, '--no-cache', '--json']);
    expect(fromIndex.status, fromIndex.stderr).toBe(0);
    expect(JSON.parse(fromIndex.stdout)).toEqual(JSON.parse(fromSeeds.stdout));
  });

  it('fails cleanly without an index', { timeout: TIMEOUT }, () => {
    const run = cli(['lookup', '--index', join(scratch, 'missing'), 'https://example.com/']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^elsewhere: .*index\.bin/);
  });
});

describe('openIndexFile', () => {
  it('reads the head now and a details shard on demand, verifying it', () => {
    const path = join(out, 'index.bin');
    const bytes = new Uint8Array(readFileSync(path));
    const whole = CoverageIndex.decode(bytes);
    const { index, close } = openIndexFile(path);
    try {
      for (let id = 0; id < whole.header.articleCount; id += 7) expect(index.article(id)).toEqual(whole.article(id));
      expect(index.coverage([probes[0]!])).toEqual(whole.coverage([probes[0]!]));
    } finally {
      close();
    }

    // A flipped byte in the last record is found when a lookup first touches its shard.
    const damaged = join(scratch, 'damaged.bin');
    const copy = new Uint8Array(bytes);
    copy[copy.length - 1]! ^= 1;
    writeFileSync(damaged, copy);
    const opened = openIndexFile(damaged);
    try {
      expect(() => opened.index.article(whole.header.articleCount - 1)).toThrow(IndexFormatError);
      expect(() => opened.index.article(0)).not.toThrow();
    } finally {
      opened.close();
    }
    expect(() => CoverageIndex.decode(copy)).toThrow(/checksum/);
    expect(() => CoverageIndex.decode(copy, { verify: 'lazy' }).article(whole.header.articleCount - 1)).toThrow(/shard/);
    expect(detailsOffset(whole.header.keyCount, whole.header.articleCount, whole.header.storyCount) + whole.header.detailBytes).toBe(bytes.length);
  });
});
