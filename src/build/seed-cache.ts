import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isValidRecord, type SeedRecord } from './seed-records';

/**
 * Bump when a record's shape or meaning changes in a way the source fingerprint below cannot see.
 * Every cache written under another version (or another fingerprint) is ignored and replaced.
 */
export const SEED_CACHE_VERSION = 3;

/** Where build caches live by default: ignored by git with node_modules, and wiped by `npm ci`. */
export const DEFAULT_CACHE_DIR = 'node_modules/.cache/elsewhere';

/**
 * A file whose modification time is this close to (or after) the moment the manifest was written
 * may have changed again within the clock's granularity without its size changing ("racy clean",
 * as git calls it); it is hashed again rather than trusted.
 */
const RACY_WINDOW_MS = 2000;

/** Rewrite the records file once dead records outnumber live ones, so appends never grow it unbounded. */
const COMPACT_WHEN_DEAD_OVER_LIVE = 1;

const RECORDS_FILE = 'seed-records.jsonl';
const MANIFEST_FILE = 'seed-manifest.tsv';
/**
 * What changed since the manifest was written, one JSON line per build: a rebuild after a few
 * edits appends a line instead of rewriting the 100k-file manifest (~1 s of a rebuild under load).
 */
const JOURNAL_FILE = 'seed-manifest.journal';
/** Past this many files noted in the journal, the manifest is written whole again (and the journal emptied). */
const JOURNAL_MAX_FILES = 2000;

/** The modules whose code decides what a record holds, relative to src/. */
export const RECORD_SOURCES = ['core/seed', 'core/url', 'core/story/cluster.ts', 'core/sort', 'build/read-seeds.ts', 'build/seed-records.ts'];
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
  return codeFingerprint(`v${SEED_CACHE_VERSION}`, RECORD_SOURCES, RECORD_PACKAGES);
}

/** Where a record's line is in the records file: byte offset and length of the record text, and whether it is a valid seed's. */
type Location = [offset: number, length: number, valid: 0 | 1];

/**
 * The manifest. On disk: a JSON line with key, writtenAt and recordLines, then one line a file
 * (`F<TAB>path<TAB>size<TAB>mtimeMs<TAB>hash`) and one a record (`R<TAB>hash<TAB>offset<TAB>length<TAB>valid`),
 * read straight into Maps: as one JSON object, its 100k-key objects cost a rebuild ~1 s to parse
 * and look paths up in.
 */
interface Manifest {
  key: string;
  writtenAt: number;
  /** Records lines in the records file, live or dead: to know when to compact. */
  recordLines: number;
  /** Absolute path → [size, mtimeMs, content hash]. */
  files: Map<string, FileEntry>;
  /** Content hash → where its record is. */
  records: Map<string, Location>;
}

type FileEntry = [size: number, mtimeMs: number, hash: string];

/** Paths that cannot be one field of a manifest line are not remembered (they are hashed on every build). */
const UNLISTABLE_PATH = /[\t\n\r]/;

function parseManifest(text: string, key: string): Manifest | null {
  const headEnd = text.indexOf('\n');
  const head = JSON.parse(headEnd === -1 ? text : text.slice(0, headEnd)) as Omit<Manifest, 'files' | 'records'>;
  if (head.key !== key || typeof head.writtenAt !== 'number' || typeof head.recordLines !== 'number') return null;
  const files = new Map<string, FileEntry>();
  const records = new Map<string, Location>();
  // Fields found with indexOf rather than split('\n') then split('\t') per line: at 100k files
  // those 1.2M strings and 200k arrays were most of loading the cache (issue 4).
  for (let at = headEnd + 1; headEnd !== -1 && at < text.length; ) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    // KIND<TAB>a<TAB>b<TAB>c<TAB>d, exactly four tabs, as the writer puts them.
    const tab1 = at + 1;
    const tab2 = text.indexOf('\t', tab1 + 1);
    const tab3 = tab2 === -1 ? -1 : text.indexOf('\t', tab2 + 1);
    const tab4 = tab3 === -1 ? -1 : text.indexOf('\t', tab3 + 1);
    const extra = tab4 === -1 ? -1 : text.indexOf('\t', tab4 + 1);
    if (text.charCodeAt(tab1) === 0x09 && tab4 !== -1 && tab4 < end && (extra === -1 || extra > end)) {
      const kind = text.charCodeAt(at);
      const a = text.slice(tab1 + 1, tab2);
      const b = Number(text.slice(tab2 + 1, tab3));
      const c = Number(text.slice(tab3 + 1, tab4));
      const d = text.slice(tab4 + 1, end);
      if (kind === 0x46 /* F */) files.set(a, [b, c, d]);
      else if (kind === 0x52 /* R */) records.set(a, [b, c, d === '1' ? 1 : 0]);
    }
    at = end + 1;
  }
  return { key, writtenAt: head.writtenAt, recordLines: head.recordLines, files, records };
}

