/**
 * What the manifest's host lists cost Chromium to load the extension (issue 4, the open host-list
 * question): the 1-story build, given the first N match patterns of the 100k build in its
 * `host_permissions`, its content script's `matches`, or both (as a build listing them writes them), timed
 * from launching Chromium to its extension service worker being up. The baseline is the 1-story
 * build as it is (7 patterns), launched in the same rounds.
 *
 *   npx tsx bench/browser.ts --build-only   # once: makes bench/tmp/browser/ext-1 and ext-100000
 *   npx tsx bench/extension-load.ts [--runs 3] [--sizes 500,1000,2000,all]
 *
 * Each size is measured with both lists grown; the largest also with each list alone. This is
 * what set MAX_LISTED_OUTLETS (src/build/manifest.ts). Prints one line per variant (median of the runs, and the median extra over the baseline), and
 * writes bench/tmp/browser/extension-load.json. Each launch of the largest variant can take
 * minutes on a loaded machine; nothing here checks a threshold.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../tests/e2e/browsers';

const TMP = join(fileURLToPath(new URL('..', import.meta.url)), 'bench', 'tmp', 'browser');
const SMALL = join(TMP, 'ext-1');
const LARGE = join(TMP, 'ext-100000');
const LAUNCH_TIMEOUT_MS = 600_000;

type Lists = 'both' | 'host_permissions' | 'matches';
interface Variant {
  name: string;
  dir: string;
  patterns: number;
  lists: Lists | null;
}
interface Manifest {
  host_permissions: string[];
  content_scripts: Array<{ matches: string[] }>;
}

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A copy of the 1-story build whose manifest carries the first `count` patterns of the large build. */
function variant(patterns: string[], count: number, lists: Lists): Variant {
  const name = `${lists}-${count}`;
  const dir = join(TMP, `extension-load-${name}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(SMALL, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const added = patterns.slice(0, count);
  if (lists !== 'matches') manifest.host_permissions = [...new Set([...manifest.host_permissions, ...added])];
  if (lists !== 'host_permissions') for (const script of manifest.content_scripts) script.matches = [...new Set([...script.matches, ...added])];
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return { name, dir, patterns: count, lists };
}

/** Milliseconds from launching Chromium with the extension to its service worker being up. */
async function launchMs(dir: string): Promise<number> {
  const started = performance.now();
  const context = await chromium.launchPersistentContext('', {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${dir}`, `--load-extension=${dir}`],
  });
  try {
    if (context.serviceWorkers().length === 0) await context.waitForEvent('serviceworker', { timeout: LAUNCH_TIMEOUT_MS });
    return performance.now() - started;
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(SMALL, 'manifest.json')) || !existsSync(join(LARGE, 'manifest.json'))) {
    throw new Error(`run "npx tsx bench/browser.ts --build-only" first: ${SMALL} and ${LARGE} are needed`);
  }
  const runs = Number(argument('--runs', '3'));
  const large = JSON.parse(readFileSync(join(LARGE, 'manifest.json'), 'utf8')) as Manifest;
  const patterns = large.content_scripts[0]!.matches;
  const sizes = argument('--sizes', '500,1000,2000,all')
    .split(',')
    .map((size) => (size === 'all' ? patterns.length : Number(size)));
  const variants: Variant[] = [
    { name: 'baseline (1-story build)', dir: SMALL, patterns: 0, lists: null },
    ...sizes.map((size) => variant(patterns, size, 'both')),
    variant(patterns, Math.max(...sizes), 'host_permissions'),
    variant(patterns, Math.max(...sizes), 'matches'),
  ];
  const times = new Map<Variant, number[]>(variants.map((entry) => [entry, []]));
  const load = loadavg()[0]!;
  for (let round = 0; round < runs; round++) {
    for (const entry of round % 2 ? [...variants].reverse() : variants) {
      const ms = await launchMs(entry.dir);
      times.get(entry)!.push(ms);
      console.error(`round ${round + 1}/${runs}: ${entry.name} ${ms.toFixed(0)} ms`);
    }
  }
  const baseline = median(times.get(variants[0]!)!);
  const rows = variants.map((entry) => {
    const ms = median(times.get(entry)!);
    return { variant: entry.name, patternsAdded: entry.patterns, lists: entry.lists, medianMs: Math.round(ms), extraMs: Math.round(ms - baseline), samplesMs: times.get(entry)!.map(Math.round) };
  });
  for (const row of rows) console.log(`${row.variant.padEnd(28)} ${String(row.medianMs).padStart(7)} ms  (+${row.extraMs} ms over the baseline)`);
  console.log(`load average at the start ${load.toFixed(1)}, now ${loadavg()[0]!.toFixed(1)}; median of ${runs} launches each`);
  writeFileSync(join(TMP, 'extension-load.json'), `${JSON.stringify({ command: 'npx tsx bench/extension-load.ts', runs, rows }, null, 2)}\n`);
  for (const entry of variants.slice(1)) rmSync(entry.dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
