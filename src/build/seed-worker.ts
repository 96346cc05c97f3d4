import { parentPort } from 'node:worker_threads';
import { bufferUtf8Writer } from './build-index';
import { HostPartNumbering, recordWriter, SeedColumnsWriter, type SeedColumns } from './seed-columns';
import { contentHash, parseSeedFile, readWithStat, type InvalidRecord } from './seed-records';

/*
 * A build worker: reads, hashes, parses, validates and canonicalises the files it is sent, and
 * answers with a WorkerResult per batch: a FileResult per file, and the batch's articles as
 * columns (seed-columns.ts), which are also the valid seeds' records (fileRecord): the main
 * thread indexes them and stores them in the cache as they are. A file whose hash the cache
 * already knows is not parsed again (it has no record and no columns). Started by
 * parallel-read.ts: bundled (worker-bundle.ts) when run from sources, or through ts-worker.mjs
 * when esbuild is missing.
 */

export type WorkerTask = { files: string[] } | { known: string[] };
/**
 * Per file: [content hash, the record of an invalid seed (null for a valid one, whose articles
 * are in the columns, or when the cache has it), read error, size, mtimeMs]; hash null when the
 * file could not be read. Size and modification time come from the open file, so a cold build
 * needs no stat pass of its own on the main thread.
 */
export type FileResult = [hash: string | null, problems: InvalidRecord | null, readError: string | null, size: number, mtimeMs: number];
export interface WorkerResult {
  files: FileResult[];
  columns: SeedColumns;
}

/** Hashes the cache has records for, sent before the first files (workers start before the cache is read). */
let known = new Set<string>();
const records = recordWriter(bufferUtf8Writer);
/** Host parts are numbered across this worker's batches: the main thread receives them in order (HostPartList). */
const hostParts = new HostPartNumbering();

parentPort!.on('message', (task: WorkerTask) => {
  if ('known' in task) {
    known = new Set(task.known);
    return;
  }
  const columns = new SeedColumnsWriter(records, hostParts);
  const files = task.files.map((file): FileResult => {
    let read: ReturnType<typeof readWithStat>;
    try {
      read = readWithStat(file);
    } catch (error) {
      columns.addFile(null);
      return [null, null, (error as Error).message, -1, -1];
    }
    const hash = contentHash(read.bytes);
    const parsed = known.has(hash) ? null : parseSeedFile(read.bytes);
    columns.addFile(parsed?.articles ?? null);
    return [hash, parsed?.problems ?? null, null, read.size, read.mtimeMs];
  });
  const batch = columns.finish();
  parentPort!.postMessage({ files, columns: batch.columns } satisfies WorkerResult, batch.transfer);
});
