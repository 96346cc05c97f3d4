import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { radixOrder } from '../../src/core/sort/radix-order';

/** The order a stable comparison sort gives, most significant word last. */
function sortedOrder(words: readonly Uint32Array[], count: number): number[] {
  const indices = Array.from({ length: count }, (_, i) => i);
  return indices.sort((a, b) => {
    for (let w = words.length - 1; w >= 0; w--) if (words[w]![a] !== words[w]![b]) return words[w]![a]! - words[w]![b]!;
    return 0;
  });
}

/** Words from a few values, so that ties (kept in index order) are common, and from every bit. */
const word = fc.oneof(fc.constantFrom(0, 1, 0x7ff, 0x800, 0x3fffff, 0x400000, 0x80000000, 0xffffffff), fc.nat({ max: 0xffffffff }));

describe('radixOrder', () => {
  it('orders by the words, most significant last, keeping ties in index order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(word, word), { maxLength: 300 }), fc.boolean(), (pairs, both) => {
        const lo = Uint32Array.from(pairs, ([low]) => low);
        const hi = Uint32Array.from(pairs, ([, high]) => high);
        const words = both ? [lo, hi] : [lo];
        expect([...radixOrder(words, pairs.length)]).toEqual(sortedOrder(words, pairs.length));
      }),
      { numRuns: 300 },
    );
  });
});
