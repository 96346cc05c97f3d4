import { scratchUint32 } from './scratch-arrays';

/** Bits of `hi` that pick an entry's bucket: 65,536 buckets, ~14 entries each at 900k keys. */
const BUCKET_BITS = 16;
/** Buckets larger than this are ordered by a comparison sort: insertion sort is quadratic. */
const INSERTION_MAX = 32;

/**
 * Indices 0..count-1 in ascending order of (hi, lo), equal pairs in index order. One counting
 * pass puts each entry in the bucket of hi's top 16 bits, then each bucket is ordered in place.
 * Hashes spread evenly, so buckets are small; a larger one (seeds are untrusted, and their key
 * hashes can be made to crowd) is ordered by a comparison sort, so no input makes this quadratic.
 * An LSD radix sort took six passes over the entries and three more arrays of their size, fresh
 * memory that a cold 100k build touched at ~20 µs a page (issue 4).
 */
export function hashOrder(hi: Uint32Array, lo: Uint32Array): Uint32Array {
  const count = hi.length;
  const order = scratchUint32(count);
  const bucketStart = new Uint32Array((1 << BUCKET_BITS) + 1);
  for (let i = 0; i < count; i++) bucketStart[(hi[i]! >>> (32 - BUCKET_BITS)) + 1]!++;
  for (let bucket = 1; bucket < bucketStart.length; bucket++) bucketStart[bucket]! += bucketStart[bucket - 1]!;
  const next = bucketStart.slice(0, -1);
  for (let i = 0; i < count; i++) order[next[hi[i]! >>> (32 - BUCKET_BITS)]!++] = i;
  const before = (a: number, b: number): boolean => hi[a]! < hi[b]! || (hi[a] === hi[b] && lo[a]! < lo[b]!);
  for (let bucket = 0; bucket + 1 < bucketStart.length; bucket++) {
    const start = bucketStart[bucket]!;
    const end = bucketStart[bucket + 1]!;
    if (end - start > INSERTION_MAX) {
      // Array.prototype.sort is stable, and the bucket holds its entries in index order.
      const sorted = Array.from(order.subarray(start, end)).sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]!);
      order.set(sorted, start);
      continue;
    }
    // Insertion sort: an entry moves past only those strictly after it, so equal pairs keep their order.
    for (let i = start + 1; i < end; i++) {
      const entry = order[i]!;
      let j = i;
      while (j > start && before(entry, order[j - 1]!)) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = entry;
    }
  }
  return order;
}
