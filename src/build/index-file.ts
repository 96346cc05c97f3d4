import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { indexFromBundle } from '../core/index/chunks';
import { CoverageIndex, IndexFormatError, type DetailSource } from '../core/index/coverage-index';
import { HEADER_WORDS, detailsOffset } from '../core/index/format';

export const INDEX_FILE = 'index.bin';

/** Reads up to `length` bytes of the file from `position` into the start of `buffer`; returns how many there were (fewer at its end). */
export function readInto(fd: number, buffer: Uint8Array, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}

/** Writes all of `bytes` at `position` of `fd`. */
export function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
}

/** `length` bytes of the file from `position` (fewer at its end), in memory of their own: 4-byte aligned, as the index's typed-array views need. */
export function readAt(fd: number, position: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const done = readInto(fd, bytes, length, position);
  return done === length ? bytes : bytes.subarray(0, done);
}

/**
 * Opens a built index file for lookups without reading it whole: the head (header, membership,
 * tables, shard sums) is read and verified now, and each details shard when a lookup first needs
 * it. A cold start at 100k stories thus reads ~10% of the file. The descriptor stays open for the
 * life of the process (the CLI and benchmarks exit when done); `close` releases it earlier.
 */
export function openIndexFile(path: string): { index: CoverageIndex; bytes: number; close: () => void } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const header = CoverageIndex.decodeHeader(readAt(fd, 0, HEADER_WORDS * 4));
    if (size !== CoverageIndex.byteLength(header)) throw new IndexFormatError('index size does not match its header');
    const head = readAt(fd, 0, CoverageIndex.headLength(header));
    const detailsAt = detailsOffset(header.keyCount, header.articleCount, header.storyCount);
    const source: DetailSource = { read: (offset, length) => readAt(fd, detailsAt + offset, length) };
    return { index: CoverageIndex.open(head, source), bytes: size, close: () => closeSync(fd) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * index.bin of an extension build, rebuilt from the directory, key pages and details chunks the
 * build ships (src/core/index/chunks.ts), each verified: for benchmarks and tests that read what a
 * build bundled.
 */
export function readBundledIndex(extensionDir: string): Uint8Array {
  return indexFromBundle((path) => readFileSync(join(extensionDir, path)));
}
