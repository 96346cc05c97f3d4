import { compareArticles } from '../story/cluster';
import type { Story } from '../story/types';
import { assembleIndex, encodeParts, indexBytes, type IndexParts } from './encode';
import { HEADER_WORDS, INDEX_MAGIC, INDEX_VERSION, STORIES_PER_SHARD, detailsOffset, shardCountOf } from './format';

/**
 * Splicing: an index with some of its stories replaced, built from the previous index's bytes
 * rather than from every story again. A rebuild after one seed changed re-clusters only the
 * stories that seed touches (issue 4: ≤ 1 s at 100k seeds), and the unchanged stories' records,
 * keys and tables are copied from the previous index. The result is byte for byte what
 * encodeIndex would write for the same stories (tests/unit/splice.test.ts).
 */

/** Thrown when the previous index cannot be spliced; callers build from scratch instead. */
export class SpliceError extends Error {}

export interface SplicedIndex {
  bytes: Uint8Array;
  /** New story id of each previous story; -1 for a removed one. */
  previousStory: Int32Array;
  /** New story id of each added story. */
  addedStory: Uint32Array;
}

/** An encoded index's parts, with its shard sums. */
export interface StoredParts extends IndexParts {
  shardSums: Uint32Array;
}

/** The parts of an encoded index: views of its bytes, but for the key columns (record offsets made relative to the records). */
export function readParts(bytes: Uint8Array): StoredParts {
  // Views need 4-byte alignment; a small Buffer from node's pool may not have it.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const words = (at: number, count: number): Uint32Array => new Uint32Array(aligned.buffer, aligned.byteOffset + at * 4, count);
  if (aligned.byteLength < HEADER_WORDS * 4) throw new SpliceError('the previous index is too short');
  const [magic, version, keyCount, articleCount, storyCount, detailBytes] = words(0, HEADER_WORDS);
  if (magic !== INDEX_MAGIC || version !== INDEX_VERSION) throw new SpliceError('the previous index has another format');
  const detailsAt = detailsOffset(keyCount!, articleCount!, storyCount!);
  if (detailsAt + detailBytes! !== aligned.byteLength) throw new SpliceError('the previous index has the wrong length');
  const shardBase = shardCountOf(storyCount!) * 4;
  // Parts keep the key columns apart (what merging and bundling want); the index interleaves them.
  const keys = words(HEADER_WORDS, 3 * keyCount!);
  const keyHi = new Uint32Array(keyCount!);
  const keyLo = new Uint32Array(keyCount!);
  const keyArticle = new Uint32Array(keyCount!);
  for (let slot = 0, word = 0; slot < keyCount!; slot++, word += 3) {
    keyHi[slot] = keys[word]!;
    keyLo[slot] = keys[word + 1]!;
    keyArticle[slot] = keys[word + 2]!;
  }
  let at = HEADER_WORDS + 3 * keyCount!;
  const articleStory = words(at, articleCount!);
  const storyStart = words((at += articleCount!), storyCount! + 1);
  const detailStart = words(at + storyCount! + 1, articleCount! + 1);
  const recordStart = new Uint32Array(articleCount! + 1);
  for (let article = 0; article <= articleCount!; article++) recordStart[article] = detailStart[article]! - shardBase;
  const records = aligned.subarray(detailsAt + shardBase, detailsAt + detailBytes!);
  const shardSums = words(detailsAt / 4, shardBase / 4);
  return { storyCount: storyCount!, articleCount: articleCount!, keyHi, keyLo, keyArticle, articleStory, storyStart, recordStart, records, shardSums };
}

const textDecoder = new TextDecoder();

/** The sort fields of a story's first article, read from its record (publishedAt, then url). */
function firstArticle(parts: IndexParts, story: number): { publishedAt: number | null; url: string } {
  const at = parts.recordStart[parts.storyStart[story]!]!;
  const view = new DataView(parts.records.buffer, parts.records.byteOffset + at);
  const time = view.getFloat64(0, true);
  let cursor = 8;
  let length = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = parts.records[at + cursor++]!;
    length |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  const url = textDecoder.decode(parts.records.subarray(at + cursor, at + cursor + length));
  // A url with a lone surrogate was stored as U+FFFD, so its order here could differ from the
  // order it was sorted in: leave such an index to a full build.
  if (url.includes('\ufffd')) throw new SpliceError('a stored url does not round-trip');
  return { publishedAt: Number.isNaN(time) ? null : time, url };
}

