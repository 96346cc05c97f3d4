import type { SeedArticle, SeedDocument } from '../seed/types';
import { forEachSharedHash } from '../sort/shared-hashes';
import { scratchInt32, scratchUint32, scratchUint8 } from '../sort/scratch-arrays';
import { canonicalise } from '../url/canonical';
import { outletDomain } from '../url/outlet';
import { DisjointSet } from './disjoint-set';
import type { Article, Story } from './types';

/** A validated seed and the name it is known by; names order documents deterministically. */
export interface NamedSeed {
  source: string;
  document: SeedDocument;
}

/**
 * One article of a seed with its addresses already canonicalised: the unit the build's workers
 * produce (canonicalising is most of the per-article cost), and all that clustering needs.
 */
export interface CanonicalArticle {
  url: string;
  title: string;
  excerpt: string;
  outletName: string | null;
  publishedAt: number | null;
  /** Registrable domain of the address the article really lives at. */
  outletDomain: string;
  /**
   * Distinct canonical keys of its addresses, the main address first. An article read back from a
   * build's seed cache (seed-records.ts) comes as clustering reads it (articleOf): keys sorted, and
   * outletName the outlet domain when the seed named none.
   */
  keys: string[];
}

/** A seed after canonicalisation: its articles (main first), minus any without a usable address. */
export interface CanonicalSeed {
  source: string;
  articles: CanonicalArticle[];
}

function canonicalArticle(article: SeedArticle, canonicaliseUrl: typeof canonicalise, outletOf: typeof outletDomain): CanonicalArticle | null {
  const main = canonicaliseUrl(article.webUrl);
  if (!main) return null;
  const keys = new Set([main.key]);
  for (const url of article.alternateUrls) {
    const alternate = canonicaliseUrl(url);
    if (alternate) keys.add(alternate.key);
  }
  return {
    url: article.webUrl,
    title: article.title,
    excerpt: article.excerpt,
    outletName: article.outletName,
    publishedAt: article.publishedAt,
    outletDomain: outletOf(main.hostname),
    keys: [...keys],
  };
}

/** Canonicalises every address of a seed: the per-document half of clustering. */
export function canonicaliseSeed(seed: NamedSeed): CanonicalSeed {
  return canonicaliseSeedWith(seed, canonicalise);
}

/**
 * canonicaliseSeed with a given canonicaliser (the build passes the memoised one validation used)
 * and, optionally, a given outletDomain (the build's workers memoise it across files).
 */
export function canonicaliseSeedWith({ source, document }: NamedSeed, canonicaliseUrl: typeof canonicalise, outletOf: typeof outletDomain = outletDomain): CanonicalSeed {
  const articles: CanonicalArticle[] = [];
  for (const seed of [document.article, ...document.related]) {
    const found = canonicalArticle(seed, canonicaliseUrl, outletOf);
    if (found) articles.push(found);
  }
  return { source, articles };
}

/** Of copies `a` and `b`, the one whose metadata wins: the newer publication time, then the later document. */
function newer(articles: readonly CanonicalArticle[], documentOf: Int32Array, a: number, b: number): number {
  const timeA = articles[a]!.publishedAt ?? Number.NEGATIVE_INFINITY;
  const timeB = articles[b]!.publishedAt ?? Number.NEGATIVE_INFINITY;
  if (timeA !== timeB) return timeA > timeB ? a : b;
  return documentOf[a]! >= documentOf[b]! ? a : b;
}

/** Whether `keys` are in strictly ascending order: sorted, without duplicates. */
function isSortedDistinct(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! >= keys[i]!) return false;
  return true;
}

/**
 * The distinct keys of every copy of an article (from `first` along `nextCopy`), sorted. Most
 * articles have one copy: its keys are sorted with no Set, and when they are sorted already (one
 * key, most often) its own array is the article's, shared with its seed (neither changes): with a
 * copy per article, the scavenger ran 39 times in the index phase of a 100k-seed build, 28 without
 * (`--trace-gc`; issue 4).
 */
function mergedKeys(articles: readonly CanonicalArticle[], nextCopy: Int32Array, first: number): string[] {
  const own = articles[first]!.keys;
  if (nextCopy[first] === -1) return sortedDistinctKeys(own);
  let keys = own.slice();
  for (let copy = nextCopy[first]!; copy !== -1; copy = nextCopy[copy]!) keys = keys.concat(articles[copy]!.keys);
  return sortedDistinct(keys);
}

/** An article's keys as the index stores them, sorted and distinct: `keys` itself when they are already. */
export function sortedDistinctKeys(keys: string[]): string[] {
  return isSortedDistinct(keys) ? keys : sortedDistinct(keys.slice());
}

