import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CoverageIndex } from '../core/index/coverage-index';
import type { IndexHeader } from '../core/index/format';

/**
 * The index worker: reads the last build's index file into shared memory and verifies it, off the
 * main thread, while that one lists and stats the seeds. Verifying the ~180 MB of a 100k index
 * took a rebuild's main thread ~0.1 s (issue 4). Started by index-cache.ts (prefetchPreviousBuild).
 */
export interface IndexWorkerData {
  path: string;
  /** Bytes of room to leave past the index, for a splice in place. */
  room: number;
}

/** The index's bytes (a view of shared memory), and its header when it verified; null when it is damaged. */
export type IndexWorkerResult = { bytes: Uint8Array; header: IndexHeader | null } | { error: string };

function readShared(path: string, room: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = new Uint8Array(new SharedArrayBuffer(size + room), 0, size);
    let done = 0;
    while (done < size) {
      const count = readSync(fd, bytes, done, size - done, done);
      if (count === 0) break;
      done += count;
    }
    return done === size ? bytes : bytes.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

function verifiedHeader(bytes: Uint8Array): IndexHeader | null {
  try {
    return CoverageIndex.verify(bytes);
  } catch {
    return null;
  }
}

const { path, room } = workerData as IndexWorkerData;
let result: IndexWorkerResult;
try {
  const bytes = readShared(path, room);
  result = { bytes, header: verifiedHeader(bytes) };
} catch (error) {
  result = { error: (error as Error).message };
}
parentPort!.postMessage(result);
