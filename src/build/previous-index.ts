import { closeSync, constants, fstatSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoverageIndex } from '../core/index/coverage-index';
import { shardSumsOf, writeHead } from '../core/index/encode';
import { HEADER_WORDS, STORIES_PER_SHARD, headBytes } from '../core/index/format';
import { checksum } from '../core/index/hash';
import { readTables, SpliceError, type SplicePlan } from '../core/index/splice';
import { readColumnsFile } from './columns';
import { readAt, readInto, writeFully } from './index-file';

/**
 * The last build, as it lies in the cache: its manifest, and its index, used there rather than
 * read into memory. Fresh memory costs a page fault per 4 KB on this machine, ~5–12 µs each:
 * reading the ~180 MB of a 100k index took ~0.6 s and a first pass over it ~0.3 s more, most of a
 * one-change rebuild (issue 4). A rebuild reads the index's head (~10% of it), verifies each shard
 * of its records through one small buffer, and copies the records it keeps from file to file
 * through another.
 */

export const MANIFEST_FILE = 'index-manifest.bin';
/** The index file of each build goes into one of two slots, in turn (index-cache.ts, saveManifest). */
export const INDEX_SLOTS = ['index-0.bin', 'index-1.bin'] as const;

/**
 * The manifest on disk: a columns file (columns.ts) with this header, whose columns are the
 * stories (int32), the ends of sources and of hashes (uint32), then sources and hashes (UTF-8,
 * end to end). As JSON, parsing its 200k strings was ~0.1 s of every rebuild (issue 4).
 */
export interface ManifestHead {
  key: string;
  indexFile: string;
  indexHeadChecksum: number;
  count: number;
  sourceBytes: number;
  hashBytes: number;
  hostKeys: Record<string, number>;
}

export function manifestLength(head: Pick<ManifestHead, 'count' | 'sourceBytes' | 'hashBytes'>): number {
  return 12 * head.count + head.sourceBytes + head.hashBytes;
}

/** The last build's files as read: its manifest (whole, under any key) and the verified head of the index it names; null for what is missing or damaged. */
export interface LastBuildFiles {
  manifest: { head: ManifestHead; columns: Uint8Array } | null;
  indexHead: Uint8Array | null;
}

/** Reads the manifest in `dir` and the head of the index it names, verifying both files (readVerifiedHead). */
export function readLastBuild(dir: string): LastBuildFiles {
  let manifest: LastBuildFiles['manifest'] = null;
  try {
    manifest = readColumnsFile<ManifestHead>(readFileSync(join(dir, MANIFEST_FILE)), manifestLength);
  } catch {
    // No manifest: a first build.
  }
  if (!manifest || !(INDEX_SLOTS as readonly string[]).includes(manifest.head.indexFile)) return { manifest: null, indexHead: null };
  return { manifest, indexHead: readVerifiedHead(join(dir, manifest.head.indexFile)) };
}

/** Bytes moved per read and write: large enough that calls cost nothing, small enough to stay in cache. */
const COPY_CHUNK = 1 << 20;

/** Reads `length` bytes from `position` into `buffer`, which has room; false at a short file. */
function readFully(fd: number, buffer: Uint8Array, length: number, position: number): boolean {
  return readInto(fd, buffer, length, position) === length;
}

/**
 * The head (headBytes) of the index file at `path`, once the head and every shard of its records
 * are verified against their sums; null when the file is damaged, cut short, or not an index of
 * this format. The records are read `chunkBytes` at a time into one buffer, never kept.
 */
export function readVerifiedHead(path: string, chunkBytes = COPY_CHUNK): Uint8Array | null {
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
    // Where a shard starts in the file: the records follow the head.
    const shardStart = (shard: number): number => head.length + recordStart[storyStart[Math.min(shard * STORIES_PER_SHARD, storyCount)]!]!;
    // Shards are read a chunk at a time (a read per ~14 KB shard was 12.5k reads at 100k), and
    // one that does not start 4-byte aligned in the chunk is copied to the start of `aligned`
    // first: checksum reads words, and its unaligned path is several times slower.
    const end = CoverageIndex.byteLength(header);
    let chunk = new Uint8Array(chunkBytes);
    let aligned = new Uint8Array(chunkBytes);
    let chunkStart = 0;
    let chunkEnd = 0;
    for (let shard = 0; shard < shardSums.length; shard++) {
      const from = shardStart(shard);
      const to = shardStart(shard + 1);
      if (to - from > chunk.length) [chunk, aligned] = [new Uint8Array(2 * (to - from)), new Uint8Array(2 * (to - from))];
      if (to > chunkEnd) {
        const length = Math.min(chunk.length, end - from);
        if (!readFully(fd, chunk, length, from)) return null;
        [chunkStart, chunkEnd] = [from, from + length];
      }
      let bytes = chunk.subarray(from - chunkStart, to - chunkStart);
      if ((from - chunkStart) % 4 !== 0) {
        aligned.set(bytes);
        bytes = aligned.subarray(0, bytes.length);
      }
      if (checksum(bytes) !== shardSums[shard]) return null;
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
        if (!readFully(previousFd, buffer, chunk, previousHeadLength + run.from + done)) throw new SpliceError('the previous index file was cut short');
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
