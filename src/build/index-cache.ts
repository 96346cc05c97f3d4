import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CoverageIndex, IndexFormatError } from '../core/index/coverage-index';
import { encodeIndex } from '../core/index/encode';
import { INDEX_VERSION } from '../core/index/format';
import { planSplice, readTables, SpliceError } from '../core/index/splice';
import { clusterWithOrigins } from '../core/story/cluster';
import type { Story } from '../core/story/types';
import { bufferUtf8Writer } from './build-index';
import { indexFromColumns, type ColumnSeed } from './columnar-index';
import { ColumnReader, StringColumn, writeColumnsFile } from './columns';
import { HostCounter } from './host-counter';
import { canonicalSeedOf, type SeedEntry } from './parallel-read';
import { readAt } from './index-file';
import type { IndexWorkerData } from './index-worker';
import { INDEX_SLOTS, MANIFEST_FILE, manifestLength, readLastBuild, writeSplice, type LastBuildFiles, type ManifestHead } from './previous-index';
import { Progress } from './progress';
import { codeFingerprint, RECORD_PACKAGES, RECORD_SOURCES } from './seed-cache';
import { workerStarter } from './worker-bundle';
import { copyInPlace, writeInPlace } from './write-in-place';

/**
 * The last index built from seeds, kept beside the seed cache so that a rebuild does only what
 * changed (issue 4: ≤ 1 s after one seed changed, at 100k seeds). It holds the index bytes and,
 * for every seed, its content hash and the story it went into. A rebuild then
 *   - reuses the bytes when no seed changed;
 *   - otherwise re-clusters only the stories the changed seeds were in or now touch (with every
 *     other seed of those stories) and splices them into the previous index (splice.ts);
 *   - or, past SPLICE_MAX_CHANGED_SHARE or without a usable previous build, builds from scratch.
 * Every path gives the same bytes (tests/unit/index-cache.test.ts).
 */

/**
 * Bump when the manifest's shape or meaning changes (2: columns; 3: two index files rewritten in
 * turn, the manifest recording its index's head checksum); the code fingerprint catches the rest.
 */
export const INDEX_CACHE_VERSION = 3;

/**
 * Past this share of changed seeds, re-clustering the touched stories costs about as much as
 * clustering everything, so the build starts from scratch.
 */
const SPLICE_MAX_CHANGED_SHARE = 0.2;

/** The manifest of version 1: removed when a manifest is written. */
const OLD_MANIFEST_FILE = 'index-manifest.json';
/** Index files of every version: this one's two slots, and the per-build names of earlier ones (removed). */
const INDEX_FILE_PATTERN = /^index-[0-9a-f]+\.bin$/;

/** The modules that turn records into index bytes, beyond those that make records. */
const INDEX_SOURCES = ['core/index', 'core/story', 'core/sort', 'build/index-cache.ts', 'build/host-counter.ts', 'build/seed-columns.ts', 'build/columnar-index.ts'];

interface Manifest {
  key: string;
  /**
   * The index file in the cache directory: one of two slots, the one the previous manifest did
   * not name (see saveManifest).
   */
  indexFile: string;
  /**
   * The head checksum of the index written for this manifest. Two builds at once in one cache can
   * write the same slot; a manifest whose file holds another build's index (or half of one) is
   * then refused, and the build starts from scratch.
   */
  indexHeadChecksum: number;
  /** Per seed, in entry order: its source name, content hash and story (-1 when it has no article). */
  sources: StringColumn;
  hashes: StringColumn;
  stories: Int32Array;
  /** Keys per host, so a splice can tell when a host's last address goes. */
  hostKeys: Record<string, number>;
  /** The columns it was read from (stories, ends, sources and hashes: manifestFrom). */
  columns: ManifestColumns;
}

/** A manifest's columns as laid out in its file, with the byte lengths of sources and hashes. */
interface ManifestColumns {
  columns: Uint8Array;
  sourceBytes: number;
  hashBytes: number;
}

