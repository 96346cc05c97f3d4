import type { Article, Story } from '../story/types';
import { hashOrder } from '../sort/hash-order';
import { buildBuffer, scratchUint32 } from '../sort/scratch-arrays';
import { checksum, hashKeyInto } from './hash';
import { HEADER_WORDS, INDEX_MAGIC, INDEX_VERSION, STORIES_PER_SHARD, detailsOffset, keyReferenceStart, shardCountOf } from './format';

/** Below this many keys a comparison sort beats counting into 65,536 buckets (hashOrder). */
const BUCKET_MIN_KEYS = 1 << 14;

function varintLength(value: number): number {
  let length = 1;
  for (let rest = value >>> 7; rest > 0; rest >>>= 7) length++;
  return length;
}

/**
 * From this size on, indexBytes backs the bytes with a SharedArrayBuffer (buildBuffer). Higher
 * than the scratch arrays' threshold: smaller indexes (tests, lists, the end-to-end builds) keep
 * the plain ArrayBuffer every consumer of index bytes was written and tested against.
 */
const SHARED_FROM_BYTES = 16 << 20;

/** Zeroed bytes for an index or its records, large ones outside V8's count of external memory (buildBuffer). */
export function indexBytes(length: number): Uint8Array {
  return new Uint8Array(buildBuffer(length, SHARED_FROM_BYTES));
}

/**
 * Writes `value` from `from` on as UTF-8 into `bytes` at `at`, as TextEncoder writes it (lone
 * surrogates become U+FFFD), in one pass; returns where the bytes end. `bytes` has room for three
 * bytes per UTF-16 unit. Most text is ASCII (every address and key), but about 40% of titles and
 * excerpts are not: an ASCII scan then TextEncoder.encodeInto read such text twice and made a view
 * and a result object per string, garbage at a hundred thousand seeds (issue 4).
 */
function writeUtf8(value: string, from: number, bytes: Uint8Array, at: number): number {
  for (let i = from; i < value.length; i++) {
    let code = value.charCodeAt(i);
    if (code < 0x80) {
      bytes[at++] = code;
      continue;
    }
    if (code < 0x800) {
      bytes[at++] = 0xc0 | (code >>> 6);
      bytes[at++] = 0x80 | (code & 0x3f);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const low = value.charCodeAt(i + 1);
      if (code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        const point = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        bytes[at++] = 0xf0 | (point >>> 18);
        bytes[at++] = 0x80 | ((point >>> 12) & 0x3f);
        bytes[at++] = 0x80 | ((point >>> 6) & 0x3f);
        bytes[at++] = 0x80 | (point & 0x3f);
        i++;
        continue;
      }
      code = 0xfffd;
    }
    bytes[at++] = 0xe0 | (code >>> 12);
    bytes[at++] = 0x80 | ((code >>> 6) & 0x3f);
    bytes[at++] = 0x80 | (code & 0x3f);
  }
  return at;
}

/**
 * Makes, for one buffer, a native UTF-8 writer: it writes a whole string as writeUtf8 does (lone
 * surrogates as U+FFFD) at a byte offset with room for three bytes per UTF-16 unit, and returns
 * the bytes written. In node, Buffer's utf8Write took 40% less CPU time than writeUtf8 to write
 * the text of 10k seeds' articles (median 48 ms against 81, 15 alternated rounds, load 7); the
 * core has no node APIs, so the build passes one in (build-index.ts) and browsers and tests use
 * writeUtf8.
 */
export type Utf8WriterFactory = (bytes: Uint8Array) => (text: string, at: number) => number;

/**
 * Text shorter than this (key remainders, outlet names) stays with writeUtf8, since a call out to
 * the native writer has a fixed cost. Writing the text of 10k seeds' articles took least with 32
 * of 0, 32 and 128 (one noisy run each, load 6–7).
 */
const NATIVE_MIN_UNITS = 32;

/**
 * Writes records (see format.ts) into one growing buffer. Text is written as UTF-8 straight into
 * the buffer (`text`): no ArrayBuffer per string (at a hundred thousand stories the garbage
 * collector then cost more than the rest of encoding) and no separate pass to size the records
 * first (issue 4, build).
 */
export class RecordWriter {
  bytes: Uint8Array;
  private view: DataView;
  /** The native writer over `bytes`, when there is one. */
  private writeNative: ((text: string, at: number) => number) | null;
  at: number;

