/**
 * The compact index: one ArrayBuffer, read through typed-array views with no per-entry objects.
 *
 *   header      8 × u32: magic, version, keyCount, articleCount, storyCount, detailBytes,
 *                        reserved (0), headChecksum
 *   keys        u32[3 × keyCount] one slot per key, sorted by (hi, lo): slot i is the words
 *                                 3i, 3i+1, 3i+2 = hi, lo (the 64-bit hash of a canonical key)
 *                                 and the article of that key. Interleaved rather than three
 *                                 arrays, so that one probe is one cache line, not three
 *                                 (issue 4, lookup p99; format 3)
 *   articleStory u32[articleCount]
 *   storyStart  u32[storyCount+1] articles are numbered story by story: story s owns
 *                                 articles storyStart[s] .. storyStart[s+1]-1
 *   detailStart u32[articleCount+1] byte offsets of each article's record in details
 *   details     u8[detailBytes]:
 *     shardSums u32[shardCount]   checksum of each shard; shardCount = ceil(storyCount / STORIES_PER_SHARD)
 *     records                     one binary record per article (see below), story by story, so
 *                                 shard k is the records of stories k·S .. k·S+S-1: contiguous bytes
 *
 * Membership costs 12 bytes per address on disk (hi, lo, article). Lookups also use a bucket
 * table over the top bits of `hi`, which is derived at load (one pass over the keys) rather than
 * stored, so it costs no bytes on disk and cannot disagree with the keys.
 *
 * A record (little-endian, lengths as unsigned LEB128 varints, text as UTF-8):
 *   f64 publishedAt (NaN when unknown), url as (length, bytes), u8 referenceStart, then keyCount
 *   and per key (shared, restLength, rest bytes): the key is `shared` bytes of the url from
 *   referenceStart (just after its scheme and `www.`), followed by `rest`; then title, excerpt,
 *   outlet, outletDomain as (length, bytes). Keys come before the display text (format 3), so a
 *   lookup confirming a hit reads the first cache lines of a record, not all of them.
 *   Canonical keys are ASCII (hosts are punycode, paths and queries percent-encoded), and most
 *   keys are their own url minus scheme and `www.`, so this stores most keys in two bytes and lets
 *   a lookup confirm a hash hit by comparing bytes, with no JSON parse and no allocation.
 *
 * Checksums form a tree. `headChecksum` covers the key arrays, the story and record tables and the
 * shard sums; each shard sum covers its shard's records, and the shards cover the records whole
 * (the first starts where the shard sums end, the last ends where the details do). A cold start
 * verifies the head alone (issue 4: ≤ 50 ms at 100k stories), each shard is verified the first
 * time a lookup touches it, and tools verify every shard. A rebuild that splices a few stories
 * into the previous index sums only the shards whose stories changed: a checksum of every byte
 * (format 3 had one in word 6) cost a 100k rebuild two passes over ~180 MB (issue 4: ≤ 1 s).
 * The extension does not ship this file as is: chunks.ts derives the bundled files from it, each
 * with its own checksum.
 *
 * All numbers are little-endian, which every browser platform is.
 */
export const INDEX_MAGIC = 0x57534c45; // "ELSW" read as little-endian u32
/**
 * 4: no checksum of every byte (word 6 is reserved, 0); shards must cover the records exactly.
 * 3: interleaved key slots, and keys before the display text in records (issue 4, lookup p99).
 * 2: binary records in checksummed shards (1 had one JSON record per article and one checksum).
 */
export const INDEX_VERSION = 4;
export const HEADER_WORDS = 8;
/**
 * Stories per details shard. A story averages a few articles of ~300 bytes, so 8 stories make
 * shards of about 10–20 KB: small enough that the first touch (a positional read in node, a
 * checksum everywhere) costs microseconds, and large enough that the shard table stays tiny
 * (4 bytes per 8 stories).
 */
export const STORIES_PER_SHARD = 8;

export interface IndexHeader {
  version: number;
  keyCount: number;
  articleCount: number;
  storyCount: number;
  detailBytes: number;
  /** Of the membership arrays, the record table and the shard sums: what a cold start verifies. */
  headChecksum: number;
}

export function shardCountOf(storyCount: number): number {
  return Math.ceil(storyCount / STORIES_PER_SHARD);
}

/** Byte offset of the details section, from the header's counts. */
export function detailsOffset(keyCount: number, articleCount: number, storyCount: number): number {
  return (HEADER_WORDS + 3 * keyCount + articleCount + (storyCount + 1) + (articleCount + 1)) * 4;
}

/** Bytes a reader needs before any record: header, membership, tables and shard sums. */
export function headBytes(keyCount: number, articleCount: number, storyCount: number): number {
  return detailsOffset(keyCount, articleCount, storyCount) + shardCountOf(storyCount) * 4;
}

/** A reference start is stored in one byte; `https://www.` is 12. */
const MAX_REFERENCE_START = 255;

/**
 * Where a url's key reference starts: after `scheme://` and a leading `www.` (see the record
 * layout). It is stored as a byte offset, so it must count ASCII characters only; anything odd
 * falls back to 0, which stays correct (keys then just share less with the url).
 */
export function keyReferenceStart(url: string): number {
  const scheme = url.indexOf('://');
  let at = scheme === -1 ? 0 : scheme + 3;
  if (url.startsWith('www.', at)) at += 4;
  if (at > MAX_REFERENCE_START) return 0;
  for (let i = 0; i < at; i++) if (url.charCodeAt(i) >= 0x80) return 0;
  return at;
}
