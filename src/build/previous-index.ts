import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { CoverageIndex } from '../core/index/coverage-index';
import { shardSumsOf, writeHead } from '../core/index/encode';
import { HEADER_WORDS, STORIES_PER_SHARD, headBytes } from '../core/index/format';
import { checksum } from '../core/index/hash';
import { readTables, type SplicePlan } from '../core/index/splice';
import { readAt } from './index-file';

/**
 * The last build's index, used where it lies in the cache rather than read into memory. Fresh
 * memory costs a page fault per 4 KB on this machine, ~5–12 µs each: reading the ~180 MB of a 100k
 * index took ~0.6 s and a first pass over it ~0.3 s more, most of a one-change rebuild (issue 4).
 * A rebuild reads the index's head (~10% of it), verifies each shard of its records through one
 * small buffer, and copies the records it keeps from file to file through another.
 */

/** Bytes moved per read and write: large enough that calls cost nothing, small enough to stay in cache. */
const COPY_CHUNK = 1 << 20;

/** Reads `length` bytes from `position` into `buffer`, which has room; false at a short file. */
function readFully(fd: number, buffer: Uint8Array, length: number, position: number): boolean {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) return false;
    done += read;
  }
  return true;
}

function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
}

/**
 * The head (headBytes) of the index file at `path`, once the head and every shard of its records
 * are verified against their sums; null when the file is damaged, cut short, or not an index of
 * this format. The records are read a shard at a time into one buffer, never kept.
 */
export function readVerifiedHead(path: string): Uint8Array | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const header = CoverageIndex.decodeHeader(readAt(fd, 0, HEADER_WORDS * 4));
    if (fstatSync(fd).size !== CoverageIndex.byteLength(header)) return null;
    const head = readAt(fd, 0, CoverageIndex.headLength(header));
    // Verifies the head's checksum, and that its shards cover the records exactly.
    CoverageIndex.open(head, { read: () => new Uint8Array(0) });
    const { storyCount, storyStart, recordStart, shardSums } = readTables(head);
    let buffer = new Uint8Array(COPY_CHUNK);
    for (let shard = 0; shard < shardSums.length; shard++) {
      const from = recordStart[storyStart[shard * STORIES_PER_SHARD]!]!;
      const length = recordStart[storyStart[Math.min((shard + 1) * STORIES_PER_SHARD, storyCount)]!]! - from;
      if (length > buffer.length) buffer = new Uint8Array(2 * length);
      // At offset 0 of the buffer: 4-byte aligned, checksum's fast path.
      if (!readFully(fd, buffer, length, head.length + from) || checksum(buffer.subarray(0, length)) !== shardSums[shard]) return null;
    }
    return head;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Carries out `plan` from the index file `previousFd` (verified) into the file at `path`, written
 * over its old bytes (see write-in-place.ts), and returns the new index's head. Kept records go
 * from file to file through one buffer; only the shards that are not kept whole are read back,
 * for their sums.
 */
export function writeSplice(previousFd: number, previousHeadLength: number, plan: SplicePlan, path: string): Uint8Array {
  const { tables } = plan;
  const head = new Uint8Array(headBytes(tables.keyHi.length, tables.articleCount, tables.storyCount));
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT);
  try {
    const buffer = new Uint8Array(COPY_CHUNK);
    for (const run of plan.runs) {
      if (run.source === 'added') {
        writeFully(fd, plan.addedRecords.subarray(run.from, run.from + run.length), head.length + run.to);
        continue;
      }
      for (let done = 0; done < run.length; done += COPY_CHUNK) {
        const chunk = Math.min(COPY_CHUNK, run.length - done);
        if (!readFully(previousFd, buffer, chunk, previousHeadLength + run.from + done)) throw new Error('the previous index file was cut short');
        writeFully(fd, buffer.subarray(0, chunk), head.length + run.to + done);
      }
    }
    const sums = shardSumsOf(tables, (from, to) => readAt(fd, head.length + from, to - from), plan.knownSums);
    writeHead(tables, plan.recordBytes, sums, head);
    writeFully(fd, head, 0);
    ftruncateSync(fd, head.length + plan.recordBytes);
    return head;
  } finally {
    closeSync(fd);
  }
}