export interface SeedIndex {
  byteLength: number;
  /**
   * The index's bytes. A rebuild leaves them in the cache's index file (previous-index.ts), and
   * they are read from it when asked for: writeTo does not need them.
   */
  bytes(): Uint8Array;
  /** Writes the index to `path`, over the file's old bytes (writeInPlace). */
  writeTo(path: string): Promise<void>;
  /** Hostnames (without www.) of every indexed address, sorted: what the content script may run on. */
  hosts: string[];
  storyCount: number;
  /** What the build did: built from scratch, spliced into the previous index, or reused it whole. */
  how: 'built' | 'spliced' | 'reused';
  /**
   * Settles once the cache holds this build: its index file is written on libuv's thread pool
   * while the caller goes on (writing its own copy, on the other core). Rejects when the cache
   * could not be written; callers await it before they finish.
   */
  saved: Promise<void>;
}

/** The cache's identity: its version, the index format, the record cache's key and the indexing code. */
export function indexCacheKey(recordKey: string): string {
  const code = codeFingerprint(`index v${INDEX_CACHE_VERSION} format ${INDEX_VERSION}`, [...RECORD_SOURCES, ...INDEX_SOURCES], RECORD_PACKAGES);
  return createHash('sha1').update(`${recordKey}\n${code}`).digest('hex');
}

function countStoryHosts(stories: readonly Story[], counts: Map<string, number>): void {
  const counter = new HostCounter(1);
  for (const story of stories) for (const article of story.articles) for (const key of article.keys) counter.add(key);
  counter.addTo(counts);
}

function hostList(counts: ReadonlyMap<string, number>): string[] {
  return [...counts].filter(([, count]) => count > 0).map(([host]) => host).sort();
}

/** The last build's manifest and index file, as read: verified() says whether they can be used. */
export interface PreviousBuild {
  manifest: Manifest;
  /** The index file in the cache. */
  path: string;
  /** Its head (headBytes), read once it and every shard of the file were verified; null when they failed. */
  head: Uint8Array | null;
}

/** The manifest of the last build (as readLastBuild read its file) when it is under `key`, and one this code can use. */
function manifestFrom(read: LastBuildFiles['manifest'], key: string): Manifest | null {
  if (!read || read.head.key !== key || typeof read.head.indexHeadChecksum !== 'number' || typeof read.head.hostKeys !== 'object') return null;
  const { head, columns } = read;
  const reader = new ColumnReader(columns);
  const stories = reader.int32(head.count);
  const [sourceEnds, hashEnds] = [reader.uint32(head.count), reader.uint32(head.count)];
  const sources = new StringColumn(reader.bytes(head.sourceBytes).toString('utf8'), sourceEnds);
  const hashes = new StringColumn(reader.bytes(head.hashBytes).toString('utf8'), hashEnds);
  if (!sources.isWhole() || !hashes.isWhole()) return null;
  return { key, indexFile: head.indexFile, indexHeadChecksum: head.indexHeadChecksum, sources, hashes, stories, hostKeys: head.hostKeys, columns: { columns, sourceBytes: head.sourceBytes, hashBytes: head.hashBytes } };
}

/** The manifest's columns, as manifestFrom reads them. */
function manifestColumns({ sources, hashes, stories }: Pick<Manifest, 'sources' | 'hashes' | 'stories'>): ManifestColumns {
  const count = stories.length;
  const sourceBytes = Buffer.byteLength(sources.text);
  const hashBytes = Buffer.byteLength(hashes.text);
  const columns = new Uint8Array(manifestLength({ count, sourceBytes, hashBytes }));
  new Int32Array(columns.buffer, 0, count).set(stories);
  new Uint32Array(columns.buffer, 4 * count, count).set(sources.ends);
  new Uint32Array(columns.buffer, 8 * count, count).set(hashes.ends);
  Buffer.from(columns.buffer, 12 * count, sourceBytes).write(sources.text, 'utf8');
  Buffer.from(columns.buffer, 12 * count + sourceBytes, hashBytes).write(hashes.text, 'utf8');
  return { columns, sourceBytes, hashBytes };
}

/**
 * The last manifest's columns made this build's, in place, when every entry is where it was
 * (`changed` lists those whose content changed): the stories column written anew and the changed
 * hashes over their old ones. Building the columns from every source and hash was ~0.1 s of a
 * one-change 100k rebuild (issue 4). Null when a hash would not fit its old place. The last
 * manifest's `stories` are overwritten: it is not to be used afterwards.
 */
