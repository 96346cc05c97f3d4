import type { ListError } from '../../core/list/list-error';

/*
 * Subscribed lists live in IndexedDB (issue 7), not storage.local: shards are binary, up to 50 MB
 * a list, and IndexedDB stores ArrayBuffers as they are, outside the extension storage quota. It
 * survives browser restarts and worker kills.
 *
 * Two object stores:
 *   lists   one record per subscription, keyed by its list.json address
 *   shards  shard bytes keyed by SHA-256, shared by every list that names them
 *
 * An update writes its new shards, its list record and the removal of shards nobody names any more
 * in ONE transaction, and lookups read records and shards in one transaction too: IndexedDB
 * transactions are atomic and isolated, so a lookup sees the old list or the new one, never a mix,
 * and a failed update leaves the last good copy as it was.
 */

const DB_NAME = 'elsewhere-lists';
const DB_VERSION = 1;
const LISTS = 'lists';
const SHARDS = 'shards';

/** What Elsewhere knows of one subscription. Fields from list.json are null until the first good update. */
export interface StoredList {
  /** The list.json address the reader subscribed to. */
  url: string;
  addedAt: number;
  name: string | null;
  homepage: string | null;
  /** list.json's createdAt of the copy we hold. */
  createdAt: string | null;
  storyCount: number;
  addressCount: number;
  /** Bytes of the shards we hold. */
  bytes: number;
  /** SHA-256 of each shard of the copy we hold. */
  shards: string[];
  /** Outlet hosts of the copy we hold, for the host-access notice in settings. */
  hosts: string[];
  /** Validators for the next conditional request. */
  etag: string | null;
  lastModified: string | null;
  /** When Elsewhere last asked the server, and when it last got a new copy. */
  checkedAt: number | null;
  updatedAt: number | null;
  /** Why the last attempt failed; null after a success. */
  error: ListError | null;
}


export function newListRecord(url: string, now: number): StoredList {
  return {
    url,
    addedAt: now,
    name: null,
    homepage: null,
    createdAt: null,
    storyCount: 0,
    addressCount: 0,
    bytes: 0,
    shards: [],
    hosts: [],
    etag: null,
    lastModified: null,
    checkedAt: null,
    updatedAt: null,
    error: null,
  };
}

let opening: Promise<IDBDatabase> | null = null;

function database(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(LISTS)) db.createObjectStore(LISTS, { keyPath: 'url' });
      if (!db.objectStoreNames.contains(SHARDS)) db.createObjectStore(SHARDS);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
  });
  // A failed open (private mode, storage pressure) must not poison later attempts.
  opening.catch(() => {
    opening = null;
  });
  return opening;
}

function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** Runs `work` in one transaction and resolves once it has committed, with what `work` returned. */
async function transact<T>(mode: IDBTransactionMode, work: (lists: IDBObjectStore, shards: IDBObjectStore) => Promise<T>): Promise<T> {
  const db = await database();
  const transaction = db.transaction([LISTS, SHARDS], mode);
  const done = new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
  try {
    const result = await work(transaction.objectStore(LISTS), transaction.objectStore(SHARDS));
    await done;
    return result;
  } catch (error) {
    // Abort so nothing half-written commits; the abort itself may fail if it already ended.
    try {
      transaction.abort();
    } catch {
      /* already finished */
    }
    done.catch(() => {});
    throw error;
  }
}

/** Deletes shards that no list names. Runs inside the caller's transaction. */
async function dropUnnamedShards(lists: IDBObjectStore, shards: IDBObjectStore): Promise<void> {
  const named = new Set((await settle(lists.getAll() as IDBRequest<StoredList[]>)).flatMap((list) => list.shards));
  for (const key of await settle(shards.getAllKeys())) {
    if (!named.has(key as string)) shards.delete(key);
  }
}

export function readLists(): Promise<StoredList[]> {
  return transact('readonly', async (lists) => (await settle(lists.getAll() as IDBRequest<StoredList[]>)).sort((a, b) => a.addedAt - b.addedAt));
}

export function readList(url: string): Promise<StoredList | null> {
  return transact('readonly', async (lists) => ((await settle(lists.get(url))) as StoredList | undefined) ?? null);
}

/** Every list with the bytes of its shards, read in one transaction: one consistent snapshot. */
export function readListsWithShards(): Promise<Array<{ list: StoredList; shards: ArrayBuffer[] }>> {
  return transact('readonly', async (lists, shards) => {
    const records = (await settle(lists.getAll() as IDBRequest<StoredList[]>)).sort((a, b) => a.addedAt - b.addedAt);
    return Promise.all(
      records.map(async (list) => ({
        list,
        shards: (await Promise.all(list.shards.map((sha) => settle(shards.get(sha) as IDBRequest<ArrayBuffer | undefined>)))).filter(
          (bytes): bytes is ArrayBuffer => bytes instanceof ArrayBuffer,
        ),
      })),
    );
  });
}

/** The stored bytes of these shards; missing ones are absent from the map. */
export function readShards(hashes: readonly string[]): Promise<Map<string, ArrayBuffer>> {
  return transact('readonly', async (_lists, shards) => {
    const found = new Map<string, ArrayBuffer>();
    for (const hash of hashes) {
      const bytes = (await settle(shards.get(hash))) as unknown;
      if (bytes instanceof ArrayBuffer) found.set(hash, bytes);
    }
    return found;
  });
}

/** Which of these shards are stored already, under any list: those need no download. */
export function storedShards(hashes: readonly string[]): Promise<Set<string>> {
  return transact('readonly', async (_lists, shards) => {
    const keys = new Set((await settle(shards.getAllKeys())) as string[]);
    return new Set(hashes.filter((hash) => keys.has(hash)));
  });
}

/** Adds a subscription; returns false when it exists already. */
export function addList(url: string, now: number): Promise<boolean> {
  return transact('readwrite', async (lists) => {
    if (await settle(lists.getKey(url))) return false;
    lists.put(newListRecord(url, now));
    return true;
  });
}

/** Removes a subscription and the shards only it named. */
export function removeList(url: string): Promise<void> {
  return transact('readwrite', async (lists, shards) => {
    await settle(lists.delete(url));
    await dropUnnamedShards(lists, shards);
  });
}

/**
 * Saves the outcome of an update attempt: `change` maps the stored record to the new one inside
 * the transaction, so it never overwrites fresher state. With `newShards` it installs a new copy:
 * the shards, the record and the clean-up commit together or not at all. Returns false, writing
 * nothing, when the reader unsubscribed while the update was downloading.
 */
export function saveList(url: string, change: (current: StoredList) => StoredList, newShards: ReadonlyMap<string, ArrayBuffer> = new Map()): Promise<boolean> {
  return transact('readwrite', async (lists, shards) => {
    const current = (await settle(lists.get(url))) as StoredList | undefined;
    if (!current) return false;
    for (const [hash, bytes] of newShards) shards.put(bytes, hash);
    lists.put(change(current));
    if (newShards.size > 0) await dropUnnamedShards(lists, shards);
    return true;
  });
}
