/** From this size on, scratch arrays are backed by a SharedArrayBuffer (where there is one). */
const SHARED_FROM_BYTES = 1 << 20;

/**
 * Zeroed memory for large typed arrays of a build. V8 counts an ArrayBuffer's memory as external
 * and, past 64 MB of it since its last full collection, collects the whole heap at once. Two such
 * pauses of a cold 100k-seed build (issue 4, `--trace-gc`): the ~180 MB index buffer, allocated
 * with ~550 MB of seeds alive, cost 1.4 s; clustering's and encoding's ~90 MB of scratch arrays
 * 0.5–0.7 s at the end of encoding ("external memory pressure"). V8 does not count a
 * SharedArrayBuffer's memory per isolate, so large arrays use one; it is freed all the same once
 * unreachable, and node's file writes, hashes and TextDecoder read it as any other. Browsers
 * without cross-origin isolation have no SharedArrayBuffer: they get an ArrayBuffer.
 */
export function buildBuffer(bytes: number, sharedFromBytes = SHARED_FROM_BYTES): ArrayBuffer | SharedArrayBuffer {
  return bytes >= sharedFromBytes && typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/** A zeroed Int32Array of `length`, large ones outside V8's count of external memory. */
export function scratchInt32(length: number): Int32Array {
  return new Int32Array(buildBuffer(4 * length));
}

/** A zeroed Uint32Array of `length`, large ones outside V8's count of external memory. */
export function scratchUint32(length: number): Uint32Array {
  return new Uint32Array(buildBuffer(4 * length));
}

/** A zeroed Uint8Array of `length`, large ones outside V8's count of external memory. */
export function scratchUint8(length: number): Uint8Array {
  return new Uint8Array(buildBuffer(length));
}
