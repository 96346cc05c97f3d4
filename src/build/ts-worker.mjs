// Entry of every build worker. Node cannot start a worker from a .ts file, and a worker does not
// inherit tsx's loader hooks from `tsx cli.ts` (nor from execArgv: ['--import', 'tsx'] on Node 20,
// where the entry is resolved before the hooks apply). So this plain module registers tsx in the
// worker, then imports the TypeScript module named in workerData. Under plain node with compiled
// .js modules it imports them directly.
import { workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
