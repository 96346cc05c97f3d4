import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { contentHash, seedRecord } from './seed-records';

/**
 * A build worker: reads, hashes, parses, validates and canonicalises the files it is sent, and
 * answers with one [hash, record] per file. A file whose hash the cache already knows is not
 * parsed again (its record is null). Started by parallel-read.ts through ts-worker.mjs.
 */
export interface WorkerTask {
  files: string[];
}
/** [content hash, record or null when the cache has it]; hash null when the file could not be read. */
export type WorkerResult = Array<[hash: string | null, record: string | null, readError: string | null]>;

const known = new Set<string>((workerData as { known: string[] }).known);

parentPort!.on('message', ({ files }: WorkerTask) => {
  const results: WorkerResult = files.map((file) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      return [null, null, (error as Error).message];
    }
    const hash = contentHash(bytes);
    return [hash, known.has(hash) ? null : seedRecord(bytes), null];
  });
  parentPort!.postMessage(results);
});
