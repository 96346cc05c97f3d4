import type { CoverageIndex } from '../core/index/coverage-index';
import { BundleDirectory, detailChunkFile, DIRECTORY_FILE, keyPageFile, type BundleSource, type DetailChunk, type KeyPage } from '../core/index/chunks';

/** Reads one packaged file of the bundled index (`index/directory.bin`, `index/keys-0001.bin`, …). */
export type FetchIndexFile = (path: string) => Promise<ArrayBuffer>;

/** A file of the bundled index besides the directory: a key page or a details chunk, by number. */
export type IndexPart = { kind: 'page' | 'chunk'; number: number };

/**
 * Thrown by a synchronous read of a key page or details chunk that is not loaded yet. Lookups are
 * synchronous, so `ChunkedIndex.lookup` catches it, loads the file and runs the lookup again.
 */
export class ChunkNotLoaded extends Error {
  constructor(readonly part: IndexPart) {
    super(`index ${part.kind} ${part.number} is not loaded`);
  }
}

/**
 * Details chunks kept in memory (~256 KiB each, so ~8 MiB). Most wakes answer one page and need
 * one chunk; a bound keeps a long-lived worker that has seen many pages flat. Decoded articles stay
 * in the index's own article cache, which is bounded separately.
 */
export const MAX_CACHED_CHUNKS = 32;

/** Key pages kept in memory (≤ ~24 KiB each, so ≤ ~1.5 MiB): a lookup reads a few. */
export const MAX_CACHED_PAGES = 64;

/**
 * File loads one lookup may ask for after its preparation. The preparation loads every page and
 * chunk the lookup's own keys can reach; only a lookup across subscribed lists (combinedCoverage
 * follows shared keys into the bundled index) needs more, a page and a chunk per bundled story it
 * reaches, and a merged story stops at MAX_MERGED_ARTICLES (500). Nothing is evicted while a
 * lookup runs, so every load is followed by a read that succeeds and each file is loaded once per
 * lookup; a lookup still missing past this bound is not making progress, and fails rather than loop.
 */
export const MAX_LOADS_PER_LOOKUP = 1024;

/**
 * A least-recently-used map bounded to `limit` entries (a Map keeps insertion order). While held,
 * it evicts nothing: a lookup reruns from the start after each load, so evicting a file it read
 * earlier would make it miss that file again on the next run, and a lookup reading more files
 * than the limit (a list's story that leads into many bundled stories) would never finish. Its
 * size while held is bounded by MAX_LOADS_PER_LOOKUP; it is trimmed when the last hold ends.
 */
class Lru<T> {
  private readonly entries = new Map<number, T>();
  private holds = 0;

  constructor(private readonly limit: number) {}

  hold(): void {
    this.holds++;
  }

  release(): void {
    this.holds--;
    if (this.holds === 0) this.trim();
  }

  private trim(): void {
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: number): boolean {
    return this.entries.has(key);
  }

  get(key: number): T | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: number, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.holds === 0) this.trim();
  }
}

/**
 * The bundled index (src/core/index/chunks.ts): its directory, read on open, and its key pages and
 * details chunks, fetched when a lookup needs them, each verified against the directory when it
 * arrives. The pure core stays synchronous and free of browser APIs: it says which pages and
 * chunks a lookup can touch and reads them through this BundleSource; the fetching, caching and
 * retrying happen here.
 */
export class ChunkedIndex implements BundleSource {
  readonly index: CoverageIndex;
  private readonly pages = new Lru<KeyPage>(MAX_CACHED_PAGES);
  private readonly chunks = new Lru<DetailChunk>(MAX_CACHED_CHUNKS);
  private readonly loading = new Map<string, Promise<void>>();

  private constructor(
    readonly directory: BundleDirectory,
    private readonly fetchFile: FetchIndexFile,
  ) {
    this.index = directory.open(this);
  }