/** How many previous stories sort before `story`: where it goes. */
function insertionPoint(previous: IndexParts, story: Story): number {
  let low = 0;
  let high = previous.storyCount;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareArticles(firstArticle(previous, middle), story.articles[0]!) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Each new shard's sum where it is the previous index's shard `k` whole (the same stories, in the
 * same places of a shard of the same size, so the same bytes): that shard's sum; -1 elsewhere.
 * A one-story edit changes one shard's sum, and the others need no pass over their records.
 */
function keptShardSums(previous: StoredParts, previousStory: Int32Array, storyCount: number): Float64Array {
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

/** Bytes moved from `from` to `to` within one buffer. */
interface Move {
  from: number;
  to: number;
  length: number;
}

/**
 * Performs moves within `bytes` so that none overwrites bytes another has yet to read. The moves
 * keep their order (their sources and their targets both rise), so a move to the right can only
 * overwrite the source of a later move that also goes right, and one to the left only that of an
 * earlier one going left: the moves to the right go last first, then those to the left first first.
 */
function moveWithin(bytes: Uint8Array, moves: readonly Move[]): void {
  for (let i = moves.length - 1; i >= 0; i--) {
    const { from, to, length } = moves[i]!;
    if (to > from) bytes.copyWithin(to, from, from + length);
  }
  for (const { from, to, length } of moves) if (to < from) bytes.copyWithin(to, from, from + length);
}

export interface SpliceOptions {
  /**
   * Whether the previous index's bytes may be overwritten. Then the new index is laid out in
   * their own buffer when it fits there, its kept records moved within it: copied to new memory,
   * the ~180 MB of a 100k index paid a page fault per 4 KB written, ~130 ms of a one-change
   * rebuild against ~20 ms to move them (issue 4). The previous bytes are garbage afterwards.
   */
  overwritePrevious?: boolean;
}

/**
 * The previous index without the stories in `removed`, plus `added` (clustered stories, sorted as
 * clusterCanonical sorts them). Added stories must share no key with the stories kept; clustering
 * guarantees it when `added` is every story that any changed seed touches, re-clustered. The
 * previous index must have been verified whole: the sums of the shards it keeps are reused.
 */
export function spliceIndex(
  previousBytes: Uint8Array,
  removed: ReadonlySet<number>,
  added: readonly Story[],
  previous = readParts(previousBytes),
  { overwritePrevious = false }: SpliceOptions = {},
): SplicedIndex {
  const fresh = encodeParts(added);
  for (const story of removed) if (!(story >= 0 && story < previous.storyCount)) throw new SpliceError(`no story ${story} to remove`);
  const positions = added.map((story) => insertionPoint(previous, story));

  let removedArticles = 0;
  let removedBytes = 0;
  for (const story of removed) {
    const first = previous.storyStart[story]!;
    const end = previous.storyStart[story + 1]!;
    removedArticles += end - first;
    removedBytes += previous.recordStart[end]! - previous.recordStart[first]!;
  }
  const storyCount = previous.storyCount - removed.size + fresh.storyCount;
  const articleCount = previous.articleCount - removedArticles + fresh.articleCount;
  // Kept keys are those of kept stories' articles: counted now, so that the records are placed
  // straight into the index's bytes (assembleIndex's `space`), not into a copy of ~180 MB first.
  const isRemoved = new Uint8Array(previous.storyCount);
  for (const story of removed) isRemoved[story] = 1;
  let keptKeys = 0;
  for (let i = 0; i < previous.keyArticle.length; i++) keptKeys += 1 - isRemoved[previous.articleStory[previous.keyArticle[i]!]!]!;
  const keyCount = keptKeys + fresh.keyHi.length;
  const recordsAt = detailsOffset(keyCount, articleCount, storyCount) + shardCountOf(storyCount) * 4;
  // Large, in a SharedArrayBuffer (see indexBytes): allocated beside the previous index, a second
  // ~180 MB ArrayBuffer made V8 collect the whole heap.
  const length = recordsAt + previous.records.length - removedBytes + fresh.records.length;
  const inPlace = overwritePrevious && previousBytes.byteOffset === 0 && previous.records.buffer === previousBytes.buffer && previousBytes.buffer.byteLength >= length;
  const space = inPlace ? new Uint8Array(previousBytes.buffer, 0, length) : indexBytes(length);
  const records = space.subarray(recordsAt);
  /** In place, records are moved once every table is read (the new ones overwrite them): kept runs', then added stories'. */
  const keptMoves: Move[] = [];
  const addedCopies: Array<() => void> = [];
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
   * Appends stories [first, end) of `source`, records and all, numbering their articles on. Runs
   * of kept stories go in one call: a call per story, with its subarray, was ~0.25 s of a
   * one-change 100k rebuild (issue 4).
   */
  const place = (source: IndexParts, first: number, end: number, articleTo: Int32Array | Uint32Array, storyTo: Int32Array | Uint32Array): void => {
    if (first === end) return;
    const firstArticle = source.storyStart[first]!;
    const endArticle = source.storyStart[end]!;
    const from = source.recordStart[firstArticle]!;
    const to = source.recordStart[endArticle]!;
    if (!inPlace) records.set(source.records.subarray(from, to), at);
    else if (source === previous) keptMoves.push({ from: previous.records.byteOffset + from, to: recordsAt + at, length: to - from });
    else {
      const target = at;
      addedCopies.push(() => records.set(source.records.subarray(from, to), target));
    }
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
    while (i < previous.keyArticle.length && previousArticle[previous.keyArticle[i]!] === -1) i++;
    let takePrevious = j >= fresh.keyHi.length;
    if (!takePrevious && i < previous.keyArticle.length) {
      const hi = previous.keyHi[i]! - fresh.keyHi[j]!;
      const lo = previous.keyLo[i]! - fresh.keyLo[j]!;
      takePrevious = hi < 0 || (hi === 0 && (lo < 0 || (lo === 0 && previousArticle[previous.keyArticle[i]!]! < addedArticle[fresh.keyArticle[j]!]!)));
    }
    if (takePrevious) {
      keyHi[k] = previous.keyHi[i]!;
      keyLo[k] = previous.keyLo[i]!;
      keyArticle[k] = previousArticle[previous.keyArticle[i]!]!;
      i++;
    } else {
      keyHi[k] = fresh.keyHi[j]!;
      keyLo[k] = fresh.keyLo[j]!;
      keyArticle[k] = addedArticle[fresh.keyArticle[j]!]!;
      j++;
    }
  }
  const knownSums = keptShardSums(previous, previousStory, storyCount);
  // Over the whole buffer: the kept records may reach past the end of a smaller new index.
  moveWithin(new Uint8Array(space.buffer), keptMoves);
  for (const copy of addedCopies) copy();
  const bytes = assembleIndex({ storyCount, articleCount, keyHi, keyLo, keyArticle, articleStory, storyStart, recordStart, records }, space, knownSums);
  return { bytes, previousStory, addedStory };
}
