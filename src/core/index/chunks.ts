import { lookupKeys } from '../url/canonical';
import { CoverageIndex, IndexFormatError, type IndexStore, type RecordBlock } from './coverage-index';
import { assembleIndex, type IndexParts } from './encode';
import { HEADER_WORDS, type IndexHeader } from './format';
import { checksum, hashKey } from './hash';
import { readParts } from './splice';

/**
 * The bundled index as the extension ships it (issue 4, figure 4: a waking worker's first answer
 * ≤ 150 ms at 100k stories). A wake reads one tiny directory; a lookup then reads the key page(s)
 * of its keys' hash ranges and the one details chunk that holds the story it found. Nothing is
 * read whole: the previous layout's head (every key, every table: 14.8 MiB at 100k stories) cost
 * ~470 ms of each cold start to fetch, checksum and index.
 *
 * The files are a derivation of the one index.bin (format.ts), made at build time
 * (`bundledIndexFiles`) and turned back into it byte for byte (`indexFromBundle`):
 *
 *   index/directory.bin   u32 words, read on every wake (~14 KiB at 100k stories):
 *     0..7    index.bin's header (magic, version, counts, detailBytes, head checksum), as is
 *     8       DIRECTORY_MAGIC, 9 BUNDLE_VERSION, 10 pageBits, 11 chunkCount
 *     pageStart    u32[P + 1]  P = 2^pageBits: page p holds the key slots pageStart[p] .. pageStart[p+1]-1,
 *                              which are exactly the keys whose hash's top pageBits bits are p
 *     pageSum      u32[P]      checksum of each key page file
 *     chunkStory   u32[C + 1]  chunk c holds stories chunkStory[c] .. chunkStory[c+1]-1
 *     chunkArticle u32[C + 1]  … and so articles chunkArticle[c] .. chunkArticle[c+1]-1
 *     chunkLength  u32[C]      bytes of each chunk file
 *     chunkSum     u32[C]      checksum of each chunk file
 *     checksum     u32         of every word before it
 *   index/keys-NNNN.bin   key page p: keyHi, keyLo, keyArticle of its slots (u32 each, 12 bytes a
 *                         key), sorted by hash as in index.bin. A page without keys has no file.
 *   index/details-NNNN.bin  details chunk c: storyStart of its stories (u32[stories + 1], article
 *                         ids), recordStart of its articles (u32[articles + 1], offsets from the
 *                         start of index.bin's records), then those records, byte for byte.
 *
 * Pages are cut by hash range rather than by count, so the page of a key is its hash's top bits:
 * no search and no table beyond pageStart, and equal hashes never straddle two pages. Chunks are
 * runs of whole stories, so a story's records and the tables that describe them (which article
 * is in which story, where each record is) arrive together. Each file is verified against the
 * directory (length and checksum) the first time it is loaded; a wrong one is refused with an
 * IndexFormatError, and the directory itself carries its own checksum.
 */

/**
 * Target bytes of a details chunk's records: a chunk closes at the first story boundary at or past
 * it. A cold answer reads one chunk. Measured in Chromium 156 (an extension page fetching packaged
 * files, the first fetch of each, medians of 9 and 11, two runs at load average 11–13 on 2 cores):
 * 64 KiB 6.3 / 8.0 ms, 128 KiB 6.3 / 9.0 ms, 256 KiB 12.5 / 9.0 ms, 512 KiB 16.6 / 11.3 ms, 1 MiB
 * 19.1 / 20.8 ms, 4 MiB 70 ms. Up to ~256 KiB the fixed cost of a request dominates, so smaller
 * chunks would save next to nothing while multiplying the files in the package (174 MiB of
 * details at 100k stories is ~700 files at 256 KiB, ~2,800 at 64 KiB).
 */
export const DETAIL_CHUNK_BYTES = 256 * 1024;

/**
 * Keys a page holds at most on average: the page count is the least power of two that keeps the
 * mean at or below it. 2,048 keys are ≤ 24 KiB, in the range where a fetch costs its fixed ~6 ms
 * (see DETAIL_CHUNK_BYTES), and make 512 pages at 100k stories (~940k keys), so the directory's
 * page table stays ~4 KiB. A lookup tries a few keys, hence reads a few pages, in parallel.
 */
