import * as crypto from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { SEED_LIMITS } from '../core/seed/limits';
import type { SeedProblem } from '../core/seed/types';
import { canonicaliseSeedWith, type CanonicalArticle, type CanonicalSeed } from '../core/story/cluster';
import { canonicalise, type CanonicalAddress } from '../core/url/canonical';
import { outletDomain } from '../core/url/outlet';
import { readSeedBytes } from './read-seeds';

/**
 * The per-file half of a build: one seed file's bytes in, a compact record out. Workers produce
 * records, the cache stores them by content hash, and the main thread clusters them. A record is
 * JSON text, because JSON.parse is the fastest way V8 has to rebuild many small strings, and text
 * passes between threads and into the cache file without another encoding.
 *
 *   valid:   {"a":[[url, title, excerpt, outletName, publishedAt, outletDomain, [keys…]], …]}
 *   invalid: {"p":[[line, message], …]}
 */
export type SeedRecord = string;

/** Whether a record is a valid seed's, without parsing it: the cache and the reader sort records by this. */
export function isValidRecord(record: SeedRecord): boolean {
  return record.startsWith('{"a":');
}

/**
 * Content identity of a seed file: sha1 is fast and collisions cannot happen by accident. The
 * one-shot crypto.hash where node has it (20.12+): a Hash object per file costs ~40% more.
 */
export const contentHash: (bytes: Uint8Array) => string =
  typeof crypto.hash === 'function' ? (bytes) => crypto.hash('sha1', bytes, 'hex') : (bytes) => crypto.createHash('sha1').update(bytes).digest('hex');

/** Reused by readWithStat for every file up to the seed size limit; its bytes are a view of it. */
const readBuffer = Buffer.allocUnsafe(SEED_LIMITS.fileBytes);

/**
 * Reads one file with its size and modification time: open, one fstat, one read into a buffer
 * reused from file to file, close. readFileSync(fd) stats the file again and allocates a Buffer
 * per file, which a build does 100k times (issue 4). Files that are not regular (no size to trust)
 * or over the limit are read by readFileSync. The bytes are only valid until the next call:
 * callers hash and decode them at once.
 */
