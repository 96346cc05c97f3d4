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

interface Copy {
  seed: SeedArticle;
  keys: string[];
  /** Position of its document in source order, for deterministic tie-breaks. */
  order: number;
  hostname: string;
}

function keysOf(article: SeedArticle): { keys: string[]; hostname: string } | null {
  const main = canonicalise(article.webUrl);
  if (!main) return null;
  const keys = new Set([main.key]);
  for (const url of article.alternateUrls) {
    const alternate = canonicalise(url);
    if (alternate) keys.add(alternate.key);
  }
  return { keys: [...keys], hostname: main.hostname };
}

/** The copy whose metadata wins: the newer publication time, then the later document. */
function newer(a: Copy, b: Copy): Copy {
  const timeA = a.seed.publishedAt ?? Number.NEGATIVE_INFINITY;
  const timeB = b.seed.publishedAt ?? Number.NEGATIVE_INFINITY;
  if (timeA !== timeB) return timeA > timeB ? a : b;
  return a.order >= b.order ? a : b;
}

function compareArticles(a: Article, b: Article): number {
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
  const ordered = [...seeds].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  const copies: Copy[] = [];
  const documentCopies: number[][] = [];
  ordered.forEach(({ document }, order) => {
    const ids: number[] = [];
    for (const seed of [document.article, ...document.related]) {
      const found = keysOf(seed);
      if (!found) continue;
      ids.push(copies.length);
      copies.push({ seed, keys: found.keys, order, hostname: found.hostname });
    }
    documentCopies.push(ids);
  });

  // Copies sharing any key are the same article.
  const sameArticle = new DisjointSet();
  const copyByKey = new Map<string, number>();
  copies.forEach((copy, index) => {
    sameArticle.add();
    for (const key of copy.keys) {
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
    if (!existing) articles.set(root, { winner: copy, keys: new Set(copy.keys) });
    else {
      existing.winner = newer(existing.winner, copy);
      for (const key of copy.keys) existing.keys.add(key);
    }
  });

  const stories = new Map<number, Article[]>();
  for (const [root, { winner, keys }] of articles) {
    const storyRoot = sameStory.find(root);
    const domain = outletDomain(winner.hostname);
    const article: Article = {
      url: winner.seed.webUrl,
      title: winner.seed.title,
      excerpt: winner.seed.excerpt,
      outlet: winner.seed.outletName ?? domain,
      outletDomain: domain,
      publishedAt: winner.seed.publishedAt,
      keys: [...keys].sort(),
    };
    const members = stories.get(storyRoot);
    if (members) members.push(article);
    else stories.set(storyRoot, [article]);
  }
  return [...stories.values()]
    .map((members) => ({ articles: members.sort(compareArticles) }))
    .sort((a, b) => compareArticles(a.articles[0]!, b.articles[0]!));
}
