import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { bundledIndexFiles } from '../core/index/chunks';
import { CoverageIndex } from '../core/index/coverage-index';
import { OUTLET_HOSTS_FILE } from '../shared/outlet-sites';
import { hostMatchPatterns } from './build-index';
import { indexSeeds, type SeedIndex } from './index-cache';
import { readSeedEntries } from './parallel-read';
import { formatProblem } from './read-seeds';
import { DEFAULT_CACHE_DIR, seedCacheKey } from './seed-cache';

/**
 * Reads and validates every seed with the CLI's loader (parallel, cached, incremental: see
 * load-seeds.ts); a bad seed fails the build with every problem listed.
 */
export async function compileSeeds(seedsDir: string): Promise<SeedIndex & { hostPatterns: string[] }> {
  const read = await readSeedEntries(seedsDir, { cacheDir: DEFAULT_CACHE_DIR });
  if (read.problems.length > 0) {
    const lines = read.problems.map(formatProblem).join('\n');
    throw new Error(`${read.invalidFiles.length} invalid seed file(s); run "npm run -s cli -- check" for details:\n${lines}`);
  }
  const built = indexSeeds(read.entries, DEFAULT_CACHE_DIR, seedCacheKey());
  await built.saved;
  return { ...built, hostPatterns: hostMatchPatterns(built.hosts) };
}

/**
 * Emits the compiled index, the icons and the locales into the bundle. The index is built from seeds in
 * node at build time, so no bundle ever contains a YAML parser or parses a seed. It ships as a
 * directory, key pages and details chunks derived from the one encoded index.bin
 * (src/core/index/chunks.ts), so that a waking background reads the directory, then the page(s) and
 * the chunk its lookup needs, not the whole index (issue 4).
 */
export function elsewhereAssets(index: Pick<SeedIndex, 'bytes' | 'hosts'>, assetsDir: string): Plugin {
  return {
    name: 'elsewhere-assets',
    apply: 'build',
    generateBundle() {
      const bytes = index.bytes();
      const decoded = CoverageIndex.decode(bytes, { verify: 'lazy' });
      for (const file of bundledIndexFiles(decoded, bytes)) this.emitFile({ type: 'asset', fileName: file.path, source: file.bytes });
      // Read only by a build that runs on every site (src/shared/outlet-sites.ts); a few bytes otherwise.
      this.emitFile({ type: 'asset', fileName: OUTLET_HOSTS_FILE, source: index.hosts.map((host) => `${host}\n`).join('') });
      const iconsDir = join(assetsDir, 'icons');
      for (const name of readdirSync(iconsDir).filter((file) => file.endsWith('.png'))) {
        this.emitFile({ type: 'asset', fileName: `icons/${name}`, source: readFileSync(join(iconsDir, name)) });
      }
      const localesDir = join(assetsDir, '_locales');
      for (const locale of readdirSync(localesDir)) {
        this.emitFile({ type: 'asset', fileName: `_locales/${locale}/messages.json`, source: readFileSync(join(localesDir, locale, 'messages.json')) });
      }
    },
  };
}
