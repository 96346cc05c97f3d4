/**
 * `npm run cli` runs the CLI from a bundle (cli-launch.mjs, bundle-cache.mjs): the bundle must do
 * what the sources do, the launcher must run the bundle its record names, and a bundle node
 * cannot load must fall back to the sources and be made again.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleOnce } from '../../src/build/bundle-cache.mjs';
import { readSeedText } from '../../src/build/read-seeds';
import { cliArgs, ROOT } from './cli-command';

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-cli-launch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ARTICLE = readSeedText(readFileSync(join(ROOT, 'seeds', '000_e29929052b0126c7.txt'), 'utf8')).seed!.article.webUrl;
const LOOKUP = ['lookup', ARTICLE, '--seeds', 'seeds', '--json', '--no-cache'];

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 28_000, env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Puts `code` in place of the launcher's bundle in `dir`, with a record that still calls it current. */
function plant(dir: string, code: string): string {
  const bundle = join(dir, 'cli.bundle.mjs');
  writeFileSync(bundle, code);
  const record = JSON.parse(readFileSync(`${bundle}.json`, 'utf8')) as { bundle: string };
  record.bundle = createHash('sha1').update(code).digest('hex');
  writeFileSync(`${bundle}.json`, JSON.stringify(record));
  return bundle;
}

describe('the CLI launcher', () => {
  it('makes a bundle that node runs by itself, and that answers as the sources do', () => {
    const bundle = bundleOnce({ entry: join(ROOT, 'src/build/cli.ts'), dir: join(scratch, 'alone'), file: 'cli.bundle.mjs', format: 'esm' });
    expect(bundle).not.toBeNull();
    const fromBundle = run([bundle!, ...LOOKUP]);
    const fromSources = run(cliArgs(LOOKUP), { ELSEWHERE_CLI_FROM_SOURCES: '1' });
    expect(fromSources.status).toBe(0);
    expect(JSON.parse(fromSources.stdout).related.length).toBeGreaterThan(0);
    expect(fromBundle).toEqual(fromSources);
  }, 30_000);

  it('runs the bundle its record calls current, without making it again', () => {
    const dir = join(scratch, 'current');
    const first = run(cliArgs(['--help']), { ELSEWHERE_BUNDLE_DIR: dir });
    expect(first.status).toBe(0);
    expect(first.stderr).toBe('');
    plant(dir, 'process.stdout.write("from the bundle\\n");');
    expect(run(cliArgs(['--help']), { ELSEWHERE_BUNDLE_DIR: dir }).stdout).toBe('from the bundle\n');
  }, 30_000);

  it('runs the sources when node cannot load the bundle, says so, and makes the bundle again next time', () => {
    const dir = join(scratch, 'broken');
    const usage = run(cliArgs(['--help']), { ELSEWHERE_BUNDLE_DIR: dir }).stdout;
    expect(usage).toMatch(/^Usage: /);
    const bundle = plant(dir, 'throw new Error("a broken bundle");');
    const fallback = run(cliArgs(['--help']), { ELSEWHERE_BUNDLE_DIR: dir });
    expect(fallback).toEqual({ status: 0, stdout: usage, stderr: "elsewhere: the CLI's bundle could not be loaded (a broken bundle); running from the sources\n" });
    expect(existsSync(`${bundle}.json`)).toBe(false);
    expect(run(cliArgs(['--help']), { ELSEWHERE_BUNDLE_DIR: dir })).toEqual({ status: 0, stdout: usage, stderr: '' });
    expect(readFileSync(bundle, 'utf8')).not.toContain('a broken bundle');
  }, 30_000);
});
