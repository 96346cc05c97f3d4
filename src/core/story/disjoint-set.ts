import { scratchInt32 } from '../sort/scratch-arrays';

/**
 * Union-find over the dense ids 0 … count-1, with path halving and union by size. Typed arrays
 * sized once: a build unions a few hundred thousand article copies, and growing plain arrays by
 * push was a measurable share of clustering (issue 4).
 */
export class DisjointSet {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  /** `count` singletons, or a copy of `from`'s sets (to be joined further without changing it). */
  constructor(count: number, from?: DisjointSet) {
    if (from) {
      // Copied into scratch memory: slice() would allocate counted ArrayBuffers.
      this.parent = scratchInt32(count);
      this.parent.set(from.parent);
      this.size = scratchInt32(count);
      this.size.set(from.size);
      return;
    }
    this.parent = scratchInt32(count);
    this.size = scratchInt32(count).fill(1);
    for (let id = 0; id < count; id++) this.parent[id] = id;
  }

  find(id: number): number {
    const parent = this.parent;
    let node = id;
    while (parent[node] !== node) {
      const grandparent = parent[parent[node]!]!;
      parent[node] = grandparent;
      node = grandparent;
    }
    return node;
  }

  union(a: number, b: number): void {
    let rootA = this.find(a);
    let rootB = this.find(b);
    if (rootA === rootB) return;
    if (this.size[rootA]! < this.size[rootB]!) [rootA, rootB] = [rootB, rootA];
    this.parent[rootB] = rootA;
    this.size[rootA]! += this.size[rootB]!;
  }
}
