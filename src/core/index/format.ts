/**
 * The compact index: one ArrayBuffer, read through typed-array views with no per-entry objects.
 *
 *   header      8 × u32: magic, version, keyCount, articleCount, storyCount, detailBytes, checksum, 0
 *   keyHi       u32[keyCount]     sorted by (hi, lo): the 64-bit hashes of canonical keys
 *   keyLo       u32[keyCount]
 *   keyArticle  u32[keyCount]     article of each key
 *   articleStory u32[articleCount]
 *   storyStart  u32[storyCount+1] articles are numbered story by story: story s owns
 *                                 articles storyStart[s] .. storyStart[s+1]-1
 *   detailStart u32[articleCount+1] byte ranges into details
 *   details     u8[detailBytes]   one UTF-8 JSON record per article, decoded only when shown
 *
 * All numbers are little-endian, which every browser platform is. The checksum covers
 * everything after the header.
 */
export const INDEX_MAGIC = 0x57534c45; // "ELSW" read as little-endian u32
export const INDEX_VERSION = 1;
export const HEADER_WORDS = 8;

export interface IndexHeader {
  version: number;
  keyCount: number;
  articleCount: number;
  storyCount: number;
  detailBytes: number;
  checksum: number;
}

/** The details record of one article; `keys` lets a lookup confirm a hash hit. */
export interface ArticleDetails {
  u: string;
  t: string;
  e: string;
  o: string;
  d: string;
  p: number | null;
  k: string[];
}
