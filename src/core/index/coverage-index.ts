import type { Article } from '../story/types';
import { canonicalise } from '../url/canonical';
import { checksum, hashKeyInto } from './hash';
import { HEADER_WORDS, INDEX_MAGIC, INDEX_VERSION, STORIES_PER_SHARD, detailsOffset, headBytes, shardCountOf, type IndexHeader } from './format';

/** An article as lookups return it: display fields only. */
export interface CoverageArticle {
  url: string;
  title: string;
  excerpt: string;
  outlet: string;
  outletDomain: string;
  publishedAt: number | null;
}

/** What Elsewhere knows about a page: the article it is, and the rest of its story. */
export interface Coverage {
  article: CoverageArticle;
  /** Articles by other outlets, oldest first. */
  otherOutlets: CoverageArticle[];
  /** Other articles by the reader's own outlet: listed apart, not counted as other coverage. */
  sameOutlet: CoverageArticle[];
  /** Distinct other outlets: the number on the toolbar and badge. */
  otherOutletCount: number;
  /** The earliest report of the whole story, if its time is known. */
  firstReportUrl: string | null;
  /** Names of the subscribed lists (issue 7) that contributed articles; absent when only the bundled index knows the story. */
  lists?: string[];
}

export class IndexFormatError extends Error {}

/**
 * Where the details section's bytes come from. In memory it is a view of the loaded index; in
 * node it can be positional reads of the index file, so a cold start reads only the head and the
 * shards its lookups touch. Offsets are relative to the start of the details section.
 */
export interface DetailSource {
  read(offset: number, length: number): Uint8Array;
}

export interface DecodeOptions {
  /**
   * 'full' (the default) verifies every byte (the head and every shard) before answering: what
   * tools and tests want. 'lazy' verifies the head (membership, tables, shard sums) now and each details
   * shard on first use: what a cold start wants, since hashing hundreds of megabytes of details
   * would cost more than the rest of the load (see format.ts).
   */
  verify?: 'full' | 'lazy';
}

/**
 * Decoded articles kept per index. The popup, the badge and the toolbar ask about the same few
 * stories again and again; bulk lookups touch each story once. A bound keeps memory flat either way.
 */
const ARTICLE_CACHE_SIZE = 2048;
/** Shards kept when they come from positional reads: ~20 KB each, so at most ~5 MB. */
const SHARD_CACHE_SIZE = 256;
/**
 * Keys per bucket of the bucket table, at least (fewer than twice this on average). A lookup reads
 * its bucket's bounds, then guesses where its hash falls between them by interpolation (hashes are
 * uniform) and steps from there: usually within the guessed slot's cache line. Many keys per
 * bucket keep the table small enough to stay in cache (128 KiB at 100k stories, ~900k keys), so
 * a lookup's one expected cache miss is the key slot itself; one bucket per two keys (format 2)
 * made the table 2 MiB, one more miss per lookup.
 */
const KEYS_PER_BUCKET = 16;
/** 2^20 buckets (4 MiB) is the cap, reached at ~16M keys; past it buckets just grow. */
const MAX_BUCKET_BITS = 20;

const textDecoder = new TextDecoder();

/**
 * Read position within a record. Module state rather than a closure per call: record reads are
 * on the lookup path, and lookups run one at a time on one thread.
 */
let cursor = 0;

function readVarint(bytes: Uint8Array): number {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = bytes[cursor++]!;
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return value >>> 0;
}

function readText(bytes: Uint8Array): string {
  const length = readVarint(bytes);
  const start = cursor;
  cursor += length;
  return textDecoder.decode(bytes.subarray(start, cursor));
}

/** The article whose record (format.ts) starts at `start` in `bytes`; `view` is a DataView of the same bytes. */
export function readArticleRecord(bytes: Uint8Array, view: DataView, start: number): Article {
  const time = view.getFloat64(start, true);
  const { url, keys } = readUrlAndKeys(bytes, start);
  const title = readText(bytes);
  const excerpt = readText(bytes);
  const outlet = readText(bytes);
  const outletDomain = readText(bytes);
  return { url, title, excerpt, outlet, outletDomain, publishedAt: Number.isNaN(time) ? null : time, keys };
}

