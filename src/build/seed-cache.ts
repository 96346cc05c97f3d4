import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ColumnReader, readColumnsFile, StringColumn, writeColumnsFile } from './columns';
import { INDEX_VERSION } from '../core/index/format';
import { checksum } from '../core/index/hash';
import { isValidRecord, type SeedRecord } from './seed-records';

/**
 * Bump when a record's shape or meaning changes in a way the source fingerprint below cannot see,
 * or the cache's files change format (4: the binary manifest; 5: binary records, each line summed).
 * Every cache written under another version (or another fingerprint) is ignored and replaced.
 */
export const SEED_CACHE_VERSION = 5;

/** Where build caches live by default: ignored by git with node_modules, and wiped by `npm ci`. */
export const DEFAULT_CACHE_DIR = 'node_modules/.cache/elsewhere';

/**
 * A file whose modification time is this close to (or after) the moment the manifest was written
 * may have changed again within the clock's granularity without its size changing ("racy clean",
 * as git calls it); it is hashed again rather than trusted.
 */
const RACY_WINDOW_MS = 2000;

/**
 * Rewrite the records file once its lines (live or dead) outnumber the files this many times over,
 * so appends never grow it unbounded. Files, not distinct live records, are what the manifest
 * counts without a pass over every hash; files alike in content only make compaction later.
 */
const COMPACT_WHEN_LINES_OVER_FILES = 2;

const RECORDS_FILE = 'seed-records.bin';
const MANIFEST_FILE = 'seed-manifest.bin';
/** Files of earlier versions (3's text manifest and its journal, 4's JSON records, and their compaction's): removed when a manifest is written. */
const OLD_FILES = ['seed-manifest.tsv', 'seed-manifest.journal', 'seed-records.jsonl', 'seed-records.jsonl.tmp'];
/** The records files a build streams to (RECORDS_FILE.<pid>.tmp), of this version and the last. */
const STREAM_FILE = /^seed-records\.(?:bin|jsonl)\.(\d+)\.tmp$/;
/**
 * The modules whose code decides what a record holds, relative to src/: a valid seed's record is
 * written and read in the index's record format (core/index: encode.ts, format.ts, coverage-index.ts).
 */
export const RECORD_SOURCES = ['core/seed', 'core/url', 'core/story/cluster.ts', 'core/sort', 'core/index', 'build/read-seeds.ts', 'build/seed-records.ts'];
/** The packages whose code does too (YAML parsing, registrable domains). */
export const RECORD_PACKAGES = ['gray-matter', 'js-yaml', 'tldts'];

/**
 * A hash of `label`, the named sources (files, or folders of .ts files, relative to src/) and the
 * named packages' versions: the identity of a cache whose entries that code computes.
 */
