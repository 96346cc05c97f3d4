import { describe, expect, it } from 'vitest';
import { MAX_LIST_SHARDS } from '../../src/core/list/list-manifest';
import { defaultShardCount, partitionStories, recoverShardCount, shardOfIdentity, storyIdentity, TARGET_STORIES_PER_SHARD } from '../../src/core/list/partition';
import type { Article, Story } from '../../src/core/story/types';

function article(key: string): Article {
  return { url: `https://${key}`, title: key, excerpt: '', outlet: 'Outlet', outletDomain: key.slice(0, key.indexOf('/')), publishedAt: null, keys: [key] };
}

/** Story `n`: two outlets' articles, the second with an extra (smaller) AMP key. */
function story(n: number): Story {
  const second = article(`outlet-b.example/news/${n}`);
  second.keys = [`amp.outlet-b.example/news/${n}`, ...second.keys];
  return { articles: [article(`outlet-a.example/story/${n}`), second] };
}

const STORIES = Array.from({ length: 2000 }, (_unused, n) => story(n));

describe('defaultShardCount', () => {
  it('is a power of two giving 500 to 1000 stories a shard, between 1 and MAX_LIST_SHARDS', () => {
    expect(defaultShardCount(0)).toBe(1);
    expect(defaultShardCount(TARGET_STORIES_PER_SHARD)).toBe(1);
    expect(defaultShardCount(TARGET_STORIES_PER_SHARD + 1)).toBe(2);
    expect(defaultShardCount(10_000)).toBe(16);
    expect(defaultShardCount(100_000)).toBe(128);
    expect(defaultShardCount(1e9)).toBe(MAX_LIST_SHARDS);
    for (const stories of [1001, 1999, 2001, 7777, 10_000, 65_536, 100_000, 1_000_000]) {
      const count = defaultShardCount(stories);
      expect(Math.log2(count) % 1).toBe(0);
      expect(stories / count).toBeGreaterThan(TARGET_STORIES_PER_SHARD / 2);
      expect(stories / count).toBeLessThanOrEqual(TARGET_STORIES_PER_SHARD);
    }
  });
});

describe('storyIdentity', () => {
  it('is the smallest key over every article of the story', () => {
    expect(storyIdentity(story(5))).toBe('amp.outlet-b.example/news/5');
    expect(storyIdentity({ articles: [article('b.example/1'), article('a.example/9')] })).toBe('a.example/9');
    expect(() => storyIdentity({ articles: [] })).toThrow();
  });
});

describe('partitionStories', () => {
  it('puts every story in exactly the bucket its identity hashes to, ordered by identity', () => {
    const buckets = partitionStories(STORIES, 8);
    expect(buckets).toHaveLength(8);
    expect(buckets.flat()).toHaveLength(STORIES.length);
    expect(new Set(buckets.flat())).toEqual(new Set(STORIES));
    buckets.forEach((bucket, index) => {
      // Hashing spreads 2000 stories evenly: no bucket is empty or holds twice its share.
      expect(bucket.length).toBeGreaterThan(STORIES.length / 8 / 2);
      expect(bucket.length).toBeLessThan((STORIES.length / 8) * 2);
      const identities = bucket.map(storyIdentity);
      for (const identity of identities) expect(shardOfIdentity(identity, 8)).toBe(index);
      expect(identities).toEqual([...identities].sort());
    });
  });

  it('does not depend on the order of the input', () => {
    expect(partitionStories([...STORIES].reverse(), 8)).toEqual(partitionStories(STORIES, 8));
  });

  it('changes only the bucket of a story that was edited, added or removed', () => {
    const before = partitionStories(STORIES, 16);
    const changedBuckets = (after: Story[][]): number[] => after.flatMap((bucket, index) => (JSON.stringify(bucket) === JSON.stringify(before[index]) ? [] : [index]));
    const edited = story(7);
    edited.articles[0]!.title = 'Edited';
    expect(changedBuckets(partitionStories(STORIES.map((each, n) => (n === 7 ? edited : each)), 16))).toEqual([shardOfIdentity(storyIdentity(edited), 16)]);
    expect(changedBuckets(partitionStories([...STORIES, story(99_999)], 16))).toEqual([shardOfIdentity(storyIdentity(story(99_999)), 16)]);
    expect(changedBuckets(partitionStories(STORIES.filter((_each, n) => n !== 1234), 16))).toEqual([shardOfIdentity(storyIdentity(story(1234)), 16)]);
  });

  it('refuses a count outside 1..MAX_LIST_SHARDS', () => {
    for (const count of [0, -1, 1.5, MAX_LIST_SHARDS + 1, Number.NaN]) expect(() => partitionStories(STORIES, count)).toThrow(RangeError);
  });
});

describe('recoverShardCount', () => {
  /** The first story of each non-empty bucket, as a republish reads it from the published shards. */
  const representatives = (buckets: Story[][]): string[] => buckets.filter((bucket) => bucket.length > 0).map((bucket) => storyIdentity(bucket[0]!));
  /** The stories of each bucket, as sets of identities, without the empty buckets. */
  const groups = (buckets: Story[][]): string[][] => buckets.filter((bucket) => bucket.length > 0).map((bucket) => bucket.map(storyIdentity)).sort();

  it('finds the count again when every bucket holds stories', () => {
    for (const count of [1, 2, 8, 64]) expect(recoverShardCount(representatives(partitionStories(STORIES, count)))).toBe(count);
  });

  it('keeps every shard exactly as it was when most buckets are empty', () => {
    const few = STORIES.slice(0, 5);
    const published = partitionStories(few, 1024);
    const recovered = recoverShardCount(representatives(published));
    expect(recovered).toBeLessThan(1024);
    expect(groups(partitionStories(few, recovered))).toEqual(groups(published));
  });

  it('counts a shard it could not read, and keeps the others as they were', () => {
    const published = partitionStories(STORIES, 8);
    const readable = representatives(published).map((identity, index) => (index === 3 ? null : identity));
    const recovered = recoverShardCount(readable);
    expect(recovered).toBe(8);
    expect(recoverShardCount([null, null, null])).toBe(4);
  });

  it('is 1 for an empty list', () => {
    expect(recoverShardCount([])).toBe(1);
  });
});
