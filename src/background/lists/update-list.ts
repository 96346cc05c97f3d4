import { CoverageIndex, IndexFormatError } from '../../core/index/coverage-index';
import { MAX_LIST_MANIFEST_BYTES, parseListManifest, type ListManifest, type ListShard } from '../../core/list/list-manifest';
import type { ListError, ListErrorKind } from '../../core/list/list-error';
import { keyHost } from '../../core/url/canonical';
import { readList, readShards, saveList, storedShards, type StoredList } from './list-store';

/** Issue 7: an update that takes longer than this is abandoned, keeping the last good copy. */
export const LIST_UPDATE_TIMEOUT_MS = 30_000;
/** Shards fetched at once: enough to hide latency, few enough not to hog the reader's connection. */
const PARALLEL_SHARD_DOWNLOADS = 4;
/** Outlet hosts remembered per list, for the host-access notice: beyond this the notice is only a count anyway. */
export const MAX_LIST_HOSTS = 10_000;

/**
 * Every list request carries nothing about the reader (issue 7, privacy): no cookies, no referrer,
 * no cache the browser would revalidate on its own. The conditional headers are ours, from the
 * last good copy.
 */
const PRIVATE_REQUEST: RequestInit = { credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store' };

export class ListUpdateError extends Error {
  constructor(
    readonly kind: ListErrorKind,
    readonly detail: string,
  ) {
    super(`${kind}: ${detail}`);
  }
}

export type UpdateOutcome = 'updated' | 'unchanged' | 'failed' | 'unsubscribed';

/** Reads a body, refusing to hold more than `limit` bytes whatever the server claims or sends. */
async function readBody(response: Response, limit: number, what: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limit) throw new ListUpdateError('tooLarge', `${what} is ${declared} bytes, more than the ${limit} allowed`);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new ListUpdateError('tooLarge', `${what} is more than the ${limit} bytes allowed`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Downloads one shard and proves it is the shard list.json names and a sound index. */
async function downloadShard(listUrl: string, shard: ListShard, signal: AbortSignal): Promise<ArrayBuffer> {
  const response = await fetch(new URL(shard.file, listUrl), { ...PRIVATE_REQUEST, signal });
  if (!response.ok) throw new ListUpdateError('http', `${response.status} for ${shard.file}`);
  const bytes = await readBody(response, shard.bytes, shard.file);
  if (bytes.byteLength !== shard.bytes) throw new ListUpdateError('truncated', `${shard.file} has ${bytes.byteLength} of its ${shard.bytes} bytes`);
  if ((await sha256Hex(bytes as Uint8Array<ArrayBuffer>)) !== shard.sha256) throw new ListUpdateError('hashMismatch', `${shard.file} does not have the SHA-256 list.json names`);
  try {
    CoverageIndex.decode(bytes);
  } catch (error) {
    if (error instanceof IndexFormatError) throw new ListUpdateError('badShard', `${shard.file}: ${error.message}`);
    throw error;
  }
  return bytes.buffer as ArrayBuffer;
}

async function downloadMissing(listUrl: string, shards: readonly ListShard[], signal: AbortSignal): Promise<Map<string, ArrayBuffer>> {
  const downloaded = new Map<string, ArrayBuffer>();
  const queue = [...shards];
  const worker = async () => {
    for (let shard = queue.shift(); shard; shard = queue.shift()) downloaded.set(shard.sha256, await downloadShard(listUrl, shard, signal));
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SHARD_DOWNLOADS, shards.length) }, worker));
  return downloaded;
}

/** Outlet hosts of a list's shards, sorted, at most MAX_LIST_HOSTS. */
function hostsOf(shards: Iterable<ArrayBuffer>): string[] {
  const hosts = new Set<string>();
  for (const bytes of shards) {
    const index = CoverageIndex.decode(new Uint8Array(bytes), { verify: 'lazy' });
    for (let id = 0; id < index.header.articleCount && hosts.size < MAX_LIST_HOSTS; id++) {
      for (const key of index.article(id).keys) hosts.add(keyHost(key));
    }
  }
  return [...hosts].sort().slice(0, MAX_LIST_HOSTS);
}

