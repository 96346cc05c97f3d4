import { browser } from '../shared/browser';
import { ChunkedIndex } from './chunked-index';

let loading: Promise<ChunkedIndex> | null = null;

async function fetchPackaged(path: string): Promise<ArrayBuffer> {
  const response = await fetch(browser.runtime.getURL(path));
  if (!response.ok) throw new Error(`cannot read ${path}: ${response.status}`);
  return response.arrayBuffer();
}

/**
 * The bundled index, loaded once per background lifetime. MV3 backgrounds are killed when idle,
 * so this runs again on each wake: it reads only the index's head (membership, tables, shard
 * sums: ~8% of index.bin), verifies it and wraps it in typed-array views. Details come in chunks
 * when a lookup needs them (`ChunkedIndex.lookup`), each shard verified when first read: reading
 * the whole 174 MiB index.bin made a cold start at 100k stories take over a second (issue 4).
 */
export function bundledIndex(): Promise<ChunkedIndex> {
  loading ??= ChunkedIndex.open(fetchPackaged);
  // A failed load must not poison every later lookup.
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
