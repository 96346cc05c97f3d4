import { describe, expect, it } from 'vitest';
import { scratchInt32, scratchUint32, scratchUint8 } from '../../src/core/sort/scratch-arrays';
import { DisjointSet } from '../../src/core/story/disjoint-set';

describe('scratch arrays', () => {
  it('back large arrays with a SharedArrayBuffer and small ones with an ArrayBuffer, zeroed', () => {
    for (const make of [scratchInt32, scratchUint32, scratchUint8]) {
      const large = make(1 << 20);
      expect(large.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(large.length).toBe(1 << 20);
      expect(large.every((value) => value === 0)).toBe(true);
      const small = make(100);
      expect(small.buffer).toBeInstanceOf(ArrayBuffer);
      expect(small.length).toBe(100);
    }
  });
});

describe('DisjointSet', () => {
  it('copies the sets of another, in scratch memory, without joining the original', () => {
    const count = 1 << 19;
    const first = new DisjointSet(count);
    first.union(1, 2);
    const copy = new DisjointSet(count, first);
    copy.union(2, 3);
    expect(copy.find(3)).toBe(copy.find(1));
    expect(first.find(3)).not.toBe(first.find(1));
    expect(first.find(2)).toBe(first.find(1));
  });
});
