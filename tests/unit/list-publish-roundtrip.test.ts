import 'fake-indexeddb/auto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addList, readList, readListsWithShards } from '../../src/background/lists/list-store';
import { updateList } from '../../src/background/lists/update-list';
import { publishList, type PublishResult } from '../../src/build/publish-list';
import { startListServer, type ListServer } from '../../src/build/serve-list';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { combinedCoverage } from '../../src/core/list/combined-coverage';
import { seedText } from './story-fixture';

/*
 * Issue 7 end to end in node: what `publish` writes, served by `serve`, read by the extension's
 * real list updater (IndexedDB from fake-indexeddb). An edited seed must cost a subscriber
 * list.json and one shard; an unchanged list, one 304.
 */

/** Publishing and updating on a loaded 2-core machine needs more than vitest's 5 s. */
const TIMEOUT = 60_000;

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-roundtrip-'));
const seeds = join(scratch, 'seeds');
const out = join(scratch, 'list');
const requests: string[] = [];
let server: ListServer;


function publish(shards?: number): Promise<PublishResult> {
  return publishList({ seedsDir: seeds, outDir: out, skipInvalid: false, cache: false, workers: 0, shards, name: 'Round trip' });
}

async function lookup(address: string) {
  const [mine] = await readListsWithShards();
  return combinedCoverage(mine!.shards.map((bytes) => ({ index: CoverageIndex.decode(new Uint8Array(bytes)), list: mine!.list.name })), [address]);
}

beforeAll(async () => {
  mkdirSync(seeds);
  for (let n = 0; n < 40; n++) writeFileSync(join(seeds, `story-${n}.md`), seedText(n, `Story ${n}`));
  await publish(4);
  server = await startListServer(out, 0, { log: (line) => requests.push(line) });
  await addList(server.url, 1);
}, TIMEOUT);
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a published list, served and subscribed to', () => {
  it('downloads list.json and every shard on the first update', { timeout: TIMEOUT }, async () => {
    expect(await updateList(server.url)).toBe('updated');
    expect(requests.filter((line) => line.startsWith('GET /shards/') && line.endsWith(' 200'))).toHaveLength(4);
    expect(await readList(server.url)).toMatchObject({ name: 'Round trip', storyCount: 40, error: null });
    expect((await lookup('https://outlet-a.example/news/12'))?.otherOutlets.map((article) => article.url)).toEqual(['https://outlet-b.example/world/12.html']);
  });

  it('costs one 304 when nothing changed', { timeout: TIMEOUT }, async () => {
    requests.length = 0;
    expect(await updateList(server.url)).toBe('unchanged');
    expect(requests).toEqual(['GET /list.json 304']);
  });

  it('downloads only the shard of an edited story after a republish', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(seeds, 'story-7.md'), seedText(7, 'Story 7, updated'));
    const republished = await publish();
    expect(republished.written).toBe(1);
    requests.length = 0;
    expect(await updateList(server.url)).toBe('updated');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toBe('GET /list.json 200');
    expect(requests[1]).toMatch(/^GET \/shards\/[0-9a-f]{64}\.bin 200$/);
    expect((await lookup('https://outlet-b.example/world/7.html'))?.otherOutlets[0]?.title).toBe('Story 7, updated');
  });
});
