/** From this size on, scratch arrays are backed by a SharedArrayBuffer (where there is one). */
const SHARED_FROM_BYTES = 1 << 20;

/**
 * Zeroed memory for a large typed array that does not leave the build's thread. V8 counts an
 * ArrayBuffer's memory as external and, past 64 MB of it since its last full collection, starts
 * one: clustering and encoding 100k seeds allocate ~90 MB of such arrays, and V8 then marked
 * the whole ~600 MB heap of a cold build, with a 0.5–0.7 s pause at the end of encoding (issue 4,
 * `--trace-gc --trace-incremental-marking`: "external memory pressure"). A SharedArrayBuffer's
 * memory is not counted per isolate (see encode.ts's indexBytes) and is freed all the same once
 * unreachable. Browsers without cross-origin isolation have no SharedArrayBuffer: they get an
 * ArrayBuffer.
 */
function scratchBuffer(bytes: number): ArrayBuffer | SharedArrayBuffer {
  return bytes >= SHARED_FROM_BYTES && typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/** A zeroed Int32Array of `length`, large ones outside V8's count of external memory. */
export function scratchInt32(length: number): Int32Array {
  return new Int32Array(scratchBuffer(4 * length));
}

/** A zeroed Uint32Array of `length`, large ones outside V8's count of external memory. */
export function scratchUint32(length: number): Uint32Array {
  return new Uint32Array(scratchBuffer(4 * length));
}

/** A zeroed Uint8Array of `length`, large ones outside V8's count of external memory. */
export function scratchUint8(length: number): Uint8Array {
  return new Uint8Array(scratchBuffer(length));
}
