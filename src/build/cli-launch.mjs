// The entry of `npm run cli`. It runs the CLI (cli.ts) bundled into one plain module by
// bundle-cache.mjs, kept in node_modules/.cache/elsewhere-bundles and made again when any of
// its inputs changes. Through tsx's loader the CLI took ~0.7 s here before it did any work, every
// run: tsx itself, then compiling ~90 modules (issue 4); the bundle starts in ~0.2 s. Without
// esbuild, when bundling fails, or with ELSEWHERE_CLI_FROM_SOURCES=1 (to debug with the
// sources' own lines), it runs the sources through tsx.
import { rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundled } from './bundle-cache.mjs';

const entry = fileURLToPath(new URL('./cli.ts', import.meta.url));

async function runFromSources() {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(entry).href);
}

const bundle = process.env.ELSEWHERE_CLI_FROM_SOURCES === '1' ? null : bundled({ entry, file: 'cli.bundle.mjs', format: 'esm' });
if (bundle) {
  try {
    await import(pathToFileURL(bundle).href);
  } catch (error) {
    // A bundle node cannot load (cli.ts itself reports every error of a command, so none reaches
    // here once the CLI runs). The sources still can; without its record, the next run makes
    // the bundle again.
    rmSync(`${bundle}.json`, { force: true });
    process.stderr.write(`elsewhere: the CLI's bundle could not be loaded (${error instanceof Error ? error.message : String(error)}); running from the sources\n`);
    await runFromSources();
  }
} else {
  await runFromSources();
}