export const KEYS_PER_PAGE = 2048;
/** 2^16 pages (a 512 KiB directory) serve ~130M keys; past that pages just grow. */
const MAX_PAGE_BITS = 16;

/** The folder of the bundled index in the extension package. */
export const BUNDLED_INDEX_DIR = 'index';
export const DIRECTORY_FILE = `${BUNDLED_INDEX_DIR}/directory.bin`;
/** "ELSD" read as little-endian u32: tells a directory from a stray index.bin head. */
export const DIRECTORY_MAGIC = 0x44534c45;
/** 1: hash-range key pages and story chunks with their own tables (issue 4). */
export const BUNDLE_VERSION = 1;
const DIRECTORY_HEADER_WORDS = HEADER_WORDS + 4;
/** Digits of a file's number in its name: sorted listings then show files in order. */
const FILE_NUMBER_DIGITS = 4;

export function keyPageFile(page: number): string {
  return `${BUNDLED_INDEX_DIR}/keys-${String(page).padStart(FILE_NUMBER_DIGITS, '0')}.bin`;
}

export function detailChunkFile(chunk: number): string {
  return `${BUNDLED_INDEX_DIR}/details-${String(chunk).padStart(FILE_NUMBER_DIGITS, '0')}.bin`;
}

/** The least page bits that keep pages at KEYS_PER_PAGE keys or fewer on average. */
function pageBitsFor(keyCount: number, keysPerPage: number): number {
  let bits = 0;
  while (bits < MAX_PAGE_BITS && keyCount / 2 ** bits > keysPerPage) bits++;
  return bits;
}

/** The page of a key hash: its top `bits` bits (`>>> 32` would be a no-op in JavaScript, hence the test). */
function pageOf(hi: number, bits: number): number {
  return bits === 0 ? 0 : hi >>> (32 - bits);
}

/** One file of the bundled index: its path in the package and its bytes. */
export interface IndexFile {
  path: string;
  bytes: Uint8Array;
}

export interface BundleOptions {
  /** Target record bytes of a chunk (tests cut small chunks; the build uses the default). */
  chunkBytes?: number;
  /** Mean keys of a page at most (likewise). */
  keysPerPage?: number;
}

/** Writes u32 arrays one after the other into one buffer. */
function words(parts: ReadonlyArray<ArrayLike<number>>, extraBytes = 0): { bytes: Uint8Array; u32: Uint32Array; end: number } {
  const count = parts.reduce((sum, part) => sum + part.length, 0);
  const bytes = new Uint8Array(count * 4 + extraBytes);
  const u32 = new Uint32Array(bytes.buffer, 0, count);
  let at = 0;
  for (const part of parts) {
    u32.set(part, at);
    at += part.length;
  }
  return { bytes, u32, end: count * 4 };
}

/**
 * The files the extension ships for the index whose bytes are `bytes` (a whole index.bin, which
 * `index` decodes): the directory, then every non-empty key page, then every details chunk.
 */