/** Every record in `bytes`, which holds records back to back and nothing else (a build's seed cache keeps a seed's articles so). */
export function readArticleRecords(bytes: Uint8Array): Article[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const articles: Article[] = [];
  let at = 0;
  while (at < bytes.length) {
    articles.push(readArticleRecord(bytes, view, at));
    at = cursor;
  }
  if (at !== bytes.length) throw new IndexFormatError('records that end past their bytes');
  return articles;
}

/** The url and keys of the record at `start`, without its display text; `cursor` is left after the keys. */
function readUrlAndKeys(bytes: Uint8Array, start: number): { url: string; keys: string[] } {
  cursor = start + 8;
  const url = readText(bytes);
  const referenceStart = bytes[cursor++]!;
  // The reference start counts ASCII bytes only (format.ts), so it is a character offset too.
  const reference = url.slice(referenceStart);
  const keys: string[] = [];
  for (let k = readVarint(bytes); k > 0; k--) {
    const shared = readVarint(bytes);
    keys.push(reference.slice(0, shared) + readText(bytes));
  }
  return { url, keys };
}

/** The keys of the record at `start` in `bytes`: readArticleRecord's, without its display text. */
export function readRecordKeys(bytes: Uint8Array, start: number): string[] {
  return readUrlAndKeys(bytes, start).keys;
}

/** At least 1: `hi >>> 32` would not shift at all in JavaScript. */
function bucketBitsFor(keyCount: number): number {
  let bits = 1;
  while (bits < MAX_BUCKET_BITS && 2 ** (bits + 1) * KEYS_PER_BUCKET <= keyCount) bits++;
  return bits;
}

/** The key hash of the lookup in progress (hi, lo): module state, so that hashing allocates nothing. */
const hash = new Uint32Array(2);

/**
 * Record bytes: one shard's, one bundled chunk's or the whole details section, with the offset of
 * bytes[0] in the numbering that the store's `recordStart` uses.
 */
export interface RecordBlock {
  bytes: Uint8Array;
  view: DataView;
  base: number;
}

/**
 * Where a CoverageIndex reads its keys, tables and records. One index.bin (whole in memory, or its
 * head plus positional reads of its details) is `BinaryStore`, below; the bundled files the
 * extension ships (a directory, key pages and details chunks, each loaded when a lookup first
 * needs it) are chunks.ts's. Reads are synchronous: a store whose bytes arrive asynchronously
 * throws from these methods until they are loaded (the background's ChunkNotLoaded), and its
 * caller loads them and runs the lookup again.
 */
export interface IndexStore {
  /**
   * The article of the n-th key slot (n = 0, 1, …) whose 64-bit key hash is (hi, lo), or -1 past
   * the last. Slots are sorted by hash, so equal hashes are adjacent; n > 0 only matters for two
   * keys whose hashes collide.
   */
  keyArticle(hi: number, lo: number, n: number): number;
  storyOf(articleId: number): number;
  /** The first article of `story`. */
  storyStart(story: number): number;
  /** One past the last article of `story`. */
  storyEnd(story: number): number;
  /** Where `articleId`'s record starts, in the numbering of its block's `base`. */
  recordStart(articleId: number): number;
  /** The bytes holding `articleId`'s record (verified before they are returned). */
  recordBlock(articleId: number): RecordBlock;
}

/**
 * One index.bin: typed-array views of its head, and its details in memory (`decode`) or read a
 * shard at a time from a DetailSource (`open`), each shard verified against its sum on first use.
 */
class BinaryStore implements IndexStore {
  /** Key slots: words 3i, 3i+1, 3i+2 are slot i's hi, lo and article (format.ts). */
  private readonly keys: Uint32Array;
  private readonly articleStory: Uint32Array;
  private readonly storyStarts: Uint32Array;
  private readonly detailStart: Uint32Array;
  private readonly shardSums: Uint32Array;
  private readonly bucketShift: number;
  private readonly bucketStart: Uint32Array;
  /** Whether each shard's checksum was verified (1) or is still to check (0). */
  private readonly shardChecked: Uint8Array;
  /**
   * One bit per article: set once the shard holding its record is verified. A lookup tests its
   * article's bit (an eighth of a byte per article: a table that stays in cache) instead of
   * reading the article's story and the shard tables, which miss the cache at 100k stories.
   */
  private readonly articleChecked: Uint32Array;
  private readonly shardCache = new Map<number, RecordBlock>();
  private readonly memoryShard: RecordBlock | null;

