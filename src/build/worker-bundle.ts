import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The build worker (seed-worker.ts and everything it imports) as one plain CommonJS file, for
 * runs from TypeScript sources (`tsx src/build/cli.ts`, vitest, the vite build). Node cannot start
 * a worker from .ts; registering tsx in each worker instead (ts-worker.mjs) costs every worker
 * ~1 s of start-up under load, compiling the same modules once per worker (issue 4). esbuild (a
 * dependency of vite and tsx both) bundles them in ~0.3 s, once: the bundle is kept beside the
 * build cache with the hash of every file that went into it, and reused while they all match.
 */

/** The repository root: bundle inputs are named relative to it. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('./seed-worker.ts', import.meta.url));
const BUNDLE_FILE = 'seed-worker.bundle.cjs';
const INPUTS_FILE = 'seed-worker.bundle.json';

interface BundleInputs {
  esbuild: string;
  /** Input path (relative to ROOT) → sha1 of its content when bundled. */
  inputs: Record<string, string>;
}

function fileHash(path: string): string {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

/** Whether the bundle in `dir` was made by this esbuild from inputs that have not changed since. */
function isCurrent(dir: string, esbuildVersion: string): boolean {
  try {
    const recorded = JSON.parse(readFileSync(join(dir, INPUTS_FILE), 'utf8')) as BundleInputs;
    if (recorded.esbuild !== esbuildVersion || Object.keys(recorded.inputs).length === 0) return false;
    return Object.entries(recorded.inputs).every(([path, hash]) => fileHash(join(ROOT, path)) === hash);
  } catch {
    return false;
  }
}

/**
 * The path of the bundled worker in `dir`, made now if missing or stale; null when esbuild cannot
 * be loaded or fails (callers then start workers through tsx, as before).
 */
export function bundledWorker(dir: string): string | null {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  } catch {
    return null;
  }
  const bundle = resolve(dir, BUNDLE_FILE);
  if (isCurrent(dir, esbuild.version)) return bundle;
  try {
    const result = esbuild.buildSync({
      entryPoints: [ENTRY],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs: BundleInputs['inputs'] = {};
    for (const path of Object.keys(result.metafile.inputs)) inputs[path] = fileHash(join(ROOT, path));
    mkdirSync(dir, { recursive: true });
    // Renamed into place, so a concurrent build never starts half a file.
    const temporary = `${process.pid}.${Date.now()}.tmp`;
    writeFileSync(join(dir, `${BUNDLE_FILE}.${temporary}`), result.outputFiles[0]!.contents);
    renameSync(join(dir, `${BUNDLE_FILE}.${temporary}`), bundle);
    writeFileSync(join(dir, `${INPUTS_FILE}.${temporary}`), JSON.stringify({ esbuild: esbuild.version, inputs } satisfies BundleInputs));
    renameSync(join(dir, `${INPUTS_FILE}.${temporary}`), join(dir, INPUTS_FILE));
    return bundle;
  } catch {
    return null;
  }
}
