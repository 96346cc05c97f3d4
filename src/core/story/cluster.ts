import type { SeedArticle, SeedDocument } from '../seed/types';
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
  /** Distinct canonical keys of its addresses, the main address first. */
  keys: string[];
}

/** A seed after canonicalisation: its articles (main first), minus any without a usable address. */
export interface CanonicalSeed {
  source: string;
  articles: CanonicalArticle[];
}

interface Copy {
  article: CanonicalArticle;
  /** Position of its document in source order, for deterministic tie-breaks. */
  order: number;
}

function canonicalArticle(article: SeedArticle, canonicaliseUrl: typeof canonicalise): CanonicalArticle | null {
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
    outletDomain: outletDomain(main.hostname),
    keys: [...keys],
  };
}

/** Canonicalises every address of a seed: the per-document half of clustering. */
export function canonicaliseSeed(seed: NamedSeed): CanonicalSeed {
  return canonicaliseSeedWith(seed, canonicalise);
}

/** canonicaliseSeed with a given canonicaliser: the build passes the memoised one validation used. */
export function canonicaliseSeedWith({ source, document }: NamedSeed, canonicaliseUrl: typeof canonicalise): CanonicalSeed {
  const articles: CanonicalArticle[] = [];
  for (const seed of [document.article, ...document.related]) {
    const found = canonicalArticle(seed, canonicaliseUrl);
    if (found) articles.push(found);
  }
  return { source, articles };
}

/** The copy whose metadata wins: the newer publication time, then the later document. */
function newer(a: Copy, b: Copy): Copy {
  const timeA = a.article.publishedAt ?? Number.NEGATIVE_INFINITY;
  const timeB = b.article.publishedAt ?? Number.NEGATIVE_INFINITY;
  if (timeA !== timeB) return timeA > timeB ? a : b;
  return a.order >= b.order ? a : b;
}

/** Oldest first, undated last, then by address: the one order of a story's articles everywhere. */
export function compareArticles(a: Pick<Article, 'publishedAt' | 'url'>, b: Pick<Article, 'publishedAt' | 'url'>): number {
  const timeA = a.publishedAt ?? Number.POSITIVE_INFINITY;
  const timeB = b.publishedAt ?? Number.POSITIVE_INFINITY;
  if (timeA !== timeB) return timeA - timeB;
  return a.url < b.url ? -1 : a.url > b.url ? 1 : 0;
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

/**
 * clusterCanonical, also saying which story each seed went into (seedStory[i] for seeds[i]; -1
 * for a seed without articles). An incremental build keeps this to know which stories a changed
 * seed touches.
 */
export function clusterWithOrigins(seeds: readonly CanonicalSeed[]): { stories: Story[]; seedStory: Int32Array } {
  const order = seeds.map((_seed, index) => index).sort((a, b) => (seeds[a]!.source < seeds[b]!.source ? -1 : seeds[a]!.source > seeds[b]!.source ? 1 : 0));
  const copies: Copy[] = [];
  const documentCopies: number[][] = [];
  order.forEach((seedIndex, position) => {
    const ids: number[] = [];
    for (const article of seeds[seedIndex]!.articles) {
      ids.push(copies.length);
      copies.push({ article, order: position });
    }
    documentCopies.push(ids);
  });
  // Copies sharing any key are the same article.
  const sameArticle = new DisjointSet();
  const copyByKey = new Map<string, number>();
  copies.forEach((copy, index) => {
    sameArticle.add();
    for (const key of copy.article.keys) {
      const seen = copyByKey.get(key);
      if (seen === undefined) copyByKey.set(key, index);
      else sameArticle.union(seen, index);
    }
  });
  // Same article, or named in one document: same story.
  const sameStory = new DisjointSet();
  copies.forEach((_copy, index) => {
    sameStory.add();
    sameStory.union(index, sameArticle.find(index));
  });
  for (const ids of documentCopies) {
    for (const id of ids.slice(1)) sameStory.union(ids[0]!, id);
  }

  const articles = new Map<number, { winner: Copy; keys: Set<string> }>();
  copies.forEach((copy, index) => {
    const root = sameArticle.find(index);
    const existing = articles.get(root);
    if (!existing) articles.set(root, { winner: copy, keys: new Set(copy.article.keys) });
    else {
      existing.winner = newer(existing.winner, copy);
      for (const key of copy.article.keys) existing.keys.add(key);
    }
  });

  const stories = new Map<number, Article[]>();
  for (const [root, { winner, keys }] of articles) {
    const storyRoot = sameStory.find(root);
    const chosen = winner.article;
    const article: Article = {
      url: chosen.url,
      title: chosen.title,
      excerpt: chosen.excerpt,
      outlet: chosen.outletName ?? chosen.outletDomain,
      outletDomain: chosen.outletDomain,
      publishedAt: chosen.publishedAt,
      keys: [...keys].sort(),
    };
    const members = stories.get(storyRoot);
    if (members) members.push(article);
    else stories.set(storyRoot, [article]);
  }
  const roots = [...stories.keys()];
  const sorted = roots.map((root) => ({ root, story: { articles: stories.get(root)!.sort(compareArticles) } })).sort((a, b) => compareArticles(a.story.articles[0]!, b.story.articles[0]!));
  const storyOfRoot = new Map<number, number>();
  sorted.forEach(({ root }, index) => storyOfRoot.set(root, index));
  const seedStory = new Int32Array(seeds.length).fill(-1);
  documentCopies.forEach((ids, position) => {
    if (ids.length > 0) seedStory[order[position]!] = storyOfRoot.get(sameStory.find(ids[0]!))!;
  });
  return { stories: sorted.map(({ story }) => story), seedStory };
}