  /** `origin`: where the records start in the buffer (encodeIndex leaves room for the rest of the index before them). */
  constructor(
    capacity: number,
    private readonly origin = 0,
    private readonly utf8Writer: Utf8WriterFactory | null = null,
  ) {
    this.bytes = indexBytes(capacity);
    this.view = new DataView(this.bytes.buffer);
    this.writeNative = utf8Writer && utf8Writer(this.bytes);
    this.at = origin;
  }

  /** Starts over at the origin, keeping the buffer (and its pages): a build's worker writes batch after batch. */
  restart(): void {
    this.at = this.origin;
  }

  /** Bytes of records written so far: where the next record starts, relative to the records. */
  get offset(): number {
    return this.at - this.origin;
  }

  /** Room for `count` more bytes, growing by a quarter (or to fit) when full: the first size is close (estimatedRecordsSize). */
  private reserve(count: number): void {
    if (this.at + count <= this.bytes.length) return;
    const grown = indexBytes(Math.max(this.at + count, Math.ceil(this.bytes.length * 1.25)));
    grown.set(this.bytes.subarray(0, this.at));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
    this.writeNative = this.utf8Writer && this.utf8Writer(grown);
  }

  f64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.at, value, true);
    this.at += 8;
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.at++] = value;
  }

  varint(value: number): void {
    this.reserve(5);
    let rest = value >>> 0;
    while (rest >= 0x80) {
      this.bytes[this.at++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.bytes[this.at++] = rest;
  }

  /** Length-prefixed UTF-8 of `value` from `from` on, as TextEncoder writes it (lone surrogates become U+FFFD). */
  text(value: string, from = 0): void {
    const units = value.length - from;
    // UTF-8 takes at least one byte per UTF-16 unit and at most three. The prefix is placed for
    // the least; text whose bytes need a longer prefix (non-ASCII near 128 bytes) is moved on.
    this.reserve(5 + 3 * units);
    const { bytes } = this;
    const guess = varintLength(units);
    const start = this.at + guess;
    const at = from === 0 && units >= NATIVE_MIN_UNITS && this.writeNative ? start + this.writeNative(value, start) : writeUtf8(value, from, bytes, start);
    const written = at - start;
    const prefix = varintLength(written);
    if (prefix !== guess) bytes.copyWithin(this.at + prefix, start, at);
    this.varint(written);
    this.at += written;
  }

  /** The records written. */
  written(): Uint8Array {
    return this.bytes.subarray(this.origin, this.at);
  }
}

/** Characters `a` (from aFrom) and `b` (from bFrom) share at their starts; only ASCII counts, as the reference is stored in bytes. */
function sharedPrefix(a: string, aFrom: number, b: string, bFrom: number): number {
  const limit = Math.min(a.length - aFrom, b.length - bFrom);
  let i = 0;
  while (i < limit && a.charCodeAt(aFrom + i) === b.charCodeAt(bFrom + i) && a.charCodeAt(aFrom + i) < 0x80) i++;
  return i;
}

/**
 * Orders key slots by (hi, lo), keeping equal hashes in insertion order (so the first claim of a
 * key wins), with no per-key objects (hashOrder), which keeps encoding a million keys in tens of
 * milliseconds.
 */
export function sortByHash(hi: Uint32Array, lo: Uint32Array): Uint32Array {
  const count = hi.length;
  if (count < BUCKET_MIN_KEYS) {
    const order = Array.from({ length: count }, (_, i) => i);
    // Array.prototype.sort is stable, so equal hashes keep insertion order here too.
    return Uint32Array.from(order.sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]!));
  }
  return hashOrder(hi, lo);
}

/**
 * Stories whose articles estimatedRecordsSize measures, at most. Measuring every article read the
 * lengths of ~2.8M strings at 100k seeds, each a cache miss in a heap of a gigabyte: ~0.3 s of a
 * cold build, for a first size that a sample gives as well (issue 4).
 */
const ESTIMATE_SAMPLE_STORIES = 8192;

