import { keyHost } from '../core/url/canonical';

/** Slots HostParts probes before it asks its Map: far more than parts that merely share a slot need. */
const MAX_PROBES = 32;

/**
 * Numbers the parts of keys before their first '/' or '?' (a host, with any port) in the order
 * they first come, without a string per key: a key's part is found by an FNV-1a hash of its
 * characters (as cluster.ts's keyHash) in an open-addressing table and compared where it stands in
 * the key; only a new part is sliced out. A host string sliced from each key, then hashed for a
 * Map, was ~1 s of the index phase of a cold 100k build (900k keys) and ~6% of a worker's profile
 * (issue 4): V8 hashes a new string per key. Keys come from untrusted seeds, and parts made to
 * share slots must not make this quadratic: past MAX_PROBES slots, a part is looked up in a Map
 * of every part instead.
 */
export class HostParts {
  /** The parts, by number. */
  readonly parts: string[] = [];
  /** Every part's number, for the parts whose slots are too far to probe for. */
  private readonly numbers = new Map<string, number>();
  /** Each part in the table: its hash, to place it again when the table grows. */
  private readonly placed: Array<[hash: number, number: number]> = [];
  /** Per slot: 1 + the number of the part there, 0 when empty. A power of two in size, at most half full. */
  private slots = new Int32Array(1 << 10);

  /** The number of `key`'s part, numbering it when new. */
  numberOfKeyHost(key: string): number {
    let hash = 0x811c9dc5;
    let end = 0;
    for (; end < key.length; end++) {
      const code = key.charCodeAt(end);
      if (code === 0x2f || code === 0x3f) break;
      hash = Math.imul(hash ^ code, 16777619);
    }
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let probes = 0; this.slots[slot] !== 0; slot = (slot + 1) & mask) {
      const number = this.slots[slot]! - 1;
      const part = this.parts[number]!;
      if (part.length === end && key.startsWith(part)) return number;
      if (++probes > MAX_PROBES) return this.numberOf(key.slice(0, end));
    }
    const number = this.numberOf(key.slice(0, end));
    this.slots[slot] = number + 1;
    this.placed.push([hash, number]);
    if (2 * this.placed.length > this.slots.length) this.grow();
    return number;
  }

  /** The number of `part`, numbering it when new (in the Map only: the caller may place it in the table). */
  private numberOf(part: string): number {
    let number = this.numbers.get(part);
    if (number === undefined) {
      number = this.parts.push(part) - 1;
      this.numbers.set(part, number);
    }
    return number;
  }

  private grow(): void {
    this.slots = new Int32Array(2 * this.slots.length);
    const mask = this.slots.length - 1;
    for (const [hash, number] of this.placed) {
      let slot = hash & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = number + 1;
    }
  }
}

/** Counts keys per host (keyHost), `sign` each, by their parts before '/' or '?' (HostParts). */
export class HostCounter {
  private readonly parts = new HostParts();
  /** Keys counted per part, by its number. */
  private readonly keys: number[] = [];

  constructor(private readonly sign: 1 | -1) {}

  /** Counts `key` (`count` times: a key's part before '/' or '?' stands for every key that has it). */
  add(key: string, count = 1): void {
    const part = this.parts.numberOfKeyHost(key);
    this.keys[part] = (this.keys[part] ?? 0) + this.sign * count;
  }

  /** Adds the counts to `counts`, by host. */
  addTo(counts: Map<string, number>): void {
    this.parts.parts.forEach((prefix, index) => {
      const host = keyHost(prefix);
      counts.set(host, (counts.get(host) ?? 0) + this.keys[index]!);
    });
  }
}
