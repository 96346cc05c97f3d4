import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { addList, readList, readListsWithShards, removeList, storedShards } from '../../src/background/lists/list-store';
import { updateList } from '../../src/background/lists/update-list';
import { combinedCoverage } from '../../src/core/list/combined-coverage';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { LIST_FORMAT_VERSION, MAX_LIST_BYTES, shardFileName, type ListManifest } from '../../src/core/list/list-manifest';
import { encodeStories, type Entry } from './story-fixture';

/*
 * The list updater (issue 7) against a real HTTP server on 127.0.0.1, with IndexedDB from
 * fake-indexeddb (node has none). Each case checks the outcome the reader sees: what is stored
 * afterwards, and the error the settings page shows.
 */

const story = (k: number): [Entry, Entry[]] => [
  { url: `https://alpha.example/story-${k}`, outlet: 'Alpha', date: '2026-01-01T10:00:00Z' },
  [{ url: `https://beta.example/story-${k}`, outlet: 'Beta', date: '2026-01-01T11:00:00Z' }],
];

interface Published {
  manifest: ListManifest;
  files: Map<string, Uint8Array>;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A list of shards, one per group of stories. */
function publish(groups: Array<Array<[Entry, Entry[]]>>, name = 'Test list'): Published {
  const files = new Map<string, Uint8Array>();
  const shards = groups.map((group) => {
    const bytes = encodeStories(group);
    const hash = sha256(bytes);
    files.set(`/${shardFileName(hash)}`, bytes);
    return { file: shardFileName(hash), sha256: hash, bytes: bytes.byteLength, stories: group.length };
  });
  const manifest: ListManifest = {
    format: LIST_FORMAT_VERSION,
    name,
    homepage: null,
    createdAt: new Date(Date.UTC(2026, 10, 25, files.size)).toISOString(),
    storyCount: groups.flat().length,
    addressCount: groups.flat().length * 2,
    shards,
  };
  return { manifest, files };
}

type Behaviour = (request: IncomingMessage, response: ServerResponse, path: string) => boolean;

let served: Published;
let listJson: string;
/** Overrides for the next requests: return true when handled. */
let behaviour: Behaviour | null = null;
const requests: Array<{ path: string; headers: IncomingMessage['headers'] }> = [];
let base = '';
const server = createServer((request, response) => {
  const path = new URL(request.url!, 'http://x').pathname;
  requests.push({ path, headers: request.headers });
  if (behaviour?.(request, response, path)) return;
  if (path === '/list.json') {
    const etag = `"${sha256(Buffer.from(listJson))}"`;
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, { etag }).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', etag }).end(listJson);
    return;
  }
  const file = served.files.get(path);
  if (!file) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file);
});

function serve(list: Published, manifest: object = list.manifest): void {
  served = list;
  listJson = JSON.stringify(manifest);
}

let url = '';
let counter = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
/** "None throws into the console" (issue 7): the updater reports through the list record only. */
const console_ = { error: vi.spyOn(console, 'error'), warn: vi.spyOn(console, 'warn'), log: vi.spyOn(console, 'log') };
afterEach(() => {
  for (const spy of Object.values(console_)) {
    expect(spy).not.toHaveBeenCalled();
    spy.mockClear();
  }
});
beforeEach(async () => {
  behaviour = null;
  requests.length = 0;
  // A fresh subscription per test; the query keeps the path the server answers.
  url = `${base}/list.json?subscription=${++counter}`;
  await addList(url, counter);
});

const FIRST = publish([[story(1), story(2)], [story(3)]]);

async function subscribedGood(): Promise<void> {
  serve(FIRST);
  expect(await updateList(url)).toBe('updated');
  requests.length = 0;
}

async function lookup(address: string) {
  const lists = await readListsWithShards();
  const mine = lists.find((entry) => entry.list.url === url)!;
  const sources = mine.shards.map((bytes) => ({ index: CoverageIndex.decode(new Uint8Array(bytes)), list: mine.list.name }));
  return sources.length === 0 ? null : combinedCoverage(sources, [address]);
}

/** The last good copy is still there, whole, and the failure is recorded. */
async function expectKeptWithError(kind: string) {
  const record = (await readList(url))!;
  expect(record.error?.kind).toBe(kind);
  expect(record.shards).toEqual(FIRST.manifest.shards.map((shard) => shard.sha256));
  expect((await lookup('https://alpha.example/story-3'))?.otherOutletCount).toBe(1);
}

