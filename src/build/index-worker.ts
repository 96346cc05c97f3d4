import { parentPort, workerData } from 'node:worker_threads';
import { readLastBuild } from './previous-index';

/**
 * The index worker: reads the last build's manifest and index head and verifies both files (the
 * index with every shard of its records), off the main thread, while that one lists and stats the
 * seeds (issue 4). Started by index-cache.ts (prefetchPreviousBuild), which gets readLastBuild's
 * result.
 */
export interface IndexWorkerData {
  /** The cache directory. */
  dir: string;
}

const files = readLastBuild((workerData as IndexWorkerData).dir);
// Transferred, not copied: at 100k seeds the manifest's columns are ~10 MB and the head ~15 MB.
const buffers = [files.manifest?.columns.buffer, files.indexHead?.buffer].filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer);
parentPort!.postMessage(files, [...new Set(buffers)]);
