import { CoverageIndex } from '../core/index/coverage-index';
import { browser } from '../shared/browser';

/** The bundled index file, emitted by the build (src/build/vite-plugin.ts). */
export const BUNDLED_INDEX_FILE = 'index.bin';

let loading: Promise<CoverageIndex> | null = null;

/**
 * The bundled index, loaded once per background lifetime. MV3 backgrounds are killed when idle,
 * so this runs again on each wake: it reads one file and wraps it in typed-array views. Only the
 * head (membership, tables, shard sums) is checksummed now; each details shard is verified when a
 * lookup first touches it, since hashing every byte of a large index would dominate the wake-up.
 */
export function bundledIndex(): Promise<CoverageIndex> {
  loading ??= (async () => {
    const response = await fetch(browser.runtime.getURL(BUNDLED_INDEX_FILE));
    return CoverageIndex.decode(new Uint8Array(await response.arrayBuffer()), { verify: 'lazy' });
  })();
  // A failed load must not poison every later lookup.
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
