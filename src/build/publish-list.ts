import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CoverageIndex } from '../core/index/coverage-index';
import { encodeIndex } from '../core/index/encode';
import { LIST_FORMAT_VERSION, LIST_MANIFEST_FILE, LIST_SHARD_DIR, MAX_LIST_SHARDS, parseListManifest, shardFileName, type ListManifest, type ListShard } from '../core/list/list-manifest';
import { defaultShardCount, isPowerOfTwo, partitionStories, recoverShardCount, storyIdentity } from '../core/list/partition';
import { clusterCanonical } from '../core/story/cluster';
import type { Story } from '../core/story/types';
import { openIndexFile } from './index-file';
import { loadCanonicalSeeds, type SeedLoadOptions } from './load-seeds';
import { fail } from './usage-error';

/*
 * `publish` (issue 7): writes a list that any static server can serve as it is. Shards are named
 * by their SHA-256 and never change once written; list.json is written last and atomically, so a
 * server never hands out a list.json that names a shard not yet on disk.
 */

/** Only files named like this in shards/ are ever deleted: nothing a maintainer put there by hand. */
const SHARD_FILE = /^([0-9a-f]{64})\.bin$/;

/**
 * The shard count is kept on republish. Once the list has outgrown it this many times over (shards
 * of 4000+ stories, so every edit costs clients a big download), the publisher suggests `--shards`;
 * it never reshards by itself, since that makes every client download the whole list again.
 */
const RESHARD_HINT_FACTOR = 4;

export interface PublishOptions extends SeedLoadOptions {
  seedsDir: string;
  outDir: string;
  /** Defaults to the previous list's name, else the out directory's base name. */
  name?: string;
  /** Defaults to the previous list's homepage, else none; '' removes it. */
  homepage?: string;
  /** Buckets to hash stories into (a power of two); defaults to the previous list's count, else defaultShardCount. */
  shards?: number;
  /** The list's creation time; tests pin it. */
  now?: Date;
}

