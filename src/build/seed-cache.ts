import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeedRecord } from './seed-records';

/**
 * Bump when a record's shape or meaning changes in a way the source fingerprint below cannot see.
 * Every cache written under another version (or another fingerprint) is ignored and replaced.
 */
export const SEED_CACHE_VERSION = 1;

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
const MANIFEST_FILE = 'seed-manifest.json';

/** The modules whose code decides what a record holds, relative to src/. */
export const RECORD_SOURCES = ['core/seed', 'core/url', 'core/story/cluster.ts', 'build/read-seeds.ts', 'build/seed-records.ts'];
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

interface Manifest {
  key: string;
  writtenAt: number;
  /** Records lines in the records file, live or dead: to know when to compact. */
  recordLines: number;
  /** Absolute path → [size, mtimeMs, content hash]. */
  files: Record<string, [number, number, string]>;
}

/**
 * Records by content hash, and what each seed file's hash was when last seen. Stored as an
 * append-only JSON-lines file (`hash<TAB>record`) and a small manifest, both under the cache dir.
 */
export class SeedCache {
  readonly records = new Map<string, SeedRecord>();
  private readonly files: Manifest['files'];
  private readonly fresh = new Map<string, SeedRecord>();
  private recordLines: number;
  private readonly writtenAt: number;

  private constructor(
    private readonly dir: string,
    private readonly key: string,
    manifest: Manifest | null,
  ) {
    this.files = manifest?.files ?? {};
    this.recordLines = manifest?.recordLines ?? 0;
    this.writtenAt = manifest?.writtenAt ?? 0;
  }

  static load(dir: string, key = seedCacheKey()): SeedCache {
    let manifest: Manifest | null;
    try {
      manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
      if (manifest.key !== key) manifest = null;
    } catch {
      manifest = null;
    }
    const cache = new SeedCache(dir, key, manifest);
    if (!manifest) return cache;
    let text: string;
    try {
      text = readFileSync(join(dir, RECORDS_FILE), 'utf8');
    } catch {
      return new SeedCache(dir, key, null);
    }
    let at = 0;
    while (at < text.length) {
      const end = text.indexOf('\n', at);
      if (end === -1) break; // A torn last line (interrupted append) is ignored.
      const tab = text.indexOf('\t', at);
      if (tab > at && tab < end) cache.records.set(text.slice(at, tab), text.slice(tab + 1, end));
      at = end + 1;
    }
    return cache;
  }

  /** The hash recorded for a file, if its size and modification time say it has not changed since. */
  trustedHash(path: string, size: number, mtimeMs: number): string | null {
    const entry = this.files[path];
    if (!entry || entry[0] !== size || entry[1] !== mtimeMs) return null;
    if (mtimeMs + RACY_WINDOW_MS >= this.writtenAt) return null;
    return this.records.has(entry[2]) ? entry[2] : null;
  }

  remember(path: string, size: number, mtimeMs: number, hash: string, record: SeedRecord | null): void {
    this.files[path] = [size, mtimeMs, hash];
    // A record that differs from the stored one replaces it: the stored one was damaged.
    if (record !== null && this.records.get(hash) !== record) {
      this.records.set(hash, record);
      this.fresh.set(hash, record);
    }
  }

  /** Writes what changed: appends new records (or compacts), and rewrites the manifest. */
  save(livePaths: readonly string[]): void {
    const files: Manifest['files'] = {};
    const live = new Set<string>();
    for (const path of livePaths) {
      const entry = this.files[path];
      if (!entry) continue;
      files[path] = entry;
      live.add(entry[2]);
    }
    mkdirSync(this.dir, { recursive: true });
    const recordsPath = join(this.dir, RECORDS_FILE);
    const line = (hash: string, record: SeedRecord): string => `${hash}\t${record}\n`;
    const dead = this.recordLines + this.fresh.size - live.size;
    if (this.recordLines === 0 || dead > live.size * COMPACT_WHEN_DEAD_OVER_LIVE) {
      const lines: string[] = [];
      for (const hash of live) {
        const record = this.records.get(hash);
        if (record !== undefined) lines.push(line(hash, record));
      }
      writeFileSync(`${recordsPath}.tmp`, lines.join(''));
      renameSync(`${recordsPath}.tmp`, recordsPath);
      this.recordLines = lines.length;
    } else if (this.fresh.size > 0) {
      appendFileSync(recordsPath, [...this.fresh].map(([hash, record]) => line(hash, record)).join(''));
      this.recordLines += this.fresh.size;
    }
    this.fresh.clear();
    const manifest: Manifest = { key: this.key, writtenAt: Date.now(), recordLines: this.recordLines, files };
    writeFileSync(join(this.dir, `${MANIFEST_FILE}.tmp`), JSON.stringify(manifest));
    renameSync(join(this.dir, `${MANIFEST_FILE}.tmp`), join(this.dir, MANIFEST_FILE));
  }
}
