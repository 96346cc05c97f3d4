import { readFileSync } from 'node:fs';
import { crx } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import { defineConfig, type UserConfig } from 'vite';
import { AMP_CACHE_HOST_PATTERNS, BROWSER_TARGETS, deriveManifest, type BrowserTarget } from './src/build/manifest';
import { compileSeeds, elsewhereAssets } from './src/build/vite-plugin';

/**
 * `vite build --mode chrome|firefox`: one build per browser, from the one manifest.json.
 * ELSEWHERE_SEEDS and ELSEWHERE_OUT_DIR build from other seeds into another folder; the
 * end-to-end tests use them to bundle hostile seeds (tests/e2e/xss.e2e.test.ts).
 */
export default defineConfig(async ({ mode }): Promise<UserConfig> => {
  const target = (BROWSER_TARGETS as readonly string[]).includes(mode) ? (mode as BrowserTarget) : 'chrome';
  const index = await compileSeeds(process.env.ELSEWHERE_SEEDS ?? 'seeds');
  const manifest = deriveManifest(JSON.parse(readFileSync('manifest.json', 'utf8')), target, index.hostPatterns, AMP_CACHE_HOST_PATTERNS);
  return {
    publicDir: false,
    plugins: [
      preact(),
      // The content script is built as one self-contained IIFE: crxjs' default loader would need
      // web_accessible_resources that any page could probe to detect Elsewhere.
      crx({ manifest, browser: target, contentScripts: { standaloneFiles: ['src/content/main.ts'] } }),
      elsewhereAssets(index, 'assets'),
    ],
    build: {
      outDir: process.env.ELSEWHERE_OUT_DIR ?? `dist/${target}`,
      emptyOutDir: true,
      target: 'es2022',
      // Readable bundles help store review; gzip takes care of the size.
      minify: true,
      sourcemap: false,
    },
  };
});
