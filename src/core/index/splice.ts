import { compareArticles } from '../story/cluster';
import type { Story } from '../story/types';
import { assembleIndex, encodeParts, indexBytes, type IndexParts, type IndexTables } from './encode';
import { HEADER_WORDS, INDEX_MAGIC, INDEX_VERSION, STORIES_PER_SHARD, detailsOffset, headBytes, shardCountOf } from './format';

/**
 * Splicing: an index with some of its stories replaced, built from the previous index's bytes
 * rather than from every story again. A rebuild after one seed changed re-clusters only the
 * stories that seed touches (issue 4: ≤ 1 s at 100k seeds), and the unchanged stories' records,
 * keys and tables are copied from the previous index. The result is byte for byte what
 * encodeIndex would write for the same stories (tests/unit/splice.test.ts).
 */

/** Thrown when the previous index cannot be spliced; callers build from scratch instead. */
export class SpliceError extends Error {}

/**
 * An encoded index's tables (its head), with its shard sums and the length of its records. The
 * keys stay as the index interleaves them (hi, lo, article): a splice reads each once, and
 * copying them into three columns first was ~40 ms of a one-change 100k rebuild (issue 4).
 */
export interface StoredTables extends Omit<IndexTables, 'keyHi' | 'keyLo' | 'keyArticle'> {
  keys: Uint32Array;
  shardSums: Uint32Array;
  recordBytes: number;
}

/** An encoded index's parts, with its shard sums. */
export interface StoredParts extends StoredTables, IndexParts {}

/**
 * The tables of an encoded index from its head (headBytes of it, or more), as views of them but
 * for the key columns (record offsets made relative to the records). The head's checksum is the
 * caller's to verify: a splice is given verified indexes.
 */
export function readTables(head: Uint8Array): StoredTables {
  // Views need 4-byte alignment; a small Buffer from node's pool may not have it.
  const aligned = head.byteOffset % 4 === 0 ? head : head.slice();
  const words = (at: number, count: number): Uint32Array => new Uint32Array(aligned.buffer, aligned.byteOffset + at * 4, count);
  if (aligned.byteLength < HEADER_WORDS * 4) throw new SpliceError('the previous index is too short');
  const [magic, version, keyCount, articleCount, storyCount, detailBytes] = words(0, HEADER_WORDS);
  if (magic !== INDEX_MAGIC || version !== INDEX_VERSION) throw new SpliceError('the previous index has another format');
  if (aligned.byteLength < headBytes(keyCount!, articleCount!, storyCount!)) throw new SpliceError('the previous index is too short');
  const detailsAt = detailsOffset(keyCount!, articleCount!, storyCount!);
  const shardBase = shardCountOf(storyCount!) * 4;
  if (detailBytes! < shardBase) throw new SpliceError('the previous index has the wrong length');
  const keys = words(HEADER_WORDS, 3 * keyCount!);
  let at = HEADER_WORDS + 3 * keyCount!;
  const articleStory = words(at, articleCount!);
  const storyStart = words((at += articleCount!), storyCount! + 1);
  const detailStart = words(at + storyCount! + 1, articleCount! + 1);
  const recordStart = new Uint32Array(articleCount! + 1);
  for (let article = 0; article <= articleCount!; article++) recordStart[article] = detailStart[article]! - shardBase;
  const shardSums = words(detailsAt / 4, shardBase / 4);
  return { storyCount: storyCount!, articleCount: articleCount!, keys, articleStory, storyStart, recordStart, shardSums, recordBytes: detailBytes! - shardBase };
}

/** The records of the encoded index `bytes`, whose tables are `tables`, as a view. */
function recordsOf(bytes: Uint8Array, tables: StoredTables): Uint8Array {
  const recordsAt = headBytes(tables.keys.length / 3, tables.articleCount, tables.storyCount);
  if (recordsAt + tables.recordBytes !== bytes.byteLength) throw new SpliceError('the previous index has the wrong length');
  return bytes.subarray(recordsAt);
}

