import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { WorkerResult } from '../../src/build/seed-worker';
import { fileRecord } from '../../src/build/seed-columns';
import { readRecord, seedRecord } from '../../src/build/seed-records';
import { bundledWorker, workerStarter } from '../../src/build/worker-bundle';

const dir = mkdtempSync(join(tmpdir(), 'elsewhere-worker-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bundle's record, to change one thing in it. */
function editRecord(bundle: string, edit: (record: Record<string, unknown> & { inputs: Record<string, string> }) => void): void {
  const record = JSON.parse(readFileSync(`${bundle}.json`, 'utf8')) as Record<string, unknown> & { inputs: Record<string, string> };
  edit(record);
  writeFileSync(`${bundle}.json`, JSON.stringify(record));
}

/** Whether bundledWorker made the bundle again: a new one is renamed into place, a new file. */
function remade(bundle: string, change: () => void): boolean {
  const before = statSync(bundle).ino;
  change();
  expect(bundledWorker(dir)).toBe(bundle);
  return statSync(bundle).ino !== before;
}

describe('the bundled build worker', () => {
  it('parses a seed like the TypeScript worker', async () => {
    const bundle = bundledWorker(dir)!;
    expect(bundle).not.toBeNull();
    const worker = new Worker(bundle);
    try {
      const answer = new Promise<WorkerResult>((resolve) => worker.once('message', resolve));
      worker.postMessage({ files: [new URL('../../seeds/000_e29929052b0126c7.txt', import.meta.url).pathname] });
      const { files, columns } = await answer;
      const [[hash, problems, readError]] = files as [WorkerResult['files'][number]];
      expect(readError).toBeNull();
      expect(hash).toMatch(/^[0-9a-f]{40}$/);
      // A valid seed: no record of problems; its articles, as columns (seed-columns.ts), are its record.
      expect(problems).toBeNull();
      expect(Array.from(columns.valid)).toEqual([1]);
      expect(columns.records.length).toBe(columns.recordStart.at(-1));
      const record = readRecord(fileRecord({ columns, file: 0 }), 'seed');
      const text = readFileSync(new URL('../../seeds/000_e29929052b0126c7.txt', import.meta.url));
      expect(record).toEqual(readRecord(seedRecord(text), 'seed'));
      expect(Array.from(columns.copyStart)).toEqual([0, 'seed' in record ? record.seed.articles.length : -1]);
    } finally {
      await worker.terminate();
    }
  });

  it('is reused while nothing it was made from changed', () => {
    const bundle = bundledWorker(dir)!;
    expect(remade(bundle, () => undefined)).toBe(false);
  });

  it('is made again when an input changed, and records the settings that shape it', () => {
    const bundle = bundledWorker(dir)!;
    const inputs = Object.keys((JSON.parse(readFileSync(`${bundle}.json`, 'utf8')) as { inputs: Record<string, string> }).inputs);
    expect(inputs).toEqual(expect.arrayContaining(['src/build/seed-worker.ts', 'tsconfig.json', 'src/build/bundle-cache.mjs']));
    // As if the input had been edited since: its recorded hash no longer matches.
    expect(remade(bundle, () => editRecord(bundle, (record) => void (record.inputs['src/build/seed-worker.ts'] = '0'.repeat(40))))).toBe(true);
  });

  it('is made again for a checkout that moved: a bundle names the place of its entry', () => {
    const bundle = bundledWorker(dir)!;
    expect((JSON.parse(readFileSync(`${bundle}.json`, 'utf8')) as { entry: string }).entry).toMatch(/\/src\/build\/seed-worker\.ts$/);
    expect(remade(bundle, () => editRecord(bundle, (record) => void (record.entry = 'file:///elsewhere/src/build/seed-worker.ts')))).toBe(true);
  });

  it('is made again when its file is not the one its record describes, or is gone', () => {
    const bundle = bundledWorker(dir)!;
    const made = readFileSync(bundle, 'utf8');
    expect(remade(bundle, () => writeFileSync(bundle, `${made}\nthrow new Error("changed");`))).toBe(true);
    expect(readFileSync(bundle, 'utf8')).toBe(made);
    rmSync(bundle);
    expect(bundledWorker(dir)).toBe(bundle);
    expect(readFileSync(bundle, 'utf8')).toBe(made);
  });

  it('is kept where bundles are kept (ELSEWHERE_BUNDLE_DIR here), whatever cache a build uses', async () => {
    const kept = mkdtempSync(join(tmpdir(), 'elsewhere-bundles-'));
    const previous = process.env.ELSEWHERE_BUNDLE_DIR;
    process.env.ELSEWHERE_BUNDLE_DIR = kept;
    try {
      const worker = workerStarter('index-worker')({ dir: join(dir, 'no-cache-here') });
      await new Promise((resolve) => worker.once('exit', resolve));
      const record = JSON.parse(readFileSync(join(kept, 'index-worker.bundle.cjs.json'), 'utf8')) as { entry: string };
      expect(record.entry).toMatch(/\/src\/build\/index-worker\.ts$/);
    } finally {
      if (previous === undefined) delete process.env.ELSEWHERE_BUNDLE_DIR;
      else process.env.ELSEWHERE_BUNDLE_DIR = previous;
      rmSync(kept, { recursive: true, force: true });
    }
  });
});
