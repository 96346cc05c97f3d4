import * as crypto from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { SEED_LIMITS } from '../core/seed/limits';
import type { SeedProblem } from '../core/seed/types';
import { readArticleRecords } from '../core/index/coverage-index';
import { RecordWriter, writeArticleRecord } from '../core/index/encode';
import { articleOf, canonicaliseSeedWith, sortedDistinctKeys, type CanonicalArticle, type CanonicalSeed } from '../core/story/cluster';
import type { Article } from '../core/story/types';
import { canonicalise, type CanonicalAddress } from '../core/url/canonical';
import { outletDomain } from '../core/url/outlet';
import { bufferUtf8Writer } from './build-index';
import { readSeedBytes } from './read-seeds';

/**
 * The per-file half of a build: one seed file's bytes in, a compact record out. Workers produce
 * records, the cache stores them by content hash, and the main thread clusters them.
 *
 *   valid:   bytes: each canonical article's index record (format.ts, writeArticleRecord),
 *            back to back: what a worker writes into its batch's columns (seed-columns.ts)
 *            anyway, so that a cold build stores them as they are, with no encoding of its own;
 *   invalid: text, JSON: {"p":[[line, message], …]}.
 *
 * A valid record keeps what clustering reads of an article: its keys sorted and distinct, and its
 * outlet name resolved (the outlet domain when the seed names none), as articleOf gives them.
 */
export type SeedRecord = ValidRecord | InvalidRecord;
export type ValidRecord = Uint8Array;
export type InvalidRecord = string;

/** Whether a record is a valid seed's, without reading it: the cache and the reader sort records by this. */
export function isValidRecord(record: SeedRecord): record is ValidRecord {
  return typeof record !== 'string';
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
  const parsed = parseSeedFile(bytes);
  return parsed.articles ? articlesRecord(parsed.articles) : parsed.problems!;
}

/**
 * The canonical articles of a valid seed, or the record of an invalid one's problems. A valid
 * seed's record is written by whoever keeps its articles (a worker into its columns, or
 * articlesRecord), not here: a cold build spent ~10% of its workers' time turning articles into
 * JSON that only the cache read (issue 4).
 */
export function parseSeedFile(bytes: Uint8Array): { articles: CanonicalArticle[]; problems: null } | { articles: null; problems: InvalidRecord } {
  if (bytes.byteLength > SEED_LIMITS.fileBytes) {
    return { articles: null, problems: JSON.stringify({ p: [[1, `file is ${bytes.byteLength} bytes; the limit is ${SEED_LIMITS.fileBytes}`]] }) };
  }
  const canonicals = new CanonicalReplay();
  const result = readSeedBytes(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), canonicals.check);
  if (!result.seed) return { articles: null, problems: JSON.stringify({ p: result.problems.map((problem) => [problem.line, problem.message]) }) };
  return { articles: canonicaliseSeedWith({ source: '', document: result.seed }, canonicals.again, memoisedOutletDomain).articles, problems: null };
}

/** Writes an article's record as the index and a worker's columns hold it (seed-columns.ts writes its batches through this). */
export function writeCopyRecord(records: RecordWriter, copy: CanonicalArticle, hash: Uint32Array, onKey: (key: string) => void): Article {
  const article = articleOf(copy, sortedDistinctKeys(copy.keys));
  writeArticleRecord(records, article, hash, onKey);
  return article;
}

/** The valid record of these articles, as a worker's columns hold it. */
export function articlesRecord(articles: readonly CanonicalArticle[]): ValidRecord {
  const records = new RecordWriter(4096, 0, bufferUtf8Writer);
  const hash = new Uint32Array(2);
  for (const copy of articles) writeCopyRecord(records, copy, hash, () => undefined);
  return records.written().slice();
}

/** Turns a record back into a canonical seed named `source`, or the file's problems. Throws on a record that is neither. */
export function readRecord(record: SeedRecord, source: string): { seed: CanonicalSeed } | { problems: SeedProblem[] } {
  if (isValidRecord(record)) {
    const articles = readArticleRecords(record).map(
      ({ url, title, excerpt, outlet, outletDomain, publishedAt, keys }): CanonicalArticle => ({ url, title, excerpt, outletName: outlet, publishedAt, outletDomain, keys }),
    );
    return { seed: { source, articles } };
  }
  const json = JSON.parse(record) as { p?: Array<[number, string]> };
  if (!Array.isArray(json.p)) throw new Error('not a seed record');
  return { problems: json.p.map(([line, message]) => ({ line, message })) };
}
