// The entry of `npm run cli`. It runs the CLI (cli.ts) bundled into one plain module by
// bundle-cache.mjs, kept in node_modules/.cache/elsewhere-bundles and made again when any of
// its inputs changes. Through tsx's loader the CLI took ~0.7 s here before it did any work, every
// run: tsx itself, then compiling ~90 modules (issue 4); the bundle starts in ~0.2 s. Without
// esbuild, when bundling fails, or with ELSEWHERE_CLI_FROM_SOURCES set (to debug with the
// sources' own lines), it runs the sources through tsx.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUNDLE_DIR, bundleOnce } from './bundle-cache.mjs';

const entry = fileURLToPath(new URL('./cli.ts', import.meta.url));

async function runFromSources() {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(entry).href);
}

const bundle = process.env.ELSEWHERE_CLI_FROM_SOURCES ? null : bundleOnce({ entry, dir: BUNDLE_DIR, file: 'cli.bundle.mjs', format: 'esm' });
if (bundle) {
  try {
    await import(pathToFileURL(bundle).href);
  } catch {
    // A bundle node cannot load (cli.ts itself reports every error of a command, so none reaches
    // here once the CLI runs): the sources still can.
    await runFromSources();
  }
} else {
  await runFromSources();
}