function manifestText(manifest: Manifest): string {
  const lines = [JSON.stringify({ key: manifest.key, writtenAt: manifest.writtenAt, recordLines: manifest.recordLines })];
  for (const [path, [size, mtimeMs, hash]] of manifest.files) lines.push(`F\t${path}\t${size}\t${mtimeMs}\t${hash}`);
  for (const [hash, [offset, length, valid]] of manifest.records) lines.push(`R\t${hash}\t${offset}\t${length}\t${valid}`);
  return `${lines.join('\n')}\n`;
}

/** One journal line: files and records that changed in one build, on top of the manifest written at `base`. */
interface JournalLine {
  base: number;
  writtenAt: number;
  recordLines: number;
  files: Record<string, FileEntry>;
  records: Record<string, Location>;
}

/**
 * Past this many records read one by one, the rest come from one read of the whole file: a few
 * positional reads serve an incremental build, a full one wants them all.
 */
const BULK_READ_AFTER = 1000;

/**
 * Records by content hash, and what each seed file's hash was when last seen. Stored as an
 * append-only JSON-lines file (`hash<TAB>record`) and a manifest that says where each record is,
 * so a build reads only the records it needs: a rebuild after one change reads a handful, not
 * the ~150 MB of a 100k-seed corpus (issue 4).
 */
export class SeedCache {
  private readonly files: Manifest['files'];
  /** Content hash → location. */
  private readonly locations: Manifest['records'];
  /** Records parsed in this run, not yet (or just) written. */
  private readonly fresh = new Map<string, SeedRecord>();
  private recordLines: number;
  private readonly writtenAt: number;
  /** When the journal line that last noted a file was written: it is trusted from then on, not from the manifest's time. */
  private readonly journaledAt = new Map<string, number>();
  private journalFiles = 0;
  /** Paths whose entry this run changed, and whether one was new (a new file set needs the whole manifest). */
  private readonly changedPaths = new Set<string>();
  private addedPaths = 0;
  private readonly hadManifest: boolean;
  private singleReads = 0;
  private whole: Buffer | null = null;
  /** Files the manifest listed when loaded, and whether this run learnt anything new. */
  private readonly loadedFiles: number;
  private dirty = false;
  /** The new records file fresh records are streamed to during a cold build's read (streamRecords), until save() puts it in place. */
  private streamed: RecordStream | null = null;

  private constructor(
    private readonly dir: string,
    private readonly key: string,
    manifest: Manifest | null,
  ) {
    this.files = manifest?.files ?? new Map();
    this.loadedFiles = this.files.size;
    this.locations = manifest?.records ?? new Map();
    this.recordLines = manifest?.recordLines ?? 0;
    this.writtenAt = manifest?.writtenAt ?? 0;
    this.hadManifest = manifest !== null;
    if (manifest) this.replayJournal();
  }

  /** Applies the journal's lines written on top of this manifest; a torn or stale line ends it. */
  private replayJournal(): void {
    let text: string;
    try {
      text = readFileSync(join(this.dir, JOURNAL_FILE), 'utf8');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let entry: JournalLine;
      try {
        entry = JSON.parse(line) as JournalLine;
      } catch {
        entry = { base: -1 } as JournalLine;
      }
      if (entry.base !== this.writtenAt || typeof entry.files !== 'object' || typeof entry.records !== 'object') {
        // A torn line, or one left from an older manifest: the next save writes the manifest whole
        // (files past this line are then hashed again, as they would be without a journal).
        this.journalFiles = JOURNAL_MAX_FILES + 1;
        break;
      }
      for (const [path, file] of Object.entries(entry.files)) {
        this.files.set(path, file);
        this.journaledAt.set(path, entry.writtenAt);
        this.journalFiles++;
      }
      for (const [hash, location] of Object.entries(entry.records)) this.locations.set(hash, location);
      this.recordLines = entry.recordLines;
    }
  }