/**
 * A first size for the record buffer, from lengths alone: each article's fixed bytes, its text's
 * UTF-16 units and an eighth more for the non-ASCII share of titles and excerpts, and a few bytes
 * per key, most keys being a prefix of their url (format.ts). Exact for up to
 * ESTIMATE_SAMPLE_STORIES stories; past that, evenly spaced stories are measured and their mean
 * per article scaled to all `articleCount`, with a thirty-second more (the sample of a 100k-seed
 * build is within 0.1% of the full measure). The writer grows if it is short.
 */
function estimatedRecordsSize(stories: readonly Story[], articleCount: number): number {
  const step = Math.max(1, Math.floor(stories.length / ESTIMATE_SAMPLE_STORIES));
  let size = 0;
  let measured = 0;
  for (let story = 0; story < stories.length; story += step) {
    for (const article of stories[story]!.articles) {
      const units = article.url.length + article.title.length + article.excerpt.length + article.outlet.length + article.outletDomain.length;
      size += 8 + 1 + 5 * 2 + units + (units >>> 3) + 1 + 4 * article.keys.length;
      measured++;
    }
  }
  if (step === 1 || measured === 0) return size;
  return Math.ceil((size / measured) * articleCount * (1 + 1 / 32));
}

interface Slots {
  hi: Uint32Array;
  lo: Uint32Array;
  article: Uint32Array;
  key: string[];
}

/**
 * Called with every key as it is encoded: work on each key (the build counts keys per host) is
 * cheapest here, where the key's characters were just read; another pass over ~900k keys spread
 * over a large heap waits on memory more than it computes (issue 4).
 */
export type KeyVisitor = (key: string) => void;

/**
 * Writes one article's record (see format.ts) and shows `onKey` each key with its hash, in the
 * record's order: `hash` holds that key's (hi, lo) during the call. The index encoder and the
 * build's workers (seed-columns.ts) both write records through this, so theirs are the same bytes.
 */
export function writeArticleRecord(records: RecordWriter, article: Article, hash: Uint32Array, onKey: (key: string) => void): void {
  records.f64(article.publishedAt ?? Number.NaN);
  const referenceStart = keyReferenceStart(article.url);
  records.text(article.url);
  records.byte(referenceStart);
  records.varint(article.keys.length);
  for (const key of article.keys) {
    const shared = sharedPrefix(key, 0, article.url, referenceStart);
    records.varint(shared);
    records.text(key, shared);
    hashKeyInto(key, hash);
    onKey(key);
  }
  records.text(article.title);
  records.text(article.excerpt);
  records.text(article.outlet);
  records.text(article.outletDomain);
}

/** Writes each article's record and one key slot per key; story and record tables alongside. */
function writeRecords(
  stories: readonly Story[],
  records: RecordWriter,
  slots: Slots,
  tables: { storyStart: Uint32Array; articleStory: Uint32Array; recordStart: Uint32Array },
  onKey: KeyVisitor | undefined,
): void {
  const { storyStart, articleStory, recordStart } = tables;
  const hash = new Uint32Array(2);
  let articleId = 0;
  let slot = 0;
  const addSlot = (key: string): void => {
    slots.hi[slot] = hash[0]!;
    slots.lo[slot] = hash[1]!;
    slots.article[slot] = articleId;
    slots.key.push(key);
    slot++;
    onKey?.(key);
  };
  for (let storyId = 0; storyId < stories.length; storyId++) {
    storyStart[storyId] = articleId;
    for (const article of stories[storyId]!.articles) {
      articleStory[articleId] = storyId;
      recordStart[articleId] = records.offset;
      writeArticleRecord(records, article, hash, addSlot);
      articleId++;
    }
  }
  storyStart[stories.length] = articleId;
  recordStart[articleId] = records.offset;
}

/**
 * Key slots in hash order, without duplicates. Clustering makes keys unique; if the input was not
 * clustered, the first claim of a key wins, and only true duplicates are dropped (two keys whose
 * 64-bit hashes collide are both kept, and lookups confirm each).
 */
function sortedUniqueSlots(slots: Slots): Uint32Array {
  const order = sortByHash(slots.hi, slots.lo);
  const kept = scratchUint32(order.length);
  let count = 0;
  for (let i = 0; i < order.length; i++) {
    const candidate = order[i]!;
    let duplicate = false;
    for (let j = count - 1; j >= 0; j--) {
      const earlier = kept[j]!;
      if (slots.hi[earlier] !== slots.hi[candidate] || slots.lo[earlier] !== slots.lo[candidate]) break;
      if (slots.key[earlier] === slots.key[candidate]) {
        duplicate = true;
        break;
      }
    }
    if (!duplicate) kept[count++] = candidate;
  }
  return kept.subarray(0, count);
}

