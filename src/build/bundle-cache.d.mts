export interface BundleOptions {
  /** The TypeScript entry, absolute. */
  entry: string;
  /** Where the bundle and its record (`file`.json: esbuild's version, the entry, the bundle's hash, each input's) are kept. */
  dir: string;
  file: string;
  format: 'cjs' | 'esm';
}

/** Where bundles are kept, in order of preference: ELSEWHERE_BUNDLE_DIR or the checkout's node_modules/.cache/elsewhere-bundles, then a folder of this user's own in the system's temporary folder. */
export function bundleDirs(): string[];

/** The bundle's path in `dir`, made now if missing or stale; null when esbuild cannot be loaded, fails, or `dir` cannot be written. */
export function bundleOnce(options: BundleOptions): string | null;

/** The bundle's path in the first of bundleDirs() that works; null when none does. */
export function bundled(options: Omit<BundleOptions, 'dir'>): string | null;