  static load(dir: string, key = seedCacheKey()): SeedCache {
    let manifest: Manifest | null;
    try {
      manifest = parseManifest(readFileSync(join(dir, MANIFEST_FILE), 'utf8'), key);
    } catch {
      manifest = null;
    }
    return new SeedCache(dir, key, manifest);
  }

  /** Files the manifest listed when loaded: none means a cold build, which parses every file. */
  get fileCount(): number {
    return this.loadedFiles;
  }

  /** Hashes whose records the cache holds: workers skip parsing those. */
  knownHashes(): string[] {
    return [...this.locations.keys(), ...this.fresh.keys()];
  }

  has(hash: string): boolean {
    return this.fresh.has(hash) || this.locations.has(hash) || this.isStreamed(hash);
  }

  /**
   * Whether the record of `hash` was streamed in this run (streamRecords): the cache has it, and
   * the caller need not keep its text (nor pass it to remember()).
   */
  isStreamed(hash: string): boolean {
    return this.streamed?.locations.has(hash) ?? false;
  }

  /** Whether the cache has the record of `hash` and it is a valid seed's (true), an invalid one's (false), or not (undefined); one lookup. */
  validity(hash: string): boolean | undefined {
    const fresh = this.fresh.get(hash);
    if (fresh !== undefined) return isValidRecord(fresh);
    const location = this.locations.get(hash) ?? this.streamed?.locations.get(hash);
    return location === undefined ? undefined : location[2] === 1;
  }

  /**
   * The record of `hash`. Damage (a torn or overwritten line) shows as text that is not a record;
   * callers parse the file again then (parallel-read.ts, canonicalSeedOf).
   */
  record(hash: string): SeedRecord | undefined {
    const fresh = this.fresh.get(hash);
    if (fresh !== undefined) return fresh;
    const location = this.locations.get(hash);
    if (location === undefined) {
      const streamed = this.streamed?.locations.get(hash);
      return streamed && readAt(this.streamed!.path, streamed);
    }
    const path = join(this.dir, RECORDS_FILE);
    if (!this.whole && ++this.singleReads > BULK_READ_AFTER) {
      try {
        this.whole = readFileSync(path);
      } catch {
        return '';
      }
    }
    const [offset, length] = location;
    return this.whole ? this.whole.toString('utf8', offset, offset + length) : readAt(path, location);
  }

  /** The hash recorded for a file, if its size and modification time say it has not changed since. */
  trustedHash(path: string, size: number, mtimeMs: number): string | null {
    const entry = this.files.get(path);
    if (!entry || entry[0] !== size || entry[1] !== mtimeMs) return null;
    if (mtimeMs + RACY_WINDOW_MS >= (this.journaledAt.get(path) ?? this.writtenAt)) return null;
    return this.has(entry[2]) ? entry[2] : null;
  }

  /** Notes a file's hash; `record` is a fresh parse (null when the cache already had it). */
  remember(path: string, size: number, mtimeMs: number, hash: string, record: SeedRecord | null): void {
    const entry = this.files.get(path);
    if (!entry || entry[0] !== size || entry[1] !== mtimeMs || entry[2] !== hash) {
      // Tested only here: a listed path passed the test when it was first remembered.
      if (UNLISTABLE_PATH.test(path)) return;
      if (!entry) this.addedPaths++;
      this.files.set(path, [size, mtimeMs, hash]);
      this.changedPaths.add(path);
      this.dirty = true;
    }
    // A fresh parse replaces the stored record: it was missing or damaged.
    if (record !== null) {
      this.fresh.set(hash, record);
      this.dirty = true;
    }
  }

