import { RecordWriter, type Utf8WriterFactory } from '../core/index/encode';
import type { CanonicalArticle } from '../core/story/cluster';
import { HostParts } from './host-counter';
import { writeCopyRecord, type ValidRecord } from './seed-records';

/**
 * What a cold build's main thread needs of a batch of seed files, as typed arrays and bytes rather
 * than objects: each article of each seed (a *copy*: one article may be in several seeds) as its
 * index record (format.ts), its publication time, and its keys' hashes and hosts. A cold 100k
 * build that parsed every record into objects on the main thread held ~640 MB of them, and their
 * garbage collection took ~3.5 s while the workers needed both cores (issue 4). The workers write
 * these (SeedColumnsWriter); columnar-index.ts clusters and encodes them.
 *
 * A copy's record is the record its article has in the index when no other seed shares it: its
 * own metadata, its keys sorted and distinct.
 */
export interface SeedColumns {
  /** Files + 1 entries: file f of the batch owns copies copyStart[f] .. copyStart[f + 1] - 1 (none when it is invalid or unread). */
  copyStart: Uint32Array;
  /** Per file: 1 when it is a valid seed parsed in this batch, whose articles these are. */
  valid: Uint8Array;
  /** Per copy: its publication time, NaN when unknown (as its record has it). */
  publishedAt: Float64Array;
  /** Copies + 1 entries: copy c's record is records[recordStart[c] .. recordStart[c + 1]). */
  recordStart: Uint32Array;
  records: Uint8Array;
  /** Copies + 1 entries: copy c's keys are keyStart[c] .. keyStart[c + 1] - 1, in its record's order. */
  keyStart: Uint32Array;
  /** Per key: its 64-bit hash (hashKey). */
  keyHi: Uint32Array;
  keyLo: Uint32Array;
  /** Per key: its part before the first '/' or '?' (its host and any port), as its number in `hostParts`. */
  keyHostPart: Uint32Array;
  /**
   * The host parts keyHostPart numbers. As a writer hands a batch over, only the parts first met in
   * it, numbered from `hostPartsFrom` (HostPartNumbering goes on from batch to batch); a
   * HostPartList receiving the writer's batches in order makes this every part numbered so far,
   * from 0, which is what columnar-index.ts reads.
   */
  hostParts: string[];
  hostPartsFrom: number;
}

/** A file's place in a batch's columns: file `file` of the batch `columns`. */
export interface ColumnsPlace {
  columns: SeedColumns;
  file: number;
}

/**
 * The seed record (seed-records.ts) of a valid file in its batch: its copies' records, which lie
 * back to back. A view of the batch's bytes, not a copy.
 */
export function fileRecord({ columns, file }: ColumnsPlace): ValidRecord {
  return columns.records.subarray(columns.recordStart[columns.copyStart[file]!]!, columns.recordStart[columns.copyStart[file + 1]!]!);
}

/**
 * Numbers host parts for one writer's batches, from batch to batch, so that a part is sent once:
 * with a list per batch, a cold 100k build sent ~590k strings for ~5k distinct parts, and the main
 * thread received, kept and looked each one up again (~0.17 s of its index phase, issue 4).
 */
export class HostPartNumbering extends HostParts {
  private sent = 0;

  /** The parts numbered since the last call, and the number of the first of them. */
  takeNew(): { from: number; parts: string[] } {
    const from = this.sent;
    this.sent = this.parts.length;
    return { from, parts: this.parts.slice(from) };
  }
}

/** The receiving end of one writer's HostPartNumbering: its batches must come in the order they were written. */
export class HostPartList {
  private readonly parts: string[] = [];

  /** Makes `columns.hostParts` every part its writer has numbered so far. */
  receive(columns: SeedColumns): void {
    if (columns.hostPartsFrom !== this.parts.length) throw new Error(`host parts from ${columns.hostPartsFrom}, after ${this.parts.length}: batches out of order`);
    for (const part of columns.hostParts) this.parts.push(part);
    columns.hostParts = this.parts;
    columns.hostPartsFrom = 0;
  }
}

/** Record bytes a writer starts with; a batch of 128 seeds needs about 300 KB. */
const FIRST_RECORD_BYTES = 256 << 10;

/** A writer for SeedColumnsWriter, kept from batch to batch: fresh memory costs this machine ~20 µs a page (issue 4). */
export function recordWriter(utf8Writer?: Utf8WriterFactory): RecordWriter {
  return new RecordWriter(FIRST_RECORD_BYTES, 0, utf8Writer);
}

/** Builds one batch's SeedColumns, file by file. */
export class SeedColumnsWriter {
  private readonly copyStart: number[] = [0];
  private readonly valid: number[] = [];
  private readonly publishedAt: number[] = [];
  private readonly recordStart: number[] = [0];
  private readonly keyStart: number[] = [0];
  private readonly keyHi: number[] = [];
  private readonly keyLo: number[] = [];
  private readonly keyHostPart: number[] = [];
  private readonly hash = new Uint32Array(2);

  /**
   * `records` (recordWriter) is started over: the batch's bytes are copied out by finish.
   * `hostParts`: the numbering this writer's earlier batches used, if any.
   */
  constructor(
    private readonly records: RecordWriter,
    private readonly hostParts = new HostPartNumbering(),
  ) {
    records.restart();
  }

  /** Adds the next file: its canonical articles, or null when it has none to index (invalid, unread, or known to the cache). */
  addFile(articles: readonly CanonicalArticle[] | null): void {
    for (const copy of articles ?? []) {
      const article = writeCopyRecord(this.records, copy, this.hash, this.addKey);
      this.publishedAt.push(article.publishedAt ?? Number.NaN);
      this.recordStart.push(this.records.offset);
      this.keyStart.push(this.keyHi.length);
    }
    this.copyStart.push(this.publishedAt.length);
    this.valid.push(articles ? 1 : 0);
  }

  private readonly addKey = (key: string): void => {
    this.keyHi.push(this.hash[0]!);
    this.keyLo.push(this.hash[1]!);
    this.keyHostPart.push(this.hostParts.numberOfKeyHost(key));
  };

  /** The batch's columns, and the buffers a worker can transfer rather than copy. */
  finish(): { columns: SeedColumns; transfer: ArrayBuffer[] } {
    const hostParts = this.hostParts.takeNew();
    const columns: SeedColumns = {
      copyStart: Uint32Array.from(this.copyStart),
      valid: Uint8Array.from(this.valid),
      publishedAt: Float64Array.from(this.publishedAt),
      recordStart: Uint32Array.from(this.recordStart),
      // A copy of exactly the bytes written, since the writer's buffer is reused.
      records: this.records.written().slice(),
      keyStart: Uint32Array.from(this.keyStart),
      keyHi: Uint32Array.from(this.keyHi),
      keyLo: Uint32Array.from(this.keyLo),
      keyHostPart: Uint32Array.from(this.keyHostPart),
      hostParts: hostParts.parts,
      hostPartsFrom: hostParts.from,
    };
    const { copyStart, valid, publishedAt, recordStart, records, keyStart, keyHi, keyLo, keyHostPart } = columns;
    return { columns, transfer: [copyStart, valid, publishedAt, recordStart, records, keyStart, keyHi, keyLo, keyHostPart].map((array) => array.buffer as ArrayBuffer) };
  }
}
