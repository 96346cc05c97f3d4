// A TypeScript entry of the build tools, and everything it imports, as one plain module that
// node runs without a TypeScript loader. esbuild (a dev dependency) bundles it in ~0.3 s, once:
// the bundle is kept with a record of what it was made from, and reused while all of that is
// unchanged. Used for the build workers (worker-bundle.ts) and for the CLI itself
// (cli-launch.mjs), which is why this is plain JavaScript: the launcher runs before any
// TypeScript can be loaded. Types: bundle-cache.d.mts.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: bundle inputs are named relative to it. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Files that decide a bundle's bytes without being bundled: how esbuild compiles TypeScript, and
 * this module's own options. Every record holds their hashes beside the bundled inputs'.
 */
const SETTINGS_FILES = ['tsconfig.json', 'src/build/bundle-cache.mjs'];

/**
 * How recent an input may be and still be trusted to be what esbuild read: one saved while the
 * bundle was being made may be newer than its code in the bundle. 2 s covers file systems that
 * keep modification times to the second or two.
 */
const SETTLED_MS = 2000;

/**
 * Where the tools' bundles are kept: one folder per checkout, since a bundle is made from its
 * code, not from any seeds (kept beside a build's cache before session 13, the workers were
 * bundled again by every build that started a cache afresh, ~0.3 s of each cold build).
 * ELSEWHERE_BUNDLE_DIR names another. When that cannot be written, a folder of this user's own
 * in the system's temporary folder, named after the checkout.
 */
export function bundleDirs() {
  const checkout = createHash('sha1').update(ROOT).digest('hex').slice(0, 12);
  const user = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return [process.env.ELSEWHERE_BUNDLE_DIR || join(ROOT, 'node_modules/.cache/elsewhere-bundles'), join(tmpdir(), `elsewhere-bundles-${user}-${checkout}`)];
}

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
 * Whether `bundle` is the file its record `recordFile` describes (same bytes), made by this
 * esbuild, in this form, for this entry at this place (a moved checkout must not run a bundle
 * that points into the old one), from inputs and settings that have not changed since.
 */
function isCurrent(bundle, recordFile, identity) {
  try {
    const recorded = JSON.parse(readFileSync(recordFile, 'utf8'));
    if (Object.entries(identity).some(([key, value]) => recorded[key] !== value) || Object.keys(recorded.inputs).length === 0) return false;
    // A bundle that is gone throws here, as an input that is gone does below: not current.
    if (fileHash(bundle) !== recorded.bundle) return false;
    return Object.entries(recorded.inputs).every(([path, hash]) => fileHash(join(ROOT, path)) === hash);
  } catch {
    return false;
  }
}

/**
 * A folder to write bundles into: made if missing. One in the shared temporary folder must be
 * this user's alone, or another user could put a bundle there for this process to run.
 */
function ownFolder(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (typeof process.getuid !== 'function' || !dir.startsWith(tmpdir())) return;
  const stat = statSync(dir);
  if (stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0) throw new Error(`${dir} is not this user's own`);
}

/** Writes `contents` to `path` through a new file renamed into place, so that a concurrent run never reads half a file. */
function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/**
 * The path of `entry` (absolute) bundled as `file` in `dir`, made now if missing or stale; null
 * when esbuild cannot be loaded, fails, or the folder cannot be written (callers then run the
 * sources through tsx).
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
  const identity = { esbuild: esbuildVersion, entry: entryUrl, format };
  if (isCurrent(bundle, recordFile, identity)) return bundle;
  try {
    ownFolder(dir);
    const startedAt = Date.now();
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
    const paths = [...Object.keys(result.metafile.inputs), ...SETTINGS_FILES];
    const inputs = {};
    for (const path of paths) inputs[path] = fileHash(join(ROOT, path));
    const contents = result.outputFiles[0].contents;
    writeAtomically(bundle, contents);
    // No record when an input may have changed after esbuild read it: this run uses the bundle,
    // and the next makes it again rather than trust it for good.
    const settled = paths.every((path) => statSync(join(ROOT, path)).mtimeMs < startedAt - SETTLED_MS);
    if (settled) writeAtomically(recordFile, JSON.stringify({ ...identity, bundle: createHash('sha1').update(contents).digest('hex'), inputs }));
    return bundle;
  } catch {
    return null;
  }
}

/** `entry` bundled as `file` in the first of bundleDirs() that works; null when none does. */
export function bundled({ entry, file, format }) {
  for (const dir of bundleDirs()) {
    const bundle = bundleOnce({ entry, dir, file, format });
    if (bundle) return bundle;
  }
  return null;
}