  /**
   * Fetches and verifies the directory (~14 KiB at 100k stories); nothing else is read until a
   * lookup needs it. A small index (one key page, one chunk: every file a lookup could read) has
   * them fetched right away, without waiting for them: its first lookup then finds them on their
   * way, one round of reads after the directory rather than two.
   */
  static async open(fetchFile: FetchIndexFile): Promise<ChunkedIndex> {
    const opened = new ChunkedIndex(BundleDirectory.parse(new Uint8Array(await fetchFile(DIRECTORY_FILE))), fetchFile);
    const { directory } = opened;
    if (directory.pageCount === 1 && directory.chunkCount <= 1) {
      // A bad file is reported by the lookup that needs it, which loads it again.
      if (directory.pageKeys(0) > 0) opened.load({ kind: 'page', number: 0 }).catch(() => undefined);
      if (directory.chunkCount === 1) opened.load({ kind: 'chunk', number: 0 }).catch(() => undefined);
    }
    return opened;
  }

  /** Pages and chunks in memory now: at most MAX_CACHED_PAGES and MAX_CACHED_CHUNKS when no lookup runs. */
  get loaded(): { pages: number; chunks: number } {
    return { pages: this.pages.size, chunks: this.chunks.size };
  }

  /** BundleSource */
  keyPage(page: number): KeyPage {
    const keys = this.pages.get(page);
    if (!keys) throw new ChunkNotLoaded({ kind: 'page', number: page });
    return keys;
  }

  /** BundleSource */
  detailChunk(chunk: number): DetailChunk {
    const details = this.chunks.get(chunk);
    if (!details) throw new ChunkNotLoaded({ kind: 'chunk', number: chunk });
    return details;
  }

  /** Loads a page or chunk unless it is loaded or on its way; a file of the wrong length or checksum is refused (IndexFormatError). */
  load(part: IndexPart): Promise<void> {
    const { kind, number } = part;
    if ((kind === 'page' ? this.pages : this.chunks).has(number)) return Promise.resolve();
    const path = kind === 'page' ? keyPageFile(number) : detailChunkFile(number);
    let pending = this.loading.get(path);
    if (!pending) {
      pending = (async () => {
        const bytes = new Uint8Array(await this.fetchFile(path));
        if (kind === 'page') this.pages.set(number, this.directory.parseKeyPage(number, bytes));
        else this.chunks.set(number, this.directory.parseDetailChunk(number, bytes));
      })().finally(() => this.loading.delete(path));
      this.loading.set(path, pending);
    }
    return pending;
  }

  /**
   * Loads every file a lookup of `addresses` can read, in two parallel rounds: the key pages of
   * its keys' hash ranges, then the chunks of the articles those keys point to (usually one page
   * or a few, and one chunk; no chunk for an unknown page).
   */
  async prepare(addresses: readonly string[]): Promise<void> {
    await Promise.all(this.directory.pagesFor(addresses).map((number) => this.load({ kind: 'page', number })));
    let chunks: number[];
    try {
      chunks = this.directory.chunksFor(addresses, this);
    } catch (error) {
      // A page evicted by a concurrent lookup meanwhile: the lookup's own retries load it.
      if (error instanceof ChunkNotLoaded) return;
      throw error;
    }
    await Promise.all(chunks.map((number) => this.load({ kind: 'chunk', number })));
  }

  /**
   * Runs the synchronous `lookup` of `addresses` once the files it needs are loaded. Anything
   * `prepare` could not foresee (records reached through other sources' keys, or a file evicted by
   * a concurrent lookup meanwhile) surfaces as ChunkNotLoaded: load it and run again.
   */
  async lookup<T>(addresses: readonly string[], lookup: () => T): Promise<T> {
    this.pages.hold();
    this.chunks.hold();
    try {
      await this.prepare(addresses);
      for (let loads = 0; ; loads++) {
        try {
          return lookup();
        } catch (error) {
          if (!(error instanceof ChunkNotLoaded) || loads >= MAX_LOADS_PER_LOOKUP) throw error;
          await this.load(error.part);
        }
      }
    } finally {
      this.pages.release();
      this.chunks.release();
    }
  }
}
