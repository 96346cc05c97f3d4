import { parentPort } from 'node:worker_threads';
import { contentHash, readWithStat, seedRecord } from './seed-records';

/**
 * A build worker: reads, hashes, parses, validates and canonicalises the files it is sent, and
 * answers with one [hash, record] per file. A file whose hash the cache already knows is not
 * parsed again (its record is null). Started by parallel-read.ts: bundled (worker-bundle.ts) when
 * run from sources, or through ts-worker.mjs when esbuild is missing.
 */
export type WorkerTask = { files: string[] } | { known: string[] };
/**
 * [content hash, record or null when the cache has it, read error, size, mtimeMs]; hash null when
 * the file could not be read. Size and modification time come from the open file, so a cold build
 * needs no stat pass of its own on the main thread.
 */
export type WorkerResult = Array<[hash: string | null, record: string | null, readError: string | null, size: number, mtimeMs: number]>;

/** Hashes the cache has records for, sent before the first files (workers start before the cache is read). */
let known = new Set<string>();

parentPort!.on('message', (task: WorkerTask) => {
  if ('known' in task) {
    known = new Set(task.known);
    return;
  }
  const results: WorkerResult = task.files.map((file) => {
    let read: ReturnType<typeof readWithStat>;
    try {
      read = readWithStat(file);
    } catch (error) {
      return [null, null, (error as Error).message, -1, -1];
    }
    const hash = contentHash(read.bytes);
    return [hash, known.has(hash) ? null : seedRecord(read.bytes), null, read.size, read.mtimeMs];
  });
  parentPort!.postMessage(results);
});
