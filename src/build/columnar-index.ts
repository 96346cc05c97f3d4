import { closeSync, constants, ftruncateSync, openSync } from 'node:fs';
import { readArticleRecord, readRecordKeys } from '../core/index/coverage-index';
import { assembleIndex, gather, indexBytes, RecordWriter, sortByHash, writeArticleRecord, writeHead, type IndexTables, type Utf8WriterFactory } from '../core/index/encode';
import { headBytes, shardCountOf, STORIES_PER_SHARD } from '../core/index/format';
import { checksum } from '../core/index/hash';
import { scratchInt32, scratchUint32, scratchUint8 } from '../core/sort/scratch-arrays';
import { forEachSharedHash } from '../core/sort/shared-hashes';
import { joinRunOfEqualHashes, sortedDistinct, sourceOrder } from '../core/story/cluster';
import { DisjointSet } from '../core/story/disjoint-set';
import type { Article } from '../core/story/types';
import { HostCounter } from './host-counter';
import { writeFully } from './index-file';
import type { ColumnsPlace, SeedColumns } from './seed-columns';

/** A valid seed whose articles a worker wrote as columns (a build's SeedEntry is one). */
export interface ColumnSeed {
  source: string;
  columns: ColumnsPlace;
}

export interface IndexOutput {
  utf8Writer?: Utf8WriterFactory;
  /**
   * Write the index to this file (over its old bytes, see write-in-place.ts) rather than into
   * memory: records go from the workers' bytes to the file a shard at a time through one buffer,
   * where a 180 MB index in fresh memory cost a 100k build ~45k page faults (issue 4).
   */
  file?: string;
}

export interface ColumnarIndex {
  /** The index, or null when it was written to IndexOutput.file, whose head (headBytes) is `head`. */
  bytes: Uint8Array | null;
  head: Uint8Array | null;
  /** The story of each seed (as given), -1 for one without articles: as clusterWithOrigins says. */
  seedStory: Int32Array;
  /** Keys per host (keyHost), as the index holds them. */
  hostKeys: Map<string, number>;
  storyCount: number;
}

/**
 * Where each copy's record lives: its batch's records, and its bytes among them. A batch is a
 * number per copy, not a reference: an array of 555k references (100k seeds) grew by copies in
 * the young generation, and its pushes were ~0.1 s of the index phase (issue 4).
 */
interface CopyPlace {
  /** Each batch's records, once. */
  records: readonly Uint8Array[];
  /** Per copy: its batch, an index into `records`. */
  batchOf: Uint32Array;
  recordStart: Uint32Array;
  recordLength: Uint32Array;
}

/**
 * The keys of a copy's record, without its display text: comparing keys and merging articles read
 * only these, for the copies that share an article with another.
 */
function readCopyKeys(copies: CopyPlace, copy: number): string[] {
  return readRecordKeys(copies.records[copies.batchOf[copy]!]!, copies.recordStart[copy]!);
}

/** The article a copy's record holds. */
function readCopy(copies: CopyPlace, copy: number): Article {
  const bytes = copies.records[copies.batchOf[copy]!]!;
  return readArticleRecord(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), copies.recordStart[copy]!);
}

/**
 * Clusters and encodes seeds from their columns (seed-columns.ts), with no object per article:
 * the same index bytes, seed stories and host counts as clusterWithOrigins then encodeIndex give
 * for the same seeds (tests/unit/columnar-index.test.ts). The steps are clusterWithOrigins's, on
 * typed arrays:
 *   - copies that share a key are one article: equal 64-bit key hashes, confirmed by comparing
 *     the keys themselves, read from the records;
 *   - an article and the others of its seed are one story;
 *   - an article's metadata is its newest copy's; an article in one seed only (nearly all) keeps
 *     its copy's record as the worker wrote it, and one in several is written afresh, with the
 *     keys of every copy.
 * Seed validation refuses addresses that are not well-formed Unicode, so a url read back from a
 * record is the seed's own, and articles order by it as they would by the seed's string.
 */
