import { keyHost } from '../core/url/canonical';

/**
 * Counts keys per host (keyHost), `sign` each, without a string per key: each key's part before
 * its first '/' or '?' (its host, with any port) is found by a hash of its characters in an
 * open-addressing table and compared where it stands. A host string sliced from each key, then
 * hashed for a Map, was ~1 s of the index phase of a cold 100k build (900k keys; issue 4).
 */
export class HostCounter {
  /** Distinct parts before '/' or '?', their hashes, and keys counted for each. */
  private readonly prefixes: string[] = [];
  private readonly prefixHashes: number[] = [];
  private readonly keys: number[] = [];
  /** Open addressing: 1 + the index of a prefix, or 0 for an empty slot. */
  private slots = new Int32Array(1 << 10);

  constructor(private readonly sign: 1 | -1) {}

  /** Counts `key` (`count` times: a key's part before '/' or '?' stands for every key that has it). */
  add(key: string, count = 1): void {
    let hash = 0x811c9dc5;
    let end = 0;
    for (; end < key.length; end++) {
      const code = key.charCodeAt(end);
      if (code === 0x2f || code === 0x3f) break;
      hash = Math.imul(hash ^ code, 16777619);
    }
    this.keys[this.prefixAt(key, end, hash >>> 0)]! += this.sign * count;
  }

  /** The index of `key`'s first `end` characters among the prefixes, added if new. */
  private prefixAt(key: string, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const found = this.slots[slot]! - 1;
      if (found === -1) {
        this.slots[slot] = this.prefixes.push(key.slice(0, end));
        this.prefixHashes.push(hash);
        this.keys.push(0);
        if (2 * this.prefixes.length > this.slots.length) this.grow();
        return this.prefixes.length - 1;
      }
      const prefix = this.prefixes[found]!;
      if (this.prefixHashes[found] === hash && prefix.length === end && key.startsWith(prefix)) return found;
    }
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    this.prefixHashes.forEach((hash, index) => {
      let slot = hash & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = index + 1;
    });
  }

  /** Adds the counts to `counts`, by host. */
  addTo(counts: Map<string, number>): void {
    this.prefixes.forEach((prefix, index) => {
      const host = keyHost(prefix);
      counts.set(host, (counts.get(host) ?? 0) + this.keys[index]!);
    });
  }
}
