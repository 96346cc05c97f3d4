import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachSharedHash } from '../../src/core/sort/shared-hashes';

/** The runs forEachSharedHash should give, found the plain way: a Map from each hash to its slots. */
function runsByMap(hi: Uint32Array, lo: Uint32Array | null): number[][] {
  const slotsOf = new Map<string, number[]>();
  hi.forEach((high, slot) => {
    const hash = `${high}:${lo ? lo[slot] : 0}`;
    slotsOf.set(hash, [...(slotsOf.get(hash) ?? []), slot]);
  });
  // In the order their second slot comes.
  return [...slotsOf.values()].filter((slots) => slots.length > 1).sort((a, b) => a[1]! - b[1]!);
}

function runsOf(hi: Uint32Array, lo: Uint32Array | null): number[][] {
  const runs: number[][] = [];
  forEachSharedHash(hi, lo, hi.length, (slots) => runs.push([...slots]));
  return runs;
}

/** Words from a few values, so that shared hashes (and pairs sharing one word only) are common, and from every bit. */
const word = fc.oneof(fc.constantFrom(0, 1, 0x9e3779b1, 0x80000000, 0xffffffff), fc.nat({ max: 0xffffffff }));

describe('forEachSharedHash', () => {
  it('gives each hash two or more slots share, once, with its slots in order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(word, word), { maxLength: 300 }), fc.boolean(), (pairs, both) => {
        const hi = Uint32Array.from(pairs, ([high]) => high);
        const lo = both ? Uint32Array.from(pairs, ([, low]) => low) : null;
        expect(runsOf(hi, lo)).toEqual(runsByMap(hi, lo));
      }),
      { numRuns: 300 },
    );
  });

  it('tells apart hashes that share one word, and finds runs in a table that is nearly full', () => {
    // Every hash here lands near the others: equal high words, low words one apart.
    const count = 5000;
    const hi = new Uint32Array(count).fill(7);
    const lo = Uint32Array.from({ length: count }, (_, slot) => slot % 2500);
    const runs = runsOf(hi, lo);
    expect(runs).toHaveLength(2500);
    expect(runs[0]).toEqual([0, 2500]);
    expect(runs.every(([first, second]) => second === first! + 2500)).toBe(true);
    expect(runsOf(hi, null)).toEqual([Array.from({ length: count }, (_, slot) => slot)]);
  });

  it('gives nothing for no slots or distinct hashes', () => {
    expect(runsOf(new Uint32Array(0), null)).toEqual([]);
    expect(runsOf(Uint32Array.of(1, 2, 3), Uint32Array.of(1, 1, 1))).toEqual([]);
  });
});
