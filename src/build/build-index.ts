import { canonicaliseSeed, clusterCanonical, type CanonicalSeed, type NamedSeed } from '../core/story/cluster';
import type { Story } from '../core/story/types';
import { encodeIndex } from '../core/index/encode';
import { keyHost } from '../core/url/canonical';

export interface BuiltIndex {
  stories: Story[];
  bytes: Uint8Array;
  /** Hostnames (without www.) of every indexed address: what the content script may run on. */
  hosts: string[];
}

export function buildIndex(seeds: readonly NamedSeed[]): BuiltIndex {
  return buildIndexFromCanonical(seeds.map(canonicaliseSeed));
}

/** buildIndex for seeds canonicalised already, as the parallel build's workers return them. */
export function buildIndexFromCanonical(seeds: readonly CanonicalSeed[]): BuiltIndex {
  const stories = clusterCanonical(seeds);
  const hosts = new Set<string>();
  for (const story of stories) {
    for (const article of story.articles) {
      for (const key of article.keys) hosts.add(keyHost(key));
    }
  }
  return { stories, bytes: encodeIndex(stories), hosts: [...hosts].sort() };
}

/** Match patterns for the outlets' hosts; `*.host` covers the host itself and its subdomains (www., edition., …). */
export function hostMatchPatterns(hosts: readonly string[]): string[] {
  return hosts.map((host) => `*://*.${host}/*`);
}
