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

  it('tells apart hashes that share one word, and finds runs along one long chain that wraps around the table', () => {
    // With this mix a hash's first place is the top bits of hi ^ lo: every one here starts at the
    // table's last place, so each is found by probing along one chain through its start.
    const crowding = { low: 1, high: 1 };
    const count = 5000;
    const hi = Uint32Array.from({ length: count }, (_, slot) => 0xffff0000 | (slot % 2500));
    const lo = new Uint32Array(count);
    const runs: number[][] = [];
    forEachSharedHash(hi, lo, count, (slots) => runs.push([...slots]), crowding);
    expect(runs).toEqual(Array.from({ length: 2500 }, (_, first) => [first, first + 2500]));
    // The same high words, told apart by their low ones.
    const apart = Uint32Array.from({ length: count }, (_, slot) => slot);
    const alike = new Uint32Array(count).fill(0xffff0000);
    const none: number[][] = [];
    forEachSharedHash(alike, apart, count, (slots) => none.push([...slots]), { low: 1, high: 1 });
    expect(none).toEqual([]);
    expect(runsOf(alike, null)).toEqual([Array.from({ length: count }, (_, slot) => slot)]);
  });

  it('finds the same runs whatever the mix', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(word, word), { maxLength: 200 }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (pairs, low, high) => {
        const hi = Uint32Array.from(pairs, ([h]) => h);
        const lo = Uint32Array.from(pairs, ([, l]) => l);
        const runs: number[][] = [];
        forEachSharedHash(hi, lo, pairs.length, (slots) => runs.push([...slots]), { low: (low | 1) >>> 0, high: (high | 1) >>> 0 });
        expect(runs).toEqual(runsByMap(hi, lo));
      }),
      { numRuns: 200 },
    );
  });

  it('gives nothing for no slots or distinct hashes', () => {
    expect(runsOf(new Uint32Array(0), null)).toEqual([]);
    expect(runsOf(Uint32Array.of(1, 2, 3), Uint32Array.of(1, 1, 1))).toEqual([]);
  });
});
