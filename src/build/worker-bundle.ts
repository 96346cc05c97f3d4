import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { bundled, bundleOnce } from './bundle-cache.mjs';

/**
 * A build worker (seed-worker.ts or index-worker.ts, and everything it imports) as one plain CommonJS file, for
 * runs from TypeScript sources (vitest, the vite build, the CLI without esbuild). Node cannot start
 * a worker from .ts; registering tsx in each worker instead (ts-worker.mjs) costs every worker
 * ~1 s of start-up under load, compiling the same modules once per worker (issue 4). The bundle
 * is kept with the CLI's (bundle-cache.mjs, bundleDirs) and made again when any of its inputs
 * changes.
 */

/** The build's workers: seed-worker.ts parses seeds, index-worker.ts reads and verifies the last index. */
export type WorkerName = 'seed-worker' | 'index-worker';

function workerBundle(name: WorkerName): { entry: string; file: string; format: 'cjs' } {
  return { entry: fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), file: `${name}.bundle.cjs`, format: 'cjs' };
}

/**
 * The path of worker `name` bundled in `dir` (by default where bundles are kept), made now if
 * missing or stale; null when esbuild cannot be loaded or fails (callers then start workers
 * through tsx, as before).
 */
export function bundledWorker(dir: string | null = null, name: WorkerName = 'seed-worker'): string | null {
  return dir === null ? bundled(workerBundle(name)) : bundleOnce({ ...workerBundle(name), dir });
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
 * Starts workers `name`, each given its own workerData: from their bundle when run from
 * TypeScript sources, through ts-worker.mjs when there is none or from compiled modules.
 */
export function workerStarter(name: WorkerName): (workerData?: object) => Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const bundle = fromSources ? bundledWorker(null, name) : null;
  const module = new URL(`./${name}${fromSources ? '.ts' : '.js'}`, import.meta.url).href;
  return (workerData = {}) => (bundle ? startBundled(bundle, workerData) : new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { ...workerData, module } }));
}