/** Sorts `keys` in place and drops repeats. */
export function sortedDistinct(keys: string[]): string[] {
  keys.sort();
  // Distinct, as a Set would leave them (sorting put equal keys side by side).
  let kept = 1;
  for (let i = 1; i < keys.length; i++) if (keys[i] !== keys[kept - 1]) keys[kept++] = keys[i]!;
  keys.length = Math.min(kept, keys.length);
  return keys;
}

/** Oldest first, undated last, then by address: the one order of a story's articles everywhere. */
export function compareArticles(a: Pick<Article, 'publishedAt' | 'url'>, b: Pick<Article, 'publishedAt' | 'url'>): number {
  const timeA = a.publishedAt ?? Number.POSITIVE_INFINITY;
  const timeB = b.publishedAt ?? Number.POSITIVE_INFINITY;
  if (timeA !== timeB) return timeA - timeB;
  return a.url < b.url ? -1 : a.url > b.url ? 1 : 0;
}

/** The article the index ships for the copy whose metadata won, known by `keys` (sorted, distinct). */
export function articleOf(chosen: CanonicalArticle, keys: string[]): Article {
  return {
    url: chosen.url,
    title: chosen.title,
    excerpt: chosen.excerpt,
    outlet: chosen.outletName ?? chosen.outletDomain,
    outletDomain: chosen.outletDomain,
    publishedAt: chosen.publishedAt,
    keys,
  };
}

/**
 * FNV-1a over UTF-16 units. Clustering groups equal keys by these numbers: a Map from
 * ~900k distinct key strings (100k seeds) cost over a second, most of clustering (issue 4).
 */
function keyHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** Joins every two copies that share a key: equal keys have equal hashes (forEachSharedHash finds the runs). */
function unionSharedKeys(copies: readonly CanonicalArticle[], sameArticle: DisjointSet): void {
  let keyCount = 0;
  for (const copy of copies) keyCount += copy.keys.length;
  const keys: string[] = [];
  const keyCopy = scratchInt32(keyCount);
  const hashes = scratchUint32(keyCount);
  copies.forEach((copy, index) => {
    for (const key of copy.keys) {
      keyCopy[keys.length] = index;
      hashes[keys.length] = keyHash(key);
      keys.push(key);
    }
  });
  forEachSharedHash(hashes, null, keyCount, (slots) => joinRunOfEqualHashes(slots, (slot) => keys[slot]!, (slot) => keyCopy[slot]!, sameArticle));
}

/**
 * Joins the copies of one run of key slots with equal hashes (forEachSharedHash), where `keyOf` and
 * `copyOf` give a slot's key and copy. Usually the run is one key seen in several copies; two
 * different keys with one hash are rare, and sorted out by a Map of this run alone. Clustering on
 * objects (above) and on a build's columns (columnar-index.ts) both group keys so.
 */
export function joinRunOfEqualHashes(slots: readonly number[], keyOf: (slot: number) => string, copyOf: (slot: number) => number, sameArticle: DisjointSet): void {
  const first = slots[0]!;
  const firstKey = keyOf(first);
  let allEqual = true;
  for (let i = 1; i < slots.length && allEqual; i++) allEqual = keyOf(slots[i]!) === firstKey;
  if (allEqual) {
    for (let i = 1; i < slots.length; i++) sameArticle.union(copyOf(first), copyOf(slots[i]!));
    return;
  }
  const copyByKey = new Map<string, number>();
  for (const slot of slots) {
    const key = keyOf(slot);
    const seen = copyByKey.get(key);
    if (seen === undefined) copyByKey.set(key, copyOf(slot));
    else sameArticle.union(seen, copyOf(slot));
  }
}

/**
 * Groups seed documents into stories. Copies of an article that share any address are one
 * article; an article and its related list are one story; stories that share an article merge.
 */
export function clusterStories(seeds: readonly NamedSeed[]): Story[] {
  return clusterCanonical(seeds.map(canonicaliseSeed));
}

/** clusterStories for seeds whose addresses were canonicalised already (by the build's workers). */
export function clusterCanonical(seeds: readonly CanonicalSeed[]): Story[] {
  return clusterWithOrigins(seeds).stories;
}

/** Indices of `seeds` by source name: the order documents are clustered in, so that the result never depends on the input's order. */
export function sourceOrder(seeds: readonly { source: string }[]): number[] {
  const order = seeds.map((_seed, index) => index);
  // Builds list seeds in file order, which is already source order: checking is cheaper than sorting.
  if (!order.every((seedIndex) => seedIndex === 0 || seeds[seedIndex - 1]!.source <= seeds[seedIndex]!.source)) {
    order.sort((a, b) => (seeds[a]!.source < seeds[b]!.source ? -1 : seeds[a]!.source > seeds[b]!.source ? 1 : 0));
  }
  return order;
}