export function indexFromColumns(seeds: readonly ColumnSeed[], output: IndexOutput = {}): ColumnarIndex {
  const order = sourceOrder(seeds);
  let copyCount = 0;
  let keyCount = 0;
  for (const { columns: { columns, file } } of seeds) {
    const first = columns.copyStart[file]!;
    const end = columns.copyStart[file + 1]!;
    copyCount += end - first;
    keyCount += columns.keyStart[end]! - columns.keyStart[first]!;
  }

  // Copies in seed order: document `position` owns copies documentStart[position] .. documentStart[position + 1] - 1.
  // What later steps need of each copy is gathered here, in one pass in batch order: read in story
  // order from the batches' own arrays, each was a cache miss (issue 4).
  const copies: CopyPlace = { records: [], batchOf: scratchUint32(copyCount), recordStart: scratchUint32(copyCount), recordLength: scratchUint32(copyCount) };
  const batchRecords = copies.records as Uint8Array[];
  const batchOfColumns = new Map<SeedColumns, number>();
  /** Each key's host part, numbered across writers (hostParts). */
  const copyKeyHostPart = scratchUint32(keyCount);
  const hostParts: string[] = [];
  const hostPartIndex = new Map<string, number>();
  /** Per list of host parts (one per writer, shared by its batches: HostPartList), each part's number in hostParts. */
  const numbersOfList = new Map<readonly string[], Uint32Array>();
  const documentStart = scratchInt32(order.length + 1);
  const copyOrder = scratchInt32(copyCount);
  const time = new Float64Array(copyCount);
  const copyKeyHi = scratchUint32(keyCount);
  const copyKeyLo = scratchUint32(keyCount);
  const keyCopy = scratchInt32(keyCount);
  const copyKeyStart = scratchInt32(copyCount + 1);
  let copy = 0;
  let key = 0;
  // Seeds come batch by batch: what is found per batch is found again only when the batch changes.
  let lastColumns: SeedColumns | null = null;
  let batchOfSeed = 0;
  let partOf: Uint32Array = new Uint32Array(0);
  for (let position = 0; position < order.length; position++) {
    documentStart[position] = copy;
    const { columns, file } = seeds[order[position]!]!.columns;
    if (columns !== lastColumns) {
      lastColumns = columns;
      let batchIndex = batchOfColumns.get(columns);
      if (batchIndex === undefined) batchOfColumns.set(columns, (batchIndex = batchRecords.push(columns.records) - 1));
      batchOfSeed = batchIndex;
      if (columns.hostPartsFrom !== 0) throw new Error('columns whose host parts were not received (HostPartList)');
      let numbers = numbersOfList.get(columns.hostParts);
      if (!numbers) {
        numbers = Uint32Array.from(columns.hostParts, (part) => {
          let index = hostPartIndex.get(part);
          if (index === undefined) hostPartIndex.set(part, (index = hostParts.push(part) - 1));
          return index;
        });
        numbersOfList.set(columns.hostParts, numbers);
      }
      partOf = numbers;
    }
    for (let local = columns.copyStart[file]!, end = columns.copyStart[file + 1]!; local < end; local++, copy++) {
      copies.batchOf[copy] = batchOfSeed;
      copies.recordStart[copy] = columns.recordStart[local]!;
      copies.recordLength[copy] = columns.recordStart[local + 1]! - columns.recordStart[local]!;
      copyOrder[copy] = position;
      time[copy] = columns.publishedAt[local]!;
      copyKeyStart[copy] = key;
      for (let k = columns.keyStart[local]!, keysEnd = columns.keyStart[local + 1]!; k < keysEnd; k++, key++) {
        copyKeyHi[key] = columns.keyHi[k]!;
        copyKeyLo[key] = columns.keyLo[k]!;
        copyKeyHostPart[key] = partOf[columns.keyHostPart[k]!]!;
        keyCopy[key] = copy;
      }
    }
  }
  documentStart[order.length] = copyCount;
  copyKeyStart[copyCount] = keyCount;

  const sameArticle = new DisjointSet(copyCount);
  unionSharedKeys(copies, { hi: copyKeyHi, lo: copyKeyLo, copy: keyCopy, start: copyKeyStart }, sameArticle);
  const sameStory = new DisjointSet(copyCount, sameArticle);
  for (let position = 0; position < order.length; position++) {
    for (let c = documentStart[position]! + 1; c < documentStart[position + 1]!; c++) sameStory.union(documentStart[position]!, c);
  }

  // Per article (root copy of sameArticle): the copy whose metadata wins, and whether it has others.
  const winner = scratchInt32(copyCount).fill(-1);
  const rootOf = scratchInt32(copyCount);
  const isFirst = scratchUint8(copyCount);
  const copiesOf = scratchInt32(copyCount);
  for (let c = 0; c < copyCount; c++) {
    const root = sameArticle.find(c);
    rootOf[c] = root;
    copiesOf[root]!++;
    const best = winner[root]!;
    if (best === -1) {
      winner[root] = c;
      isFirst[c] = 1;
    } else winner[root] = newer(time, copyOrder, best, c);
  }

  // Articles in the order their first copies come, each with the copy whose record (or, merged,
  // whose metadata) it takes, and the story it is in (stories numbered as they first come).
  const articleCopy = scratchInt32(copyCount);
  const articleTime = new Float64Array(copyCount);
  /** Per article with several copies, its index in `merged` (a record written afresh); -1 otherwise. */
  const mergedOf = scratchInt32(copyCount).fill(-1);
  const merged: Article[] = [];
  const articleStory = scratchInt32(copyCount);
  const storyOfRoot = scratchInt32(copyCount).fill(-1);
  const storyRoot = scratchInt32(copyCount);
  let articleCount = 0;
  let storyCount = 0;
  /** Keys of every copy of each article with several, gathered in one pass over the copies. */
  const keysOfRoot = new Map<number, string[]>();
  for (let c = 0; c < copyCount; c++) {
    const root = rootOf[c]!;
    if (copiesOf[root]! > 1) {
      const keys = readCopyKeys(copies, c);
      const gathered = keysOfRoot.get(root);
      if (gathered) gathered.push(...keys);
      else keysOfRoot.set(root, keys);
    }
  }
  for (let c = 0; c < copyCount; c++) {
    if (!isFirst[c]) continue;
    const root = rootOf[c]!;
    const article = articleCount++;
    const chosen = winner[root]!;
    articleCopy[article] = chosen;
    const published = time[chosen]!;
    articleTime[article] = Number.isNaN(published) ? Number.POSITIVE_INFINITY : published;
    if (copiesOf[root]! > 1) {
      mergedOf[article] = merged.length;
      merged.push({ ...readCopy(copies, chosen), keys: sortedDistinct(keysOfRoot.get(root)!) });
    }
    const story = sameStory.find(c);
    if (storyOfRoot[story] === -1) {
      storyOfRoot[story] = storyCount;
      storyRoot[storyCount++] = story;
    }
    articleStory[article] = storyOfRoot[story]!;
  }

  // Each story's articles (members[memberStart[s] .. memberStart[s + 1])), in the order they first
  // come, then oldest first, undated last, then by address (compareArticles): urls are read only for ties.
  const memberStart = scratchInt32(storyCount + 1);
  for (let article = 0; article < articleCount; article++) memberStart[articleStory[article]! + 1]!++;
  for (let story = 0; story < storyCount; story++) memberStart[story + 1]! += memberStart[story]!;
  const members = scratchInt32(articleCount);
  const filled = memberStart.slice(0, storyCount);
  for (let article = 0; article < articleCount; article++) members[filled[articleStory[article]!]!++] = article;
  const urls = new Map<number, string>();
  const urlOf = (article: number): string => {
    let url = urls.get(article);
    if (url === undefined) {
      const index = mergedOf[article]!;
      url = index === -1 ? readCopy(copies, articleCopy[article]!).url : merged[index]!.url;
      urls.set(article, url);
    }
    return url;
  };
  const compare = (a: number, b: number): number => {
    const timeA = articleTime[a]!;
    const timeB = articleTime[b]!;
    if (timeA !== timeB) return timeA - timeB;
    const urlA = urlOf(a);
    const urlB = urlOf(b);
    return urlA < urlB ? -1 : urlA > urlB ? 1 : 0;
  };
  // Typed arrays sort stably with a comparator, as Array's sort does.
  for (let story = 0; story < storyCount; story++) {
    if (memberStart[story + 1]! - memberStart[story]! > 1) members.subarray(memberStart[story]!, memberStart[story + 1]!).sort(compare);
  }
  const storyTimes = new Float64Array(storyCount);
  for (let story = 0; story < storyCount; story++) storyTimes[story] = articleTime[members[memberStart[story]!]!]!;
  const byFirstArticle = (a: number, b: number): number => storyTimes[a]! - storyTimes[b]! || compare(members[memberStart[a]!]!, members[memberStart[b]!]!) || a - b;
  const sorted = Int32Array.from({ length: storyCount }, (_, story) => story).sort(byFirstArticle);
  sorted.forEach((story, index) => (storyOfRoot[storyRoot[story]!] = index));
  const seedStory = new Int32Array(seeds.length).fill(-1);
  for (let position = 0; position < order.length; position++) {
    if (documentStart[position]! < documentStart[position + 1]!) seedStory[order[position]!] = storyOfRoot[sameStory.find(documentStart[position]!)]!;
  }

  const clustered = { articleCount, storyCount, members, memberStart, sorted, articleCopy, mergedOf, merged, copyKeyStart, copyKeyHi, copyKeyLo, copyKeyHostPart, hostParts };
  return { ...encodeArticles(copies, clustered, output), seedStory, storyCount };
}