function patchedColumns(manifest: Manifest, entries: readonly SeedEntry[], changed: readonly number[], seedStory: ArrayLike<number>): ManifestColumns | null {
  const { columns, sourceBytes, hashBytes } = manifest.columns;
  const count = entries.length;
  // Hashes are hex: one byte a character, so character offsets are byte offsets.
  if (manifest.hashes.count !== count || hashBytes !== manifest.hashes.text.length) return null;
  if (changed.some((i) => entries[i]!.hash.length !== manifest.hashes.length(i) || !/^[0-9a-f]*$/.test(entries[i]!.hash))) return null;
  new Int32Array(columns.buffer, columns.byteOffset, count).set(seedStory);
  const hashesAt = columns.byteOffset + 12 * count + sourceBytes;
  for (const i of changed) {
    const start = i === 0 ? 0 : manifest.hashes.ends[i - 1]!;
    Buffer.from(columns.buffer, hashesAt + start, entries[i]!.hash.length).write(entries[i]!.hash, 'latin1');
  }
  return manifest.columns;
}

/** A previous build that verified, for the manifest it is read with. */
type UsableBuild = PreviousBuild & { head: Uint8Array };

/**
 * The previous build when it is whole. The cache is reused or spliced into a shipped index: a
 * damaged file must be rebuilt, not shipped, nor laundered into one with fresh checksums. The
 * file was verified as its head was read (readVerifiedHead), a small share of a rebuild.
 */
function verified(previous: PreviousBuild | null, key: string): UsableBuild | null {
  const head = previous?.head;
  if (!previous || !head || previous.manifest.key !== key) return null;
  try {
    const header = CoverageIndex.decodeHeader(head);
    if (header.headChecksum !== previous.manifest.indexHeadChecksum) return null;
    if (previous.manifest.stories.some((story) => story >= header.storyCount)) return null;
    return { ...previous, head };
  } catch {
    return null;
  }
}

/** The last build in `dir` as readLastBuild read it, when its manifest is under `key`. */
function previousBuildFrom(dir: string, files: LastBuildFiles, key: string): PreviousBuild | null {
  const manifest = manifestFrom(files.manifest, key);
  return manifest && { manifest, path: join(dir, manifest.indexFile), head: files.indexHead };
}

/** The last build under `key`, read and verified on this thread. */
function loadPrevious(dir: string, key: string): UsableBuild | null {
  return verified(previousBuildFrom(dir, readLastBuild(dir), key), key);
}

/** readLastBuild(dir) on a worker (index-worker.ts); null when no worker could do it. */
function readLastBuildOffThread(dir: string): Promise<LastBuildFiles | null> {
  return new Promise((resolve) => {
    try {
      const worker = workerStarter('index-worker')({ dir } satisfies IndexWorkerData);
      worker.once('message', (result: LastBuildFiles) => resolve(result));
      // Either comes after a message, or instead of one; a second resolve does nothing.
      worker.once('error', () => resolve(null));
      worker.once('exit', () => resolve(null));
    } catch {
      resolve(null);
    }
  });
}

/**
 * Starts reading the last build in `dir` (for seeds cached under `recordKey`), to pass to
 * indexSeeds as `previous`: its manifest and the head of its index file are read, and both files
 * verified, on a worker while the main thread lists and stats the seeds (issue 4); without a
 * worker, on this thread. Read here first, the ~10 MB manifest of a 100k build held the main
 * thread ~0.1 s before it could start on the seeds. Null when there is no last build under that key.
 */
export async function prefetchPreviousBuild(dir: string, recordKey: string): Promise<PreviousBuild | null> {
  try {
    return previousBuildFrom(dir, (await readLastBuildOffThread(dir)) ?? readLastBuild(dir), indexCacheKey(recordKey));
  } catch {
    return null;
  }
}

/**
 * The bytes of a file read whole, as a plain Uint8Array over the same memory when it starts
 * 4-byte aligned (as the index's typed-array views need; a file this large always does): copying
 * them, as `new Uint8Array(buffer)` does, cost a rebuild ~0.2 s at 180 MB.
 */
function alignedView(buffer: Buffer): Uint8Array {
  return buffer.byteOffset % 4 === 0 ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
}

/** The cache's slot for the next index: the one the last manifest did not name. */
function nextSlot(lastIndexFile: string | undefined): string {
  return lastIndexFile === INDEX_SLOTS[0] ? INDEX_SLOTS[1] : INDEX_SLOTS[0];
}