function describeFailure(error: unknown): ListError {
  if (error instanceof ListUpdateError) return { kind: error.kind, detail: error.detail };
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { kind: 'timeout', detail: error.message };
  // fetch rejects with a TypeError for DNS, TLS, refused connections, CORS refusals and cut bodies alike.
  if (error instanceof TypeError) return { kind: 'network', detail: error.message };
  return { kind: 'storage', detail: error instanceof Error ? error.message : String(error) };
}

async function fetchNewCopy(record: StoredList, signal: AbortSignal): Promise<{ manifest: ListManifest; shards: Map<string, ArrayBuffer>; validators: Pick<StoredList, 'etag' | 'lastModified'> } | null> {
  const headers = new Headers();
  // Validators only make sense while we hold the copy they describe.
  if (record.updatedAt !== null && record.etag) headers.set('If-None-Match', record.etag);
  if (record.updatedAt !== null && record.lastModified) headers.set('If-Modified-Since', record.lastModified);
  const response = await fetch(record.url, { ...PRIVATE_REQUEST, headers, signal });
  if (response.status === 304) return null;
  if (!response.ok) throw new ListUpdateError('http', `${response.status} for list.json`);
  const text = new TextDecoder().decode(await readBody(response, MAX_LIST_MANIFEST_BYTES, 'list.json'));
  const parsed = parseListManifest(text);
  if ('error' in parsed) throw new ListUpdateError('badList', parsed.error);
  const { manifest } = parsed;
  const wanted = manifest.shards.map((shard) => shard.sha256);
  const validators = { etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') };
  if (record.updatedAt !== null && manifest.createdAt === record.createdAt && wanted.join() === record.shards.join()) return null;
  const have = await storedShards(wanted);
  const downloaded = await downloadMissing(response.url || record.url, manifest.shards.filter((shard) => !have.has(shard.sha256)), signal);
  return { manifest, shards: downloaded, validators };
}

export interface UpdateOptions {
  now?: number;
  /** Tests shorten it; the product always uses LIST_UPDATE_TIMEOUT_MS. */
  timeoutMs?: number;
}

async function runUpdate(url: string, { now = Date.now(), timeoutMs = LIST_UPDATE_TIMEOUT_MS }: UpdateOptions): Promise<UpdateOutcome> {
  const record = await readList(url);
  if (!record) return 'unsubscribed';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no complete answer within ${timeoutMs / 1000} s`, 'TimeoutError')), timeoutMs);
  try {
    const copy = await fetchNewCopy(record, controller.signal);
    if (!copy) {
      const saved = await saveList(url, (current) => ({ ...current, checkedAt: now, error: null }));
      return saved ? 'unchanged' : 'unsubscribed';
    }
    const { manifest, shards: downloaded, validators } = copy;
    const wanted = manifest.shards.map((shard) => shard.sha256);
    const kept = await readShards(wanted.filter((hash) => !downloaded.has(hash)));
    const hosts = hostsOf([...downloaded.values(), ...kept.values()]);
    const saved = await saveList(
      url,
      (current) => ({
        ...current,
        ...validators,
        name: manifest.name,
        homepage: manifest.homepage,
        createdAt: manifest.createdAt,
        storyCount: manifest.storyCount,
        addressCount: manifest.addressCount,
        bytes: manifest.shards.reduce((sum, shard) => sum + shard.bytes, 0),
        shards: wanted,
        hosts,
        checkedAt: now,
        updatedAt: now,
        error: null,
      }),
      downloaded,
    );
    return saved ? 'updated' : 'unsubscribed';
  } catch (failure) {
    const error = describeFailure(failure);
    // The last good copy stays as it is; only the attempt is recorded. Saving can fail too (the
    // storage that failed above), and then there is nothing better to do than report 'failed'.
    await saveList(url, (current) => ({ ...current, checkedAt: now, error })).catch(() => false);
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}

const running = new Map<string, Promise<UpdateOutcome>>();

/**
 * Updates one list: all or nothing, never throwing. An update already running for the same list
 * is joined rather than raced, so an alarm and "Update now" cannot interleave their writes.
 */
export function updateList(url: string, options: UpdateOptions = {}): Promise<UpdateOutcome> {
  const existing = running.get(url);
  if (existing) return existing;
  const update = runUpdate(url, options).finally(() => running.delete(url));
  running.set(url, update);
  return update;
}
