/**
 * How long writing an index-sized file takes each way a build could write it, on this machine's
 * file system: the figures behind src/build/write-in-place.ts (issue 4, rebuild).
 *
 *   npx tsx bench/write-modes.ts [DIR] [MEGABYTES]    (defaults: the system's temporary folder, 180)
 *
 * Three rounds of: a new file (writeFileSync), the same file again (writeFileSync truncates it
 * first), the same file in place (writeInPlace), then unlinking it.
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeInPlace } from '../src/build/write-in-place';

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'elsewhere-write-modes-'));
const bytes = new Uint8Array(Number(process.argv[3] ?? 180) * 1e6).fill(7);

async function timed(label: string, work: () => unknown): Promise<void> {
  const start = performance.now();
  await work();
  console.log(`${label.padEnd(40)} ${(performance.now() - start).toFixed(0).padStart(6)} ms`);
}

try {
  for (let round = 1; round <= 3; round++) {
    const path = join(dir, `index-${round}.bin`);
    await timed('new file (writeFileSync)', () => writeFileSync(path, bytes));
    await timed('over the old file (writeFileSync, O_TRUNC)', () => writeFileSync(path, bytes));
    await timed('in place (writeInPlace)', () => writeInPlace(path, bytes));
    await timed('unlink', () => unlinkSync(path));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