/** Of copies `a` and `b`, the one whose metadata wins: the newer publication time, then the later document (as cluster.ts's newer). */
function newer(time: Float64Array, documentOf: Int32Array, a: number, b: number): number {
  const timeA = Number.isNaN(time[a]!) ? Number.NEGATIVE_INFINITY : time[a]!;
  const timeB = Number.isNaN(time[b]!) ? Number.NEGATIVE_INFINITY : time[b]!;
  if (timeA !== timeB) return timeA > timeB ? a : b;
  return documentOf[a]! >= documentOf[b]! ? a : b;
}

interface CopyKeys {
  hi: Uint32Array;
  lo: Uint32Array;
  /** The copy of each key. */
  copy: Int32Array;
  /** Copies + 1 entries: copy c's keys are start[c] .. start[c + 1] - 1, in its record's order. */
  start: Int32Array;
}

/**
 * Joins every two copies that share a key. Equal keys have equal hashes; a run of equal hashes is
 * confirmed by the keys themselves, read from the records (a 64-bit collision is not impossible,
 * only unlikely: joinRunOfEqualHashes).
 */
function unionSharedKeys(copies: CopyPlace, keys: CopyKeys, sameArticle: DisjointSet): void {
  const keyText = (slot: number): string => {
    const copy = keys.copy[slot]!;
    return readCopyKeys(copies, copy)[slot - keys.start[copy]!]!;
  };
  forEachSharedHash(keys.hi, keys.lo, keys.hi.length, (slots) => joinRunOfEqualHashes(slots, keyText, (slot) => keys.copy[slot]!, sameArticle));
}