describe('a first subscription', () => {
  it('downloads list.json and every shard, checks them and stores them', async () => {
    serve(FIRST);
    expect(await updateList(url, { now: 1000 })).toBe('updated');
    const record = (await readList(url))!;
    expect(record).toMatchObject({ name: 'Test list', storyCount: 3, updatedAt: 1000, checkedAt: 1000, error: null });
    expect(record.hosts).toEqual(['alpha.example', 'beta.example']);
    expect(requests.map((request) => request.path).sort()).toEqual(['/list.json', ...FIRST.manifest.shards.map((shard) => `/${shard.file}`)].sort());
    const coverage = await lookup('https://beta.example/story-2');
    expect(coverage?.otherOutlets.map((article) => article.url)).toEqual(['https://alpha.example/story-2']);
    expect(coverage?.lists).toEqual(['Test list']);
  });

  it('sends no cookie and no referrer, only the validators of the copy it holds', async () => {
    await subscribedGood();
    expect(await updateList(url)).toBe('unchanged');
    const [request] = requests;
    expect(request!.headers.cookie).toBeUndefined();
    expect(request!.headers.referer).toBeUndefined();
    expect(request!.headers['if-none-match']).toMatch(/^"[0-9a-f]{64}"$/);
  });
});

describe('updates', () => {
  it('fetch only the shard that changed', async () => {
    await subscribedGood();
    const next = publish([[story(1), story(2)], [story(3), story(4)]]);
    serve(next);
    expect(await updateList(url)).toBe('updated');
    expect(requests.map((request) => request.path)).toEqual(['/list.json', `/${next.manifest.shards[1]!.file}`]);
    expect((await lookup('https://alpha.example/story-4'))?.otherOutletCount).toBe(1);
    // The replaced shard is gone from storage; the kept one is still there once.
    const stored = await readListsWithShards();
    expect(stored.find((entry) => entry.list.url === url)!.shards).toHaveLength(2);
  });

  it('304 Not Modified keeps the copy and downloads nothing else', async () => {
    await subscribedGood();
    expect(await updateList(url, { now: 5000 })).toBe('unchanged');
    expect(requests.map((request) => request.path)).toEqual(['/list.json']);
    expect((await readList(url))!).toMatchObject({ checkedAt: 5000, error: null });
  });
});