export function codeFingerprint(label: string, sources: readonly string[], packages: readonly string[]): string {
  const hash = createHash('sha1').update(`${label}\n`);
  const src = fileURLToPath(new URL('../', import.meta.url));
  const add = (path: string): void => {
    try {
      hash.update(`${path}\n`).update(readFileSync(join(src, path)));
    } catch {
      // Sources are not shipped next to bundled code; the version constant alone keys the cache then.
    }
  };
  for (const entry of sources) {
    if (entry.endsWith('.ts')) add(entry);
    else if (existsSync(join(src, entry))) {
      for (const name of readdirSync(join(src, entry)).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts')).sort()) add(`${entry}/${name}`);
    }
  }
  const require = createRequire(import.meta.url);
  for (const name of packages) {
    try {
      hash.update(`${name}@${(require(`${name}/package.json`) as { version: string }).version}\n`);
    } catch {
      hash.update(`${name}@?\n`);
    }
  }
  return hash.digest('hex');
}

/**
 * The cache's identity: its version, plus a hash of the code and package versions that produce
 * records. Editing the validator or the canonicaliser (a new tracking parameter, say) would
 * otherwise leave stale keys in the cache; this way any such edit empties it by itself.
 */
export function seedCacheKey(): string {
  // The index format's version too: bundled code has no sources beside it to fingerprint.
  return codeFingerprint(`v${SEED_CACHE_VERSION}-index${INDEX_VERSION}`, RECORD_SOURCES, RECORD_PACKAGES);
}

/** Where a record is in the records file: byte offset and length of the record in its line, and whether it is a valid seed's. */
type Location = [offset: number, length: number, valid: 0 | 1];

type FileEntry = [size: number, mtimeMs: number, hash: string];

/** Characters of a content hash (sha1, in hex): each row's hash takes this many in the hash column. */
const HASH_CHARS = 40;

/**
 * The manifest: a row per seed file, in the order the build listed the files, kept as columns.
 * A rebuild compares each listed file with the row at its place (positions hold while the listing
 * does), and reads its hash and record location there; a path map is built only when the listing
 * differs. Read into Maps of paths and hashes, the 100k rows of a text manifest cost a rebuild
 * ~0.35 s of its main thread and most of its garbage (issue 4).
 *
 * On disk, a columns file (columns.ts) whose columns are: sizes, modification times and record
 * offsets (float64), record lengths and path ends (uint32), validity (uint8), hashes (ASCII, end
 * to end), paths (UTF-8, end to end).
 */
interface Rows {
  count: number;
  sizes: Float64Array;
  mtimes: Float64Array;
  offsets: Float64Array;
  lengths: Uint32Array;
  /** 1 when the row's record is a valid seed's. */
  valid: Uint8Array;
  /** The hash column as one string (decoded when first read). */
  readonly hashes: string;
  hashBytes: Buffer;
  paths: StringColumn;
  pathBytes: Buffer;
  /** All of the above, as laid out in the manifest file. */
  columns: Uint8Array;
}

interface ManifestHead {
  key: string;
  writtenAt: number;
  /** Lines in the records file, live or dead: to know when to compact. */
  recordLines: number;
  count: number;
  pathBytes: number;
  /** The pathsHash of the listing (seed-listing.ts) the rows are, every file of it in its order; null when they are not one. */
  listingHash?: string | null;
}

const NO_ROWS = rowsIn(new Uint8Array(0), 0, 0);

/** Bytes of the columns of `count` rows whose paths take `pathBytes`. */
function columnsLength(count: number, pathBytes: number): number {
  return count * (3 * 8 + 2 * 4 + 1 + HASH_CHARS) + pathBytes;
}

/**
 * Views of the columns in `columns` (as columns.ts reads them); `pathBytes` of paths, whose text
 * is `pathsText` when the caller has it already. The hash column is made a string when first
 * read: save() lays out new rows, and decoding ~4 MB of hashes it has just written, and the paths
 * it has just joined, was ~50 ms of a 100k rebuild (issue 4).
 */
function rowsIn(columns: Uint8Array, count: number, pathBytes: number, pathsText?: string): Rows {
  const reader = new ColumnReader(columns);
  const [sizes, mtimes, offsets] = [reader.float64(count), reader.float64(count), reader.float64(count)];
  const [lengths, pathEnds] = [reader.uint32(count), reader.uint32(count)];
  const valid = reader.bytes(count);
  const hashBytes = reader.bytes(count * HASH_CHARS);
  const pathBytesView = reader.bytes(pathBytes);
  const paths = new StringColumn(pathsText ?? pathBytesView.toString('utf8'), pathEnds);
  let hashes: string | undefined;
  return {
    count,
    sizes,
    mtimes,
    offsets,
    lengths,
    valid,
    get hashes() {
      return (hashes ??= hashBytes.toString('latin1'));
    },
    hashBytes,
    paths,
    pathBytes: pathBytesView,
    columns,
  };
}

/** The manifest's head and rows, or null when it was written under another key or is damaged. */
function parseManifest(file: Buffer, key: string): { head: ManifestHead; rows: Rows } | null {
  const read = readColumnsFile<ManifestHead>(file, (head) => columnsLength(head.count, head.pathBytes));
  if (!read) return null;
  const { head, columns } = read;
  if (head.key !== key || ![head.writtenAt, head.recordLines, head.count, head.pathBytes].every(Number.isSafeInteger)) return null;
  if (head.listingHash !== undefined && head.listingHash !== null && typeof head.listingHash !== 'string') return null;
  const rows = rowsIn(columns, head.count, head.pathBytes);
  return rows.paths.isWhole() ? { head, rows } : null;
}

/**
 * Past this many records read one by one, the rest come from one read of the whole file: a few
 * positional reads serve an incremental build, a full one wants them all.
 */
const BULK_READ_AFTER = 1000;

/**
 * Hashes looked up by a search of the hash column before a Map of every hash is built: a rebuild
 * after a few changes looks up a few (~1 ms each), a Map costs ~30 ms at 100k files.
 */
const HASH_SEARCHES = 16;

/**
 * Records by content hash, and what each seed file's hash was when last seen. Stored as an
 * append-only file of record lines (RecordLines) and a manifest that says, per file, where its
 * record is, so a build reads only the records it needs: a rebuild after one change reads a
 * handful, not the ~180 MB of a 100k-seed corpus (issue 4).
 *
 * A build calls list() with its files, then trustedHash() and remember() by each file's place in
 * that list, then save().
 */
export class SeedCache {
  private rows: Rows;
  private writtenAt: number;
  private recordLines: number;
  /** The listing the rows are (ManifestHead.listingHash), and the one this build listed (list()). */
  private rowsListingHash: string | null;
  private listingHash: string | null = null;
  /** Rows the manifest had when loaded: none means a cold build. */
  private readonly loadedFiles: number;
  /** Records parsed in this run. */
  private readonly fresh = new Map<string, SeedRecord>();
  /** Where the records written in this run landed; every live one, once the records file was rewritten. */
  private written = new Map<string, Location>();
  private rewritten = false;
  private byPath: Map<string, number> | null = null;
  private byHash: Map<string, number> | null = null;
  private hashSearches = 0;
  private singleReads = 0;
  private whole: Buffer | null = null;
  /** The new records file fresh records are streamed to during a cold build's read (streamRecords), until save() puts it in place. */
  private streamed: RecordStream | null = null;
  /** The build's files (list()), and per file: its row (-1: none), and whether that row still holds. */
  private listing: readonly string[] = [];
  private rowOfFile = new Int32Array(0);
  private kept = new Uint8Array(0);
  /**
   * Per listed file whose row does not hold (or who has none): what it is now. Indexed by file, as
   * every other per-file column here: a Map of every file of a cold 100k build cost ~0.1 s to fill.
   */
  private changed: Array<FileEntry | undefined> = [];
  private dirty = false;

  private constructor(
    private readonly dir: string,
    private readonly key: string,
    manifest: { head: ManifestHead; rows: Rows } | null,
  ) {
    this.rows = manifest?.rows ?? NO_ROWS;
    this.loadedFiles = this.rows.count;
    this.recordLines = manifest?.head.recordLines ?? 0;
    this.writtenAt = manifest?.head.writtenAt ?? 0;
    this.rowsListingHash = manifest?.head.listingHash ?? null;
  }

  static load(dir: string, key = seedCacheKey()): SeedCache {
    let manifest: ReturnType<typeof parseManifest>;
    try {
      manifest = parseManifest(readFileSync(join(dir, MANIFEST_FILE)), key);
    } catch {
      manifest = null;
    }
    return new SeedCache(dir, key, manifest);
  }

  /** Files the manifest listed when loaded: none means a cold build, which parses every file. */
  get fileCount(): number {
    return this.loadedFiles;
  }

  /** The files the manifest listed, in its order: a rebuild stats them while it lists its own (stat-ahead.ts). */
  get listedPaths(): StringColumn {
    return this.rows.paths;
  }

  /** The listing the manifest's rows are, when they are one: listSeedFilesReusing takes its files from here while it holds. */
  get rowsListing(): { pathsHash: string; paths: StringColumn } | null {
    return this.rowsListingHash === null ? null : { pathsHash: this.rowsListingHash, paths: this.rows.paths };
  }

  /** The manifest row that list() matched listed file `file` with, or -1 when it has none. */
  rowOf(file: number): number {
    return this.rowOfFile[file]!;
  }

  /**
   * The build's files, in order: the numbers trustedHash(), fileValidity() and remember() take
   * are places in this list, and save() keeps these files. Each is matched with the row at its
   * place, or the row after the last match (a file added or removed shifts the rest); failing
   * both, with a map of every row's path. `pathsHash` is the listing's (seed-listing.ts): the rows
   * of a manifest saved with that listing are its files, in order, without a comparison.
   */
  list(paths: readonly string[], pathsHash: string | null = null): void {
    this.listing = paths;
    this.listingHash = pathsHash;
    this.rowOfFile = new Int32Array(paths.length);
    this.kept = new Uint8Array(paths.length);
    this.changed = new Array<FileEntry | undefined>(paths.length);
    const sameListing = pathsHash !== null && pathsHash === this.rowsListingHash && paths.length === this.rows.count;
    if (sameListing || this.rows.paths.equals(paths)) {
      this.rowOfFile.forEach((_row, file, rows) => (rows[file] = file));
      return;
    }
    let row = -1;
    paths.forEach((path, file) => {
      if (this.rows.paths.is(row + 1, path)) row++;
      else {
        this.byPath ??= this.rows.paths.positions();
        const found = this.byPath.get(path);
        if (found === undefined) {
          this.rowOfFile[file] = -1;
          return;
        }
        row = found;
      }
      this.rowOfFile[file] = row;
    });
  }

  private hashAt(row: number): string {
    return this.rows.hashes.slice(row * HASH_CHARS, (row + 1) * HASH_CHARS);
  }

  private rowOfHash(hash: string): number {
    if (hash.length !== HASH_CHARS) return -1;
    if (!this.byHash && ++this.hashSearches > HASH_SEARCHES) {
      this.byHash = new Map();
      for (let row = this.rows.count - 1; row >= 0; row--) this.byHash.set(this.hashAt(row), row);
    }
    if (this.byHash) return this.byHash.get(hash) ?? -1;
    for (let at = this.rows.hashes.indexOf(hash); at !== -1; at = this.rows.hashes.indexOf(hash, at + 1)) {
      if (at % HASH_CHARS === 0) return at / HASH_CHARS;
    }
    return -1;
  }

  /** Where the record of `hash` is in the records file, as this run left it. */
  private locationOf(hash: string): Location | undefined {
    const written = this.written.get(hash);
    if (written || this.rewritten) return written;
    const row = this.rowOfHash(hash);
    return row === -1 ? undefined : [this.rows.offsets[row]!, this.rows.lengths[row]!, this.rows.valid[row] === 1 ? 1 : 0];
  }

  /** Hashes whose records the cache holds: workers skip parsing those. */
  knownHashes(): string[] {
    const hashes = Array.from({ length: this.rows.count }, (_unused, row) => this.hashAt(row));
    return [...hashes, ...this.written.keys(), ...this.fresh.keys()];
  }

  has(hash: string): boolean {
    return this.fresh.has(hash) || this.isStreamed(hash) || this.locationOf(hash) !== undefined;
  }

  /**
   * Whether the record of `hash` was streamed in this run (streamRecords): the cache has it, and
   * the caller need not keep it (nor pass it to remember()).
   */
  isStreamed(hash: string): boolean {
    return this.streamed?.locations.has(hash) ?? false;
  }

  /** Whether the cache has the record of `hash` and it is a valid seed's (true), an invalid one's (false), or not (undefined); one lookup. */
  validity(hash: string): boolean | undefined {
    const fresh = this.fresh.get(hash);
    if (fresh !== undefined) return isValidRecord(fresh);
    const location = this.streamed?.locations.get(hash) ?? this.locationOf(hash);
    return location === undefined ? undefined : location[2] === 1;
  }

  /** validity() of listed file `file` whose content is `hash`: read at its row when that holds, without looking the hash up. */
  fileValidity(file: number, hash: string): boolean | undefined {
    const row = this.rowOfFile[file]!;
    return this.kept[file] && !this.rewritten ? this.rows.valid[row] === 1 : this.validity(hash);
  }

  /**
   * The record of `hash`, or undefined when the cache has none or its line is damaged (torn,
   * overwritten, or another record's: recordInLine); callers parse the file again then
   * (parallel-read.ts, canonicalSeedOf).
   */
  record(hash: string): SeedRecord | undefined {
    const fresh = this.fresh.get(hash);
    if (fresh !== undefined) return fresh;
    const streamed = this.streamed?.locations.get(hash);
    if (streamed) return readAt(this.streamed!.path, hash, streamed);
    const location = this.locationOf(hash);
    if (location === undefined) return undefined;
    const path = join(this.dir, RECORDS_FILE);
    if (!this.whole && ++this.singleReads > BULK_READ_AFTER) {
      try {
        this.whole = readFileSync(path);
      } catch {
        return undefined;
      }
    }
    if (!this.whole) return readAt(path, hash, location);
    const line = lineOf(hash, location);
    return line ? recordInLine(this.whole.subarray(line.start, line.end), hash, location[2] === 1) : undefined;
  }

  /** The size and modification time the manifest recorded for listed file `file`, or null when it has no row. */
  recordedStat(file: number): { size: number; mtimeMs: number } | null {
    const row = this.rowOfFile[file]!;
    return row === -1 ? null : { size: this.rows.sizes[row]!, mtimeMs: this.rows.mtimes[row]! };
  }

  /** The hash recorded for listed file `file`, if its size and modification time say it has not changed since. */
  trustedHash(file: number, size: number, mtimeMs: number): string | null {
    const row = this.rowOfFile[file]!;
    if (row === -1 || this.rows.sizes[row] !== size || this.rows.mtimes[row] !== mtimeMs) return null;
    if (mtimeMs + RACY_WINDOW_MS >= this.writtenAt) return null;
    this.kept[file] = 1;
    return this.hashAt(row);
  }

  /** Notes listed file `file`'s hash; `record` is a fresh parse (null when the cache already had it). */
  remember(file: number, size: number, mtimeMs: number, hash: string, record: SeedRecord | null): void {
    const row = this.rowOfFile[file]!;
    const holds = row !== -1 && this.rows.sizes[row] === size && this.rows.mtimes[row] === mtimeMs && this.hashAt(row) === hash;
    if (holds && record === null) {
      // Hashed again, being too recent to trust: written anew once it no longer is, so that the
      // next build trusts it instead of hashing it on every build.
      if (!this.kept[file] && mtimeMs + RACY_WINDOW_MS < Date.now()) this.dirty = true;
      this.kept[file] = 1;
      this.changed[file] = undefined;
      return;
    }
    this.kept[file] = 0;
    this.changed[file] = [size, mtimeMs, hash];
    this.dirty = true;
    // A fresh parse replaces the stored record: it was missing or damaged.
    if (record !== null) this.fresh.set(hash, record);
  }

  /**
   * Writes fresh records now, while the build is still reading, to a new records file that save()
   * puts in place. A cold build's main thread mostly waits on its workers; encoding and writing
   * ~150 MB of records after the read was ~1.5 s of a 100k build's serial tail (issue 4). Only a
   * cache without records streams (save() would write the whole file anew anyway); otherwise this
   * does nothing and save() appends, as before. Records still reach the cache through remember().
   */
  streamRecords(records: ReadonlyArray<readonly [hash: string, record: SeedRecord]>): void {
    if (!this.streams || records.length === 0) return;
    const stream = this.stream();
    const { fd, locations, scratch } = stream;
    const text = new RecordLines(stream.end, scratch);
    for (const [hash, record] of records) if (!locations.has(hash)) locations.set(hash, text.add(hash, record));
    text.writeToFd(fd);
    stream.end = text.end;
  }

  /** Whether fresh records are streamed in this build (streamRecords): only into a cache without records. */
  get streams(): boolean {
    return this.recordLines === 0;
  }

  /** The stream of this build's fresh records, opened when first needed. */
  private stream(): RecordStream {
    if (!this.streamed) {
      mkdirSync(this.dir, { recursive: true });
      removeAbandonedStreams(this.dir);
      // Named per process, so a concurrent build never writes into this one's file.
      const path = join(this.dir, `${RECORDS_FILE}.${process.pid}.tmp`);
      this.streamed = { path, fd: openSync(path, 'w'), end: 0, locations: new Map(), scratch: Buffer.allocUnsafe(STREAM_SCRATCH_BYTES) };
    }
    return this.streamed;
  }

  /** Removes a streamed records file that save() did not put in place (the build stopped early). */
  discardStream(): void {
    if (!this.streamed) return;
    closeSync(this.streamed.fd);
    rmSync(this.streamed.path, { force: true });
    this.streamed = null;
  }

  /**
   * Completes the streamed records file with the live records it lacks, and puts it in place of
   * the records file. Its lines of records no file uses any more are dead, as after an append.
   */
  private finishStream(stream: RecordStream, recordsPath: string): void {
    const text = new RecordLines(stream.end);
    this.forEachLiveHash((hash) => {
      if (stream.locations.has(hash)) return;
      const record = this.record(hash);
      if (record !== undefined) stream.locations.set(hash, text.add(hash, record));
    });
    text.writeToFd(stream.fd);
    closeSync(stream.fd);
    renameSync(stream.path, recordsPath);
    // What the stream holds is every live record now: its map becomes the record of where they
    // are, rather than being copied entry by entry (100k of them in a cold build). Nothing else
    // was written in this save (compact and appendFresh do not run with a stream), and afterSave
    // emptied `written` after the last one.
    this.written = stream.locations;
    this.recordLines = stream.locations.size;
    this.streamed = null;
    this.rewritten = true;
  }

  /** Writes the records file anew with the `live` records only. */
  private compact(live: ReadonlySet<string>, recordsPath: string): void {
    // Every live record is read before the file is replaced.
    if (live.size > BULK_READ_AFTER) this.singleReads = BULK_READ_AFTER;
    const kept = [...live].map((hash) => [hash, this.record(hash)] as const);
    const text = new RecordLines(0);
    this.written.clear();
    for (const [hash, record] of kept) if (record !== undefined) this.written.set(hash, text.add(hash, record));
    text.writeTo(`${recordsPath}.tmp`, 'w');
    renameSync(`${recordsPath}.tmp`, recordsPath);
    this.recordLines = this.written.size;
    this.rewritten = true;
  }

  /** Appends the fresh records not written yet. */
  private appendFresh(recordsPath: string): void {
    const text = new RecordLines(fileSize(recordsPath));
    let lines = 0;
    for (const [hash, record] of this.fresh) {
      if (this.written.has(hash)) continue;
      this.written.set(hash, text.add(hash, record));
      lines++;
    }
    if (lines === 0) return;
    text.writeTo(recordsPath, 'a');
    this.recordLines += lines;
  }

  /** Calls `visit` with the hash of every listed file that has one (twice for two files with the same content). */
  private forEachLiveHash(visit: (hash: string) => void): void {
    for (let file = 0; file < this.listing.length; file++) {
      if (this.kept[file]) visit(this.hashAt(this.rowOfFile[file]!));
      else {
        const entry = this.changed[file];
        if (entry) visit(entry[2]);
      }
    }
  }

  /** Whether the listed files are the manifest's rows, in order, every one of which still holds. */
  private unchanged(): boolean {
    if (this.listing.length !== this.rows.count) return false;
    for (let file = 0; file < this.listing.length; file++) if (!this.kept[file] || this.rowOfFile[file] !== file) return false;
    return true;
  }

  /**
   * Writes what changed: appends new records (or compacts), and writes the manifest of the listed
   * files that were trusted or remembered. When nothing changed, nothing is written. With the
   * same files as the manifest, its paths are copied as they are; a rewrite after one change is
   * ~13 MB at 100k files.
   */
  save(): void {
    if (!this.dirty && !this.streamed && this.unchanged() && (this.listingHash === null || this.listingHash === this.rowsListingHash)) return;
    mkdirSync(this.dir, { recursive: true });
    const recordsPath = join(this.dir, RECORDS_FILE);
    const files = this.listing.length;
    if (this.streamed) this.finishStream(this.streamed, recordsPath);
    else if (this.recordLines === 0 || this.recordLines + this.fresh.size > COMPACT_WHEN_LINES_OVER_FILES * files) {
      const live = new Set<string>();
      this.forEachLiveHash((hash) => live.add(hash));
      this.compact(live, recordsPath);
    } else this.appendFresh(recordsPath);

    // Which files the new manifest keeps (those with a record), and where their records are.
    const keeps = new Uint8Array(files);
    const locations = new Array<Location | undefined>(files);
    let count = 0;
    for (let file = 0; file < files; file++) {
      const hash = this.kept[file] ? (this.rewritten ? this.hashAt(this.rowOfFile[file]!) : null) : this.changed[file]?.[2];
      if (hash === undefined) continue;
      if (hash !== null) {
        const location = this.locationOf(hash);
        if (location === undefined) continue;
        locations[file] = location;
      }
      keeps[file] = 1;
      count++;
    }
    const samePaths = count === this.rows.count && files === count && this.rowOfFile.every((row, file) => row === file);
    const paths = samePaths ? null : this.listing.filter((_path, file) => keeps[file] === 1);
    const joined = paths?.join('') ?? this.rows.paths.text;
    const pathBytes = paths ? Buffer.byteLength(joined) : this.rows.pathBytes.length;
    // Every row where it was, and records where they were: only the changed rows are written,
    // into the loaded manifest's own columns. Laying out ~11 MB of new ones, a page fault per
    // 4 KB of them, was ~60 ms of a one-change 100k rebuild (issue 4).
    const inPlace = samePaths && !this.rewritten;
    const columns = inPlace ? this.rows.columns : new Uint8Array(columnsLength(count, pathBytes));
    if (inPlace) {
      for (let file = 0; file < files; file++) {
        const entry = this.changed[file];
        if (!entry) continue;
        const [size, mtimeMs, hash] = entry;
        const [offset, length, valid] = locations[file]!;
        this.rows.sizes[file] = size;
        this.rows.mtimes[file] = mtimeMs;
        this.rows.offsets[file] = offset;
        this.rows.lengths[file] = length;
        this.rows.valid[file] = valid;
        this.rows.hashBytes.write(hash, file * HASH_CHARS, 'latin1');
      }
    } else {
      const rows = rowsIn(columns, count, 0);
      if (samePaths) rows.hashBytes.set(this.rows.hashBytes);
      let pathEnd = 0;
      for (let file = 0, i = 0; file < files; file++) {
        if (!keeps[file]) continue;
        const row = this.rowOfFile[file]!;
        const entry = this.kept[file] ? null : this.changed[file]!;
        const location = locations[file];
        rows.sizes[i] = entry ? entry[0] : this.rows.sizes[row]!;
        rows.mtimes[i] = entry ? entry[1] : this.rows.mtimes[row]!;
        rows.offsets[i] = location ? location[0] : this.rows.offsets[row]!;
        rows.lengths[i] = location ? location[1] : this.rows.lengths[row]!;
        rows.valid[i] = location ? location[2] : this.rows.valid[row]!;
        pathEnd += paths ? paths[i]!.length : this.rows.paths.length(row);
        rows.paths.ends[i] = pathEnd;
        if (entry) rows.hashBytes.write(entry[2], i * HASH_CHARS, 'latin1');
        else if (!samePaths) this.rows.hashBytes.copy(rows.hashBytes, i * HASH_CHARS, row * HASH_CHARS, (row + 1) * HASH_CHARS);
        i++;
      }
      const pathsAt = columns.length - pathBytes;
      if (paths) Buffer.from(columns.buffer, columns.byteOffset + pathsAt, pathBytes).write(joined, 'utf8');
      else columns.set(this.rows.pathBytes, pathsAt);
    }

    const writtenAt = Date.now();
    const manifestPath = join(this.dir, MANIFEST_FILE);
    // Rows of every listed file, in the listing's order, are that listing.
    const listingHash = count === files ? this.listingHash : null;
    writeColumnsFile(`${manifestPath}.tmp`, { key: this.key, writtenAt, recordLines: this.recordLines, count, pathBytes, listingHash } satisfies ManifestHead, columns);
    renameSync(`${manifestPath}.tmp`, manifestPath);
    for (const name of OLD_FILES) rmSync(join(this.dir, name), { force: true });
    this.afterSave(rowsIn(columns, count, pathBytes, joined), writtenAt, paths ?? this.listing, listingHash);
  }

  /** Makes the manifest just written the one this cache reads from, for the build that goes on. */
  private afterSave(rows: Rows, writtenAt: number, listing: readonly string[], listingHash: string | null): void {
    if (this.rewritten) this.whole = null;
    this.rows = rows;
    this.rowsListingHash = listingHash;
    this.writtenAt = writtenAt;
    this.written.clear();
    this.rewritten = false;
    this.byPath = null;
    this.byHash = null;
    this.hashSearches = 0;
    this.listing = listing;
    this.rowOfFile = Int32Array.from({ length: rows.count }, (_unused, row) => row);
    this.kept = new Uint8Array(rows.count).fill(1);
    this.changed = new Array<FileEntry | undefined>(rows.count);
    this.dirty = false;
  }
}

interface RecordStream {
  path: string;
  fd: number;
  /** Byte offset past the last line written. */
  end: number;
  locations: Map<string, Location>;
  /** Where each batch's lines are encoded before they are written. */
  scratch: Buffer;
}

/** A stream's batch (128 records of a few KB) fits: larger ones take more chunks. */
const STREAM_SCRATCH_BYTES = 2 << 20;

/** The process id in the name of a streamed records file (`seed-records.bin.<pid>.tmp`), or null. */
function streamOwner(name: string): number | null {
  const match = STREAM_FILE.exec(name);
  return match ? Number(match[1]) : null;
}

/** Whether a process with this id is running (EPERM: running, as another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes streamed records files of builds that were stopped (Ctrl-C skips every cleanup), each
 * ~180 MB at 100k seeds; a running build's own file is left alone.
 */
function removeAbandonedStreams(dir: string): void {
  for (const name of readdirSync(dir)) {
    const owner = streamOwner(name);
    if (owner !== null && !isRunning(owner)) rmSync(join(dir, name), { force: true });
  }
}

/** The record of `hash` at `location` in the records file at `path`, or undefined when it cannot be read or is damaged. */
function readAt(path: string, hash: string, location: Location): SeedRecord | undefined {
  const place = lineOf(hash, location);
  if (!place) return undefined;
  try {
    const line = Buffer.alloc(place.end - place.start);
    const fd = openSync(path, 'r');
    try {
      if (readSync(fd, line, 0, line.length, place.start) !== line.length) return undefined;
    } finally {
      closeSync(fd);
    }
    return recordInLine(line, hash, location[2] === 1);
  } catch {
    return undefined;
  }
}

/** Where the line of the record of `hash` at `location` starts and its record ends, in the records file; null for a location no line can have. */
function lineOf(hash: string, [offset, length]: Location): { start: number; end: number } | null {
  const start = offset - linePrefixBytes(hash);
  return start < 0 ? null : { start, end: offset + length };
}

/** Bytes of a record's line before the record: the line's sum, the hash and a tab (RecordLines). */
function linePrefixBytes(hash: string): number {
  return 4 + hash.length + 1;
}

/**
 * The record in `line` (a line from its sum to its record's end), when the line is whole and is
 * the line of `hash`: a torn or overwritten line fails its sum, and a location that points at
 * another record's line names another hash.
 */
function recordInLine(line: Buffer, hash: string, valid: boolean): SeedRecord | undefined {
  const prefix = linePrefixBytes(hash);
  if (line.length < prefix || line.readUInt32LE(0) !== checksum(line.subarray(4))) return undefined;
  if (line.toString('latin1', 4, 4 + hash.length) !== hash || line[prefix - 1] !== 0x09) return undefined;
  // The manifest says which kind of record it is, and the sum does not cover that: an invalid
  // seed's record is JSON, an object.
  if (!valid && line[prefix] !== 0x7b /* { */) return undefined;
  // A valid record as a plain Uint8Array view, as a build's columns hold one.
  return valid ? new Uint8Array(line.buffer, line.byteOffset + prefix, line.length - prefix) : line.toString('utf8', prefix);
}

/** A file's size, or 0 when there is none yet (appending creates it). */
function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Bytes of record lines gathered before they are written: a chunk at a time (a longer line gets one of its own). */
const CHUNK_BYTES = 8 << 20;

/**
 * Lines of the records file, encoded straight into large chunks of bytes and written chunk by
 * chunk. A line is `sum hash<TAB>record<LF>`: `sum`, four bytes (little-endian), is the checksum
 * (core/index/hash.ts) of the hash, the tab and the record; a valid record is bytes as they are,
 * an invalid one its UTF-8 text. Encoding each record where it goes yields its byte length as
 * well: a cold 100k build spent ~1.5 s of its main thread measuring records with
 * Buffer.byteLength, then joining them into large strings and encoding those (issue 4).
 */
class RecordLines {
  private readonly chunks: Buffer[] = [];
  private used = 0;

  /**
   * `at`: the byte offset the first line will land at. `chunk`: memory to fill first, reused
   * from batch to batch by a stream (a fresh 8 MB per batch of records would only feed the
   * garbage collector).
   */
  constructor(
    private at: number,
    private chunk: Buffer | null = null,
  ) {}

  /** Adds one record's line, and says where its record will be. */
  add(hash: string, record: SeedRecord): Location {
    const valid = isValidRecord(record);
    // UTF-8 takes at most three bytes per UTF-16 unit.
    const most = linePrefixBytes(hash) + (valid ? record.length : 3 * record.length) + 1;
    if (this.chunk === null || this.used + most > this.chunk.length) this.startChunk(most);
    const chunk = this.chunk!;
    const lineStart = this.used;
    let at = lineStart + 4;
    at += chunk.write(hash, at, 'latin1');
    chunk[at++] = 0x09;
    const recordStart = at;
    if (valid) {
      chunk.set(record, at);
      at += record.length;
    } else at += chunk.write(record, at, 'utf8');
    chunk.writeUInt32LE(checksum(chunk.subarray(lineStart + 4, at)), lineStart);
    chunk[at++] = 0x0a;
    const location: Location = [this.at + recordStart - lineStart, at - 1 - recordStart, valid ? 1 : 0];
    this.at += at - lineStart;
    this.used = at;
    return location;
  }

  private startChunk(least: number): void {
    if (this.chunk !== null) this.chunks.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(Math.max(least, CHUNK_BYTES));
    this.used = 0;
  }

  /** The byte offset just past the last line. */
  get end(): number {
    return this.at;
  }

  /** Writes (flags 'w') or appends ('a') every line to `path`. */
  writeTo(path: string, flags: 'w' | 'a'): void {
    const fd = openSync(path, flags);
    try {
      this.writeToFd(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Writes every line at `fd`'s position. */
  writeToFd(fd: number): void {
    const chunks = this.chunk === null ? this.chunks : [...this.chunks, this.chunk.subarray(0, this.used)];
    for (const bytes of chunks) {
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    }
  }
}
