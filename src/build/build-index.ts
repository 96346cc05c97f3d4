import { canonicaliseSeed, clusterCanonical, type CanonicalSeed, type NamedSeed } from '../core/story/cluster';
import type { Story } from '../core/story/types';
import { encodeIndex, type Utf8WriterFactory } from '../core/index/encode';
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
  return { stories, bytes: encodeIndex(stories, undefined, bufferUtf8Writer), hosts: [...hosts].sort() };
}

/** Buffer's own UTF-8 writer, which `write` calls once it has checked its arguments; not in node's types. */
type Utf8WritingBuffer = Buffer & { utf8Write?: (text: string, offset: number) => number };

/**
 * Node's native UTF-8 writer for encodeIndex (see Utf8WriterFactory), over the index's own memory
 * (a SharedArrayBuffer included), with lone surrogates as U+FFFD. It calls Buffer's utf8Write
 * rather than `write`: in a profile of a 100k-seed index phase, `write`'s checks of its arguments
 * took three times as long as the writing itself (827 ms of samples against 264). utf8Write is
 * not documented (node's `write` calls it); a runtime without it gets `write`.
 */
export const bufferUtf8Writer: Utf8WriterFactory = (bytes) => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Utf8WritingBuffer;
  return typeof buffer.utf8Write === 'function' ? (text, at) => buffer.utf8Write!(text, at) : (text, at) => buffer.write(text, at);
};

/** Match patterns for the outlets' hosts; `*.host` covers the host itself and its subdomains (www., edition., …). */
export function hostMatchPatterns(hosts: readonly string[]): string[] {
  return hosts.map((host) => `*://*.${host}/*`);
}