/**
 * Writes the index into its slot (when it is not there yet, as a splice's or a build from columns'
 * is), then the manifest
 * naming it, and removes index files of earlier cache versions. Slots are written over their old
 * bytes (writeInPlace): a file per build, written anew and the last one deleted, made the file
 * system free and allocate ~180 MB per 100k rebuild, ~0.5 s (issue 4). The last build's file stays
 * whole until the new manifest replaces the old, so a build stopped halfway leaves a usable cache.
 * An index in memory is written off this thread, while the caller writes its own copy.
 */
async function saveManifest(dir: string, manifest: Pick<Manifest, 'key' | 'hostKeys'> & { count: number; columns: ManifestColumns }, index: BuiltIndex, lastIndexFile: string | undefined): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const indexFile = index.file ?? nextSlot(lastIndexFile);
  const { columns, sourceBytes, hashBytes } = manifest.columns;
  const indexHeadChecksum = CoverageIndex.decodeHeader(index.bytes ?? index.head).headChecksum;
  const head: ManifestHead = { key: manifest.key, indexFile, indexHeadChecksum, count: manifest.count, sourceBytes, hashBytes, hostKeys: manifest.hostKeys };
  if (index.bytes) await writeInPlace(join(dir, indexFile), index.bytes);
  const temporary = join(dir, `${MANIFEST_FILE}.${process.pid}.tmp`);
  writeColumnsFile(temporary, head, columns);
  renameSync(temporary, join(dir, MANIFEST_FILE));
  rmSync(join(dir, OLD_MANIFEST_FILE), { force: true });
  for (const name of readdirSync(dir)) {
    if (INDEX_FILE_PATTERN.test(name) && !(INDEX_SLOTS as readonly string[]).includes(name)) rmSync(join(dir, name), { force: true });
  }
}

/** An index built in memory, or one written into a slot of the cache (`file`, with its head) by a splice or a build from columns. */
type BuiltIndex = { bytes: Uint8Array; file: null; head: null } | { bytes: null; file: string; head: Uint8Array };

/** A SeedIndex's bytes, from memory. */
function inMemory(bytes: Uint8Array): Pick<SeedIndex, 'byteLength' | 'bytes' | 'writeTo'> {
  return { byteLength: bytes.length, bytes: () => bytes, writeTo: (path) => writeInPlace(path, bytes) };
}

/** A SeedIndex's bytes, from the index file at `path` (CoverageIndex.byteLength of `head` long). */
function inFile(path: string, head: Uint8Array): Pick<SeedIndex, 'byteLength' | 'bytes' | 'writeTo'> {
  return { byteLength: CoverageIndex.byteLength(CoverageIndex.decodeHeader(head)), bytes: () => alignedView(readFileSync(path)), writeTo: (target) => copyInPlace(path, target) };
}

/** An index, with each seed's story and the keys per host: what a manifest records. */
interface Indexed {
  index: BuiltIndex;
  /** A splice's seeds whose content changed, when every seed is where it was in the last manifest. */
  changedInPlace?: number[];
  seedStory: ArrayLike<number>;
  hostKeys: Map<string, number>;
  storyCount: number;
}

/**
 * Builds from every seed. With `slot` (a file name in the cache directory `dir`), a build from
 * the workers' columns writes its index there rather than into memory (saveManifest then names it).
 */
function buildAll(entries: readonly SeedEntry[], progress: Progress, slot: { dir: string; file: string } | null): Indexed {
  // A cold build parsed every seed in this run: its workers' columns are all it needs.
  if (entries.every((entry): entry is SeedEntry & ColumnSeed => entry.columns !== undefined)) {
    const built = indexFromColumns(entries, { utf8Writer: bufferUtf8Writer, file: slot ? join(slot.dir, slot.file) : undefined });
    progress.tick();
    const index: BuiltIndex = built.bytes ? { bytes: built.bytes, file: null, head: null } : { bytes: null, file: slot!.file, head: built.head! };
    return { index, seedStory: built.seedStory, hostKeys: built.hostKeys, storyCount: built.storyCount };
  }
  const { stories, seedStory } = clusterWithOrigins(entries.map(canonicalSeedOf));
  progress.tick();
  // Keys are counted per host as the encoder writes them (see KeyVisitor).
  const counter = new HostCounter(1);
  const bytes = encodeIndex(stories, (key) => counter.add(key), bufferUtf8Writer);
  const hostKeys = new Map<string, number>();
  counter.addTo(hostKeys);
  return { index: { bytes, file: null, head: null }, seedStory, hostKeys, storyCount: stories.length };
}