/**
 * clusterCanonical, also saying which story each seed went into (seedStory[i] for seeds[i]; -1
 * for a seed without articles). An incremental build keeps this to know which stories a changed
 * seed touches.
 */
export function clusterWithOrigins(seeds: readonly CanonicalSeed[]): { stories: Story[]; seedStory: Int32Array } {
  const order = sourceOrder(seeds);
  // Copies as columns rather than one object each: at 100k seeds there are ~600k of them.
  // Document `position` (in source order) owns copies documentStart[position] .. documentStart[position + 1] - 1.
  const copyArticle: CanonicalArticle[] = [];
  const documentStart = scratchInt32(order.length + 1);
  order.forEach((seedIndex, position) => {
    documentStart[position] = copyArticle.length;
    for (const article of seeds[seedIndex]!.articles) copyArticle.push(article);
  });
  const copyCount = copyArticle.length;
  documentStart[order.length] = copyCount;
  const copyOrder = scratchInt32(copyCount);
  for (let position = 0; position < order.length; position++) copyOrder.fill(position, documentStart[position]!, documentStart[position + 1]!);

  // Copies sharing any key are the same article.
  const sameArticle = new DisjointSet(copyCount);
  unionSharedKeys(copyArticle, sameArticle);
  // Same article, or named in one document: same story.
  const sameStory = new DisjointSet(copyCount, sameArticle);
  for (let position = 0; position < order.length; position++) {
    for (let copy = documentStart[position]! + 1; copy < documentStart[position + 1]!; copy++) sameStory.union(documentStart[position]!, copy);
  }

  // Per article (root copy of sameArticle): the copy whose metadata wins, and its copies as a
  // linked list (firstCopy → nextCopy …, in copy order) for merging keys.
  // Scratch arrays (scratch-arrays.ts): clustering 100k seeds allocates ~45 MB of them.
  const winner = scratchInt32(copyCount).fill(-1);
  const lastCopy = scratchInt32(copyCount);
  const nextCopy = scratchInt32(copyCount).fill(-1);
  const rootOf = scratchInt32(copyCount);
  const isFirst = scratchUint8(copyCount);
  for (let copy = 0; copy < copyCount; copy++) {
    const root = sameArticle.find(copy);
    rootOf[copy] = root;
    const best = winner[root]!;
    if (best === -1) {
      winner[root] = copy;
      isFirst[copy] = 1;
    } else {
      winner[root] = newer(copyArticle, copyOrder, best, copy);
      nextCopy[lastCopy[root]!] = copy;
    }
    lastCopy[root] = copy;
  }

  // Articles grouped by story, each story's list in the order its articles first appear.
  const storyOfRoot = scratchInt32(copyCount).fill(-1);
  const members: Article[][] = [];
  const memberRoot: number[] = [];
  for (let copy = 0; copy < copyCount; copy++) {
    const root = rootOf[copy]!;
    // Each article once, at its first copy.
    if (!isFirst[copy]) continue;
    const article = articleOf(copyArticle[winner[root]!]!, mergedKeys(copyArticle, nextCopy, copy));
    const storyRoot = sameStory.find(copy);
    let story = storyOfRoot[storyRoot]!;
    if (story === -1) {
      story = members.length;
      storyOfRoot[storyRoot] = story;
      members.push([]);
      memberRoot.push(storyRoot);
    }
    members[story]!.push(article);
  }
  for (const articles of members) articles.sort(compareArticles);
  const sorted = storyOrder(members);
  sorted.forEach((story, index) => (storyOfRoot[memberRoot[story]!] = index));
  const seedStory = new Int32Array(seeds.length).fill(-1);
  for (let position = 0; position < order.length; position++) {
    if (documentStart[position]! < documentStart[position + 1]!) seedStory[order[position]!] = storyOfRoot[sameStory.find(documentStart[position]!)]!;
  }
  return { stories: Array.from(sorted, (story) => ({ articles: members[story]! })), seedStory };
}

/**
 * Indices of `stories` (each sorted already) in compareArticles order of their first articles.
 * The times are compared from one typed array, the articles themselves only on a tie: sorting
 * ~80k stories through their objects (stories → article → fields, scattered over a large heap)
 * was most of a second of a 100k build (issue 4). Equal stories keep their order, as Array sort does.
 */
function storyOrder(stories: readonly Article[][]): Int32Array {
  const times = new Float64Array(stories.length);
  stories.forEach((articles, index) => (times[index] = articles[0]!.publishedAt ?? Number.POSITIVE_INFINITY));
  const order = Int32Array.from(stories.keys());
  // Infinity - Infinity is NaN, which falls through to compareArticles as a tie does.
  return order.sort((a, b) => times[a]! - times[b]! || compareArticles(stories[a]![0]!, stories[b]![0]!) || a - b);
}