  constructor(
    head: Uint8Array,
    private readonly header: IndexHeader,
    private readonly source: DetailSource | null,
    details: Uint8Array | null,
    verified: boolean,
  ) {
    const { keyCount, articleCount, storyCount } = header;
    let at = head.byteOffset + HEADER_WORDS * 4;
    const take = (count: number): Uint32Array => {
      const view = new Uint32Array(head.buffer, at, count);
      at += count * 4;
      return view;
    };
    this.keys = take(3 * keyCount);
    this.articleStory = take(articleCount);
    this.storyStarts = take(storyCount + 1);
    this.detailStart = take(articleCount + 1);
    this.shardSums = take(shardCountOf(storyCount));
    this.shardChecked = new Uint8Array(this.shardSums.length).fill(verified ? 1 : 0);
    this.articleChecked = new Uint32Array(Math.ceil(articleCount / 32)).fill(verified ? 0xffffffff : 0);
    this.memoryShard = details ? { bytes: details, view: new DataView(details.buffer, details.byteOffset, details.byteLength), base: 0 } : null;

    const bits = bucketBitsFor(keyCount);
    this.bucketShift = 32 - bits;
    const buckets = new Uint32Array(2 ** bits + 1);
    for (let i = 0; i < keyCount; i++) buckets[(this.keys[3 * i]! >>> this.bucketShift) + 1]!++;
    for (let b = 1; b < buckets.length; b++) buckets[b]! += buckets[b - 1]!;
    this.bucketStart = buckets;
  }

  /** Whether slot `slot` sorts before the hash (hi, lo). */
  private before(slot: number, hi: number, lo: number): boolean {
    const slotHi = this.keys[3 * slot]!;
    return slotHi < hi || (slotHi === hi && this.keys[3 * slot + 1]! < lo);
  }

  /** The first key slot whose hash is (hi, lo), or -1: slots are sorted by (hi, lo), so equal hashes are adjacent. */
  private firstSlot(hi: number, lo: number): number {
    const bucket = hi >>> this.bucketShift;
    const start = this.bucketStart[bucket]!;
    const end = this.bucketStart[bucket + 1]!;
    // Where (hi, lo) falls in its bucket if hashes are uniform: the bits of hi below the bucket's,
    // as a fraction of 2^32, times the bucket's slots. Then step to the first slot not before it.
    const below = (hi << (32 - this.bucketShift)) >>> 0;
    let slot = start + Math.floor((below * (end - start)) / 4294967296);
    while (slot > start && !this.before(slot - 1, hi, lo)) slot--;
    while (slot < end && this.before(slot, hi, lo)) slot++;
    return slot < end && this.keys[3 * slot] === hi && this.keys[3 * slot + 1] === lo ? slot : -1;
  }

  keyArticle(hi: number, lo: number, n: number): number {
    const first = this.firstSlot(hi, lo);
    if (first === -1) return -1;
    const slot = first + n;
    return slot < this.header.keyCount && this.keys[3 * slot] === hi && this.keys[3 * slot + 1] === lo ? this.keys[3 * slot + 2]! : -1;
  }

  storyOf(articleId: number): number {
    return this.articleStory[articleId]!;
  }

  storyStart(story: number): number {
    return this.storyStarts[story]!;
  }

  storyEnd(story: number): number {
    return this.storyStarts[story + 1]!;
  }

  recordStart(articleId: number): number {
    return this.detailStart[articleId]!;
  }

  /** Where shard `shard`'s records start in the details section; shard k spans shardStart(k) .. shardStart(k + 1). */
  private shardStart(shard: number): number {
    return this.detailStart[this.storyStarts[Math.min(shard * STORIES_PER_SHARD, this.header.storyCount)]!]!;
  }