export interface PublishResult {
  manifest: ListManifest;
  /** Buckets the stories were hashed into (empty ones have no shard). */
  shardCount: number;
  written: number;
  unchanged: number;
  removed: number;
  /** Bytes of every shard of the list, and of those written in this run. */
  bytes: number;
  writtenBytes: number;
  /** Advice for the maintainer, one line each. */
  notes: string[];
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes through a temporary file and a rename, so readers see the old file or the whole new one. */
function writeAtomically(path: string, bytes: Uint8Array | string): void {
  // A dot name: serve-list never serves dot files, so a half-written file is never visible.
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

/** The list already in `outDir`, if any. An unreadable one stops the publish rather than be overwritten blindly. */
function previousManifest(outDir: string): ListManifest | null {
  const path = join(outDir, LIST_MANIFEST_FILE);
  if (!existsSync(path)) return null;
  const parsed = parseListManifest(readFileSync(path, 'utf8'));
  if ('error' in parsed) fail(`${path} is not a list this version can update (${parsed.error}); move it away or choose another --out`);
  return parsed.manifest;
}

/** Whether `path` already holds exactly the shard named `hash` (a crash or a hand edit may have left something else). */
function holdsShard(path: string, hash: string, size: number): boolean {
  try {
    return statSync(path).size === size && sha256(readFileSync(path)) === hash;
  } catch {
    return false;
  }
}

/** list.json with one shard a line: readable in a diff, and a quarter the size of fully indented JSON. */
function formatManifest(manifest: ListManifest): string {
  const { shards, ...fields } = manifest;
  const head = JSON.stringify(fields, null, 2).slice(0, -2);
  const lines = shards.map((shard) => `    ${JSON.stringify(shard)}`);
  return `${head},\n  "shards": [${lines.length > 0 ? `\n${lines.join(',\n')}\n  ` : ''}]\n}\n`;
}

/** The identity of the first story of a published shard, or null when the file is missing or damaged. */
function firstStoryIdentity(path: string): string | null {
  let opened: ReturnType<typeof openIndexFile> | null = null;
  try {
    opened = openIndexFile(path);
    const { index } = opened;
    if (index.header.storyCount === 0) return null;
    return storyIdentity({ articles: index.storyArticles(0).map((id) => index.article(id)) });
  } catch {
    return null;
  } finally {
    opened?.close();
  }
}

function chooseShardCount(options: PublishOptions, outDir: string, previous: ListManifest | null, storyCount: number, notes: string[]): number {
  if (options.shards !== undefined) {
    // Powers of two only: list.json does not record the count, and recoverShardCount finds it again only among powers of two.
    if (!isPowerOfTwo(options.shards) || options.shards > MAX_LIST_SHARDS) fail(`--shards must be a power of two from 1 to ${MAX_LIST_SHARDS}, not ${options.shards}`);
    return options.shards;
  }
  if (!previous) return defaultShardCount(storyCount);
  const representatives = previous.shards.map((shard) => firstStoryIdentity(join(outDir, shard.file)));
  if (representatives.includes(null)) notes.push('some shards of the existing list are missing or damaged; they are written again');
  const kept = recoverShardCount(representatives);
  const suggested = defaultShardCount(storyCount);
  if (suggested >= kept * RESHARD_HINT_FACTOR) {
    notes.push(`kept the list's ${kept} shards so clients download only what changed; ${suggested} would suit ${storyCount} stories (--shards ${suggested}, a full download for every client)`);
  }
  return kept;
}

/** Publishes clustered stories into `outDir` (see publishList). */
export function publishStories(stories: readonly Story[], options: PublishOptions): PublishResult {
  const outDir = resolve(options.outDir);
  const previous = previousManifest(outDir);
  const notes: string[] = [];
  const shardCount = chooseShardCount(options, outDir, previous, stories.length, notes);

  const shards: Array<ListShard & { data: Uint8Array }> = [];
  let addressCount = 0;
  for (const bucket of partitionStories(stories, shardCount)) {
    if (bucket.length === 0) continue;
    const data = encodeIndex(bucket);
    addressCount += CoverageIndex.decodeHeader(data).keyCount;
    const hash = sha256(data);
    shards.push({ file: shardFileName(hash), sha256: hash, bytes: data.byteLength, stories: bucket.length, data });
  }

  const manifest: ListManifest = {
    format: LIST_FORMAT_VERSION,
    // Trimmed as clients read it, so the name published is the name shown.
    name: (options.name ?? previous?.name ?? basename(outDir)).trim(),
    homepage: (options.homepage ?? previous?.homepage ?? null) || null,
    createdAt: (options.now ?? new Date()).toISOString(),
    storyCount: stories.length,
    addressCount,
    shards: shards.map(({ data: _data, ...shard }) => shard),
  };
  const text = formatManifest(manifest);
  // Checked with the very parser clients use, before anything is written.
  const parsed = parseListManifest(text);
  if ('error' in parsed) fail(`cannot publish this list: ${parsed.error}`);

  mkdirSync(join(outDir, LIST_SHARD_DIR), { recursive: true });
  let written = 0;
  let writtenBytes = 0;
  for (const shard of shards) {
    const path = join(outDir, shard.file);
    if (holdsShard(path, shard.sha256, shard.bytes)) continue;
    writeAtomically(path, shard.data);
    written++;
    writtenBytes += shard.bytes;
  }
  // Last: only now does every shard it names exist.
  writeAtomically(join(outDir, LIST_MANIFEST_FILE), text);

  // The previous generation's shards stay, so a client that fetched the old list.json a moment
  // ago still finds every shard it names; older ones go.
  const keep = new Set([...manifest.shards, ...(previous?.shards ?? [])].map((shard) => shard.sha256));
  let removed = 0;
  for (const file of readdirSync(join(outDir, LIST_SHARD_DIR))) {
    const hash = SHARD_FILE.exec(file)?.[1];
    if (hash === undefined || keep.has(hash)) continue;
    rmSync(join(outDir, LIST_SHARD_DIR, file), { force: true });
    removed++;
  }
  const bytes = manifest.shards.reduce((sum, shard) => sum + shard.bytes, 0);
  return { manifest, shardCount, written, unchanged: shards.length - written, removed, bytes, writtenBytes, notes };
}

/**
 * Reads, clusters and publishes the seeds of `options.seedsDir` into `options.outDir`:
 * `list.json` and `shards/<sha256>.bin` (see src/core/list/list-manifest.ts for the format).
 * Republishing rewrites only shards whose stories changed.
 */
export async function publishList(options: PublishOptions): Promise<PublishResult> {
  const seeds = await loadCanonicalSeeds(options.seedsDir, options);
  return publishStories(clusterCanonical(seeds), options);
}
