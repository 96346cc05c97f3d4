// A TypeScript entry of the build tools, and everything it imports, as one plain module that
// node runs without a TypeScript loader. esbuild (a dependency of vite and tsx both) bundles it in
// ~0.3 s, once: the bundle is kept with the hash of every file that went into it, and reused
// while they all match. Used for the build workers (worker-bundle.ts) and for the CLI itself
// (cli-launch.mjs), which is why this is plain JavaScript: the launcher runs before any
// TypeScript can be loaded. Types: bundle-cache.d.mts.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: bundle inputs are named relative to it. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where the tools' bundles are kept: one folder per checkout, since a bundle is made from its
 * code, not from any seeds. Kept beside a build's cache instead (before session 13), the workers
 * were bundled again by every build that started a cache afresh, ~0.3 s of each cold build.
 */
export const BUNDLE_DIR = join(ROOT, 'node_modules/.cache/elsewhere-bundles');

/**
 * A module's `import.meta.url`: node's createRequire, worker-bundle.ts and seed-cache.ts find
 * esbuild, the workers' sources and the record sources from it. The modules that read it all
 * live in src/build, so each bundle is given the address of its entry there, and works from
 * wherever it is kept.
 */
function sourceUrl(entry) {
  return pathToFileURL(entry).href;
}

function fileHash(path) {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

/**
 * Whether `bundle` is there and, as its record `recordFile` says, was made by this esbuild, for this entry at
 * this place (a moved checkout must not run a bundle that points into the old one), from inputs
 * that have not changed since.
 */
function isCurrent(bundle, recordFile, esbuildVersion, entryUrl) {
  if (!existsSync(bundle)) return false;
  try {
    const recorded = JSON.parse(readFileSync(recordFile, 'utf8'));
    if (recorded.esbuild !== esbuildVersion || recorded.entry !== entryUrl || Object.keys(recorded.inputs).length === 0) return false;
    return Object.entries(recorded.inputs).every(([path, hash]) => fileHash(join(ROOT, path)) === hash);
  } catch {
    return false;
  }
}

/** Writes `contents` to `path` through a new file renamed into place, so that a concurrent run never reads half a file. */
function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/**
 * The path of `entry` (absolute) bundled as `file` in `dir`, made now if missing or stale; null
 * when esbuild cannot be loaded or fails (callers then run the sources through tsx).
 */
export function bundleOnce({ entry, dir, file, format }) {
  const requireHere = createRequire(import.meta.url);
  let esbuildVersion;
  try {
    // The version alone, from its package.json: loading esbuild took ~30 ms of every command here.
    esbuildVersion = JSON.parse(readFileSync(requireHere.resolve('esbuild/package.json'), 'utf8')).version;
  } catch {
    return null;
  }
  const bundle = resolve(dir, file);
  const recordFile = `${bundle}.json`;
  const entryUrl = sourceUrl(entry);
  if (isCurrent(bundle, recordFile, esbuildVersion, entryUrl)) return bundle;
  try {
    const esbuild = requireHere('esbuild');
    const result = esbuild.buildSync({
      entryPoints: [entry],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      format,
      target: 'node20',
      define: { 'import.meta.url': JSON.stringify(entryUrl) },
      // Bundled CommonJS packages (gray-matter, js-yaml) call require(), which an ES module lacks.
      banner: format === 'esm' ? { js: `import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(${JSON.stringify(entryUrl)});` } : {},
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = {};
    for (const path of Object.keys(result.metafile.inputs)) inputs[path] = fileHash(join(ROOT, path));
    mkdirSync(dir, { recursive: true });
    writeAtomically(bundle, result.outputFiles[0].contents);
    writeAtomically(recordFile, JSON.stringify({ esbuild: esbuildVersion, entry: entryUrl, inputs }));
    return bundle;
  } catch {
    return null;
  }
}
