import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashOrder } from '../../src/core/sort/hash-order';

/** The order a stable comparison sort gives by (hi, lo). */
function sortedOrder(hi: Uint32Array, lo: Uint32Array): number[] {
  return Array.from({ length: hi.length }, (_, i) => i).sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]!);
}

/** Words from a few values, so that ties (kept in index order) and crowded buckets are common, and from every bit. */
const word = fc.oneof(fc.constantFrom(0, 1, 0xffff, 0x10000, 0x12340000, 0x1234ffff, 0x80000000, 0xffffffff), fc.nat({ max: 0xffffffff }));

describe('hashOrder', () => {
  it('orders by (hi, lo), keeping ties in index order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(word, word), { maxLength: 300 }), (pairs) => {
        const hi = Uint32Array.from(pairs, ([high]) => high);
        const lo = Uint32Array.from(pairs, ([, low]) => low);
        expect([...hashOrder(hi, lo)]).toEqual(sortedOrder(hi, lo));
      }),
      { numRuns: 300 },
    );
  });

  it('orders a bucket too crowded for insertion sort, ties included', () => {
    // Every hi shares its top 16 bits: one bucket of 5,000, sorted by comparison.
    const count = 5000;
    const hi = Uint32Array.from({ length: count }, (_, i) => 0x12340000 | (Math.imul(i, 2654435761) >>> 20));
    const lo = Uint32Array.from({ length: count }, (_, i) => i % 7);
    expect([...hashOrder(hi, lo)]).toEqual(sortedOrder(hi, lo));
  });
});
