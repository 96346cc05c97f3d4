import { storyCoverage, type Coverage, type CoverageArticle, type CoverageIndex } from '../index/coverage-index';
import { compareArticles } from '../story/cluster';
import { lookupKeys } from '../url/canonical';

/** One index a lookup consults: the bundled one, or a shard of a subscribed list. */
export interface CoverageSource {
  index: CoverageIndex;
  /** The list's name, shown in the popup; null for the index bundled with the extension. */
  list: string | null;
}

/**
 * A story merged across sources stops growing here. Real stories have a dozen articles; a list
 * that chains thousands of stories through shared addresses is broken or hostile, and must not
 * make a lookup (which runs on every page load) unbounded.
 */
export const MAX_MERGED_ARTICLES = 500;

type KeyedArticle = CoverageArticle & { keys: string[] };

function withoutKeys({ keys: _keys, ...article }: KeyedArticle): CoverageArticle {
  return article;
}

/**
 * The coverage of the first known address across every source (issue 7: "stories that share
 * articles merge"). A story found in one source pulls in every story of any source that shares an
 * address with it, transitively, as clustering does at build time. Copies of one article (a shared
 * address) are listed once; the earlier source's copy wins, so the bundled index, which the
 * extension's authors reviewed, outranks a subscribed list.
 */
export function combinedCoverage(sources: readonly CoverageSource[], addresses: readonly string[]): Coverage | null {
  // Without subscriptions this is the plain lookup, unchanged and allocation-light.
  if (sources.length === 1) {
    const coverage = sources[0]!.index.coverage(addresses);
    return coverage && sources[0]!.list !== null ? { ...coverage, lists: [sources[0]!.list] } : coverage;
  }
  let start: { source: number; articleId: number; key: string } | null = null;
  search: for (const address of addresses) {
    for (const key of lookupKeys(address)) {
      for (const [source, { index }] of sources.entries()) {
        const articleId = index.findArticle(key);
        if (articleId !== -1) {
          start = { source, articleId, key };
          break search;
        }
      }
    }
  }
  if (!start) return null;

  const members: KeyedArticle[] = [];
  const memberByKey = new Map<string, number>();
  const visitedStories = new Set<string>();
  const lists = new Set<string>();
  const pending: Array<{ source: number; articleId: number }> = [start];
  while (pending.length > 0 && members.length < MAX_MERGED_ARTICLES) {
    const { source, articleId } = pending.pop()!;
    const { index, list } = sources[source]!;
    const ids = index.storyArticles(articleId);
    const story = `${source}:${ids[0]}`;
    if (visitedStories.has(story)) continue;
    visitedStories.add(story);
    let contributed = false;
    for (const id of ids) {
      const article = index.article(id);
      let member = article.keys.map((key) => memberByKey.get(key)).find((known) => known !== undefined);
      if (member === undefined) {
        if (members.length >= MAX_MERGED_ARTICLES) break;
        member = members.push(article) - 1;
        contributed = true;
      }
      for (const key of article.keys) {
        if (memberByKey.has(key)) continue;
        memberByKey.set(key, member);
        for (const [other, { index: otherIndex }] of sources.entries()) {
          if (other === source) continue;
          const shared = otherIndex.findArticle(key);
          if (shared !== -1) pending.push({ source: other, articleId: shared });
        }
      }
    }
    if (contributed && list !== null) lists.add(list);
  }

  const page = members[memberByKey.get(start.key)!]!;
  const ordered = [...members].sort(compareArticles);
  const coverage = storyCoverage(ordered.map(withoutKeys), ordered.indexOf(page));
  return lists.size > 0 ? { ...coverage, lists: [...lists].sort() } : coverage;
}
