import { readFileSync } from 'node:fs';
import { crx } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import type { OutputBundle } from 'rollup';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import { classicPages, withoutPages, type ExtensionPage } from './src/build/classic-pages';
import { AMP_CACHE_HOST_PATTERNS, BROWSER_TARGETS, deriveManifest, MAX_LISTED_OUTLETS, type BrowserTarget } from './src/build/manifest';
import { compileSeeds, elsewhereAssets } from './src/build/vite-plugin';

/**
 * The content script's injected stages (issue 4: the rendering stage, the link-badge engine): each
 * built by crxjs as its own IIFE, because the background imports it with `?iife`
 * (src/background/renderer-injection.ts) to inject it with `scripting.executeScript`; declared in
 * no manifest list.
 */
const INJECTED_STAGES = [
  { source: 'src/content/render.ts', file: 'src/content/render.js' },
  { source: 'src/content/links.ts', file: 'src/content/links.js' },
];

type CrxManifest = { web_accessible_resources?: Array<{ resources: string[] }> } & Record<string, unknown>;

/**
 * crxjs lists every script imported with `?iife` in `web_accessible_resources`, for every http(s)
 * page, and emits an ESM copy of it that nothing loads. `scripting.executeScript` needs neither,
 * and the listing would let any page probe for Elsewhere by loading the file (SECURITY.md), so
 * both go; the build fails if the file itself is missing.
 */
function keepInjectedStagesPrivate(): Plugin & { renderCrxManifest(manifest: CrxManifest, bundle: OutputBundle): CrxManifest } {
  return {
    name: 'elsewhere:keep-injected-stages-private',
    enforce: 'post',
    // crxjs calls this hook of every plugin, in order, after its own have listed the resources.
    renderCrxManifest(manifest, bundle) {
      for (const { file } of INJECTED_STAGES) if (!bundle[file]) throw new Error(`${file} was not built`);
      for (const [name, chunk] of Object.entries(bundle)) {
        if (chunk.type === 'chunk' && INJECTED_STAGES.some(({ source }) => chunk.facadeModuleId?.endsWith(source))) delete bundle[name];
      }
      const files = new Set(INJECTED_STAGES.map(({ file }) => file));
      const listed = (manifest.web_accessible_resources ?? [])
        .map((entry) => ({ ...entry, resources: entry.resources.filter((resource) => !files.has(resource)) }))
        .filter((entry) => entry.resources.length > 0);
      const { web_accessible_resources: _dropped, ...rest } = manifest;
      return listed.length > 0 ? { ...rest, web_accessible_resources: listed } : rest;
    },
  };
}

/** The extension's pages, built as classic scripts by classicPages() rather than by crxjs. */
const PAGES: readonly ExtensionPage[] = [
  { manifestPath: ['action', 'default_popup'], html: 'src/popup/popup.html' },
  { manifestPath: ['options_ui', 'page'], html: 'src/options/options.html' },
];

/**
 * `vite build --mode chrome|firefox`: one build per browser, from the one manifest.json.
 * ELSEWHERE_SEEDS and ELSEWHERE_OUT_DIR build from other seeds into another folder; the
 * end-to-end tests use them to bundle hostile seeds (tests/e2e/xss.e2e.test.ts).
 * ELSEWHERE_MAX_LISTED_OUTLETS lowers the cap above which the build runs on every site
 * (src/build/manifest.ts), so that the tests build that kind from the real seeds.
 */
export default defineConfig(async ({ mode }): Promise<UserConfig> => {
  const target = (BROWSER_TARGETS as readonly string[]).includes(mode) ? (mode as BrowserTarget) : 'chrome';
  const index = await compileSeeds(process.env.ELSEWHERE_SEEDS ?? 'seeds');
  const maxListedOutlets = process.env.ELSEWHERE_MAX_LISTED_OUTLETS ? Number(process.env.ELSEWHERE_MAX_LISTED_OUTLETS) : MAX_LISTED_OUTLETS;
  const manifest = deriveManifest(JSON.parse(readFileSync('manifest.json', 'utf8')), target, index.hostPatterns, AMP_CACHE_HOST_PATTERNS, maxListedOutlets);
  return {
    publicDir: false,
    plugins: [
      preact(),
      // The content script is built as one self-contained IIFE: crxjs' default loader would need
      // web_accessible_resources that any page could probe to detect Elsewhere.
      crx({ manifest: withoutPages(manifest, PAGES), browser: target, contentScripts: { standaloneFiles: ['src/content/main.ts'] } }),
      elsewhereAssets(index, 'assets'),
      keepInjectedStagesPrivate(),
      classicPages(PAGES, target),
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