  /**
   * Writes fresh records now, while the build is still reading, to a new records file that save()
   * puts in place. A cold build's main thread mostly waits on its workers; encoding and writing
   * ~150 MB of records after the read was ~1.5 s of a 100k build's serial tail (issue 4). Only a
   * cache without records streams (save() would write the whole file anew anyway); otherwise this
   * does nothing and save() appends, as before. Records still reach the cache through remember().
   */
  streamRecords(records: ReadonlyArray<readonly [hash: string, record: SeedRecord]>): void {
    if (this.recordLines > 0 || records.length === 0) return;
    if (!this.streamed) {
      mkdirSync(this.dir, { recursive: true });
      removeAbandonedStreams(this.dir);
      // Named per process, so a concurrent build never writes into this one's file.
      const path = join(this.dir, `${RECORDS_FILE}.${process.pid}.tmp`);
      this.streamed = { path, fd: openSync(path, 'w'), end: 0, locations: new Map(), scratch: Buffer.allocUnsafe(STREAM_SCRATCH_BYTES) };
    }
    const { fd, locations, scratch } = this.streamed;
    const text = new RecordText(this.streamed.end, scratch);
    for (const [hash, record] of records) if (!locations.has(hash)) locations.set(hash, text.add(hash, record));
    text.writeToFd(fd);
    this.streamed.end = text.end;
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
  private finishStream(stream: RecordStream, live: ReadonlySet<string>, recordsPath: string): void {
    const text = new RecordText(stream.end);
    let added = 0;
    for (const hash of live) {
      const streamed = stream.locations.get(hash);
      if (streamed) {
        this.locations.set(hash, streamed);
        continue;
      }
      const record = this.record(hash);
      if (record === undefined) continue;
      this.locations.set(hash, text.add(hash, record));
      added++;
    }
    text.writeToFd(stream.fd);
    closeSync(stream.fd);
    renameSync(stream.path, recordsPath);
    this.recordLines = stream.locations.size + added;
    this.streamed = null;
  }

  /**
   * Writes what changed: appends new records (or compacts), and rewrites the manifest. When
   * nothing changed, nothing is written: rewriting a 100k-file manifest costs a rebuild ~0.3 s.
   * (Files too recent to trust then stay so, and are hashed again next time: a few at most.)
   */
  save(livePaths: readonly string[]): void {
    // Every readable file was remembered, and any new path or content made the cache dirty.
    if (!this.dirty && !this.streamed && livePaths.length === this.loadedFiles) return;
    // The same files, a few of them changed: a journal line, not the whole manifest again.
    if (!this.streamed && this.hadManifest && this.addedPaths === 0 && livePaths.length === this.loadedFiles && this.journalFiles + this.changedPaths.size <= JOURNAL_MAX_FILES) {
      this.appendJournal();
      return;
    }
    const files: Manifest['files'] = new Map();
    const live = new Set<string>();
    for (const path of livePaths) {
      const entry = this.files.get(path);
      if (!entry || !this.has(entry[2])) continue;
      files.set(path, entry);
      live.add(entry[2]);
    }
    mkdirSync(this.dir, { recursive: true });
    const recordsPath = join(this.dir, RECORDS_FILE);
    const unwritten = [...this.fresh.keys()];
    const dead = this.recordLines + unwritten.length - live.size;
    /** Adds lines for `hashes` to `text`, noting where each record lands. */
    const write = (hashes: Iterable<string>, text: RecordText): number => {
      let lines = 0;
      for (const hash of hashes) {
        const record = this.record(hash);
        if (record === undefined) continue;
        this.locations.set(hash, text.add(hash, record));
        lines++;
      }
      return lines;
    };
    if (this.streamed) this.finishStream(this.streamed, live, recordsPath);
    else if (this.recordLines === 0 || dead > live.size * COMPACT_WHEN_DEAD_OVER_LIVE) {
      // Read every live record before the file is replaced.
      if (live.size > BULK_READ_AFTER) this.singleReads = BULK_READ_AFTER;
      const kept = [...live].map((hash) => [hash, this.record(hash)] as const);
      for (const [hash, record] of kept) if (record !== undefined) this.fresh.set(hash, record);
      this.locations.clear();
      this.whole = null;
      const text = new RecordText(0);
      this.recordLines = write(live, text);
      text.writeTo(`${recordsPath}.tmp`, 'w');
      renameSync(`${recordsPath}.tmp`, recordsPath);
    } else if (unwritten.length > 0) {
      const text = new RecordText(fileSize(recordsPath));
      this.recordLines += write(unwritten, text);
      text.writeTo(recordsPath, 'a');
    }
    const records: Manifest['records'] = new Map();
    for (const hash of live) {
      const location = this.locations.get(hash);
      if (location !== undefined) records.set(hash, location);
    }
    const manifest: Manifest = { key: this.key, writtenAt: Date.now(), recordLines: this.recordLines, files, records };
    writeFileSync(join(this.dir, `${MANIFEST_FILE}.tmp`), manifestText(manifest));
    renameSync(join(this.dir, `${MANIFEST_FILE}.tmp`), join(this.dir, MANIFEST_FILE));
    // Its lines were written on top of the old manifest (and say so): replaying them would only skip them.
    rmSync(join(this.dir, JOURNAL_FILE), { force: true });
  }

  /** Appends this run's new records, then one journal line naming them and the files that changed. */
  private appendJournal(): void {
    const recordsPath = join(this.dir, RECORDS_FILE);
    const records: JournalLine['records'] = {};
    const text = new RecordText(fileSize(recordsPath));
    for (const [hash, record] of this.fresh) {
      records[hash] = text.add(hash, record);
      this.locations.set(hash, records[hash]);
    }
    if (this.fresh.size > 0) text.writeTo(recordsPath, 'a');
    this.recordLines += this.fresh.size;
    const files: JournalLine['files'] = {};
    for (const path of this.changedPaths) files[path] = this.files.get(path)!;
    const line: JournalLine = { base: this.writtenAt, writtenAt: Date.now(), recordLines: this.recordLines, files, records };
    appendFileSync(join(this.dir, JOURNAL_FILE), `${JSON.stringify(line)}\n`);
  }
}

/** A records file being written while a build reads: where it is, and where each record streamed so far landed. */
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

/** The process id in the name of a streamed records file (`seed-records.jsonl.<pid>.tmp`), or null. */
function streamOwner(name: string): number | null {
  const prefix = `${RECORDS_FILE}.`;
  if (!name.startsWith(prefix) || !name.endsWith('.tmp')) return null;
  const pid = name.slice(prefix.length, -'.tmp'.length);
  return /^\d+$/.test(pid) ? Number(pid) : null;
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
 * ~150 MB at 100k seeds; a running build's own file is left alone.
 */
function removeAbandonedStreams(dir: string): void {
  for (const name of readdirSync(dir)) {
    const owner = streamOwner(name);
    if (owner !== null && !isRunning(owner)) rmSync(join(dir, name), { force: true });
  }
}

/** The record text at `location` in the records file at `path`, or '' when it cannot be read. */
function readAt(path: string, [offset, length]: Location): string {
  try {
    const bytes = Buffer.alloc(length);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, bytes, 0, length, offset);
    } finally {
      closeSync(fd);
    }
    return bytes.toString('utf8');
  } catch {
    return '';
  }
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
 * Lines of the records file (`hash<TAB>record`), encoded straight into large chunks of bytes and
 * written chunk by chunk. Encoding each record where it goes yields its byte length as well: a
 * cold 100k build spent ~1.5 s of its main thread measuring records with Buffer.byteLength, then
 * joining them into large strings and encoding those (issue 4).
 */
class RecordText {
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

  /** Adds one record's line, and says where its record text will be. */
  add(hash: string, record: SeedRecord): Location {
    // UTF-8 takes at most three bytes per UTF-16 unit.
    const most = 3 * (hash.length + record.length) + 2;
    if (this.chunk === null || this.used + most > this.chunk.length) this.startChunk(most);
    const chunk = this.chunk!;
    let used = this.used + chunk.write(hash, this.used);
    chunk[used++] = 0x09;
    const start = this.at + used - this.used;
    const length = chunk.write(record, used);
    used += length;
    chunk[used++] = 0x0a;
    this.at += used - this.used;
    this.used = used;
    return [start, length, isValidRecord(record) ? 1 : 0];
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
