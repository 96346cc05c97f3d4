/**
 * The naive baseline of the browser benchmarks (bench/browser.ts), bundled in place of
 * src/background/index-source.ts by bench/browser-naive.vite.config.ts: the service worker fetches
 * a plain JSON index (bench/naive-index.ts writes it from the real index, so both hold the same
 * stories), parses it with JSON.parse and builds a Map, the design issue 4 names as the one to beat.
 * Lookups try the same keys in the same order as CoverageIndex, so both give the same answers.
 *
 * It stays small and browser-only: no node APIs, so it can be bundled into the worker.
 */
import { storyCoverage, type Coverage, type CoverageArticle } from '../src/core/index/coverage-index';
import { lookupKeys } from '../src/core/url/canonical';
import { browser } from '../src/shared/browser';

/** The plain index, in the extension's root. */
export const BUNDLED_INDEX_FILE = 'naive.json';

interface NaiveFile {
  stories: CoverageArticle[][];
  keys: Record<string, [number, number]>;
}

export class NaiveWorkerIndex {
  constructor(
    private readonly stories: CoverageArticle[][],
    private readonly keys: Map<string, [number, number]>,
  ) {}

  /** The coverage of the first known address, or null: what CoverageIndex.coverage answers. */
  coverage(addresses: readonly string[]): Coverage | null {
    for (const address of addresses) {
      for (const key of lookupKeys(address)) {
        const found = this.keys.get(key);
        if (found) return this.coverageOf(found[0], found[1]);
      }
    }
    return null;
  }

  private coverageOf(story: number, position: number): Coverage {
    return storyCoverage(this.stories[story]!, position);
  }
}

/**
 * Same contract as src/background/index-source.ts (the `index`; `prepare`, which loads what a
 * lookup reads; and `lookup`, which runs a lookup once that is loaded): loaded once per worker
 * lifetime. Everything is in memory here, so `prepare` has nothing to do and `lookup` just runs it.
 */
interface NaiveBundled {
  index: NaiveWorkerIndex;
  prepare(addresses: readonly string[]): Promise<void>;
  lookup<T>(addresses: readonly string[], lookup: () => T): Promise<T>;
}

let loading: Promise<NaiveBundled> | null = null;

export function bundledIndex(): Promise<NaiveBundled> {
  loading ??= (async () => {
    const response = await fetch(browser.runtime.getURL(BUNDLED_INDEX_FILE));
    const file = JSON.parse(await response.text()) as NaiveFile;
    const index = new NaiveWorkerIndex(file.stories, new Map(Object.entries(file.keys)));
    return { index, prepare: async () => undefined, lookup: async (_addresses, lookup) => lookup() };
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