  /** Marks the articles of `shard` as verified (see articleChecked). */
  private markChecked(shard: number): void {
    this.shardChecked[shard] = 1;
    const { storyCount } = this.header;
    const first = this.storyStarts[Math.min(shard * STORIES_PER_SHARD, storyCount)]!;
    const end = this.storyStarts[Math.min((shard + 1) * STORIES_PER_SHARD, storyCount)]!;
    for (let article = first; article < end; article++) this.articleChecked[article >>> 5]! |= 1 << (article & 31);
  }

  /** The shard holding the records of `articleId`'s story, read and verified on first use. */
  recordBlock(articleId: number): RecordBlock {
    // Once verified, a record in memory needs no table read at all: the common case of a lookup.
    if (this.memoryShard && (this.articleChecked[articleId >>> 5]! >>> (articleId & 31)) & 1) return this.memoryShard;
    const shard = Math.floor(this.articleStory[articleId]! / STORIES_PER_SHARD);
    if (this.memoryShard) {
      if (this.shardChecked[shard] === 0) {
        const from = this.shardStart(shard);
        if (checksum(this.memoryShard.bytes.subarray(from, this.shardStart(shard + 1))) !== this.shardSums[shard]) throw new IndexFormatError(`index checksum mismatch in details shard ${shard}`);
        this.markChecked(shard);
      }
      return this.memoryShard;
    }
    const cached = this.shardCache.get(shard);
    if (cached) {
      this.shardCache.delete(shard);
      this.shardCache.set(shard, cached);
      return cached;
    }
    // The shard's bounds only on a cache miss: they are table reads a cached shard does not need.
    const from = this.shardStart(shard);
    const to = this.shardStart(shard + 1);
    const bytes = this.source!.read(from, to - from);
    if (bytes.byteLength !== to - from || checksum(bytes) !== this.shardSums[shard]) throw new IndexFormatError(`index checksum mismatch in details shard ${shard}`);
    this.shardChecked[shard] = 1;
    const loaded = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), base: from };
    this.shardCache.set(shard, loaded);
    if (this.shardCache.size > SHARD_CACHE_SIZE) this.shardCache.delete(this.shardCache.keys().next().value!);
    return loaded;
  }
}

type StoredArticle = CoverageArticle & { keys: string[] };

/** A decoded compact index. Decoding only creates views; article details are decoded on demand. */
export class CoverageIndex {
  private readonly articleCache = new Map<number, StoredArticle>();

  private constructor(
    readonly header: IndexHeader,
    private readonly store: IndexStore,
  ) {}