/** Source values in `order`: the key arrays' columns, in hash order. */
export function gather(source: Uint32Array, order: Uint32Array): Uint32Array {
  const target = scratchUint32(order.length);
  for (let i = 0; i < order.length; i++) target[i] = source[order[i]!]!;
  return target;
}

/**
 * An index before assembly: its key slots (sorted by hash, without duplicates), its tables, and
 * its records, with record offsets relative to the records rather than to the details section.
 * Encoding and splicing (splice.ts) both produce parts, so both assemble bytes the same way.
 */
export interface IndexParts {
  storyCount: number;
  articleCount: number;
  keyHi: Uint32Array;
  keyLo: Uint32Array;
  keyArticle: Uint32Array;
  articleStory: Uint32Array;
  /** storyCount + 1 entries: story s owns articles storyStart[s] .. storyStart[s+1]-1. */
  storyStart: Uint32Array;
  /** articleCount + 1 entries: article a's record is records[recordStart[a] .. recordStart[a+1]). */
  recordStart: Uint32Array;
  records: Uint8Array;
}

/** Stories, articles and keys (before duplicates are dropped) of `stories`. */
function countsOf(stories: readonly Story[]): { storyCount: number; articleCount: number; slotCount: number } {
  let articleCount = 0;
  let slotCount = 0;
  for (const story of stories) {
    articleCount += story.articles.length;
    for (const article of story.articles) slotCount += article.keys.length;
  }
  return { storyCount: stories.length, articleCount, slotCount };
}

/** Encodes stories (in the order given) into parts. */
export function encodeParts(stories: readonly Story[], onKey?: KeyVisitor): IndexParts {
  const counts = countsOf(stories);
  return encodePartsWith(stories, counts, new RecordWriter(estimatedRecordsSize(stories, counts.articleCount)), onKey);
}

/** encodeParts, with the records written by `records`. */
function encodePartsWith(stories: readonly Story[], { storyCount, articleCount, slotCount }: ReturnType<typeof countsOf>, records: RecordWriter, onKey: KeyVisitor | undefined): IndexParts {
  // Scratch arrays (scratch-arrays.ts): encoding 100k seeds allocates ~45 MB of them.
  const tables = { storyStart: scratchUint32(storyCount + 1), articleStory: scratchUint32(articleCount), recordStart: scratchUint32(articleCount + 1) };
  // Keys are filled by push: `new Array(n)` of a million is a slow dictionary-mode array in V8.
  const slots: Slots = { hi: scratchUint32(slotCount), lo: scratchUint32(slotCount), article: scratchUint32(slotCount), key: [] };
  writeRecords(stories, records, slots, tables, onKey);
  const kept = sortedUniqueSlots(slots);
  return {
    storyCount,
    articleCount,
    keyHi: gather(slots.hi, kept),
    keyLo: gather(slots.lo, kept),
    keyArticle: gather(slots.article, kept),
    articleStory: tables.articleStory,
    storyStart: tables.storyStart,
    recordStart: tables.recordStart,
    records: records.written(),
  };
}

/**
 * Lays parts out in the index format (see format.ts), with every checksum. With `space` (at
 * offset 0 of its buffer, zeroed but for the records, as large as the index or larger), the
 * index is laid out there, and parts' records may already be in it, where they go or further on.
 * `knownShardSums`, when given, has each shard's sum where the caller knows it already (a splice
 * keeps the sums of the shards it copies whole) and -1 where it must be computed.
 */
export function assembleIndex(parts: IndexParts, space?: Uint8Array, knownShardSums?: ArrayLike<number>): Uint8Array {
  const keyCount = parts.keyHi.length;
  const shardBase = shardCountOf(parts.storyCount) * 4;
  const recordsAt = detailsOffset(keyCount, parts.articleCount, parts.storyCount) + shardBase;
  // Moved within `space` as a whole: copyWithin reads no further than the array it is called on.
  if (space && parts.records.buffer === space.buffer && parts.records.byteOffset !== recordsAt) space.copyWithin(recordsAt, parts.records.byteOffset, parts.records.byteOffset + parts.records.length);
  const bytes = space ? space.subarray(0, recordsAt + parts.records.length) : indexBytes(recordsAt + parts.records.length);
  if (parts.records.buffer !== bytes.buffer) bytes.set(parts.records, recordsAt);
  const records = bytes.subarray(recordsAt);
  writeHead(parts, parts.records.length, shardSumsOf(parts, (from, to) => records.subarray(from, to), knownShardSums), bytes);
  return bytes;
}