interface Clustered {
  articleCount: number;
  storyCount: number;
  /** Story s's articles, in order, are members[memberStart[s] .. memberStart[s + 1]); stories numbered in order of first appearance. */
  members: Int32Array;
  memberStart: Int32Array;
  /** Stories in index order. */
  sorted: Int32Array;
  /** Per article: the copy whose record (or, merged, whose metadata) it takes. */
  articleCopy: Int32Array;
  /** Per article: its index in `merged` when it has several copies, otherwise -1. */
  mergedOf: Int32Array;
  merged: readonly Article[];
  copyKeyStart: Int32Array;
  copyKeyHi: Uint32Array;
  copyKeyLo: Uint32Array;
  /** Per key: its host part, an index into `hostParts`. */
  copyKeyHostPart: Uint32Array;
  hostParts: readonly string[];
}

/**
 * Lays the articles out as encodeIndex does: records story by story (copied from the workers'
 * bytes, or written for merged articles), a key slot per key in record order, sorted by hash
 * (stably: equal hashes keep that order). Clustering leaves no key in two articles and none twice
 * in one, so every slot is kept, as encodeIndex keeps them.
 */
function encodeArticles(copies: CopyPlace, clustered: Clustered, { utf8Writer, file }: IndexOutput): Omit<ColumnarIndex, 'seedStory' | 'storyCount'> {
  const { articleCount, storyCount, members, memberStart, sorted, articleCopy, mergedOf, merged, copyKeyStart, copyKeyHi, copyKeyLo, copyKeyHostPart, hostParts } = clustered;
  const hash = new Uint32Array(2);
  const hostCounter = new HostCounter(1);

  // Merged articles' records, written first (their keys and sizes are needed below).
  // Sized for a few hundred bytes each: growing a buffer copies it.
  const mergedRecords = new RecordWriter(Math.max(1 << 16, merged.length * 512), 0, utf8Writer);
  const mergedStart: number[] = [];
  const mergedKeyHi: number[] = [];
  const mergedKeyLo: number[] = [];
  const mergedKeyStart: number[] = [];
  for (const article of merged) {
    mergedStart.push(mergedRecords.offset);
    mergedKeyStart.push(mergedKeyHi.length);
    writeArticleRecord(mergedRecords, article, hash, (key) => {
      mergedKeyHi.push(hash[0]!);
      mergedKeyLo.push(hash[1]!);
      hostCounter.add(key);
    });
  }
  mergedStart.push(mergedRecords.offset);
  mergedKeyStart.push(mergedKeyHi.length);
  const mergedBytes = mergedRecords.written();

  // Tables, sizes and key slots, in index order.
  const storyStart = scratchUint32(storyCount + 1);
  const articleStory = scratchUint32(articleCount);
  const recordStart = scratchUint32(articleCount + 1);
  const articleOrder = scratchInt32(articleCount);
  let slotCount = 0;
  for (let article = 0; article < articleCount; article++) {
    const index = mergedOf[article]!;
    slotCount += index === -1 ? copyKeyStart[articleCopy[article]! + 1]! - copyKeyStart[articleCopy[article]!]! : mergedKeyStart[index + 1]! - mergedKeyStart[index]!;
  }
  const hi = scratchUint32(slotCount);
  const lo = scratchUint32(slotCount);
  const slotArticle = scratchUint32(slotCount);
  /** Keys counted per host part, for the articles that keep their copy's record. */
  const hostPartCounts = new Uint32Array(hostParts.length);
  let articleId = 0;
  let slot = 0;
  let recordBytes = 0;
  for (let storyId = 0; storyId < storyCount; storyId++) {
    storyStart[storyId] = articleId;
    const story = sorted[storyId]!;
    for (let member = memberStart[story]!; member < memberStart[story + 1]!; member++) {
      const article = members[member]!;
      articleOrder[articleId] = article;
      articleStory[articleId] = storyId;
      recordStart[articleId] = recordBytes;
      const index = mergedOf[article]!;
      if (index === -1) {
        const copy = articleCopy[article]!;
        recordBytes += copies.recordLength[copy]!;
        for (let k = copyKeyStart[copy]!; k < copyKeyStart[copy + 1]!; k++, slot++) {
          hi[slot] = copyKeyHi[k]!;
          lo[slot] = copyKeyLo[k]!;
          slotArticle[slot] = articleId;
          hostPartCounts[copyKeyHostPart[k]!]!++;
        }
      } else {
        recordBytes += mergedStart[index + 1]! - mergedStart[index]!;
        for (let k = mergedKeyStart[index]!; k < mergedKeyStart[index + 1]!; k++, slot++) {
          hi[slot] = mergedKeyHi[k]!;
          lo[slot] = mergedKeyLo[k]!;
          slotArticle[slot] = articleId;
        }
      }
      articleId++;
    }
  }
  storyStart[storyCount] = articleId;
  recordStart[articleCount] = recordBytes;
  hostPartCounts.forEach((count, part) => count > 0 && hostCounter.add(hostParts[part]!, count));

  const order = sortByHash(hi, lo);
  const tables: IndexTables = {
    storyCount,
    articleCount,
    keyHi: gather(hi, order),
    keyLo: gather(lo, order),
    keyArticle: gather(slotArticle, order),
    articleStory,
    storyStart,
    recordStart,
  };
  /** Copies article `id`'s record (in index order) to `target` at `at`. */
  const copyRecord: RecordCopier = (id, target, at) => {
    const article = articleOrder[id]!;
    const index = mergedOf[article]!;
    if (index !== -1) {
      target.set(mergedBytes.subarray(mergedStart[index]!, mergedStart[index + 1]!), at);
      return;
    }
    const copy = articleCopy[article]!;
    const start = copies.recordStart[copy]!;
    target.set(copies.records[copies.batchOf[copy]!]!.subarray(start, start + copies.recordLength[copy]!), at);
  };
  const hostKeys = new Map<string, number>();
  hostCounter.addTo(hostKeys);
  if (file) return { bytes: null, head: writeIndexFile(file, tables, recordBytes, copyRecord), hostKeys };
  return { bytes: assembleInMemory(tables, recordBytes, copyRecord), head: null, hostKeys };
}