/**
 * Where each entry was in the previous build (-1: it is new). Entries mostly keep their places,
 * and a comparison there spares a Map of every source: building it and looking each entry up
 * three times was ~0.25 s of a one-change 100k rebuild (issue 4).
 */
export function previousPositions(entries: readonly Pick<SeedEntry, 'source'>[], sources: StringColumn): Int32Array {
  const positions = new Int32Array(entries.length);
  let bySource: Map<string, number> | null = null;
  entries.forEach((entry, i) => {
    if (sources.is(i, entry.source)) positions[i] = i;
    else {
      bySource ??= sources.positions();
      positions[i] = bySource.get(entry.source) ?? -1;
    }
  });
  return positions;
}

/**
 * Splices the changed seeds' stories into the previous index, from its file into the cache's next
 * slot (previous-index.ts), or returns null when there are too many changes for that to pay.
 */
function splice(entries: readonly SeedEntry[], { manifest, path, head }: UsableBuild, progress: Progress, dir: string): Indexed | null {
  const previousAt = previousPositions(entries, manifest.sources);
  const changed: number[] = [];
  const stillThere = new Uint8Array(manifest.sources.count);
  entries.forEach((entry, i) => {
    const at = previousAt[i]!;
    if (at !== -1) stillThere[at] = 1;
    if (at === -1 || !manifest.hashes.is(at, entry.hash)) changed.push(i);
  });
  const gone: number[] = [];
  stillThere.forEach((there, at) => {
    if (!there) gone.push(at);
  });
  if (changed.length + gone.length > entries.length * SPLICE_MAX_CHANGED_SHARE) return null;

  const fd = openSync(path, 'r');
  try {
    const parts = readTables(head);
    const detailsAt = head.length - parts.shardSums.length * 4;
    const index = CoverageIndex.open(head, { read: (offset, length) => readAt(fd, detailsAt + offset, length) });
    // Stories to re-cluster: those a changed or deleted seed was in, and those its new content touches.
    const touched = new Set<number>();
    const previousStoryOf = (i: number): number => (previousAt[i] === -1 ? -1 : manifest.stories[previousAt[i]!]!);
    for (const at of gone) if (manifest.stories[at]! >= 0) touched.add(manifest.stories[at]!);
    const changedSeeds = new Map(changed.map((i) => [i, canonicalSeedOf(entries[i]!)]));
    for (const [i, seed] of changedSeeds) {
      if (previousStoryOf(i) >= 0) touched.add(previousStoryOf(i));
      for (const article of seed.articles) {
        for (const key of article.keys) {
          const found = index.findArticle(key);
          if (found !== -1) touched.add(parts.articleStory[found]!);
        }
      }
    }
    const regrouped: number[] = [];
    for (let i = 0; i < entries.length; i++) if (changedSeeds.has(i) || touched.has(previousStoryOf(i))) regrouped.push(i);
    const { stories, seedStory: regroupedStory } = clusterWithOrigins(regrouped.map((i) => changedSeeds.get(i) ?? canonicalSeedOf(entries[i]!)));
    progress.tick();
    const removedKeys = new HostCounter(-1);
    for (const story of touched) {
      for (let article = parts.storyStart[story]!; article < parts.storyStart[story + 1]!; article++) for (const key of index.article(article).keys) removedKeys.add(key);
    }
    const readRecords = (from: number, to: number): Uint8Array => {
      const bytes = readAt(fd, head.length + from, to - from);
      if (bytes.length !== to - from) throw new SpliceError('the previous index file was cut short since it was verified');
      return bytes;
    };
    const plan = planSplice(parts, readRecords, touched, stories);
    const file = nextSlot(manifest.indexFile);
    const splicedHead = writeSplice(fd, head.length, plan, join(dir, file));

    const seedStory = new Int32Array(entries.length);
    entries.forEach((_entry, i) => {
      const was = previousStoryOf(i);
      seedStory[i] = was >= 0 ? plan.previousStory[was]! : -1;
    });
    regrouped.forEach((i, j) => {
      seedStory[i] = regroupedStory[j]! >= 0 ? plan.addedStory[regroupedStory[j]!]! : -1;
    });
    const hostKeys = new Map(Object.entries(manifest.hostKeys));
    removedKeys.addTo(hostKeys);
    countStoryHosts(stories, hostKeys);
    const inPlace = gone.length === 0 && entries.length === manifest.sources.count && previousAt.every((at, i) => at === i);
    return { index: { bytes: null, file, head: splicedHead }, changedInPlace: inPlace ? changed : undefined, seedStory, hostKeys, storyCount: plan.tables.storyCount };
  } finally {
    closeSync(fd);
  }
}

