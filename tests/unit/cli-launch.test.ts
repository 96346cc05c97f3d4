/**
 * `npm run cli` runs the CLI from a bundle (cli-launch.mjs, bundle-cache.mjs): the bundle must do
 * what the sources do, and the launcher must fall back to the sources through tsx.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleOnce } from '../../src/build/bundle-cache.mjs';
import { readSeedText } from '../../src/build/read-seeds';
import { cliArgs, ROOT } from './cli-command';

const dir = mkdtempSync(join(tmpdir(), 'elsewhere-cli-launch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARTICLE = readSeedText(readFileSync(join(ROOT, 'seeds', '000_e29929052b0126c7.txt'), 'utf8')).seed!.article.webUrl;
const LOOKUP = ['lookup', ARTICLE, '--seeds', 'seeds', '--json', '--no-cache'];

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 28_000, env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the CLI launcher', () => {
  it('makes a bundle that node runs by itself, and that answers as the sources do', () => {
    const bundle = bundleOnce({ entry: join(ROOT, 'src/build/cli.ts'), dir, file: 'cli.bundle.mjs', format: 'esm' });
    expect(bundle).not.toBeNull();
    const fromBundle = run([bundle!, ...LOOKUP]);
    const fromSources = run(cliArgs(LOOKUP), { ELSEWHERE_CLI_FROM_SOURCES: '1' });
    expect(fromSources.status).toBe(0);
    expect(JSON.parse(fromSources.stdout).related.length).toBeGreaterThan(0);
    expect(fromBundle).toEqual(fromSources);
  }, 30_000);

  it("runs its bundle, kept in node_modules/.cache/elsewhere-bundles with its inputs' hashes", () => {
    const launched = run(cliArgs(LOOKUP));
    expect(launched.status).toBe(0);
    const record = JSON.parse(readFileSync(join(ROOT, 'node_modules/.cache/elsewhere-bundles/cli.bundle.mjs.json'), 'utf8')) as { entry: string; inputs: Record<string, string> };
    expect(record.entry).toMatch(/\/src\/build\/cli\.ts$/);
    expect(Object.keys(record.inputs)).toContain('src/build/cli.ts');
    expect(launched.stdout).toBe(run(cliArgs(LOOKUP), { ELSEWHERE_CLI_FROM_SOURCES: '1' }).stdout);
  }, 30_000);
});