/** An index's parts but its records: what its head (headBytes) is made of. */
export type IndexTables = Omit<IndexParts, 'records'>;

/**
 * Each shard's sum: `known[shard]` where it is given and not -1, otherwise the checksum of the
 * shard's records, as `readRecords` (offsets into the records) gives them.
 */
export function shardSumsOf(tables: IndexTables, readRecords: (from: number, to: number) => Uint8Array, known?: ArrayLike<number>): Uint32Array {
  const { storyCount, storyStart, recordStart } = tables;
  const sums = new Uint32Array(shardCountOf(storyCount));
  for (let shard = 0; shard < sums.length; shard++) {
    const knownSum = known?.[shard] ?? -1;
    if (knownSum !== -1) {
      sums[shard] = knownSum;
      continue;
    }
    const first = storyStart[shard * STORIES_PER_SHARD]!;
    const end = storyStart[Math.min((shard + 1) * STORIES_PER_SHARD, storyCount)]!;
    sums[shard] = checksum(readRecords(recordStart[first]!, recordStart[end]!));
  }
  return sums;
}

/**
 * Writes an index's head (header, membership, tables, shard sums: headBytes of them) into the
 * start of `bytes`, a view at a 4-byte aligned offset, for `recordBytes` of records after it.
 */
export function writeHead(tables: IndexTables, recordBytes: number, shardSums: Uint32Array, bytes: Uint8Array): void {
  const { storyCount, articleCount, storyStart, recordStart } = tables;
  const keyCount = tables.keyHi.length;
  const shardBase = shardSums.length * 4;
  const detailsAt = detailsOffset(keyCount, articleCount, storyCount);
  const u32 = new Uint32Array(bytes.buffer, bytes.byteOffset, detailsAt / 4 + shardSums.length);
  for (let slot = 0, word = HEADER_WORDS; slot < keyCount; slot++, word += 3) {
    u32[word] = tables.keyHi[slot]!;
    u32[word + 1] = tables.keyLo[slot]!;
    u32[word + 2] = tables.keyArticle[slot]!;
  }
  let at = HEADER_WORDS + 3 * keyCount;
  u32.set(tables.articleStory, at);
  u32.set(storyStart, (at += articleCount));
  const detailStartAt = at + storyCount + 1;
  for (let article = 0; article <= articleCount; article++) u32[detailStartAt + article] = shardBase + recordStart[article]!;
  u32.set(shardSums, detailsAt / 4);
  // Word 6 is reserved (format 4): the head's checksum and the shard sums cover every byte.
  u32.set([INDEX_MAGIC, INDEX_VERSION, keyCount, articleCount, storyCount, shardBase + recordBytes, 0], 0);
  u32[7] = checksum(bytes.subarray(HEADER_WORDS * 4, detailsAt + shardBase));
}

/**
 * Serialises stories into the compact index format (see format.ts), showing `onKey` every key
 * written, with long text written by `utf8Writer` where one is given. Records are written where
 * the index will hold them, after room for its other sections as if no key were a duplicate
 * (clustered stories have none; otherwise they move up): one buffer of ~180 MB at 100k seeds
 * instead of two. Each such allocation made V8 collect the whole heap of
 * a cold build, ~1 s each (issue 4).
 */
export function encodeIndex(stories: readonly Story[], onKey?: KeyVisitor, utf8Writer?: Utf8WriterFactory): Uint8Array {
  const counts = countsOf(stories);
  const front = detailsOffset(counts.slotCount, counts.articleCount, counts.storyCount) + shardCountOf(counts.storyCount) * 4;
  const records = new RecordWriter(front + estimatedRecordsSize(stories, counts.articleCount), front, utf8Writer);
  const parts = encodePartsWith(stories, counts, records, onKey);
  return assembleIndex(parts, records.bytes);
}