/** The parts of an encoded index in memory: readTables, its key columns apart (what bundling wants), and its records as a view. */
export function readParts(bytes: Uint8Array): StoredParts {
  const tables = readTables(bytes);
  const records = recordsOf(bytes, tables);
  const keyCount = tables.keys.length / 3;
  const keyHi = new Uint32Array(keyCount);
  const keyLo = new Uint32Array(keyCount);
  const keyArticle = new Uint32Array(keyCount);
  for (let slot = 0, word = 0; slot < keyCount; slot++, word += 3) {
    keyHi[slot] = tables.keys[word]!;
    keyLo[slot] = tables.keys[word + 1]!;
    keyArticle[slot] = tables.keys[word + 2]!;
  }
  return { ...tables, keyHi, keyLo, keyArticle, records };
}

/** Records of the previous index from `from` to `to` (offsets into its records). */
export type RecordReader = (from: number, to: number) => Uint8Array;

const textDecoder = new TextDecoder();

/** The tables that place stories' articles and records. */
type StoryTables = Pick<IndexTables, 'storyCount' | 'storyStart' | 'recordStart' | 'articleStory'>;

/** The sort fields of a story's first article, read from its record (publishedAt, then url). */
function firstArticle(tables: StoryTables, readRecords: RecordReader, story: number): { publishedAt: number | null; url: string } {
  const article = tables.storyStart[story]!;
  const record = readRecords(tables.recordStart[article]!, tables.recordStart[article + 1]!);
  const time = new DataView(record.buffer, record.byteOffset, record.byteLength).getFloat64(0, true);
  let cursor = 8;
  let length = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = record[cursor++]!;
    length |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  const url = textDecoder.decode(record.subarray(cursor, cursor + length));
  // A url with a lone surrogate was stored as U+FFFD, so its order here could differ from the
  // order it was sorted in: leave such an index to a full build.
  if (url.includes('\ufffd')) throw new SpliceError('a stored url does not round-trip');
  return { publishedAt: Number.isNaN(time) ? null : time, url };
}

