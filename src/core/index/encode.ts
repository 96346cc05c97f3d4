import type { Story } from '../story/types';
import { checksum, hashKey } from './hash';
import { HEADER_WORDS, INDEX_MAGIC, INDEX_VERSION, type ArticleDetails } from './format';

/** Serialises stories into the compact index format (see format.ts). */
export function encodeIndex(stories: readonly Story[]): Uint8Array {
  const encoder = new TextEncoder();
  const details: Uint8Array[] = [];
  const storyStart = [0];
  const articleStory: number[] = [];
  const keyed: Array<{ hi: number; lo: number; article: number }> = [];
  const seenKeys = new Set<string>();
  for (const [storyId, story] of stories.entries()) {
    for (const article of story.articles) {
      const articleId = articleStory.length;
      articleStory.push(storyId);
      const record: ArticleDetails = {
        u: article.url,
        t: article.title,
        e: article.excerpt,
        o: article.outlet,
        d: article.outletDomain,
        p: article.publishedAt,
        k: article.keys,
      };
      details.push(encoder.encode(JSON.stringify(record)));
      for (const key of article.keys) {
        // Clustering makes keys unique per article; the first claim wins if input was not clustered.
        if (seenKeys.has(key)) continue;
        seenKeys.add(key);
        const [hi, lo] = hashKey(key);
        keyed.push({ hi, lo, article: articleId });
      }
    }
    storyStart.push(articleStory.length);
  }
  keyed.sort((a, b) => a.hi - b.hi || a.lo - b.lo);

  const keyCount = keyed.length;
  const articleCount = articleStory.length;
  const storyCount = stories.length;
  const detailBytes = details.reduce((sum, bytes) => sum + bytes.length, 0);
  const words = HEADER_WORDS + 3 * keyCount + articleCount + (storyCount + 1) + (articleCount + 1);
  const buffer = new ArrayBuffer(words * 4 + detailBytes);
  const u32 = new Uint32Array(buffer, 0, words);
  let at = HEADER_WORDS;
  for (const { hi } of keyed) u32[at++] = hi;
  for (const { lo } of keyed) u32[at++] = lo;
  for (const { article } of keyed) u32[at++] = article;
  for (const story of articleStory) u32[at++] = story;
  for (const start of storyStart) u32[at++] = start;
  let offset = 0;
  u32[at++] = 0;
  for (const bytes of details) {
    offset += bytes.length;
    u32[at++] = offset;
  }
  const bytes = new Uint8Array(buffer);
  let detailAt = words * 4;
  for (const record of details) {
    bytes.set(record, detailAt);
    detailAt += record.length;
  }
  u32.set([INDEX_MAGIC, INDEX_VERSION, keyCount, articleCount, storyCount, detailBytes, 0, 0], 0);
  u32[6] = checksum(bytes.subarray(HEADER_WORDS * 4));
  return bytes;
}
