import { CoverageIndex } from './coverage-index';

/**
 * The bundled index as the extension ships it (issue 4, figure 4): the head of index.bin (header,
 * membership, tables, shard sums) in one file, and its details section cut into chunks, each a
 * contiguous run of whole shards. The background fetches the head on every wake and a chunk only
 * when a lookup needs one of its shards, instead of the whole index.bin (174 MiB at 100k stories).
 * The files are byte ranges of index.bin, in order: the head then every chunk reassemble to it.
 *
 * Chunk boundaries are not stored: they are derived from the head's own tables and
 * DETAIL_CHUNK_BYTES by `chunkLayout`, which the build and the background share, so the two can
 * never disagree about which bytes a chunk holds. A chunk of the wrong length is refused when it
 * is loaded, and each shard is still checked against its sum in the head when first read.
 */

/**
 * Target bytes of a details chunk: a chunk closes at the first shard boundary at or past it, so it
 * runs at most a shard (~10–20 KB) longer. A cold answer reads one shard, hence fetches one chunk.
 * Measured in Chromium 156 (an extension page fetching packaged files, the first fetch of each,
 * medians of 9 and 11, two runs at load average 11–13 on 2 cores): 64 KiB 6.3 / 8.0 ms, 128 KiB
 * 6.3 / 9.0 ms, 256 KiB 12.5 / 9.0 ms, 512 KiB 16.6 / 11.3 ms, 1 MiB 19.1 / 20.8 ms, 4 MiB 70 ms.
 * Up to ~256 KiB the fixed cost of a request dominates, so smaller chunks would save next to
 * nothing while multiplying the files in the package (174 MiB of details at 100k stories is ~700
 * files at 256 KiB, ~2,800 at 64 KiB); past 512 KiB the time grows with the bytes.
 */
export const DETAIL_CHUNK_BYTES = 256 * 1024;

/** The folder of the bundled index in the extension package. */
export const BUNDLED_INDEX_DIR = 'index';
export const HEAD_FILE = `${BUNDLED_INDEX_DIR}/head.bin`;
/** Digits of a chunk's number in its file name: sorted listings then show chunks in order. */
const CHUNK_NUMBER_DIGITS = 4;

export function detailChunkFile(chunk: number): string {
  return `${BUNDLED_INDEX_DIR}/details-${String(chunk).padStart(CHUNK_NUMBER_DIGITS, '0')}.bin`;
}

/** How the details section is cut into chunks. Offsets are relative to the details section, as DetailSource's are. */
export interface ChunkLayout {
  /** Where chunk c starts: `start[c]`; `start[chunkCount]` is the end of the details section. */
  start: Uint32Array;
  /** The first shard of chunk c: `firstShard[c]`; `firstShard[chunkCount]` is the shard count. */
  firstShard: Uint32Array;
}

export function chunkCount(layout: ChunkLayout): number {
  return layout.start.length - 1;
}

/**
 * Cuts `index`'s details section into chunks of whole shards, each closed at the first shard
 * boundary at or past `targetBytes`. The first chunk starts right after the shard sums (the end of
 * the head) and the last one ends at the end of the details section, so head + chunks cover
 * index.bin byte for byte.
 */
export function chunkLayout(index: CoverageIndex, targetBytes = DETAIL_CHUNK_BYTES): ChunkLayout {
  const shards = index.shardCount;
  const starts = [shards * 4];
  const firstShards = [0];
  for (let shard = 1; shard < shards; shard++) {
    const at = index.shardStart(shard);
    if (at - starts[starts.length - 1]! >= targetBytes) {
      starts.push(at);
      firstShards.push(shard);
    }
  }
  // An index without stories has no details past its shard sums, hence no chunk.
  if (starts[0]! < index.header.detailBytes) {
    starts.push(index.header.detailBytes);
    firstShards.push(shards);
  }
  return { start: Uint32Array.from(starts), firstShard: Uint32Array.from(firstShards) };
}

/** The last entry of `sorted[0 .. count)` that is ≤ value (sorted ascending, sorted[0] ≤ value). */
function lastAtMost(sorted: Uint32Array, count: number, value: number): number {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (sorted[middle]! <= value) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The chunk holding details offset `offset`. */
export function chunkAt(layout: ChunkLayout, offset: number): number {
  return lastAtMost(layout.start, chunkCount(layout), offset);
}

/** The chunk holding shard `shard`. */
export function chunkOfShard(layout: ChunkLayout, shard: number): number {
  return lastAtMost(layout.firstShard, chunkCount(layout), shard);
}

/** One file of the bundled index: its path in the package and its bytes (a view of index.bin's). */
export interface IndexFile {
  path: string;
  bytes: Uint8Array;
}

/**
 * The files the extension ships for `index` (whose bytes are `bytes`, a whole index.bin): the head,
 * then every details chunk, in order. Views of `bytes`, no copies.
 */
export function bundledIndexFiles(index: CoverageIndex, bytes: Uint8Array, targetBytes = DETAIL_CHUNK_BYTES): IndexFile[] {
  const headLength = CoverageIndex.headLength(index.header);
  // Chunk offsets count from the start of the details section, which the shard sums open.
  const detailsAt = headLength - index.shardCount * 4;
  const layout = chunkLayout(index, targetBytes);
  const files: IndexFile[] = [{ path: HEAD_FILE, bytes: bytes.subarray(0, headLength) }];
  for (let chunk = 0; chunk < chunkCount(layout); chunk++) {
    files.push({ path: detailChunkFile(chunk), bytes: bytes.subarray(detailsAt + layout.start[chunk]!, detailsAt + layout.start[chunk + 1]!) });
  }
  return files;
}