export function bundledIndexFiles(index: CoverageIndex, bytes: Uint8Array, options: BundleOptions = {}): IndexFile[] {
  const parts = readParts(bytes);
  const { header } = index;
  if (parts.keyHi.length !== header.keyCount || parts.storyCount !== header.storyCount) throw new IndexFormatError('index bytes do not match the decoded index');
  const keyCount = parts.keyHi.length;
  const pageBits = pageBitsFor(keyCount, options.keysPerPage ?? KEYS_PER_PAGE);
  const pageCount = 2 ** pageBits;
  const pageStart = new Uint32Array(pageCount + 1);
  for (let slot = 0; slot < keyCount; slot++) pageStart[pageOf(parts.keyHi[slot]!, pageBits) + 1]!++;
  for (let page = 0; page < pageCount; page++) pageStart[page + 1]! += pageStart[page]!;
  const pageSum = new Uint32Array(pageCount);
  const files: IndexFile[] = [];
  for (let page = 0; page < pageCount; page++) {
    const from = pageStart[page]!;
    const to = pageStart[page + 1]!;
    if (from === to) continue;
    const file = words([parts.keyHi.subarray(from, to), parts.keyLo.subarray(from, to), parts.keyArticle.subarray(from, to)]).bytes;
    pageSum[page] = checksum(file);
    files.push({ path: keyPageFile(page), bytes: file });
  }

  const target = options.chunkBytes ?? DETAIL_CHUNK_BYTES;
  const { storyStart, recordStart } = parts;
  const chunkStory = [0];
  for (let story = 1; story < parts.storyCount; story++) {
    if (recordStart[storyStart[story]!]! - recordStart[storyStart[chunkStory[chunkStory.length - 1]!]!]! >= target) chunkStory.push(story);
  }
  // An index without stories has no chunk.
  if (parts.storyCount > 0) chunkStory.push(parts.storyCount);
  else chunkStory.length = 1;
  const chunkCount = chunkStory.length - 1;
  const chunkArticle = chunkStory.map((story) => storyStart[story]!);
  const chunkLength = new Uint32Array(chunkCount);
  const chunkSum = new Uint32Array(chunkCount);
  for (let chunk = 0; chunk < chunkCount; chunk++) {
    const [s0, s1, a0, a1] = [chunkStory[chunk]!, chunkStory[chunk + 1]!, chunkArticle[chunk]!, chunkArticle[chunk + 1]!];
    const records = parts.records.subarray(recordStart[a0]!, recordStart[a1]!);
    const file = words([storyStart.subarray(s0, s1 + 1), recordStart.subarray(a0, a1 + 1)], records.byteLength);
    file.bytes.set(records, file.end);
    chunkLength[chunk] = file.bytes.byteLength;
    chunkSum[chunk] = checksum(file.bytes);
    files.push({ path: detailChunkFile(chunk), bytes: file.bytes });
  }

  const head = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + HEADER_WORDS * 4));
  const directory = words([head, [DIRECTORY_MAGIC, BUNDLE_VERSION, pageBits, chunkCount], pageStart, pageSum, chunkStory, chunkArticle, chunkLength, chunkSum, [0]]);
  directory.u32[directory.u32.length - 1] = checksum(directory.bytes.subarray(0, directory.end - 4));
  return [{ path: DIRECTORY_FILE, bytes: directory.bytes }, ...files];
}

/** A key page's slots, as views of its file. */
export interface KeyPage {
  hi: Uint32Array;
  lo: Uint32Array;
  article: Uint32Array;
}

/** A details chunk: its stories' and articles' tables and its records, as views of its file. */
export interface DetailChunk {
  /** Article ids of its stories' starts, from its first story's to one past its last article. */
  storyStart: Uint32Array;
  /** Record offsets of its articles, and the end of its last record. */
  recordStart: Uint32Array;
  records: RecordBlock;
}

/**
 * Where the bundled files come from, loaded and verified by the caller (the background's
 * ChunkedIndex, or a test): a read of a file that is not loaded throws, and the caller loads it
 * and runs the lookup again.
 */
export interface BundleSource {
  keyPage(page: number): KeyPage;
  detailChunk(chunk: number): DetailChunk;
}

/** 4-byte aligned bytes (a small node Buffer may sit unaligned in its pool). */
const aligned = (bytes: Uint8Array): Uint8Array => (bytes.byteOffset % 4 === 0 ? bytes : bytes.slice());

