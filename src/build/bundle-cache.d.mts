/** node_modules/.cache/elsewhere-bundles in the checkout: where the tools' bundles are kept. */
export const BUNDLE_DIR: string;

export interface BundleOptions {
  /** The TypeScript entry, absolute. */
  entry: string;
  /** Where the bundle and its record (`file`.json: esbuild's version, the entry, each input's hash) are kept. */
  dir: string;
  file: string;
  format: 'cjs' | 'esm';
}

/** The bundle's path, made now if missing or stale; null when esbuild cannot be loaded or fails. */
export function bundleOnce(options: BundleOptions): string | null;
