import { parentPort, workerData } from 'node:worker_threads';
import { readVerifiedHead } from './previous-index';

/**
 * The index worker: reads the last build's index head and verifies it, with every shard of its
 * records, off the main thread, while that one lists and stats the seeds (issue 4). Started by
 * index-cache.ts (prefetchPreviousBuild).
 */
export interface IndexWorkerData {
  path: string;
}

/** The verified head (readVerifiedHead), or null when the file is damaged. */
export interface IndexWorkerResult {
  head: Uint8Array | null;
}

const { path } = workerData as IndexWorkerData;
const head = readVerifiedHead(path);
// Transferred, not copied: the head of a 100k index is ~15 MB.
parentPort!.postMessage({ head } satisfies IndexWorkerResult, head ? [head.buffer as ArrayBuffer] : []);
