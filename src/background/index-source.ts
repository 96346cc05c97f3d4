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
 * so this runs again on each wake: it reads only the index's directory (counts, page and chunk
 * bounds, per-file checksums: ~14 KiB at 100k stories) and verifies it. A lookup then fetches the
 * key pages of its keys and the details chunk of the story it finds (`ChunkedIndex.lookup`), each
 * verified when it arrives: reading and indexing every key on each wake (the 14.8 MiB head of the
 * previous layout) made a cold start at 100k stories take over a second (issue 4).
 */
export function bundledIndex(): Promise<ChunkedIndex> {
  loading ??= ChunkedIndex.open(fetchPackaged);
  // A failed load must not poison every later lookup.
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
