/** hashKeyInto's output for hashKey, which returns a fresh pair. */
const scratch = new Uint32Array(2);

/**
 * A 64-bit hash of a canonical key, as two 32-bit halves (cyrb53-style mixing of two lanes).
 * 64 bits keep accidental collisions negligible at millions of keys; lookups still confirm a hit
 * against the article's stored keys, so a collision can never show the wrong story.
 */
export function hashKey(key: string): [hi: number, lo: number] {
  hashKeyInto(key, scratch);
  return [scratch[0]!, scratch[1]!];
}

/** `hashKey` into out[0] (hi) and out[1] (lo): the lookup path's form, which allocates nothing. */
export function hashKeyInto(key: string, out: Uint32Array): void {
  let h1 = 0xdeadbeef ^ key.length;
  let h2 = 0x41c6ce57 ^ key.length;
  // Two UTF-16 units per step: half the multiplications on the lookup path (since index format 2).
  let i = 0;
  for (; i + 1 < key.length; i += 2) {
    const pair = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16);
    h1 = Math.imul(h1 ^ pair, 2654435761);
    h2 = Math.imul(h2 ^ pair, 1597334677);
  }
  if (i < key.length) {
    const code = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out[0] = h1;
  out[1] = h2;
}

const FNV_PRIME = 16777619;

/**
 * An integrity check for index bytes, not a security measure: FNV-1a over 32-bit words in two
 * interleaved lanes, then the tail bytes. Each step is a bijection of the lane state, so any change
 * to a single word is always detected. Words rather than bytes, and two lanes rather than one
 * dependency chain, make it ~8× faster than byte-wise FNV, which matters at hundreds of megabytes.
 */
export function checksum(bytes: Uint8Array): number {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  const words = bytes.byteLength >>> 2;
  if (bytes.byteOffset % 4 === 0) {
    const u32 = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
    let i = 0;
    for (; i + 1 < words; i += 2) {
      a = Math.imul(a ^ u32[i]!, FNV_PRIME);
      b = Math.imul(b ^ u32[i + 1]!, FNV_PRIME);
    }
    if (i < words) a = Math.imul(a ^ u32[i]!, FNV_PRIME);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let i = 0;
    for (; i + 1 < words; i += 2) {
      a = Math.imul(a ^ view.getUint32(i * 4, true), FNV_PRIME);
      b = Math.imul(b ^ view.getUint32(i * 4 + 4, true), FNV_PRIME);
    }
    if (i < words) a = Math.imul(a ^ view.getUint32(i * 4, true), FNV_PRIME);
  }
  for (let i = words * 4; i < bytes.byteLength; i++) b = Math.imul(b ^ bytes[i]!, FNV_PRIME);
  // The length is mixed in so that trailing zero bytes still change the sum.
  return (Math.imul(a ^ bytes.byteLength, FNV_PRIME) ^ Math.imul(b, 0x5bd1e995)) >>> 0;
}