/** How many previous stories sort before `story`: where it goes. */
function insertionPoint(previous: StoryTables, readRecords: RecordReader, story: Story): number {
  let low = 0;
  let high = previous.storyCount;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareArticles(firstArticle(previous, readRecords, middle), story.articles[0]!) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Each new shard's sum where it is the previous index's shard `k` whole (the same stories, in the
 * same places of a shard of the same size, so the same bytes): that shard's sum; -1 elsewhere.
 * A one-story edit changes one shard's sum, and the others need no pass over their records.
 */
function keptShardSums(previous: StoredTables, previousStory: Int32Array, storyCount: number): Float64Array {
  const sourceStory = new Int32Array(storyCount).fill(-1);
  for (let story = 0; story < previousStory.length; story++) if (previousStory[story]! >= 0) sourceStory[previousStory[story]!] = story;
  // Doubles: every u32 sum, and -1 besides.
  const sums = new Float64Array(shardCountOf(storyCount)).fill(-1);
  for (let shard = 0; shard < sums.length; shard++) {
    const first = shard * STORIES_PER_SHARD;
    const end = Math.min(first + STORIES_PER_SHARD, storyCount);
    const source = sourceStory[first]!;
    if (source < 0 || source % STORIES_PER_SHARD !== 0 || Math.min(source + STORIES_PER_SHARD, previous.storyCount) - source !== end - first) continue;
    let whole = true;
    for (let story = first + 1; story < end && whole; story++) whole = sourceStory[story] === source + (story - first);
    if (whole) sums[shard] = previous.shardSums[source / STORIES_PER_SHARD]!;
  }
  return sums;
}

/** Records copied into the new index: `length` bytes from `from` in the previous index's records or the added ones, to `to` in the new records. */
export interface RecordRun {
  source: 'previous' | 'added';
  from: number;
  to: number;
  length: number;
}

/**
 * A splice's new index but its records' bytes: its tables, where its records come from, and the
 * sums of the shards it keeps whole. Carried out in memory by spliceIndex, or from file to file
 * by a rebuild (src/build/index-cache.ts), which then never holds the ~180 MB of a 100k index.
 */
export interface SplicePlan {
  tables: IndexTables;
  recordBytes: number;
  /** In the order of the new records, end to end. */
  runs: RecordRun[];
  /** The added stories' records, which runs of source 'added' copy from. */
  addedRecords: Uint8Array;
  /** Each new shard's sum where it is a previous shard whole; -1 where it must be computed. */
  knownSums: Float64Array;
  /** New story id of each previous story; -1 for a removed one. */
  previousStory: Int32Array;
  /** New story id of each added story. */
  addedStory: Uint32Array;
}

/**
 * Plans the previous index without the stories in `removed`, plus `added` (clustered stories,
 * sorted as clusterCanonical sorts them). Added stories must share no key with the stories kept;
 * clustering guarantees it when `added` is every story that any changed seed touches,
 * re-clustered. The previous index must have been verified whole: the sums of the shards it keeps
 * are reused. Its records are read only for the first article of ~log2(stories) stories.
 */
export function planSplice(previous: StoredTables, readRecords: RecordReader, removed: ReadonlySet<number>, added: readonly Story[]): SplicePlan {
  const fresh = encodeParts(added);
  for (const story of removed) if (!(story >= 0 && story < previous.storyCount)) throw new SpliceError(`no story ${story} to remove`);
  const positions = added.map((story) => insertionPoint(previous, readRecords, story));

  let removedArticles = 0;
  for (const story of removed) removedArticles += previous.storyStart[story + 1]! - previous.storyStart[story]!;
  const storyCount = previous.storyCount - removed.size + fresh.storyCount;
  const articleCount = previous.articleCount - removedArticles + fresh.articleCount;
  const isRemoved = new Uint8Array(previous.storyCount);
  for (const story of removed) isRemoved[story] = 1;
  const previousKeys = previous.keys;
  const previousKeyCount = previousKeys.length / 3;
  let keptKeys = 0;
  for (let word = 2; word < previousKeys.length; word += 3) keptKeys += 1 - isRemoved[previous.articleStory[previousKeys[word]!]!]!;
  const keyCount = keptKeys + fresh.keyHi.length;
  const runs: RecordRun[] = [];
  const articleStory = new Uint32Array(articleCount);
  const storyStart = new Uint32Array(storyCount + 1);
  const recordStart = new Uint32Array(articleCount + 1);
  const previousArticle = new Int32Array(previous.articleCount).fill(-1);
  const addedArticle = new Uint32Array(fresh.articleCount);
  const previousStory = new Int32Array(previous.storyCount).fill(-1);
  const addedStory = new Uint32Array(fresh.storyCount);

  let story = 0;
  let article = 0;
  let at = 0;
  /**
   * Appends stories [first, end) of `source`, numbering their articles on. Runs of kept stories
   * go in one call: a call per story was ~0.25 s of a one-change 100k rebuild (issue 4).
   */
  const place = (source: StoryTables, first: number, end: number, articleTo: Int32Array | Uint32Array, storyTo: Int32Array | Uint32Array): void => {
    if (first === end) return;
    const firstArticle = source.storyStart[first]!;
    const endArticle = source.storyStart[end]!;
    const from = source.recordStart[firstArticle]!;
    const to = source.recordStart[endArticle]!;
    runs.push({ source: source === previous ? 'previous' : 'added', from, to: at, length: to - from });
    const storyShift = story - first;
    const articleShift = article - firstArticle;
    for (let s = first; s < end; s++) {
      storyTo[s] = s + storyShift;
      storyStart[s + storyShift] = source.storyStart[s]! + articleShift;
    }
    const recordShift = at - from;
    for (let a = firstArticle; a < endArticle; a++) {
      articleTo[a] = a + articleShift;
      articleStory[a + articleShift] = source.articleStory[a]! + storyShift;
      recordStart[a + articleShift] = source.recordStart[a]! + recordShift;
    }
    story += end - first;
    article += endArticle - firstArticle;
    at += to - from;
  };
  // Previous stories in runs between the places where a story is added or removed.
  let next = 0;
  let runStart = 0;
  for (let s = 0; s <= previous.storyCount; s++) {
    const addsHere = next < fresh.storyCount && positions[next]! <= s;
    if (s === previous.storyCount || addsHere || isRemoved[s]) place(previous, runStart, s, previousArticle, previousStory);
    while (next < fresh.storyCount && positions[next]! <= s) {
      place(fresh, next, next + 1, addedArticle, addedStory);
      next++;
    }
    if (s < previous.storyCount && (addsHere || isRemoved[s])) runStart = isRemoved[s] ? s + 1 : s;
  }
  storyStart[story] = article;
  recordStart[article] = at;

  // Both key lists are in (hi, lo) order already; merging them by (hi, lo, article) gives the
  // order encodeIndex's stable sort would: equal hashes in article order.
  const keyHi = new Uint32Array(keyCount);
  const keyLo = new Uint32Array(keyCount);
  const keyArticle = new Uint32Array(keyCount);
  let i = 0;
  let j = 0;
  for (let k = 0; k < keyCount; k++) {
    while (i < previousKeyCount && previousArticle[previousKeys[3 * i + 2]!] === -1) i++;
    let takePrevious = j >= fresh.keyHi.length;
    if (!takePrevious && i < previousKeyCount) {
      const hi = previousKeys[3 * i]! - fresh.keyHi[j]!;
      const lo = previousKeys[3 * i + 1]! - fresh.keyLo[j]!;
      takePrevious = hi < 0 || (hi === 0 && (lo < 0 || (lo === 0 && previousArticle[previousKeys[3 * i + 2]!]! < addedArticle[fresh.keyArticle[j]!]!)));
    }
    if (takePrevious) {
      keyHi[k] = previousKeys[3 * i]!;
      keyLo[k] = previousKeys[3 * i + 1]!;
      keyArticle[k] = previousArticle[previousKeys[3 * i + 2]!]!;
      i++;
    } else {
      keyHi[k] = fresh.keyHi[j]!;
      keyLo[k] = fresh.keyLo[j]!;
      keyArticle[k] = addedArticle[fresh.keyArticle[j]!]!;
      j++;
    }
  }
  return {
    tables: { storyCount, articleCount, keyHi, keyLo, keyArticle, articleStory, storyStart, recordStart },
    recordBytes: at,
    runs,
    addedRecords: fresh.records,
    knownSums: keptShardSums(previous, previousStory, storyCount),
    previousStory,
    addedStory,
  };
}

/** A splice carried out in memory: the new index's bytes, and its stories' new ids. */
export interface SplicedIndex extends Pick<SplicePlan, 'previousStory' | 'addedStory'> {
  bytes: Uint8Array;
}

/** planSplice, carried out on an index in memory: byte for byte what encodeIndex would write for the same stories. */
export function spliceIndex(previousBytes: Uint8Array, removed: ReadonlySet<number>, added: readonly Story[]): SplicedIndex {
  const previous = readTables(previousBytes);
  const previousRecords = recordsOf(previousBytes, previous);
  const plan = planSplice(previous, (from, to) => previousRecords.subarray(from, to), removed, added);
  const { tables } = plan;
  const recordsAt = headBytes(tables.keyHi.length, tables.articleCount, tables.storyCount);
  // Large, in a SharedArrayBuffer (see indexBytes): a second ~180 MB ArrayBuffer beside the
  // previous index made V8 collect the whole heap.
  const bytes = indexBytes(recordsAt + plan.recordBytes);
  const records = bytes.subarray(recordsAt);
  for (const run of plan.runs) records.set((run.source === 'previous' ? previousRecords : plan.addedRecords).subarray(run.from, run.from + run.length), run.to);
  return { bytes: assembleIndex({ ...tables, records }, bytes, plan.knownSums), previousStory: plan.previousStory, addedStory: plan.addedStory };
}
