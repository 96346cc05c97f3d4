import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgs, ROOT } from './cli-command';
import { buildIndex } from '../../src/build/build-index';
import { writeCorpus } from '../../src/build/generate-corpus';
import { publishList, type PublishOptions, type PublishResult } from '../../src/build/publish-list';
import { readSeeds } from '../../src/build/read-seeds';
import { UsageError } from '../../src/build/usage-error';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { LIST_FORMAT_VERSION, LIST_MANIFEST_FILE, parseListManifest, type ListManifest } from '../../src/core/list/list-manifest';
import { seedText } from './story-fixture';

/** The CLI runs as a real process from the repository root, as `npm run cli` does. */
/** Each CLI run starts node and tsx; a loaded 2-core machine needs room. */
const TIMEOUT = 60_000;

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-publish-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let scratchCount = 0;
function freshDir(name: string): string {
  const dir = join(scratch, `${name}-${scratchCount++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, cliArgs(args), { cwd: ROOT, encoding: 'utf8', timeout: TIMEOUT - 5_000, env: { ...process.env, NO_COLOR: '1' } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** In-process publishing: small corpora, read on this thread, no cache shared with other runs. */
function publish(seedsDir: string, outDir: string, options: Partial<PublishOptions> = {}): Promise<PublishResult> {
  return publishList({ seedsDir, outDir, skipInvalid: false, cache: false, workers: 0, ...options });
}

function readManifest(outDir: string): ListManifest {
  const parsed = parseListManifest(readFileSync(join(outDir, LIST_MANIFEST_FILE), 'utf8'));
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.manifest;
}

function shardFiles(outDir: string): string[] {
  return readdirSync(join(outDir, 'shards')).sort();
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}


function writeSeeds(dir: string, numbers: readonly number[]): void {
  mkdirSync(dir, { recursive: true });
  for (const n of numbers) writeFileSync(join(dir, `story-${n}.md`), seedText(n));
}

/** The seed numbers each shard of a list holds, by shard hash. */
function storiesByShard(outDir: string, manifest: ListManifest): Map<string, number[]> {
  const result = new Map<string, number[]>();
  for (const shard of manifest.shards) {
    const index = CoverageIndex.decode(new Uint8Array(readFileSync(join(outDir, shard.file))));
    const numbers = new Set<number>();
    for (let id = 0; id < index.header.articleCount; id++) numbers.add(Number(/\/(\d+)(?:\.html)?$/.exec(index.article(id).url)![1]));
    result.set(shard.sha256, [...numbers].sort((a, b) => a - b));
  }
  return result;
}

describe('publish a generated corpus', () => {
  const seeds = join(scratch, 'corpus');
  const out = join(scratch, 'corpus-list');
  let first: PublishResult;

  beforeAll(async () => {
    writeCorpus(seeds, { stories: 300, seed: 11 });
    first = await publish(seeds, out, { shards: 8, name: 'Test newsroom', homepage: 'https://example.org/list', now: new Date('2026-01-02T03:04:05Z') });
  }, TIMEOUT);

  it('writes a list.json that clients parse, with the counts of the whole index', { timeout: TIMEOUT }, () => {
    const manifest = readManifest(out);
    const full = CoverageIndex.decode(buildIndex(readSeeds(seeds).seeds).bytes);
    expect(manifest).toEqual(first.manifest);
    expect(manifest).toMatchObject({ format: LIST_FORMAT_VERSION, name: 'Test newsroom', homepage: 'https://example.org/list', createdAt: '2026-01-02T03:04:05.000Z' });
    expect(manifest.storyCount).toBe(full.header.storyCount);
    expect(manifest.addressCount).toBe(full.header.keyCount);
    expect(manifest.shards).toHaveLength(8);
    expect(manifest.shards.reduce((sum, shard) => sum + shard.stories, 0)).toBe(manifest.storyCount);
    expect(first).toMatchObject({ shardCount: 8, written: 8, unchanged: 0, removed: 0 });
    expect(first.bytes).toBe(manifest.shards.reduce((sum, shard) => sum + shard.bytes, 0));
  });

  it('names each shard by the SHA-256 of its bytes, each a complete index that verifies in full', { timeout: TIMEOUT }, () => {
    const manifest = readManifest(out);
    expect(shardFiles(out)).toEqual(manifest.shards.map((shard) => `${shard.sha256}.bin`).sort());
    for (const shard of manifest.shards) {
      const bytes = new Uint8Array(readFileSync(join(out, shard.file)));
      expect(sha256(bytes)).toBe(shard.sha256);
      expect(bytes.byteLength).toBe(shard.bytes);
      const index = CoverageIndex.decode(bytes, { verify: 'full' });
      expect(index.header.storyCount).toBe(shard.stories);
    }
  });

  it('puts every story in exactly one shard, which answers every lookup as the whole index does', { timeout: TIMEOUT }, () => {
    const full = CoverageIndex.decode(buildIndex(readSeeds(seeds).seeds).bytes);
    const shards = readManifest(out).shards.map((shard) => CoverageIndex.decode(new Uint8Array(readFileSync(join(out, shard.file)))));
    let checked = 0;
    for (let id = 0; id < full.header.articleCount; id++) {
      const { url, keys } = full.article(id);
      for (const address of [url, ...keys.map((key) => `https://${key}`)]) {
        const answers = shards.map((shard) => shard.coverage([address])).filter((coverage) => coverage !== null);
        expect(answers, address).toHaveLength(1);
        expect(answers[0]).toEqual(full.coverage([address]));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('writes nothing when republished unchanged, keeping the shard count without --shards', { timeout: TIMEOUT }, async () => {
    const again = await publish(seeds, out);
    expect(again).toMatchObject({ shardCount: 8, written: 0, unchanged: 8, removed: 0, writtenBytes: 0 });
    // The name and homepage are kept too, and nothing half-written is left behind.
    expect(readManifest(out)).toMatchObject({ name: 'Test newsroom', homepage: 'https://example.org/list', shards: first.manifest.shards });
    expect(readdirSync(out).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('rewrites a damaged shard file', { timeout: TIMEOUT }, async () => {
    const victim = join(out, first.manifest.shards[3]!.file);
    writeFileSync(victim, readFileSync(victim).subarray(0, 100));
    const again = await publish(seeds, out);
    expect(again).toMatchObject({ written: 1, unchanged: 7 });
    expect(sha256(readFileSync(victim))).toBe(first.manifest.shards[3]!.sha256);
  });
});

describe('republishing after edits', () => {
  it('rewrites only the shard of an edited story, keeping the old one for one more generation', { timeout: TIMEOUT }, async () => {
    const seeds = freshDir('seeds');
    const out = freshDir('list');
    writeSeeds(seeds, Array.from({ length: 40 }, (_unused, n) => n));
    const first = await publish(seeds, out, { shards: 4 });
    expect(first.manifest.shards).toHaveLength(4);
    const before = storiesByShard(out, first.manifest);

    writeFileSync(join(seeds, 'story-7.md'), seedText(7, 'Story 7, updated'));
    const second = await publish(seeds, out);
    expect(second).toMatchObject({ shardCount: 4, written: 1, unchanged: 3, removed: 0 });
    const replaced = first.manifest.shards.filter((shard) => !second.manifest.shards.some((each) => each.sha256 === shard.sha256));
    const added = second.manifest.shards.filter((shard) => !first.manifest.shards.some((each) => each.sha256 === shard.sha256));
    expect(replaced).toHaveLength(1);
    expect(added).toHaveLength(1);
    // The replaced shard was story 7's, and its successor holds the same stories with the new title.
    expect(before.get(replaced[0]!.sha256)).toContain(7);
    expect(storiesByShard(out, second.manifest).get(added[0]!.sha256)).toEqual(before.get(replaced[0]!.sha256));
    const shard = CoverageIndex.decode(new Uint8Array(readFileSync(join(out, added[0]!.file))));
    expect(shard.coverage(['https://outlet-b.example/world/7.html'])?.otherOutlets[0]?.title).toBe('Story 7, updated');
    // A client that fetched the previous list.json a moment ago still finds its shards.
    expect(existsSync(join(out, replaced[0]!.file))).toBe(true);

    writeFileSync(join(seeds, 'story-8.md'), seedText(8, 'Story 8, updated'));
    const third = await publish(seeds, out);
    expect(third.written).toBe(1);
    expect(third.removed).toBe(1);
    expect(existsSync(join(out, replaced[0]!.file))).toBe(false);
    for (const shard of [...second.manifest.shards, ...third.manifest.shards]) expect(existsSync(join(out, shard.file))).toBe(true);
  });

  it('drops the shard of a bucket whose stories are all gone, deleting its file a generation later', { timeout: TIMEOUT }, async () => {
    const seeds = freshDir('seeds');
    const out = freshDir('list');
    writeSeeds(seeds, Array.from({ length: 40 }, (_unused, n) => n));
    writeFileSync(join(out, 'README.txt'), 'not ours');
    mkdirSync(join(out, 'shards'));
    writeFileSync(join(out, 'shards', 'notes.txt'), 'not ours either');
    const first = await publish(seeds, out, { shards: 4 });
    const [gone, goneStories] = [...storiesByShard(out, first.manifest)][2]!;
    for (const n of goneStories) unlinkSync(join(seeds, `story-${n}.md`));

    const second = await publish(seeds, out);
    expect(second).toMatchObject({ shardCount: 4, written: 0, unchanged: 3, removed: 0 });
    expect(second.manifest.storyCount).toBe(40 - goneStories.length);
    expect(second.manifest.shards.map((shard) => shard.sha256)).toEqual(first.manifest.shards.map((shard) => shard.sha256).filter((hash) => hash !== gone));
    expect(shardFiles(out)).toContain(`${gone}.bin`);

    const third = await publish(seeds, out);
    expect(third).toMatchObject({ written: 0, removed: 1 });
    expect(shardFiles(out)).not.toContain(`${gone}.bin`);
    // Only shard files it wrote are ever deleted.
    expect(shardFiles(out)).toContain('notes.txt');
    expect(existsSync(join(out, 'README.txt'))).toBe(true);
  });

  it('keeps every shard as it was when most buckets are empty and --shards is not repeated', { timeout: TIMEOUT }, async () => {
    const seeds = freshDir('seeds');
    const out = freshDir('list');
    writeSeeds(seeds, Array.from({ length: 30 }, (_unused, n) => n));
    const first = await publish(seeds, out, { shards: 256 });
    // Far fewer shards than buckets: rounding the shard count up (32) would regroup these stories.
    expect(first.manifest.shards.length).toBeLessThan(64);
    writeSeeds(seeds, [30]);
    const second = await publish(seeds, out);
    expect(second.written).toBe(1);
    const kept = first.manifest.shards.filter((shard) => second.manifest.shards.some((each) => each.sha256 === shard.sha256));
    expect(kept.length).toBeGreaterThanOrEqual(first.manifest.shards.length - 1);
    expect(second.manifest.shards).toHaveLength(kept.length + 1);
  });

  it('publishes an empty list from an empty seed folder', { timeout: TIMEOUT }, async () => {
    const out = freshDir('list');
    const result = await publish(freshDir('seeds'), out);
    expect(result.manifest).toMatchObject({ storyCount: 0, addressCount: 0, shards: [] });
    expect(readManifest(out).shards).toEqual([]);
  });
});

describe('refusals', () => {
  it('trims the name as clients do, and refuses one longer than clients accept', { timeout: TIMEOUT }, async () => {
    const out = freshDir('list');
    expect((await publish(join(ROOT, 'tests/fixtures/seeds-good'), out, { name: '  Spaced  ' })).manifest.name).toBe('Spaced');
    expect(readFileSync(join(out, LIST_MANIFEST_FILE), 'utf8')).toContain('"name": "Spaced"');
    await expect(publish(join(ROOT, 'tests/fixtures/seeds-good'), freshDir('list'), { name: 'x'.repeat(101) })).rejects.toThrow(/name/);
  });

  it('refuses a shard count that is not a power of two', { timeout: TIMEOUT }, async () => {
    await expect(publish(join(ROOT, 'tests/fixtures/seeds-good'), freshDir('list'), { shards: 12 })).rejects.toThrow(/power of two/);
  });

  it('refuses to overwrite a list.json it cannot read', { timeout: TIMEOUT }, async () => {
    const out = freshDir('list');
    writeFileSync(join(out, LIST_MANIFEST_FILE), '{"format": 99}');
    await expect(publish(join(ROOT, 'tests/fixtures/seeds-good'), out)).rejects.toThrow(UsageError);
    expect(readFileSync(join(out, LIST_MANIFEST_FILE), 'utf8')).toBe('{"format": 99}');
  });

  it('refuses a homepage that is not an http(s) address, writing nothing', { timeout: TIMEOUT }, async () => {
    const out = freshDir('list');
    await expect(publish(join(ROOT, 'tests/fixtures/seeds-good'), out, { homepage: 'javascript:alert(1)' })).rejects.toThrow(/homepage/);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('npm run cli -- publish', () => {
  it('publishes, names the out folder as the list and prints a one-line summary', { timeout: TIMEOUT }, () => {
    const out = join(freshDir('cli'), 'My list');
    const run = cli(['publish', '--seeds', 'tests/fixtures/seeds-good', '--out', out, '--no-cache']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^published .*list\.json: 2 stories, 1 shards \(1 written, 0 unchanged, 0 removed\), \d+ bytes \(\d+ written\) in [\d.]+ s\n$/);
    expect(readManifest(out)).toMatchObject({ name: 'My list', homepage: null, storyCount: 2, addressCount: 5 });
  });

  it('reports invalid seeds as FILE:LINE and publishes nothing, unless --skip-invalid', { timeout: TIMEOUT }, () => {
    const out = freshDir('cli');
    const refused = cli(['publish', '--seeds', 'tests/fixtures/seeds-bad', '--out', out, '--no-cache']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('tests/fixtures/seeds-bad/bad-address.md:3: webUrl:');
    expect(refused.stderr).toContain('--skip-invalid');
    expect(existsSync(join(out, LIST_MANIFEST_FILE))).toBe(false);
    const skipped = cli(['publish', '--seeds', 'tests/fixtures/seeds-bad', '--out', out, '--no-cache', '--skip-invalid']);
    expect(skipped.status, skipped.stderr).toBe(0);
    expect(skipped.stderr).toContain('skipped tests/fixtures/seeds-bad/bad-address.md');
    expect(readManifest(out).storyCount).toBe(1);
  });

  it('without --out is a usage error', { timeout: TIMEOUT }, () => {
    const run = cli(['publish', '--seeds', 'tests/fixtures/seeds-good']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('publish needs --out DIR');
  });
});
