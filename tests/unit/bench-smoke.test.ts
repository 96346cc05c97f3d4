import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The smoke bench starts a dozen node processes; a loaded 2-core machine needs minutes, not seconds. */
const TIMEOUT = 240_000;

describe('npm run bench -- --smoke', () => {
  it('runs end to end and writes every figure (no thresholds: timings belong in benchmarks)', { timeout: TIMEOUT }, () => {
    const run = spawnSync('npm', ['run', '-s', 'bench', '--', '--smoke'], { cwd: ROOT, encoding: 'utf8', timeout: TIMEOUT - 10_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^figure\s+stories\s+ours\s+baseline\s+ratio/);
    const results = JSON.parse(readFileSync(join(ROOT, 'bench', 'tmp', 'results-smoke.json'), 'utf8')) as { smoke: boolean; rows: Array<{ figure: string; ours: number | null }> };
    expect(results.smoke).toBe(true);
    const figures = results.rows.map((row) => row.figure);
    for (const expected of [/^build .* cold/, /^build .* cold: read phase/, /^rebuild after one seed changed/, /^cold load to first answer/, /^lookup p99/, /^resident memory/, /^index bytes per address/, /^index bytes per story/, /^gray-matter alone/, /^publish .* cold/]) {
      expect(figures.some((figure) => expected.test(figure)), String(expected)).toBe(true);
    }
    for (const row of results.rows) expect(Number.isFinite(row.ours), row.figure).toBe(true);
    // The browser section is left out of the smoke run, and it says so.
    expect(run.stderr).toContain('browser section left out of --smoke');
    // Link badges are measured in Chromium on the built extension, which `npm test` builds first.
    if (existsSync(join(ROOT, 'dist', 'chrome', 'manifest.json'))) {
      expect(figures.some((figure) => /^link badges, 100 links .* load: main-thread time/.test(figure))).toBe(true);
      expect(results.rows.find((row) => row.figure.endsWith('navigation to the badges in view'))?.ours).toBeGreaterThan(0);
    } else {
      expect(run.stderr).toContain('link-badges section skipped: no build');
    }
  });
});