/** Copies article `id`'s record (articles in index order) to `target` at `at`; tables.recordStart has its length. */
type RecordCopier = (id: number, target: Uint8Array, at: number) => void;

/** The index in memory: records copied where it holds them, then assembleIndex writes the head before them. */
function assembleInMemory(tables: IndexTables, recordBytes: number, copyRecord: RecordCopier): Uint8Array {
  const front = headBytes(tables.keyHi.length, tables.articleCount, tables.storyCount);
  const space = indexBytes(front + recordBytes);
  for (let id = 0; id < tables.articleCount; id++) copyRecord(id, space, front + tables.recordStart[id]!);
  return assembleIndex({ ...tables, records: space.subarray(front, front + recordBytes) }, space);
}

/** Bytes of records written to the file per write; a larger shard gets a buffer of its own size. */
const FILE_CHUNK = 1 << 20;

/**
 * Writes the index into `path` over its old bytes: its records a shard at a time through one
 * buffer (each shard's sum taken there), then its head. Returns the head.
 */
function writeIndexFile(path: string, tables: IndexTables, recordBytes: number, copyRecord: RecordCopier): Uint8Array {
  const { storyCount, storyStart, recordStart } = tables;
  const head = new Uint8Array(headBytes(tables.keyHi.length, tables.articleCount, storyCount));
  const sums = new Uint32Array(shardCountOf(storyCount));
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT);
  try {
    let buffer = new Uint8Array(FILE_CHUNK);
    /** Where the buffer's bytes go among the records, and how many it holds. */
    let bufferAt = 0;
    let used = 0;
    for (let shard = 0; shard < sums.length; shard++) {
      const first = storyStart[shard * STORIES_PER_SHARD]!;
      const end = storyStart[Math.min((shard + 1) * STORIES_PER_SHARD, storyCount)]!;
      const size = recordStart[end]! - recordStart[first]!;
      if (used + size > buffer.length) {
        writeFully(fd, buffer.subarray(0, used), head.length + bufferAt);
        bufferAt += used;
        used = 0;
        if (size > buffer.length) buffer = new Uint8Array(size);
      }
      const shardAt = used;
      for (let id = first; id < end; id++) copyRecord(id, buffer, shardAt + recordStart[id]! - recordStart[first]!);
      used += size;
      sums[shard] = checksum(buffer.subarray(shardAt, used));
    }
    writeFully(fd, buffer.subarray(0, used), head.length + bufferAt);
    writeHead(tables, recordBytes, sums, head);
    writeFully(fd, head, 0);
    ftruncateSync(fd, head.length + recordBytes);
    return head;
  } finally {
    closeSync(fd);
  }
}

