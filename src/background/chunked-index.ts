import { CoverageIndex, IndexFormatError, type DetailSource } from '../core/index/coverage-index';
import { chunkAt, chunkLayout, chunkOfShard, DETAIL_CHUNK_BYTES, detailChunkFile, HEAD_FILE, type ChunkLayout } from '../core/index/chunks';

/** Reads one packaged file of the bundled index (`index/head.bin`, `index/details-0001.bin`, …). */
export type FetchIndexFile = (path: string) => Promise<ArrayBuffer>;

/**
 * Thrown by a synchronous read of a details chunk that is not loaded yet. Lookups are synchronous,
 * so `ChunkedIndex.lookup` catches it, loads the chunk and runs the lookup again.
 */
export class ChunkNotLoaded extends Error {
  constructor(readonly chunk: number) {
    super(`details chunk ${chunk} is not loaded`);
  }
}

/**
 * Chunks kept in memory (~256 KiB each, so ~8 MiB). Most wakes answer one page and need one chunk;
 * a bound keeps a long-lived worker that has seen many pages flat. Shards already read stay in
 * the index's own shard cache, which is bounded separately.
 */
export const MAX_CACHED_CHUNKS = 32;

/**
 * Chunk loads one lookup may ask for after its preparation. The preparation loads every chunk the
 * lookup's own keys can reach; only a lookup across subscribed lists (combinedCoverage follows
 * shared keys into the bundled index) needs more, one per bundled story it reaches, and a merged
 * story stops at MAX_MERGED_ARTICLES (500). A lookup that keeps missing past this bound is not
 * making progress (each load is followed by a successful read that the index caches), so it fails
 * rather than loop.
 */
export const MAX_CHUNK_LOADS_PER_LOOKUP = 512;

/**
 * The bundled index opened from its head, with details read from chunks fetched on demand
 * (src/core/index/chunks.ts). The pure core stays synchronous and free of browser APIs: it says
 * which shards a lookup can touch (`candidateShards`) and reads them through this DetailSource;
 * the fetching, caching and retrying happen here.
 */
export class ChunkedIndex implements DetailSource {
  readonly index: CoverageIndex;
  private readonly layout: ChunkLayout;
  /** Loaded chunks, least recently used first (a Map keeps insertion order). */
  private readonly chunks = new Map<number, Uint8Array>();
  private readonly loading = new Map<number, Promise<void>>();

  private constructor(
    head: Uint8Array,
    private readonly fetchFile: FetchIndexFile,
    targetBytes: number,
  ) {
    this.index = CoverageIndex.open(head, this);
    if (head.byteLength !== CoverageIndex.headLength(this.index.header)) throw new IndexFormatError('index head size does not match its header');
    this.layout = chunkLayout(this.index, targetBytes);
  }

  /**
   * Fetches and verifies the head; no details are read until a lookup needs them. `targetBytes`
   * must be what the files were cut with (tests cut small chunks; the build uses the default).
   */
  static async open(fetchFile: FetchIndexFile, targetBytes = DETAIL_CHUNK_BYTES): Promise<ChunkedIndex> {
    // The first chunk exists whenever the index has a story, and a small index's details are all in
    // it, so it is read alongside the head: a small index then answers after one round of reads,
    // not two. A suspended Firefox background (idle after 300 ms in tests/e2e/hardening) needs
    // that; at 100k stories it is one more 256 KiB read in parallel with the 15 MiB head.
    const [head, first] = await Promise.all([fetchFile(HEAD_FILE), fetchFile(detailChunkFile(0)).catch(() => null)]);
    const opened = new ChunkedIndex(new Uint8Array(head), fetchFile, targetBytes);
    // A bad first chunk is not the head's fault: it is reported by the lookup that needs it.
    if (first) {
      try {
        opened.accept(0, new Uint8Array(first));
      } catch {
        // left unloaded; load(0) fetches it again and reports it
      }
    }
    return opened;
  }

  /** Keeps a fetched chunk, refusing one whose length is not the layout's. */
  private accept(chunk: number, bytes: Uint8Array): void {
    const expected = this.layout.start[chunk + 1]! - this.layout.start[chunk]!;
    if (bytes.byteLength !== expected) throw new IndexFormatError(`index details chunk ${chunk} has ${bytes.byteLength} bytes, expected ${expected}`);
    this.chunks.set(chunk, bytes);
    if (this.chunks.size > MAX_CACHED_CHUNKS) this.chunks.delete(this.chunks.keys().next().value!);
  }

  /** Chunks in memory now: at most MAX_CACHED_CHUNKS. */
  get loadedChunks(): number {
    return this.chunks.size;
  }

  /** DetailSource: a copy of the bytes, so the index's shard cache never keeps a whole chunk alive. */
  read(offset: number, length: number): Uint8Array {
    const chunk = chunkAt(this.layout, offset);
    const bytes = this.chunks.get(chunk);
    if (!bytes) throw new ChunkNotLoaded(chunk);
    this.chunks.delete(chunk);
    this.chunks.set(chunk, bytes);
    const from = offset - this.layout.start[chunk]!;
    // A read past the chunk's end comes back short, and the index reports the shard as damaged.
    return bytes.slice(from, from + length);
  }

  /** Loads `chunk` unless it is loaded or on its way. A chunk of the wrong length is refused. */
  load(chunk: number): Promise<void> {
    if (this.chunks.has(chunk)) return Promise.resolve();
    let pending = this.loading.get(chunk);
    if (!pending) {
      pending = (async () => {
        this.accept(chunk, new Uint8Array(await this.fetchFile(detailChunkFile(chunk))));
      })().finally(() => this.loading.delete(chunk));
      this.loading.set(chunk, pending);
    }
    return pending;
  }

  /** Loads every chunk a lookup of `addresses` can read, in parallel (usually one, none for an unknown page). */
  async prepare(addresses: readonly string[]): Promise<void> {
    const chunks = new Set<number>();
    for (const shard of this.index.candidateShards(addresses)) chunks.add(chunkOfShard(this.layout, shard));
    await Promise.all([...chunks].map((chunk) => this.load(chunk)));
  }

  /**
   * Runs the synchronous `lookup` of `addresses` once the chunks it needs are loaded. Anything
   * `prepare` could not foresee (records reached through other sources' keys, or a chunk evicted
   * by a concurrent lookup meanwhile) surfaces as ChunkNotLoaded: load it and run again.
   */
  async lookup<T>(addresses: readonly string[], lookup: () => T): Promise<T> {
    await this.prepare(addresses);
    for (let loads = 0; ; loads++) {
      try {
        return lookup();
      } catch (error) {
        if (!(error instanceof ChunkNotLoaded) || loads >= MAX_CHUNK_LOADS_PER_LOOKUP) throw error;
        await this.load(error.chunk);
      }
    }
  }
}
