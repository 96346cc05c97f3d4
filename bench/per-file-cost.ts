/**
 * What one seed file costs a cold build's workers, step by step, on one thread (issue 4, figure
 * 8): the read, the hash, the record, and the record with the columns the main thread indexes
 * (seed-columns.ts). Session 15 read a cold build's CPU budget from it (BENCHMARKS.md).
 *
 *   npx tsx bench/per-file-cost.ts [CORPUS] [FILES]   # defaults: bench/tmp/corpus-100000, 6000
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bufferUtf8Writer } from '../src/build/build-index';
import { BATCH_FILES } from '../src/build/parallel-read';
import { readSeedBytes } from '../src/build/read-seeds';
import { HostPartNumbering, recordWriter, SeedColumnsWriter } from '../src/build/seed-columns';
import { contentHash, parseSeedFile, readWithStat, seedRecord, type SeedRecord } from '../src/build/seed-records';

const [dir = 'bench/tmp/corpus-100000', count = '6000'] = process.argv.slice(2);
const files = readdirSync(dir).slice(0, Number(count)).map((name) => join(dir, name));

function perFile(label: string, step: () => void): void {
  const started = performance.now();
  step();
  console.log(`${label.padEnd(46)} ${(((performance.now() - started) * 1000) / files.length).toFixed(1)} µs a file`);
}

// Two rounds: the first also pays for the JIT and the file cache.
for (let round = 1; round <= 2; round++) {
  console.log(`round ${round}, ${files.length} files of ${dir}`);
  const bytes: Buffer[] = [];
  const records: SeedRecord[] = [];
  const writer = recordWriter(bufferUtf8Writer);
  perFile('open, fstat, read, close (readWithStat)', () => files.forEach((file) => bytes.push(Buffer.from(readWithStat(file).bytes))));
  perFile('sha1 (contentHash)', () => bytes.forEach((file) => contentHash(file)));
  perFile('parse and validate (readSeedBytes)', () => bytes.forEach((file) => readSeedBytes(file)));
  perFile('the record on its own (seedRecord)', () => bytes.forEach((file) => records.push(seedRecord(file))));
  perFile('the columns, which hold the record (a worker’s whole work)', () => {
    // As a worker does: one numbering of host parts across its batches.
    const hostParts = new HostPartNumbering();
    for (let first = 0; first < bytes.length; first += BATCH_FILES) {
      const columns = new SeedColumnsWriter(writer, hostParts);
      for (const file of bytes.slice(first, first + BATCH_FILES)) columns.addFile(parseSeedFile(file).articles);
      columns.finish();
    }
  });
}