/** Stages of indexing that tick the progress bar: cluster, encode (or splice), save. */
const INDEX_STAGES = 3;

export interface IndexOptions {
  /** Show a progress bar on a terminal once the build has taken over a second. */
  progress?: boolean;
  /** When the build began (performance.now()), reading included. */
  startedAt?: number;
  /** The last build, as prefetchPreviousBuild read it while the seeds were read; otherwise it is read now. */
  previous?: PreviousBuild | null;
}

/**
 * The index of `entries` (every valid seed, as readSeedEntries lists them), from the cache in
 * `dir` where it can be, and the cache updated for the next build. Without `dir`, a plain build.
 */
export function indexSeeds(entries: readonly SeedEntry[], dir: string | null, recordKey: string, options: IndexOptions = {}): SeedIndex {
  const progress = new Progress('indexing', INDEX_STAGES, options.progress ?? Boolean(process.stderr.isTTY), options.startedAt);
  try {
    return indexWithProgress(entries, dir, recordKey, progress, options.previous);
  } finally {
    progress.finish();
  }
}

function indexWithProgress(entries: readonly SeedEntry[], dir: string | null, recordKey: string, progress: Progress, prefetched: PreviousBuild | null | undefined): SeedIndex {
  if (!dir) {
    const built = buildAll(entries, progress, null);
    return { ...inMemory(built.index.bytes!), hosts: hostList(built.hostKeys), storyCount: built.storyCount, how: 'built', saved: Promise.resolve() };
  }
  const key = indexCacheKey(recordKey);
  const previous = prefetched === undefined ? loadPrevious(dir, key) : verified(prefetched, key);
  const unchanged =
    previous !== null &&
    previous.manifest.sources.count === entries.length &&
    entries.every((entry, i) => previous.manifest.sources.is(i, entry.source) && previous.manifest.hashes.is(i, entry.hash));
  if (unchanged) {
    const { manifest, path, head } = previous;
    return { ...inFile(path, head), hosts: hostList(new Map(Object.entries(manifest.hostKeys))), storyCount: CoverageIndex.decodeHeader(head).storyCount, how: 'reused', saved: Promise.resolve() };
  }
  let how: SeedIndex['how'] = 'spliced';
  let built: Indexed | null = null;
  try {
    built = previous && splice(entries, previous, progress, dir);
  } catch (error) {
    // A previous index that cannot be spliced is only a missed shortcut, as is one whose file
    // changed since it was verified (another build writing it); anything else is a bug.
    if (!(error instanceof SpliceError || error instanceof IndexFormatError)) throw error;
  }
  const lastIndexFile = (prefetched ?? previous)?.manifest.indexFile;
  if (!built) {
    how = 'built';
    mkdirSync(dir, { recursive: true });
    built = buildAll(entries, progress, { dir, file: nextSlot(lastIndexFile) });
  }
  progress.tick();
  const columns =
    (previous && built.changedInPlace && patchedColumns(previous.manifest, entries, built.changedInPlace, built.seedStory)) ||
    manifestColumns({
      sources: StringColumn.of(entries.map((entry) => entry.source)),
      hashes: StringColumn.of(entries.map((entry) => entry.hash)),
      stories: Int32Array.from(built.seedStory),
    });
  const manifest = { key, count: entries.length, columns, hostKeys: Object.fromEntries([...built.hostKeys].filter(([, count]) => count > 0)) };
  const saved = saveManifest(dir, manifest, built.index, lastIndexFile);
  // Handled here as well as by the caller's await: if the caller fails first (its own output
  // cannot be written, say), a failed cache write must not also end the process with an
  // unhandled rejection and a stack trace. Awaiting `saved` still rejects.
  saved.catch(() => undefined);
  progress.tick();
  const { index } = built;
  return { ...(index.bytes ? inMemory(index.bytes) : inFile(join(dir, index.file), index.head)), hosts: hostList(built.hostKeys), storyCount: built.storyCount, how, saved };
}
