import { hashKey } from '../index/hash';
import type { Story } from '../story/types';
import { MAX_LIST_SHARDS } from './list-manifest';

/*
 * How a published list (issue 7) splits its stories into shards. A story goes to the shard its
 * identity hashes to, and its identity is the smallest canonical key of any of its articles: it
 * depends on that story alone, so editing one seed changes only its own story's shard, and a
 * client re-downloads that shard and nothing else. (A change that alters the smallest key itself,
 * or merges two stories, moves the story and so touches two or three shards: still a handful.)
 */

/**
 * Stories a shard aims to hold at most. At a few articles of ~300 bytes a story, 1000 stories
 * make shards of a few hundred kilobytes: an edit costs a client one such download, while the
 * shard count (one request and one list.json entry each) stays in the tens at 10k–100k stories.
 */
export const TARGET_STORIES_PER_SHARD = 1000;

/** The identity of a story: the smallest canonical key over all its articles' keys. */
export function storyIdentity(story: Story): string {
  let smallest: string | null = null;
  for (const article of story.articles) {
    for (const key of article.keys) if (smallest === null || key < smallest) smallest = key;
  }
  if (smallest === null) throw new Error('a story without any key has no identity');
  return smallest;
}

export function isPowerOfTwo(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0 && (value & (value - 1)) === 0;
}

/**
 * The shard count for a new list: the smallest power of two that keeps shards at or below
 * TARGET_STORIES_PER_SHARD, so shards hold between about 500 and 1000 stories. Powers of two,
 * because a republish recovers the count from the published shards (see recoverShardCount).
 */
export function defaultShardCount(storyCount: number): number {
  let count = 1;
  while (count < MAX_LIST_SHARDS && storyCount > count * TARGET_STORIES_PER_SHARD) count *= 2;
  return count;
}

/**
 * The shard count to keep when republishing, from the identity of one story of each published
 * shard (null for a shard that could not be read). list.json names shards, not buckets (empty
 * buckets have no shard), so the count is not written down; instead this is the smallest power of
 * two with at least a bucket per shard that still puts each of those stories in a bucket of its
 * own. Every story of a shard agrees with its representative modulo the count it was published
 * with, hence modulo any smaller power of two too; so under the count found here every existing
 * shard keeps exactly its stories, even when it is smaller than the count the list was published
 * with (which only happens when over half of the buckets were empty).
 */
export function recoverShardCount(representatives: ReadonlyArray<string | null>): number {
  const hashes = representatives.flatMap((identity) => (identity === null ? [] : [hashKey(identity)[0]]));
  let count = 1;
  while (count < representatives.length && count < MAX_LIST_SHARDS) count *= 2;
  for (; count < MAX_LIST_SHARDS; count *= 2) {
    if (new Set(hashes.map((hash) => hash % count)).size === hashes.length) return count;
  }
  return MAX_LIST_SHARDS;
}

/** The bucket (0 ≤ bucket < shardCount) of a story with this identity. */
export function shardOfIdentity(identity: string, shardCount: number): number {
  // The high half is the better mixed one (it takes the last xor-shift of both lanes). Taken
  // modulo a power of two, this is its low bits, which recoverShardCount relies on.
  return hashKey(identity)[0] % shardCount;
}

/**
 * Splits stories into `shardCount` buckets by identity. Each bucket is ordered by identity, so
 * its bytes depend only on which stories it holds, never on the order or content of the others.
 * Buckets may be empty; publishers write no shard for those.
 */
export function partitionStories(stories: readonly Story[], shardCount: number): Story[][] {
  if (!Number.isSafeInteger(shardCount) || shardCount < 1 || shardCount > MAX_LIST_SHARDS) throw new RangeError(`shard count must be between 1 and ${MAX_LIST_SHARDS}, not ${shardCount}`);
  const buckets: Array<Array<{ identity: string; story: Story }>> = Array.from({ length: shardCount }, () => []);
  for (const story of stories) {
    const identity = storyIdentity(story);
    buckets[shardOfIdentity(identity, shardCount)]!.push({ identity, story });
  }
  return buckets.map((bucket) => bucket.sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0)).map(({ story }) => story));
}
