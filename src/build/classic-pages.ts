import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import preact from '@preact/preset-vite';
import { build, type Plugin, type Rollup } from 'vite';

/**
 * The extension's own pages (the popup, the settings page), each built as one classic deferred
 * script and one stylesheet, outside crxjs' module graph (issue 4, figure 5).
 *
 * Why: Chromium loads a module script of an extension page measurably later than a classic one,
 * and a graph of shared chunks later still. By hand, 15 openings each of the same popup at load
 * 13–14 (bench/browser.ts measures the real figure): 212 ms to its first render as crxjs builds
 * it, 149 ms as one classic script; an empty static page took 112 ms. A page needs no module
 * features: it runs once, top to bottom.
 *
 * crxjs builds every page the manifest names, so the manifest it sees names none; the pages go
 * back in when crxjs writes the manifest (`renderCrxManifest`, which it calls on every plugin).
 */
export interface ExtensionPage {
  /** Where the manifest names the page, as a path into `manifest`, e.g. ['action', 'default_popup']. */
  manifestPath: readonly string[];
  /** The page's HTML in the source tree; its one `<script type="module" src="…">` is the entry. */
  html: string;
}

type Manifest = Record<string, unknown>;

const MODULE_SCRIPT = /\s*<script type="module" src="([^"]+)"><\/script>/;

/** Removes the pages from the manifest crxjs builds from; returns a copy. */
export function withoutPages<M extends object>(manifest: M, pages: readonly ExtensionPage[]): M {
  const result = structuredClone(manifest);
  const copy = result as Manifest;
  for (const page of pages) {
    const parent = page.manifestPath.slice(0, -1).reduce<Record<string, unknown> | undefined>((node, key) => node?.[key] as Record<string, unknown> | undefined, copy);
    const key = page.manifestPath.at(-1)!;
    if (parent?.[key] !== page.html) throw new Error(`manifest ${page.manifestPath.join('.')} should be ${page.html}`);
    delete parent[key];
  }
  return result;
}

function restorePages(manifest: Manifest, pages: readonly ExtensionPage[]): Manifest {
  const copy = structuredClone(manifest);
  for (const page of pages) {
    let node = copy;
    for (const key of page.manifestPath.slice(0, -1)) node = (node[key] ??= {}) as Manifest;
    node[page.manifestPath.at(-1)!] = page.html;
  }
  return copy;
}

/** The page's HTML with its module entry replaced by the built classic script and stylesheet. */
export function classicHtml(sourceHtml: string, script: string, stylesheet: string | null): string {
  if (!MODULE_SCRIPT.test(sourceHtml)) throw new Error('the page has no <script type="module" src="…"> entry');
  const head = `${stylesheet ? `<link rel="stylesheet" href="${stylesheet}">\n    ` : ''}<script defer src="${script}"></script>\n  </head>`;
  return sourceHtml.replace(MODULE_SCRIPT, '').replace(/\s*<\/head>/, `\n    ${head}`);
}

/** Bundles one page's entry as an IIFE with its CSS extracted, for the given browser (`mode`). */
async function bundlePage(entry: string, mode: string): Promise<{ script: string; css: string | null }> {
  const built = await build({
    configFile: false,
    mode,
    logLevel: 'warn',
    plugins: [preact()],
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      lib: { entry, formats: ['iife'], name: 'ElsewherePage', fileName: () => 'page.js', cssFileName: 'page' },
    },
  });
  const outputs = (Array.isArray(built) ? built : [built]) as Rollup.RollupOutput[];
  const files = outputs.flatMap((output) => output.output);
  const script = files.find((file): file is Rollup.OutputChunk => file.type === 'chunk');
  if (!script) throw new Error(`${entry}: no script was built`);
  const css = files
    .filter((file): file is Rollup.OutputAsset => file.type === 'asset' && file.fileName.endsWith('.css'))
    .map((file) => String(file.source))
    .join('\n');
  return { script: script.code, css: css === '' ? null : css };
}

export function classicPages(pages: readonly ExtensionPage[], mode: string): Plugin & { renderCrxManifest(manifest: Manifest): Manifest } {
  return {
    name: 'elsewhere:classic-pages',
    apply: 'build',
    enforce: 'post',
    renderCrxManifest: (manifest) => restorePages(manifest, pages),
    async generateBundle() {
      for (const page of pages) {
        const sourceHtml = readFileSync(page.html, 'utf8');
        const entry = join(dirname(page.html), MODULE_SCRIPT.exec(sourceHtml)![1]!);
        const { script, css } = await bundlePage(entry, mode);
        const base = posix.basename(page.html, '.html');
        const dir = posix.dirname(page.html);
        this.emitFile({ type: 'asset', fileName: `${dir}/${base}.js`, source: script });
        if (css !== null) this.emitFile({ type: 'asset', fileName: `${dir}/${base}.css`, source: css });
        this.emitFile({ type: 'asset', fileName: page.html, source: classicHtml(sourceHtml, `${base}.js`, css === null ? null : `${base}.css`) });
      }
    },
  };
}
