/**
 * One-change rebuilds one after another in one process, as `build --watch` makes them, timed
 * phase by phase, with the main thread's CPU profile of the later rounds summed by function
 * (issue 4, figure 8; session 15 found the stats of every file there). SEEDS is edited: give it a
 * copy (bench/build-ab.sh says how), whose CACHE a build has filled.
 *
 *   npx tsx bench/warm-rebuild-profile.ts SEEDS OUT CACHE ROUNDS PROFILE_FROM [--named]
 *
 * `--named` tells each rebuild the edited file, as a watching build does from its second rebuild;
 * without it, every file is stat-ed, as by a new command.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join, resolve } from 'node:path';
import { indexSeeds, prefetchPreviousBuild } from '../src/build/index-cache';
import { readSeedEntries } from '../src/build/parallel-read';
import { seedCacheKey } from '../src/build/seed-cache';

const [seeds, out, cacheDir, roundsText, profileFromText] = process.argv.slice(2) as [string, string, string, string, string];
const named = process.argv.includes('--named');
const victim = join(seeds, readdirSync(seeds).filter((name) => name.endsWith('.txt')).sort()[0]!);
const original = readFileSync(victim, 'utf8');
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
const ms = (from: number, to: number): string => (to - from).toFixed(0).padStart(5);
try {
  for (let round = 0; round < Number(roundsText); round++) {
    if (round === Number(profileFromText)) await session.post('Profiler.start');
    writeFileSync(victim, original.replace(/^title: "/m, `title: "Warm ${round} `));
    const started = performance.now();
    const recordKey = seedCacheKey();
    const previous = prefetchPreviousBuild(cacheDir, recordKey);
    const read = await readSeedEntries(seeds, { cacheDir, progress: false, cacheKey: recordKey, mayHaveChanged: named ? new Set([resolve(victim)]) : null });
    const readAt = performance.now();
    const last = await previous;
    const lastAt = performance.now();
    const built = indexSeeds(read.entries, cacheDir, recordKey, { previous: last });
    const indexedAt = performance.now();
    mkdirSync(out, { recursive: true });
    await Promise.all([built.writeTo(join(out, 'index.bin')), built.saved]);
    const doneAt = performance.now();
    console.log(`round ${round} (${built.how}): read ${ms(started, readAt)} ms, waiting for the last build ${ms(readAt, lastAt)}, index ${ms(lastAt, indexedAt)}, write ${ms(indexedAt, doneAt)}, total ${ms(started, doneAt)}`);
  }
} finally {
  writeFileSync(victim, original);
}
const { profile } = await session.post('Profiler.stop');
const selfMicros = new Map<string, number>();
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
profile.samples!.forEach((id, i) => {
  const { callFrame } = nodes.get(id)!;
  const name = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}`;
  selfMicros.set(name, (selfMicros.get(name) ?? 0) + (profile.timeDeltas![i] ?? 0));
});
console.log(`main thread, rounds ${profileFromText}–${Number(roundsText) - 1}, self time by function:`);
for (const [name, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`);
