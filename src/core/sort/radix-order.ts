/**
 * Indices 0..count-1 in ascending order of their 32-bit words, most significant word last in
 * `words` (e.g. [lo, hi]); equal entries keep their index order. LSD radix sort on 16-bit digits:
 * linear time and no per-entry objects, which keeps ordering a million keys in tens of
 * milliseconds (the index encoder, and clustering's grouping of equal keys).
 */
export function radixOrder(words: readonly Uint32Array[], count: number): Uint32Array {
  let order = new Uint32Array(count);
  let next = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const buckets = new Uint32Array(1 << 16);
  for (const word of words) {
    for (const shift of [0, 16]) {
      buckets.fill(0);
      for (let i = 0; i < count; i++) buckets[(word[i]! >>> shift) & 0xffff]!++;
      let sum = 0;
      for (let digit = 0; digit < buckets.length; digit++) {
        const n = buckets[digit]!;
        buckets[digit] = sum;
        sum += n;
      }
      for (let i = 0; i < count; i++) {
        const slot = order[i]!;
        next[buckets[(word[slot]! >>> shift) & 0xffff]!++] = slot;
      }
      [order, next] = [next, order];
    }
  }
  return order;
}
