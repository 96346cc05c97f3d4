import { parentPort } from 'node:worker_threads';
import { bufferUtf8Writer } from './build-index';
import { HostPartNumbering, recordWriter, SeedColumnsWriter, type SeedColumns } from './seed-columns';
import { contentHash, parseSeedFile, readWithStat, recordLineBytes, writeRecordLine } from './seed-records';

/*
 * A build worker: reads, hashes, parses, validates and canonicalises the files it is sent, and
 * answers with a WorkerResult per batch: a FileResult per file, the batch's articles as columns
 * (seed-columns.ts) for the main thread to index without parsing records, and, when asked, the
 * valid records as lines of the cache's records file. A file whose hash the cache already knows is
 * not parsed again (its record is null, and it has no columns). Started by parallel-read.ts:
 * bundled (worker-bundle.ts) when run from sources, or through ts-worker.mjs when esbuild is missing.
 */

/**
 * `validRecords`: what to answer for a valid record. 'text' (the default) sends it in its
 * FileResult; 'lines' writes it as a line of the cache's records file (CacheLines); 'none' sends
 * nothing, for a build that only indexes the columns and keeps no cache. `spare`: buffers of
 * earlier CacheLines, written out and given back to be filled again.
 */
export type ValidRecords = 'text' | 'lines' | 'none';
export type WorkerTask = { files: string[]; validRecords?: ValidRecords; spare?: ArrayBuffer[] } | { known: string[] };
/**
 * Per file: [content hash, record or null when the cache has it, read error, size, mtimeMs]; hash
 * null when the file could not be read. Size and modification time come from the open file, so a
 * cold build needs no stat pass of its own on the main thread.
 */
export type FileResult = [hash: string | null, record: string | null, readError: string | null, size: number, mtimeMs: number];
export interface WorkerResult {
  files: FileResult[];
  columns: SeedColumns;
  lines?: CacheLines;
}

/**
 * The valid records of a batch as lines of the cache's records file (SeedCache.streamLines), when
 * asked for: their record in FileResult is then null. Per file, where its record text is in
 * `bytes` (length 0: none here).
 */
export interface CacheLines {
  bytes: Uint8Array;
  start: Uint32Array;
  length: Uint32Array;
}

/** Hashes the cache has records for, sent before the first files (workers start before the cache is read). */
let known = new Set<string>();
const records = recordWriter(bufferUtf8Writer);
/** Host parts are numbered across this worker's batches: the main thread receives them in order (HostPartList). */
const hostParts = new HostPartNumbering();
/** Where a batch's cache lines are written, kept from batch to batch (its bytes are copied out). */
let lineBuffer = Buffer.allocUnsafe(1 << 20);
/**
 * Buffers the main thread gave back: a batch's lines are copied into one of them rather than
 * into fresh memory, which costs this machine ~20 µs a page (~28k pages a worker at 100k seeds).
 */
const spareLineBuffers: ArrayBuffer[] = [];

/** `length` bytes for a batch's lines: a spare buffer that is large enough, or a new one with room to spare. */
function lineBytes(length: number): Uint8Array {
  const spare = spareLineBuffers.findIndex((buffer) => buffer.byteLength >= length);
  if (spare !== -1) return new Uint8Array(spareLineBuffers.splice(spare, 1)[0]!, 0, length);
  // None is large enough: one of them is let go, so that buffers in use do not grow in number.
  spareLineBuffers.shift();
  return new Uint8Array(new ArrayBuffer(Math.ceil(length * 1.25)), 0, length);
}

parentPort!.on('message', (task: WorkerTask) => {
  if ('known' in task) {
    known = new Set(task.known);
    return;
  }
  if (task.spare) spareLineBuffers.push(...task.spare);
  const columns = new SeedColumnsWriter(records, hostParts);
  const validRecords = task.validRecords ?? 'text';
  const lines = validRecords === 'lines' ? { start: new Uint32Array(task.files.length), length: new Uint32Array(task.files.length), used: 0 } : null;
  const files = task.files.map((file, index): FileResult => {
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
    if (lines && parsed?.articles) {
      const most = lines.used + recordLineBytes(hash, parsed.record);
      if (most > lineBuffer.length) lineBuffer = Buffer.concat([lineBuffer.subarray(0, lines.used)], 2 * most);
      const line = writeRecordLine(lineBuffer, lines.used, hash, parsed.record);
      lines.start[index] = line.start;
      lines.length[index] = line.length;
      lines.used = line.end;
      return [hash, null, null, read.size, read.mtimeMs];
    }
    if (validRecords === 'none' && parsed?.articles) return [hash, null, null, read.size, read.mtimeMs];
    return [hash, parsed?.record ?? null, null, read.size, read.mtimeMs];
  });
  const batch = columns.finish();
  let cacheLines: CacheLines | null = null;
  if (lines) {
    const bytes = lineBytes(lines.used);
    bytes.set(lineBuffer.subarray(0, lines.used));
    cacheLines = { bytes, start: lines.start, length: lines.length };
  }
  const transfer = cacheLines ? [...batch.transfer, cacheLines.bytes.buffer as ArrayBuffer, lines!.start.buffer, lines!.length.buffer] : batch.transfer;
  parentPort!.postMessage({ files, columns: batch.columns, lines: cacheLines ?? undefined } satisfies WorkerResult, transfer);
});
