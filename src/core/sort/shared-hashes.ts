import { scratchInt32 } from './scratch-arrays';

/** How a hash picks its first place in the table: two odd multipliers. */
export interface TableMix {
  low: number;
  high: number;
}

/**
 * Multipliers drawn afresh for each table. Seeds are untrusted and their key hashes (FNV, for
 * clustering on objects) can be made to crowd the places of any one fixed mix, which made linear
 * probing quadratic: 40k such keys took 3.3 s. Drawn at random, no input crowds a table but by
 * chance. The runs found do not depend on the mix.
 */
function randomMix(): TableMix {
  const odd = (): number => ((Math.random() * 2 ** 32) | 1) >>> 0;
  return { low: odd(), high: odd() };
}

/**
 * Calls `visit` once for each hash that two or more slots share, with those slots in ascending
 * order (`slots[0 .. slots.length)`). A slot's hash is `hi[slot]`, or the pair of `hi[slot]` and
 * `lo[slot]`. Clustering needs only these runs, not an order of every hash: an open-addressing
 * table finds them in one pass where a radix sort took six, with half the scratch memory, whose
 * pages a cold 100k-seed build first touched at ~20 µs each (issue 4).
 *
 * Runs come in the order their second slot comes; within one, slots keep their order, so what a
 * caller joins depends neither on the hash values nor on `mix` (tests fix it to crowd the table).
 */
export function forEachSharedHash(hi: Uint32Array, lo: Uint32Array | null, count: number, visit: (slots: readonly number[]) => void, mix: TableMix = randomMix()): void {
  let bits = 4;
  while (1 << bits < 2 * count) bits++;
  const mask = (1 << bits) - 1;
  /** Per table place: 1 + the first slot with a hash that lands there, or 0 while empty. */
  const table = scratchInt32(1 << bits);
  /** Each shared hash's slots, by its first slot. */
  const runs = new Map<number, number[]>();
  for (let slot = 0; slot < count; slot++) {
    const high = hi[slot]!;
    const low = lo === null ? 0 : lo[slot]!;
    let at = Math.imul(high ^ Math.imul(low, mix.low), mix.high) >>> (32 - bits);
    for (;;) {
      const held = table[at]! - 1;
      if (held === -1) {
        table[at] = slot + 1;
        break;
      }
      if (hi[held] === high && (lo === null || lo[held] === low)) {
        const run = runs.get(held);
        if (run) run.push(slot);
        else runs.set(held, [held, slot]);
        break;
      }
      at = (at + 1) & mask;
    }
  }
  for (const run of runs.values()) visit(run);
}