export function readWithStat(path: string): { bytes: Buffer; size: number; mtimeMs: number } {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > readBuffer.length) return { bytes: readFileSync(fd), size: stat.size, mtimeMs: stat.mtimeMs };
    // Up to the size fstat gave, as readFileSync reads a regular file.
    let done = 0;
    while (done < stat.size) {
      const read = readSync(fd, readBuffer, done, stat.size - done, null);
      if (read === 0) break;
      done += read;
    }
    return { bytes: readBuffer.subarray(0, done), size: stat.size, mtimeMs: stat.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/**
 * canonicalise for one file, asked twice for the same addresses in the same order: validation
 * canonicalises every address to check it (`check`), and canonicaliseSeedWith needs the same
 * canonical forms right after (`again`). Without this, a quarter of the per-seed cost of a cold
 * build was canonicalising each address twice. The answers are replayed by position rather than
 * looked up in a Map: the second pass meets the very strings the first did, so comparing them is
 * a pointer comparison, where a Map hashed each ~80-character address and grew per file (issue 4).
 * An address out of step is canonicalised afresh, so the answers never depend on the order.
 */
class CanonicalReplay {
  private readonly addresses: string[] = [];
  private readonly answers: Array<CanonicalAddress | null> = [];
  private next = 0;

  readonly check = (address: string): CanonicalAddress | null => {
    const canonical = canonicalise(address);
    this.addresses.push(address);
    this.answers.push(canonical);
    return canonical;
  };

  readonly again = (address: string): CanonicalAddress | null => {
    if (this.addresses[this.next] !== address) return canonicalise(address);
    return this.answers[this.next++]!;
  };
}

/** Hostnames remembered by memoisedOutletDomain before it starts afresh (a bound on memory, far above a corpus's outlets). */
const OUTLET_MEMO_LIMIT = 100_000;
const outletMemo = new Map<string, string>();

/**
 * outletDomain, remembered across files: a worker meets the same outlets' hosts in file after
 * file, and tldts's public-suffix lookup was ~15% of the cost of a seed (issue 4).
 */
function memoisedOutletDomain(hostname: string): string {
  let domain = outletMemo.get(hostname);
  if (domain === undefined) {
    if (outletMemo.size >= OUTLET_MEMO_LIMIT) outletMemo.clear();
    domain = outletDomain(hostname);
    outletMemo.set(ownCopy(hostname), domain);
  }
  return domain;
}

/**
 * `text` as a string of its own. A hostname is a slice of its seed's text: kept as a key of a map
 * that lives as long as the worker, it would keep that whole text alive and be read through it on
 * every lookup; with flat keys, a lookup in outletMemo took ~1.5 µs instead of ~2.5 in a worker
 * that had read 20k seeds (issue 4).
 */
function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** Parses, validates and canonicalises one seed file's bytes (readSeedBytes does the parsing). */
export function seedRecord(bytes: Uint8Array): SeedRecord {
  return parseSeedFile(bytes).record;
}

/** seedRecord, with the canonical articles the record holds (null for an invalid seed). */
export function parseSeedFile(bytes: Uint8Array): { record: SeedRecord; articles: CanonicalArticle[] | null } {
  if (bytes.byteLength > SEED_LIMITS.fileBytes) {
    return { record: JSON.stringify({ p: [[1, `file is ${bytes.byteLength} bytes; the limit is ${SEED_LIMITS.fileBytes}`]] }), articles: null };
  }
  const canonicals = new CanonicalReplay();
  const result = readSeedBytes(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), canonicals.check);
  if (!result.seed) return { record: JSON.stringify({ p: result.problems.map((problem) => [problem.line, problem.message]) }), articles: null };
  const { articles } = canonicaliseSeedWith({ source: '', document: result.seed }, canonicals.again, memoisedOutletDomain);
  return { record: JSON.stringify({ a: articles.map((a) => [a.url, a.title, a.excerpt, a.outletName, a.publishedAt, a.outletDomain, a.keys]) }), articles };
}

type RecordJson = { a: Array<[string, string, string, string | null, number | null, string, string[]]> } | { p: Array<[number, string]> };

/** Turns a record back into a canonical seed named `source`, or the file's problems. */
export function readRecord(record: SeedRecord, source: string): { seed: CanonicalSeed } | { problems: SeedProblem[] } {
  const json = JSON.parse(record) as RecordJson;
  if ('p' in json) return { problems: json.p.map(([line, message]) => ({ line, message })) };
  const articles = json.a.map(
    ([url, title, excerpt, outletName, publishedAt, outletDomain, keys]): CanonicalArticle => ({ url, title, excerpt, outletName, publishedAt, outletDomain, keys }),
  );
  return { seed: { source, articles } };
}

/** The most bytes writeRecordLine can take for this record: UTF-8 takes at most three bytes per UTF-16 unit. */
export function recordLineBytes(hash: string, record: SeedRecord): number {
  return 3 * (hash.length + record.length) + 2;
}

/**
 * Writes a record's line of the records file, `hash\trecord\n`, at `at` of `bytes` (with
 * recordLineBytes of room), and says where its record text is and where the line ends. The seed cache's
 * RecordText writes lines with it, and so do the build's workers for a stream (SeedCache.streamLines).
 */
export function writeRecordLine(bytes: Buffer, at: number, hash: string, record: SeedRecord): { start: number; length: number; end: number } {
  let used = at + bytes.write(hash, at);
  bytes[used++] = 0x09;
  const start = used;
  const length = bytes.write(record, used);
  used += length;
  bytes[used++] = 0x0a;
  return { start, length, end: used };
}
