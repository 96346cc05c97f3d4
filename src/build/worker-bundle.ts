import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A build worker (seed-worker.ts or index-worker.ts, and everything it imports) as one plain CommonJS file, for
 * runs from TypeScript sources (`node --import tsx src/build/cli.ts`, vitest, the vite build). Node cannot start
 * a worker from .ts; registering tsx in each worker instead (ts-worker.mjs) costs every worker
 * ~1 s of start-up under load, compiling the same modules once per worker (issue 4). esbuild (a
 * dependency of vite and tsx both) bundles them in ~0.3 s, once: the bundle is kept beside the
 * build cache with the hash of every file that went into it, and reused while they all match.
 */

/** The repository root: bundle inputs are named relative to it. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The build's workers: seed-worker.ts parses seeds, index-worker.ts reads and verifies the last index. */
export type WorkerName = 'seed-worker' | 'index-worker';

interface BundleInputs {
  esbuild: string;
  /** Input path (relative to ROOT) → sha1 of its content when bundled. */
  inputs: Record<string, string>;
}

function fileHash(path: string): string {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

/** Whether the bundle whose inputs are listed in `inputsFile` was made by this esbuild from inputs that have not changed since. */
function isCurrent(inputsFile: string, esbuildVersion: string): boolean {
  try {
    const recorded = JSON.parse(readFileSync(inputsFile, 'utf8')) as BundleInputs;
    if (recorded.esbuild !== esbuildVersion || Object.keys(recorded.inputs).length === 0) return false;
    return Object.entries(recorded.inputs).every(([path, hash]) => fileHash(join(ROOT, path)) === hash);
  } catch {
    return false;
  }
}

/**
 * The path of worker `name` bundled in `dir`, made now if missing or stale; null when esbuild
 * cannot be loaded or fails (callers then start workers through tsx, as before).
 */
export function bundledWorker(dir: string, name: WorkerName = 'seed-worker'): string | null {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  } catch {
    return null;
  }
  const bundleFile = `${name}.bundle.cjs`;
  const inputsFile = `${name}.bundle.json`;
  const bundle = resolve(dir, bundleFile);
  if (isCurrent(join(dir, inputsFile), esbuild.version)) return bundle;
  try {
    const result = esbuild.buildSync({
      entryPoints: [fileURLToPath(new URL(`./${name}.ts`, import.meta.url))],
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
    writeFileSync(join(dir, `${bundleFile}.${temporary}`), result.outputFiles[0]!.contents);
    renameSync(join(dir, `${bundleFile}.${temporary}`), bundle);
    writeFileSync(join(dir, `${inputsFile}.${temporary}`), JSON.stringify({ esbuild: esbuild.version, inputs } satisfies BundleInputs));
    renameSync(join(dir, `${inputsFile}.${temporary}`), join(dir, inputsFile));
    return bundle;
  } catch {
    return null;
  }
}

/** Whether a node option (or its value) loads tsx: `--import tsx`, tsx's preflight.cjs and loader.mjs. */
function isTsxArg(arg: string): boolean {
  return /(^|[\\/=])tsx([\\/]|$)/.test(arg);
}

/**
 * Starts a bundled worker without tsx: a worker inherits the process's node options, and
 * `--import tsx` would cost it ~0.3 s of loading for nothing. The other options are kept (a
 * profiler's, say); if node refuses one of them for a worker (--expose-gc), none are passed.
 */
function startBundled(bundle: string, workerData: object): Worker {
  const execArgv = process.execArgv.filter((arg, i, all) => !isTsxArg(arg) && !(i + 1 < all.length && isTsxArg(all[i + 1]!) && /^--(import|require|loader)$/.test(arg)));
  try {
    return new Worker(bundle, { execArgv, workerData });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Worker(bundle, { execArgv: [], workerData });
  }
}

/**
 * Starts workers `name`, each given its own workerData: from the bundle in `bundleDir` when run
 * from TypeScript sources, through ts-worker.mjs when there is none or from compiled modules.
 */
export function workerStarter(name: WorkerName, bundleDir: string): (workerData?: object) => Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const bundle = fromSources ? bundledWorker(bundleDir, name) : null;
  const module = new URL(`./${name}${fromSources ? '.ts' : '.js'}`, import.meta.url).href;
  return (workerData = {}) => (bundle ? startBundled(bundle, workerData) : new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { ...workerData, module } }));
}
