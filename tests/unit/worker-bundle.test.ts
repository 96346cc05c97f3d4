import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { WorkerResult } from '../../src/build/seed-worker';
import { BUNDLE_DIR } from '../../src/build/bundle-cache.mjs';
import { bundledWorker, workerStarter } from '../../src/build/worker-bundle';

const dir = mkdtempSync(join(tmpdir(), 'elsewhere-worker-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundled build worker', () => {
  it('parses a seed like the TypeScript worker', async () => {
    const bundle = bundledWorker(dir)!;
    expect(bundle).not.toBeNull();
    const worker = new Worker(bundle);
    try {
      const answer = new Promise<WorkerResult>((resolve) => worker.once('message', resolve));
      worker.postMessage({ files: [new URL('../../seeds/000_e29929052b0126c7.txt', import.meta.url).pathname] });
      const [[hash, record, readError]] = (await answer) as [WorkerResult[number]];
      expect(readError).toBeNull();
      expect(hash).toMatch(/^[0-9a-f]{40}$/);
      expect(record).toMatch(/^\{"a":/);
    } finally {
      await worker.terminate();
    }
  });

  it('is reused while its inputs are unchanged, and made again when one changed', () => {
    const bundle = bundledWorker(dir)!;
    const made = statSync(bundle).mtimeMs;
    expect(bundledWorker(dir)).toBe(bundle);
    expect(statSync(bundle).mtimeMs).toBe(made);
    // As if an input had been edited since: its recorded hash no longer matches.
    const inputsFile = join(dir, 'seed-worker.bundle.cjs.json');
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8')) as { inputs: Record<string, string> };
    const [first] = Object.keys(inputs.inputs);
    inputs.inputs[first!] = '0'.repeat(40);
    writeFileSync(inputsFile, JSON.stringify(inputs));
    writeFileSync(bundle, 'throw new Error("stale")');
    expect(bundledWorker(dir)).toBe(bundle);
    expect(readFileSync(bundle, 'utf8')).not.toContain('stale');
  });

  it('is made again for a checkout that moved: a bundle names the place of its entry', () => {
    const bundle = bundledWorker(dir)!;
    const recordFile = `${bundle}.json`;
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as { entry: string };
    expect(record.entry).toMatch(/\/src\/build\/seed-worker\.ts$/);
    writeFileSync(recordFile, JSON.stringify({ ...record, entry: 'file:///elsewhere/src/build/seed-worker.ts' }));
    writeFileSync(bundle, 'throw new Error("moved")');
    expect(bundledWorker(dir)).toBe(bundle);
    expect(readFileSync(bundle, 'utf8')).not.toContain('moved');
  });

  it("is kept in the checkout's bundle folder, whatever cache a build uses", async () => {
    const worker = workerStarter('index-worker')({ dir: join(dir, 'no-cache-here') });
    await new Promise((resolve) => worker.once('exit', resolve));
    const record = JSON.parse(readFileSync(join(BUNDLE_DIR, 'index-worker.bundle.cjs.json'), 'utf8')) as { entry: string };
    expect(record.entry).toMatch(/\/src\/build\/index-worker\.ts$/);
  });

  it('is made again when its file is gone but its record is left', () => {
    const bundle = bundledWorker(dir)!;
    rmSync(bundle);
    expect(bundledWorker(dir)).toBe(bundle);
    expect(readFileSync(bundle, 'utf8').length).toBeGreaterThan(0);
  });
});
