import { closeSync, openSync, writeSync } from 'node:fs';
import { checksum } from '../core/index/hash';

/**
 * Per-file data of the build caches (seed-cache.ts, index-cache.ts) kept as columns: typed arrays,
 * and strings end to end in one string. At 100k seed files, a cache read as JSON or as lines into
 * Maps cost a rebuild hundreds of ms of parsing, 100k-entry Maps and the garbage collections of
 * their strings (issue 4); columns load in one read, a few views and a decode or two.
 */

/** Strings end to end in one, with where each ends: compared where they stand, sliced out only when needed. */
export class StringColumn {
  constructor(
    readonly text: string,
    /** Where each string ends in `text`, in UTF-16 units; it starts where the previous one ends. */
    readonly ends: Uint32Array,
  ) {}

  static of(strings: readonly string[]): StringColumn {
    const ends = new Uint32Array(strings.length);
    let end = 0;
    strings.forEach((string, i) => {
      end += string.length;
      ends[i] = end;
    });
    return new StringColumn(strings.join(''), ends);
  }

  get count(): number {
    return this.ends.length;
  }

  private start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  at(i: number): string {
    return this.text.slice(this.start(i), this.ends[i]);
  }

  length(i: number): number {
    return this.ends[i]! - this.start(i);
  }

  /**
   * Whether string `i` is `string`. A slice of a long string is a view in V8, not a copy, and
   * comparing it took half the time of text.startsWith(string, start) at 100k strings.
   */
  is(i: number, string: string): boolean {
    return i >= 0 && i < this.count && this.length(i) === string.length && this.at(i) === string;
  }

  /**
   * Whether the column holds `strings`, in order: one comparison of the joined text, where
   * comparing string by string (is()) cost a 100k rebuild ~50 ms when its listing had not changed.
   */
  equals(strings: readonly string[]): boolean {
    if (strings.length !== this.count) return false;
    for (let i = 0; i < strings.length; i++) if (strings[i]!.length !== this.length(i)) return false;
    return strings.join('') === this.text;
  }

  /** Whether the ends rise to the end of the text: a column read from a file is whole. */
  isWhole(): boolean {
    for (let i = 0, end = 0; i < this.count; end = this.ends[i++]!) if (this.ends[i]! < end) return false;
    return (this.count === 0 ? 0 : this.ends[this.count - 1]!) === this.text.length;
  }

  /** The place of each string (the first, for one that is there twice). */
  positions(): Map<string, number> {
    const map = new Map<string, number>();
    for (let i = this.count - 1; i >= 0; i--) map.set(this.at(i), i);
    return map;
  }
}

/** Where the columns start after a header of `headLength` bytes: 8-byte aligned, for float64 views. */
function columnsStart(headLength: number): number {
  return Math.ceil((4 + headLength) / 8) * 8;
}

/**
 * Writes a columns file: the header's byte length (uint32), the header (JSON, with checksum() of
 * the columns added), zeros up to a multiple of 8, then `columns`.
 */
export function writeColumnsFile(path: string, head: object, columns: Uint8Array): void {
  const text = Buffer.from(JSON.stringify({ ...head, checksum: checksum(columns) }));
  const prefix = Buffer.alloc(columnsStart(text.length));
  prefix.writeUInt32LE(text.length, 0);
  text.copy(prefix, 4);
  const fd = openSync(path, 'w');
  try {
    for (const bytes of [prefix, columns]) {
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The header and columns of a file writeColumnsFile wrote, or null when it is damaged: its
 * columns not `length(head)` bytes long, or not their checksum. The columns start 8-byte aligned
 * in memory (copied when the file's bytes do not).
 */
export function readColumnsFile<Head extends object>(file: Buffer, length: (head: Head) => number): { head: Head; columns: Uint8Array } | null {
  if (file.length < 4) return null;
  const headLength = file.readUInt32LE(0);
  const head = JSON.parse(file.toString('utf8', 4, 4 + headLength)) as Head & { checksum: unknown };
  const start = columnsStart(headLength);
  const expected = length(head);
  if (!Number.isSafeInteger(expected) || file.length !== start + expected) return null;
  const columns = (file.byteOffset + start) % 8 === 0 ? file.subarray(start) : new Uint8Array(file.subarray(start));
  return checksum(columns) === head.checksum ? { head, columns } : null;
}

/** Takes typed views and byte runs one after another from columns that start 8-byte aligned. */
export class ColumnReader {
  private at: number;

  constructor(private readonly columns: Uint8Array) {
    this.at = columns.byteOffset;
  }

  float64(count: number): Float64Array {
    return this.take(count * 8, (at) => new Float64Array(this.columns.buffer, at, count));
  }

  uint32(count: number): Uint32Array {
    return this.take(count * 4, (at) => new Uint32Array(this.columns.buffer, at, count));
  }

  int32(count: number): Int32Array {
    return this.take(count * 4, (at) => new Int32Array(this.columns.buffer, at, count));
  }

  bytes(count: number): Buffer {
    return this.take(count, (at) => Buffer.from(this.columns.buffer, at, count));
  }

  private take<T>(bytes: number, view: (at: number) => T): T {
    const taken = view(this.at);
    this.at += bytes;
    return taken;
  }
}