  private static readHeader(bytes: Uint8Array): IndexHeader {
    if (bytes.byteLength < HEADER_WORDS * 4 || bytes.byteOffset % 4 !== 0) throw new IndexFormatError('index is truncated or misaligned');
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_WORDS);
    if (words[0] !== INDEX_MAGIC) throw new IndexFormatError('not an Elsewhere index (bad magic number)');
    if (words[1] !== INDEX_VERSION) throw new IndexFormatError(`index format version ${words[1]} is not supported (expected ${INDEX_VERSION})`);
    const [, version, keyCount, articleCount, storyCount, detailBytes, reserved, headSum] = words as unknown as number[];
    if (reserved !== 0) throw new IndexFormatError('index header is damaged (reserved word is not 0)');
    return { version: version!, keyCount: keyCount!, articleCount: articleCount!, storyCount: storyCount!, detailBytes: detailBytes!, headChecksum: headSum! };
  }

  /** Total bytes of the index that `header` describes. */
  static byteLength(header: IndexHeader): number {
    return detailsOffset(header.keyCount, header.articleCount, header.storyCount) + header.detailBytes;
  }

  /** Bytes a lazy reader must load before any lookup: header, membership, tables and shard sums. */
  static headLength(header: IndexHeader): number {
    return headBytes(header.keyCount, header.articleCount, header.storyCount);
  }

  /** Validates only the first HEADER_WORDS words: what a reader needs to size its reads. */
  static decodeHeader(bytes: Uint8Array): IndexHeader {
    return CoverageIndex.readHeader(bytes);
  }

  private static checkHead(head: Uint8Array, header: IndexHeader): void {
    const detailsAt = detailsOffset(header.keyCount, header.articleCount, header.storyCount);
    if (header.detailBytes < shardCountOf(header.storyCount) * 4) throw new IndexFormatError('index size does not match its header');
    if (checksum(head.subarray(HEADER_WORDS * 4, CoverageIndex.headLength(header))) !== header.headChecksum) throw new IndexFormatError('index checksum mismatch');
    // The records start right after the shard sums and end with the details section: so the
    // shards cover every byte of them (format.ts), and no table reads out of bounds.
    const detailStart = new Uint32Array(head.buffer, head.byteOffset + detailsAt - (header.articleCount + 1) * 4, header.articleCount + 1);
    if (detailStart[0] !== shardCountOf(header.storyCount) * 4 || detailStart[header.articleCount] !== header.detailBytes) throw new IndexFormatError('index size does not match its header');
  }

  /** The header of an index in memory, once its size and head are verified. Throws IndexFormatError. */
  private static verifiedHead(bytes: Uint8Array): IndexHeader {
    const header = CoverageIndex.readHeader(bytes);
    if (bytes.byteLength !== CoverageIndex.byteLength(header)) throw new IndexFormatError('index size does not match its header');
    CoverageIndex.checkHead(bytes, header);
    return header;
  }

  /**
   * Verifies every byte of an index in memory, the head and then each shard against its sum (see
   * format.ts), and returns its header; what a full decode does, without the lookup tables a
   * decode builds. Throws IndexFormatError.
   */
  static verify(bytes: Uint8Array): IndexHeader {
    const header = CoverageIndex.verifiedHead(bytes);
    const { keyCount, articleCount, storyCount } = header;
    const detailsAt = detailsOffset(keyCount, articleCount, storyCount);
    const storyStart = new Uint32Array(bytes.buffer, bytes.byteOffset + (HEADER_WORDS + 3 * keyCount + articleCount) * 4, storyCount + 1);
    const detailStart = new Uint32Array(bytes.buffer, bytes.byteOffset + detailsAt - (articleCount + 1) * 4, articleCount + 1);
    const shardSums = new Uint32Array(bytes.buffer, bytes.byteOffset + detailsAt, shardCountOf(storyCount));
    const shardStart = (shard: number): number => detailsAt + detailStart[storyStart[Math.min(shard * STORIES_PER_SHARD, storyCount)]!]!;
    for (let shard = 0; shard < shardSums.length; shard++) {
      if (checksum(bytes.subarray(shardStart(shard), shardStart(shard + 1))) !== shardSums[shard]) throw new IndexFormatError(`index checksum mismatch in details shard ${shard}`);
    }
    return header;
  }

  /** Validates the header and checksums, then wraps the bytes. Throws IndexFormatError on bad input. */
  static decode(bytes: Uint8Array, options: DecodeOptions = {}): CoverageIndex {
    const full = options.verify !== 'lazy';
    const header = full ? CoverageIndex.verify(bytes) : CoverageIndex.verifiedHead(bytes);
    const detailsAt = detailsOffset(header.keyCount, header.articleCount, header.storyCount);
    return new CoverageIndex(header, new BinaryStore(bytes, header, null, bytes.subarray(detailsAt), full));
  }

  /**
   * Opens an index from its head (header, membership, tables, shard sums: `headLength` bytes)
   * and a source for the details section, read one shard at a time on demand. The head is
   * verified now and each shard when first read.
   */
  static open(head: Uint8Array, source: DetailSource): CoverageIndex {
    const header = CoverageIndex.readHeader(head);
    if (head.byteLength < CoverageIndex.headLength(header)) throw new IndexFormatError('index is truncated or misaligned');
    CoverageIndex.checkHead(head, header);
    return new CoverageIndex(header, new BinaryStore(head, header, source, null, false));
  }

  /**
   * An index read through another store: the bundled files (chunks.ts), whose directory holds
   * `header` and which verifies each file itself.
   */
  static fromStore(header: IndexHeader, store: IndexStore): CoverageIndex {
    return new CoverageIndex(header, store);
  }

  /** Whether the record of `articleId` lists `key`: compares bytes, allocating nothing. */
  private recordHasKey(articleId: number, key: string): boolean {
    const { bytes, base } = this.store.recordBlock(articleId);
    cursor = this.store.recordStart(articleId) - base + 8;
    const urlLength = readVarint(bytes);
    const referenceAt = cursor + bytes[cursor + urlLength]!;
    // The keys follow the url and its reference start (format 3): the display text is not read.
    cursor += urlLength + 1;
    const keyCount = readVarint(bytes);
    for (let k = 0; k < keyCount; k++) {
      const shared = readVarint(bytes);
      const restLength = readVarint(bytes);
      const restAt = cursor;
      cursor += restLength;
      if (shared + restLength !== key.length) continue;
      let same = true;
      for (let i = 0; i < shared && same; i++) same = bytes[referenceAt + i] === key.charCodeAt(i);
      for (let i = 0; i < restLength && same; i++) same = bytes[restAt + i] === key.charCodeAt(shared + i);
      if (same) return true;
    }
    return false;
  }

  /** The article stored under a canonical key, or -1. */
  findArticle(key: string): number {
    hashKeyInto(key, hash);
    const hi = hash[0]!;
    const lo = hash[1]!;
    for (let n = 0; ; n++) {
      const article = this.store.keyArticle(hi, lo, n);
      if (article === -1) return -1;
      // A hash hit is confirmed against the stored key, so a collision never shows the wrong story.
      if (this.recordHasKey(article, key)) return article;
    }
  }

  article(id: number): CoverageArticle & { keys: string[] } {
    const cached = this.articleCache.get(id);
    if (cached) return cached;
    const { bytes, view, base } = this.store.recordBlock(id);
    const article = readArticleRecord(bytes, view, this.store.recordStart(id) - base);
    this.articleCache.set(id, article);
    if (this.articleCache.size > ARTICLE_CACHE_SIZE) this.articleCache.delete(this.articleCache.keys().next().value!);
    return article;
  }

  /** Ids of every article in the story of `articleId`, oldest first. */
  storyArticles(articleId: number): number[] {
    const story = this.store.storyOf(articleId);
    const ids: number[] = [];
    for (let id = this.store.storyStart(story), end = this.store.storyEnd(story); id < end; id++) ids.push(id);
    return ids;
  }

  /** Finds the first address (in priority order) that the index knows, with the key that matched. */
  match(addresses: readonly string[]): { articleId: number; key: string } | null {
    for (const address of addresses) {
      // The keys of lookupKeys (full key, then the key without its query), without its array:
      // this runs on every lookup.
      const canonical = canonicalise(address);
      if (!canonical) continue;
      let articleId = this.findArticle(canonical.key);
      if (articleId !== -1) return { articleId, key: canonical.key };
      if (canonical.pathKey === canonical.key) continue;
      articleId = this.findArticle(canonical.pathKey);
      if (articleId !== -1) return { articleId, key: canonical.pathKey };
    }
    return null;
  }

  /** The coverage of the first known address, or null when none is known. */
  coverage(addresses: readonly string[]): Coverage | null {
    const hit = this.match(addresses);
    return hit ? this.coverageOf(hit.articleId) : null;
  }

  coverageOf(articleId: number): Coverage {
    const ids = this.storyArticles(articleId);
    const members = ids.map((id) => {
      const { keys: _keys, ...article } = this.article(id);
      return article;
    });
    return storyCoverage(members, ids.indexOf(articleId));
  }
}

/**
 * What a reader of `members[position]` is shown, from its story's articles (oldest first): other
 * outlets apart from the reader's own, the count of distinct other outlets, and the first report.
 */
export function storyCoverage(members: readonly CoverageArticle[], position: number): Coverage {
  const article = members[position]!;
  const others = members.filter((_member, index) => index !== position);
  const otherOutlets = others.filter((other) => other.outletDomain !== article.outletDomain);
  return {
    article,
    otherOutlets,
    sameOutlet: others.filter((other) => other.outletDomain === article.outletDomain),
    otherOutletCount: new Set(otherOutlets.map((other) => other.outletDomain)).size,
    firstReportUrl: members[0]!.publishedAt === null ? null : members[0]!.url,
  };
}