/** The last entry of `sorted[0 .. count)` that is ≤ value (sorted ascending, sorted[0] ≤ value). */
function lastAtMost(sorted: Uint32Array, count: number, value: number): number {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (sorted[middle]! <= value) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The bundled index's directory: what a waking background reads before anything else. */
export class BundleDirectory {
  readonly header: IndexHeader;
  readonly pageBits: number;
  private readonly pageStart: Uint32Array;
  private readonly pageSum: Uint32Array;
  private readonly chunkStory: Uint32Array;
  private readonly chunkArticle: Uint32Array;
  private readonly chunkLength: Uint32Array;
  private readonly chunkSum: Uint32Array;

  private constructor(bytes: Uint8Array) {
    if (bytes.byteLength < (DIRECTORY_HEADER_WORDS + 1) * 4 || bytes.byteLength % 4 !== 0) throw new IndexFormatError('index directory is truncated');
    const u32 = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    this.header = CoverageIndex.decodeHeader(bytes);
    if (u32[HEADER_WORDS] !== DIRECTORY_MAGIC) throw new IndexFormatError('not an Elsewhere index directory (bad magic number)');
    if (u32[HEADER_WORDS + 1] !== BUNDLE_VERSION) throw new IndexFormatError(`index directory version ${u32[HEADER_WORDS + 1]} is not supported (expected ${BUNDLE_VERSION})`);
    const pageBits = u32[HEADER_WORDS + 2]!;
    const chunkCount = u32[HEADER_WORDS + 3]!;
    if (pageBits > MAX_PAGE_BITS) throw new IndexFormatError('index directory size does not match its header');
    const pageCount = 2 ** pageBits;
    const expected = DIRECTORY_HEADER_WORDS + 2 * pageCount + 1 + 4 * chunkCount + 2 + 1;
    if (u32.length !== expected) throw new IndexFormatError(`index directory has ${bytes.byteLength} bytes, expected ${expected * 4}`);
    if (checksum(bytes.subarray(0, bytes.byteLength - 4)) !== u32[u32.length - 1]) throw new IndexFormatError('index directory checksum mismatch');
    this.pageBits = pageBits;
    let at = DIRECTORY_HEADER_WORDS;
    const take = (count: number): Uint32Array => u32.subarray(at, (at += count));
    this.pageStart = take(pageCount + 1);
    this.pageSum = take(pageCount);
    this.chunkStory = take(chunkCount + 1);
    this.chunkArticle = take(chunkCount + 1);
    this.chunkLength = take(chunkCount);
    this.chunkSum = take(chunkCount);
    // Bounds a reader trusts: monotone tables that end at the header's counts.
    const { keyCount, articleCount, storyCount } = this.header;
    const monotone = (table: Uint32Array, end: number): boolean => table[0] === 0 && table[table.length - 1] === end && table.every((value, i) => i === 0 || value >= table[i - 1]!);
    if (!monotone(this.pageStart, keyCount) || !monotone(this.chunkStory, storyCount) || !monotone(this.chunkArticle, articleCount)) throw new IndexFormatError('index directory tables do not match its header');
  }

  /** Parses and verifies a directory file. Throws IndexFormatError on a wrong one. */
  static parse(bytes: Uint8Array): BundleDirectory {
    return new BundleDirectory(aligned(bytes));
  }

  get pageCount(): number {
    return this.pageSum.length;
  }

  get chunkCount(): number {
    return this.chunkSum.length;
  }

  /** Keys of page `page`: 0 means no file. */
  pageKeys(page: number): number {
    return this.pageStart[page + 1]! - this.pageStart[page]!;
  }

  pageOfHash(hi: number): number {
    return pageOf(hi, this.pageBits);
  }

  chunkOfArticle(articleId: number): number {
    return lastAtMost(this.chunkArticle, this.chunkCount, articleId);
  }

  chunkOfStory(story: number): number {
    return lastAtMost(this.chunkStory, this.chunkCount, story);
  }

  /** The first story of `chunk`. */
  chunkStoryStart(chunk: number): number {
    return this.chunkStory[chunk]!;
  }

  /** The first article of `chunk`. */
  chunkArticleStart(chunk: number): number {
    return this.chunkArticle[chunk]!;
  }

  /** Every file of the bundle, the directory first. */
  files(): string[] {
    const pages = [...this.pageSum.keys()].filter((page) => this.pageKeys(page) > 0).map(keyPageFile);
    return [DIRECTORY_FILE, ...pages, ...[...this.chunkSum.keys()].map(detailChunkFile)];
  }

  /** Verifies a key page file (length and checksum) and wraps it. */
  parseKeyPage(page: number, file: Uint8Array): KeyPage {
    const count = this.pageKeys(page);
    if (file.byteLength !== count * 12) throw new IndexFormatError(`index key page ${page} has ${file.byteLength} bytes, expected ${count * 12}`);
    const bytes = aligned(file);
    if (checksum(bytes) !== this.pageSum[page]) throw new IndexFormatError(`index checksum mismatch in key page ${page}`);
    const at = (column: number): Uint32Array => new Uint32Array(bytes.buffer, bytes.byteOffset + column * count * 4, count);
    return { hi: at(0), lo: at(1), article: at(2) };
  }

  /** Verifies a details chunk file (length, checksum, tables) and wraps it. */
  parseDetailChunk(chunk: number, file: Uint8Array): DetailChunk {
    const expected = this.chunkLength[chunk]!;
    if (file.byteLength !== expected) throw new IndexFormatError(`index details chunk ${chunk} has ${file.byteLength} bytes, expected ${expected}`);
    const bytes = aligned(file);
    if (checksum(bytes) !== this.chunkSum[chunk]) throw new IndexFormatError(`index checksum mismatch in details chunk ${chunk}`);
    const stories = this.chunkStory[chunk + 1]! - this.chunkStory[chunk]!;
    const articles = this.chunkArticle[chunk + 1]! - this.chunkArticle[chunk]!;
    const tablesEnd = (stories + 1 + articles + 1) * 4;
    if (tablesEnd > bytes.byteLength) throw new IndexFormatError(`index details chunk ${chunk} is shorter than its tables`);
    const storyStart = new Uint32Array(bytes.buffer, bytes.byteOffset, stories + 1);
    const recordStart = new Uint32Array(bytes.buffer, bytes.byteOffset + (stories + 1) * 4, articles + 1);
    // Its tables must describe its own articles and records, or a read could leave the file.
    if (storyStart[0] !== this.chunkArticle[chunk] || storyStart[stories] !== this.chunkArticle[chunk + 1] || recordStart[articles]! - recordStart[0]! !== bytes.byteLength - tablesEnd) {
      throw new IndexFormatError(`index details chunk ${chunk} does not match the directory`);
    }
    const records = bytes.subarray(tablesEnd);
    return { storyStart, recordStart, records: { bytes: records, view: new DataView(records.buffer, records.byteOffset, records.byteLength), base: recordStart[0]! } };
  }

  /** The key pages a lookup of `addresses` reads: those of its keys' hashes, leaving out pages without keys. */
  pagesFor(addresses: readonly string[]): number[] {
    const pages = new Set<number>();
    for (const address of addresses) {
      for (const key of lookupKeys(address)) {
        const page = this.pageOfHash(hashKey(key)[0]);
        if (this.pageKeys(page) > 0) pages.add(page);
      }
    }
    return [...pages];
  }

  /**
   * The details chunks a lookup of `addresses` reads: those of every article whose key hash equals
   * one of its keys', found in the key pages (which `source` must hold) without reading a record.
   * A superset of what `match` and `coverage` read, as a story's records share its chunk.
   */
  chunksFor(addresses: readonly string[], source: BundleSource): number[] {
    const store = new BundleStore(this, source);
    const chunks = new Set<number>();
    for (const address of addresses) {
      for (const key of lookupKeys(address)) {
        const [hi, lo] = hashKey(key);
        for (let n = 0, article = store.keyArticle(hi, lo, 0); article !== -1; article = store.keyArticle(hi, lo, ++n)) chunks.add(this.chunkOfArticle(article));
      }
    }
    return [...chunks];
  }

  /** The index these files hold, reading them through `source`. */
  open(source: BundleSource): CoverageIndex {
    return CoverageIndex.fromStore(this.header, new BundleStore(this, source));
  }
}

/** The lowest slot of `page` whose hash is ≥ (hi, lo). */
function lowerBound(page: KeyPage, hi: number, lo: number): number {
  let low = 0;
  let high = page.hi.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const slotHi = page.hi[middle]!;
    if (slotHi < hi || (slotHi === hi && page.lo[middle]! < lo)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** An IndexStore over the bundled files: keys from their hash range's page, everything else from an article's chunk. */
class BundleStore implements IndexStore {
  constructor(
    private readonly directory: BundleDirectory,
    private readonly source: BundleSource,
  ) {}

  keyArticle(hi: number, lo: number, n: number): number {
    const pageNumber = this.directory.pageOfHash(hi);
    // A page without keys has no file: nothing to load for a miss there.
    if (this.directory.pageKeys(pageNumber) === 0) return -1;
    const page = this.source.keyPage(pageNumber);
    const slot = lowerBound(page, hi, lo) + n;
    return slot < page.hi.length && page.hi[slot] === hi && page.lo[slot] === lo ? page.article[slot]! : -1;
  }

  private chunkOf(articleId: number): DetailChunk {
    return this.source.detailChunk(this.directory.chunkOfArticle(articleId));
  }

  storyOf(articleId: number): number {
    const chunk = this.directory.chunkOfArticle(articleId);
    const { storyStart } = this.source.detailChunk(chunk);
    return this.directory.chunkStoryStart(chunk) + lastAtMost(storyStart, storyStart.length - 1, articleId);
  }

  /** The first article of `story` (an article of `story` was just read, so its chunk is loaded). */
  storyStart(story: number): number {
    const chunk = this.directory.chunkOfStory(story);
    return this.source.detailChunk(chunk).storyStart[story - this.directory.chunkStoryStart(chunk)]!;
  }

  storyEnd(story: number): number {
    const chunk = this.directory.chunkOfStory(story);
    return this.source.detailChunk(chunk).storyStart[story + 1 - this.directory.chunkStoryStart(chunk)]!;
  }

  recordStart(articleId: number): number {
    const chunk = this.directory.chunkOfArticle(articleId);
    return this.source.detailChunk(chunk).recordStart[articleId - this.directory.chunkArticleStart(chunk)]!;
  }

  recordBlock(articleId: number): RecordBlock {
    return this.chunkOf(articleId).records;
  }
}

/**
 * index.bin, rebuilt from the bundled files that `read` returns (by path): byte for byte what the
 * build cut them from, every file verified on the way. For benchmarks and tests that read what a
 * build bundled, and for tools that want the one file back.
 */
export function indexFromBundle(read: (path: string) => Uint8Array): Uint8Array {
  const directory = BundleDirectory.parse(read(DIRECTORY_FILE));
  const { keyCount, articleCount, storyCount } = directory.header;
  const keyHi = new Uint32Array(keyCount);
  const keyLo = new Uint32Array(keyCount);
  const keyArticle = new Uint32Array(keyCount);
  let slot = 0;
  for (let page = 0; page < directory.pageCount; page++) {
    if (directory.pageKeys(page) === 0) continue;
    const keys = directory.parseKeyPage(page, read(keyPageFile(page)));
    keyHi.set(keys.hi, slot);
    keyLo.set(keys.lo, slot);
    keyArticle.set(keys.article, slot);
    slot += keys.hi.length;
  }
  const chunks = Array.from({ length: directory.chunkCount }, (_unused, chunk) => directory.parseDetailChunk(chunk, read(detailChunkFile(chunk))));
  const storyStart = new Uint32Array(storyCount + 1);
  const recordStart = new Uint32Array(articleCount + 1);
  const articleStory = new Uint32Array(articleCount);
  const records = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.records.bytes.byteLength, 0));
  for (const [number, chunk] of chunks.entries()) {
    const firstStory = directory.chunkStoryStart(number);
    const firstArticle = directory.chunkArticleStart(number);
    storyStart.set(chunk.storyStart, firstStory);
    recordStart.set(chunk.recordStart, firstArticle);
    records.set(chunk.records.bytes, chunk.records.base);
    for (let story = 0; story + 1 < chunk.storyStart.length; story++) articleStory.fill(firstStory + story, chunk.storyStart[story]!, chunk.storyStart[story + 1]!);
  }
  const parts: IndexParts = { storyCount, articleCount, keyHi, keyLo, keyArticle, articleStory, storyStart, recordStart, records };
  const bytes = assembleIndex(parts);
  // The head's checksum covers the shard sums, which assembleIndex computed from the records.
  if (new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_WORDS)[7] !== directory.header.headChecksum) throw new IndexFormatError('index rebuilt from the bundled files does not match its checksum');
  return bytes;
}
