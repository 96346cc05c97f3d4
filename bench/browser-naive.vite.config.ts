/**
 * The extension exactly as vite.config.ts builds it, except that the background loads the naive
 * index of bench/browser-naive-source.ts instead of src/background/index-source.ts. Used by
 * bench/browser.ts for the naive baseline of the service-worker cold start:
 *
 *   ELSEWHERE_SEEDS=… ELSEWHERE_OUT_DIR=… vite build --mode chrome --config bench/browser-naive.vite.config.ts
 *
 * bench/browser.ts then writes naive.json into the output and gives its manifest the host lists
 * of the build it is compared with.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import projectConfig from '../vite.config';

const NAIVE_SOURCE = fileURLToPath(new URL('./browser-naive-source.ts', import.meta.url));

function naiveIndexSource(): Plugin {
  return {
    name: 'elsewhere-bench-naive-index',
    enforce: 'pre',
    resolveId(source, importer) {
      // Every importer under src/background (lists/list-sources.ts imports it as '../index-source').
      if (/^(\.\.?\/)+index-source$/.test(source) && importer && /[\\/]src[\\/]background[\\/]/.test(importer)) return NAIVE_SOURCE;
      return null;
    },
  };
}

export default defineConfig(async (env) => {
  const base: UserConfig = await (typeof projectConfig === 'function' ? projectConfig(env) : projectConfig);
  return { ...base, plugins: [naiveIndexSource(), ...(base.plugins ?? [])] };
});