describe('failures keep the last good copy and say why', () => {
  it.each([
    [404, 'http'],
    [500, 'http'],
  ])('list.json answers %i', async (status, kind) => {
    await subscribedGood();
    behaviour = (_request, response, path) => path === '/list.json' && Boolean(response.writeHead(status).end());
    expect(await updateList(url)).toBe('failed');
    await expectKeptWithError(kind);
    expect((await readList(url))!.error?.detail).toContain(String(status));
  });

  it('a shard answers 500', async () => {
    await subscribedGood();
    const next = publish([[story(1), story(2)], [story(3), story(5)]]);
    serve(next);
    behaviour = (_request, response, path) => path.startsWith('/shards/') && Boolean(response.writeHead(500).end());
    expect(await updateList(url)).toBe('failed');
    await expectKeptWithError('http');
  });

  it('a hanging server: the timeout fires', async () => {
    await subscribedGood();
    behaviour = () => true; // never answers
    expect(await updateList(url, { timeoutMs: 300 })).toBe('failed');
    await expectKeptWithError('timeout');
  });

  it('a body cut short', async () => {
    await subscribedGood();
    const next = publish([[story(1), story(2)], [story(3), story(6)]]);
    serve(next);
    behaviour = (_request, response, path) => {
      if (!path.startsWith('/shards/')) return false;
      const bytes = next.files.get(path)!;
      response.writeHead(200, { 'content-length': String(bytes.byteLength) });
      response.write(bytes.subarray(0, bytes.byteLength >> 1));
      response.destroy();
      return true;
    };
    expect(await updateList(url)).toBe('failed');
    // Node reports a cut body as a network error; a short complete body is 'truncated'.
    expect(['network', 'truncated']).toContain((await readList(url))!.error?.kind);
    await expectKeptWithError((await readList(url))!.error!.kind);
  });

  it('a shard shorter than list.json says', async () => {
    await subscribedGood();
    const next = publish([[story(1), story(2)], [story(3), story(7)]]);
    serve(next);
    behaviour = (_request, response, path) => path.startsWith('/shards/') && Boolean(response.writeHead(200).end(next.files.get(path)!.subarray(1)));
    expect(await updateList(url)).toBe('failed');
    await expectKeptWithError('truncated');
  });

  it('a shard whose bytes do not have the hash list.json names', async () => {
    await subscribedGood();
    const next = publish([[story(1), story(2)], [story(3), story(8)]]);
    serve(next);
    const impostor = encodeStories([story(9), story(10)]).subarray(0, next.manifest.shards[1]!.bytes);
    behaviour = (_request, response, path) => path === `/${next.manifest.shards[1]!.file}` && Boolean(response.writeHead(200).end(Buffer.concat([impostor, Buffer.alloc(next.manifest.shards[1]!.bytes - impostor.byteLength)])));
    expect(await updateList(url)).toBe('failed');
    await expectKeptWithError('hashMismatch');
  });

  it('a shard with the right hash that is not an index', async () => {
    await subscribedGood();
    const garbage = new TextEncoder().encode('not an index at all, just text');
    const hash = sha256(garbage);
    const next = publish([[story(1), story(2)]]);
    next.files.set(`/${shardFileName(hash)}`, garbage);
    serve(next, { ...next.manifest, shards: [...next.manifest.shards, { file: shardFileName(hash), sha256: hash, bytes: garbage.byteLength, stories: 1 }] });
    expect(await updateList(url)).toBe('failed');
    await expectKeptWithError('badShard');
  });

  it('an oversized list is refused before any shard is fetched', async () => {
    await subscribedGood();
    serve(FIRST, { ...FIRST.manifest, createdAt: '2026-12-01T00:00:00Z', shards: [{ ...FIRST.manifest.shards[0]!, bytes: MAX_LIST_BYTES }] });
    expect(await updateList(url)).toBe('failed');
    await expectKeptWithError('badList');
    expect(requests.map((request) => request.path)).toEqual(['/list.json']);
  });

  it('a shard larger than list.json says is cut off while reading', async () => {
    await subscribedGood();
    const next = publish([[story(1), story(2)], [story(3), story(11)]]);
    serve(next);
    behaviour = (_request, response, path) => path.startsWith('/shards/') && Boolean(response.writeHead(200).end(Buffer.concat([next.files.get(path)!, Buffer.alloc(64)])));
    expect(await updateList(url)).toBe('failed');
    await expectKeptWithError('tooLarge');
  });

  it.each([
    ['not JSON', '{"format": 1, "name": '],
    ['a JSON array', '[]'],
    ['no name', JSON.stringify({ ...FIRST.manifest, name: '' })],
    ['a shard path outside shards/', JSON.stringify({ ...FIRST.manifest, shards: [{ ...FIRST.manifest.shards[0]!, file: '../../secret.bin' }] })],
  ])('malformed list.json: %s', async (_label, text) => {
    await subscribedGood();
    behaviour = (_request, response, path) => path === '/list.json' && Boolean(response.writeHead(200).end(text));
    expect(await updateList(url)).toBe('failed');
    await expectKeptWithError('badList');
  });

  it('a list from a future format version says to update Elsewhere', async () => {
    await subscribedGood();
    serve(FIRST, { ...FIRST.manifest, format: LIST_FORMAT_VERSION + 1 });
    expect(await updateList(url)).toBe('failed');
    await expectKeptWithError('badList');
    expect((await readList(url))!.error?.detail).toMatch(/update Elsewhere/);
  });

  it('a list published in an older format says its publisher needs to publish it again', async () => {
    await subscribedGood();
    serve(FIRST, { ...FIRST.manifest, format: LIST_FORMAT_VERSION - 1 });
    expect(await updateList(url)).toBe('failed');
    await expectKeptWithError('badList');
    expect((await readList(url))!.error?.detail).toMatch(/older than this version of Elsewhere reads \(\d+\); its publisher needs to publish it again/);
  });

  it('a first subscription that fails stores nothing but the error', async () => {
    serve(FIRST, { ...FIRST.manifest, format: 99 });
    expect(await updateList(url)).toBe('failed');
    expect((await readList(url))!).toMatchObject({ name: null, shards: [], error: { kind: 'badList' } });
  });
});

describe('unsubscribing', () => {
  it('removes the record, and the shards once no list names them', async () => {
    const hashes = FIRST.manifest.shards.map((shard) => shard.sha256);
    for (const { list } of await readListsWithShards()) if (list.url !== url) await removeList(list.url);
    await subscribedGood();
    const second = `${url}&second`;
    await addList(second, Date.now());
    expect(await updateList(second)).toBe('updated');
    // The second list names the same shards: they were not downloaded again, and stay while it does.
    expect(requests.map((request) => request.path)).toEqual(['/list.json']);
    await removeList(url);
    expect(await readList(url)).toBeNull();
    expect([...(await storedShards(hashes))].sort()).toEqual([...hashes].sort());
    await removeList(second);
    expect((await storedShards(hashes)).size).toBe(0);
  });

  it('an update that finishes after the reader unsubscribed writes nothing', async () => {
    serve(FIRST);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    behaviour = (_request, response, path) => {
      if (path !== '/list.json') return false;
      void held.then(() => response.writeHead(200, { 'content-type': 'application/json' }).end(listJson));
      return true;
    };
    const update = updateList(url);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await removeList(url);
    release();
    expect(await update).toBe('unsubscribed');
    expect(await readList(url)).toBeNull();
  });
});
