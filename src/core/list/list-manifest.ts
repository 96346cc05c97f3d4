import { MAX_URL_LENGTH } from '../url/limits';

/*
 * A published index list (issue 7): `list.json` describes the list and names its shards, each a
 * complete compact index (src/core/index/format.ts) of a slice of its stories. Shards are named by
 * the SHA-256 of their bytes, so they are immutable: a static host or CDN may cache them forever,
 * and a client fetches only the shards whose hash it does not hold yet.
 *
 *   {
 *     "format": 2,
 *     "name": "Example newsroom",
 *     "homepage": "https://example.org/elsewhere" | null,
 *     "createdAt": "2026-11-25T12:00:00.000Z",
 *     "storyCount": 1234, "addressCount": 5678,
 *     "shards": [{ "file": "shards/<sha256>.bin", "sha256": "<sha256>", "bytes": 4096, "stories": 20 }]
 *   }
 *
 * Everything in it comes from a stranger's server, so it is parsed field by field with bounds.
 */

/**
 * 2 since the index format 3 (issue 4: interleaved key slots): a list's shards are index files,
 * so a list published before it cannot be read, and says so instead of counting nothing.
 */
export const LIST_FORMAT_VERSION = 2;
export const LIST_MANIFEST_FILE = 'list.json';
/** The folder shards live in, next to list.json. */
export const LIST_SHARD_DIR = 'shards';

/** Issue 7: an update downloads at most 50 MB per list, list.json and shards together. */
export const MAX_LIST_BYTES = 50 * 1024 * 1024;
/** list.json is a table of contents; a megabyte holds ~8,000 shard entries, far beyond any real list. */
export const MAX_LIST_MANIFEST_BYTES = 1024 * 1024;
/** Bounds the per-update work and the table the settings page may be asked to show. */
export const MAX_LIST_SHARDS = 4096;
/** A list name is a label in settings and the popup, not a paragraph. */
export const MAX_LIST_NAME_LENGTH = 100;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface ListShard {
  /** Path relative to list.json: always `shards/<sha256>.bin`, so it cannot point elsewhere. */
  file: string;
  sha256: string;
  bytes: number;
  stories: number;
}

export interface ListManifest {
  format: typeof LIST_FORMAT_VERSION;
  name: string;
  homepage: string | null;
  /** ISO 8601, UTC. */
  createdAt: string;
  storyCount: number;
  addressCount: number;
  shards: ListShard[];
}

export function shardFileName(sha256: string): string {
  return `${LIST_SHARD_DIR}/${sha256}.bin`;
}

export type ParsedListManifest = { manifest: ListManifest } | { error: string };

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isHttpUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH) return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

function parseShard(value: unknown, position: number): ListShard | string {
  const where = `shards[${position}]`;
  if (typeof value !== 'object' || value === null) return `${where} is not an object`;
  const { file, sha256, bytes, stories } = value as Record<string, unknown>;
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) return `${where}.sha256 is not 64 lowercase hex digits`;
  if (file !== shardFileName(sha256)) return `${where}.file must be "${shardFileName(sha256)}"`;
  if (!isCount(bytes) || bytes === 0 || bytes > MAX_LIST_BYTES) return `${where}.bytes must be between 1 and ${MAX_LIST_BYTES}`;
  if (!isCount(stories)) return `${where}.stories is not a count`;
  return { file, sha256, bytes, stories };
}

/** Parses and bounds-checks list.json. Errors are one plain sentence, shown in settings as they are. */
export function parseListManifest(text: string): ParsedListManifest {
  if (text.length > MAX_LIST_MANIFEST_BYTES) return { error: `list.json is larger than ${MAX_LIST_MANIFEST_BYTES} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'list.json is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'list.json is not a JSON object' };
  const fields = value as Record<string, unknown>;
  if (fields.format !== LIST_FORMAT_VERSION) {
    if (isCount(fields.format) && fields.format > LIST_FORMAT_VERSION) {
      return { error: `list format ${fields.format} is newer than this version of Elsewhere reads (${LIST_FORMAT_VERSION}); update Elsewhere` };
    }
    if (isCount(fields.format) && fields.format >= 1) {
      return { error: `list format ${fields.format} is older than this version of Elsewhere reads (${LIST_FORMAT_VERSION}); its publisher needs to publish it again` };
    }
    return { error: `list.json has no supported "format" (expected ${LIST_FORMAT_VERSION})` };
  }
  const { name, homepage, createdAt, storyCount, addressCount, shards } = fields;
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_LIST_NAME_LENGTH) return { error: `"name" must be 1 to ${MAX_LIST_NAME_LENGTH} characters` };
  if (homepage !== null && homepage !== undefined && (typeof homepage !== 'string' || !isHttpUrl(homepage))) return { error: '"homepage" must be an http(s) address or null' };
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) return { error: '"createdAt" is not a date' };
  if (!isCount(storyCount) || !isCount(addressCount)) return { error: '"storyCount" and "addressCount" must be counts' };
  if (!Array.isArray(shards)) return { error: '"shards" is not a list' };
  if (shards.length > MAX_LIST_SHARDS) return { error: `the list has ${shards.length} shards; at most ${MAX_LIST_SHARDS} are read` };
  const parsed: ListShard[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (const [position, entry] of shards.entries()) {
    const shard = parseShard(entry, position);
    if (typeof shard === 'string') return { error: shard };
    if (seen.has(shard.sha256)) return { error: `shards[${position}] repeats an earlier shard` };
    seen.add(shard.sha256);
    total += shard.bytes;
    parsed.push(shard);
  }
  if (total + text.length > MAX_LIST_BYTES) return { error: `the list is ${total + text.length} bytes; at most ${MAX_LIST_BYTES} are downloaded` };
  return {
    manifest: {
      format: LIST_FORMAT_VERSION,
      name: name.trim(),
      homepage: typeof homepage === 'string' ? homepage : null,
      createdAt: new Date(createdAt).toISOString(),
      storyCount,
      addressCount,
      shards: parsed,
    },
  };
}
