import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StringColumn } from './columns';
import { writeFully } from './index-file';
import { listSeedFiles } from './read-seeds';
import { contentHash } from './seed-records';

/**
 * The last listing of a seed folder, reused while no folder in it has changed, as git's untracked
 * cache does. Listing 100k seeds took a rebuild's main thread ~0.25 s (readdir, then a Dirent and
 * a path per file), a quarter of a one-change rebuild (issue 4), and an edit that writes a file in
 * place changes no folder.
 *
 * A folder's entries change (a file added, removed or renamed) only with its status-change time,
 * which no tool can set back: setting a time changes it too. So the listing is reused while every
 * folder it walked has the inode and ctime it had just before it was read. A folder changed within
 * RACY_WINDOW_MS before the listing may change again within the clock's granularity without its
 * ctime moving, so such a listing is not reused.
 *
 * The seed cache's manifest records the hash of the listing its rows are (SeedCache.rowsListing). When
 * the listing still holds and has that hash, its files are the manifest's paths: they are taken
 * from there, and the listing's own paths are not read. Reading, checking and splitting them, then
 * comparing them with the manifest's, was ~170 ms of a 100k rebuild's main thread (issue 4).
 */

const LISTING_FILE = 'seed-listing.bin';
/** Bump when the file's layout changes. */
const LISTING_VERSION = 1;
const RACY_WINDOW_MS = 2000;

/** A folder as it was just before it was listed. */
type FolderStamp = [path: string, ino: number, ctimeMs: number];

interface ListingHead {
  version: number;
  /** The cache's key: a change to the code that decides what a seed file is lists again. */
  key: string;
  root: string;
  listedAt: number;
  folders: FolderStamp[];
  count: number;
  /** sha1 of the paths as written: a damaged file is listed again, not trusted. */
  pathsHash: string;
}

export interface ListingOptions {
  /** Tests shorten it; see RACY_WINDOW_MS. */
  racyWindowMs?: number;
  /** Files whose listing had this hash (the seed cache's manifest rows): returned as they are when the listing still holds and has it. */
  known?: { pathsHash: string; paths: StringColumn } | null;
  /** Told how many seed files a fresh listing has found so far, after each folder (listSeedFiles). */
  onFound?: (count: number) => void;
  /** Keep a fresh listing only when Listing.keep() is called, not before returning it. */
  keepLater?: boolean;
}

export interface Listing {
  files: string[];
  /** Whether the kept listing held (no folder changed since it was taken). */
  reused: boolean;
  /** sha1 of the paths, NUL-separated: what the seed cache records as the listing its rows are. Null without a cache, and until keep() with `keepLater`. */
  pathsHash: string | null;
  /** Keeps a fresh listing in the cache, if that was left for later (`keepLater`), and gives pathsHash. */
  keep(): string | null;
}

/** Bytes of the listing file read first for its head: a folder stamp is ~100 bytes, so a head seldom needs more. */
const HEAD_READ_BYTES = 1 << 16;

/** The first `bytes` of the file at `path` (all of it when it is shorter), or null when it cannot be read. */
function readStart(path: string, bytes: number): Buffer | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const start = Buffer.allocUnsafe(bytes);
      return start.subarray(0, readSync(fd, start, 0, bytes, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** The listing file's head (before its first NUL), and the whole file when the first read held all of it or the head needed more; null when there is none. */
function readListing(path: string): { head: string; file: Buffer | null; headEnd: number } | null {
  const start = readStart(path, HEAD_READ_BYTES);
  if (!start) return null;
  const whole = start.length < HEAD_READ_BYTES;
  const startHeadEnd = start.indexOf(0);
  if (startHeadEnd !== -1) return { head: start.toString('utf8', 0, startHeadEnd), file: whole ? start : null, headEnd: startHeadEnd };
  if (whole) return null;
  try {
    const file = readFileSync(path);
    const headEnd = file.indexOf(0);
    return headEnd === -1 ? null : { head: file.toString('utf8', 0, headEnd), file, headEnd };
  } catch {
    return null;
  }
}

/** A folder that cannot be stat-ed gets a stamp that never matches; reading it reports the error. */
function stampOf(folder: string): FolderStamp {
  try {
    const { ino, ctimeMs } = statSync(folder);
    return [folder, ino, ctimeMs];
  } catch {
    return [folder, -1, Number.NaN];
  }
}

/** The files of the listing in `cacheDir` and their hash, when it is of `root` under `key` and no folder of it has changed since. */
function reusable(cacheDir: string, key: string, root: string, racyWindowMs: number, known: ListingOptions['known']): { files: string[]; pathsHash: string } | null {
  const path = join(cacheDir, LISTING_FILE);
  const read = readListing(path);
  if (!read) return null;
  let head: ListingHead;
  try {
    head = JSON.parse(read.head) as ListingHead;
  } catch {
    return null;
  }
  if (head.version !== LISTING_VERSION || head.key !== key || head.root !== root || !Array.isArray(head.folders) || typeof head.pathsHash !== 'string') return null;
  for (const [folder, ino, ctimeMs] of head.folders) {
    if (ctimeMs + racyWindowMs >= head.listedAt) return null;
    const now = stampOf(folder);
    if (now[1] !== ino || now[2] !== ctimeMs) return null;
  }
  if (known && known.pathsHash === head.pathsHash && known.paths.count === head.count) {
    return { files: Array.from({ length: known.paths.count }, (_unused, i) => known.paths.at(i)), pathsHash: head.pathsHash };
  }
  let file = read.file;
  try {
    file ??= readFileSync(path);
  } catch {
    return null;
  }
  const paths = file.subarray(read.headEnd + 1);
  if (contentHash(paths) !== head.pathsHash) return null;
  const files = head.count === 0 ? [] : paths.toString('utf8').split('\0');
  return files.length === head.count ? { files, pathsHash: head.pathsHash } : null;
}

/**
 * listSeedFiles(root), from the listing kept in `cacheDir` when it still holds; otherwise listed
 * and kept there, at once or, with `keepLater`, when Listing.keep() is called. Paths are separated
 * by NUL in the file, the one byte no path can hold.
 */
export function listSeedFilesReusing(root: string, cacheDir: string | null, key: string, { racyWindowMs = RACY_WINDOW_MS, known = null, onFound, keepLater = false }: ListingOptions = {}): Listing {
  if (cacheDir === null) return listed(listSeedFiles(root, undefined, onFound), false, null);
  const reused = reusable(cacheDir, key, root, racyWindowMs, known);
  if (reused) return listed(reused.files, true, reused.pathsHash);
  const listedAt = Date.now();
  const folders: FolderStamp[] = [];
  const files = listSeedFiles(root, (folder) => folders.push(stampOf(folder)), onFound);
  const listing: Listing = {
    files,
    reused: false,
    pathsHash: null,
    keep: () => (listing.pathsHash ??= keepListing(cacheDir, { version: LISTING_VERSION, key, root, listedAt, folders, count: files.length }, files)),
  };
  if (!keepLater) listing.keep();
  return listing;
}

function listed(files: string[], reused: boolean, pathsHash: string | null): Listing {
  return { files, reused, pathsHash, keep: () => pathsHash };
}

/** Writes the listing of `files` in `cacheDir`, and gives the hash of its paths. */
function keepListing(cacheDir: string, head: Omit<ListingHead, 'pathsHash'>, files: readonly string[]): string {
  const paths = Buffer.from(files.join('\0'));
  const pathsHash = contentHash(paths);
  try {
    mkdirSync(cacheDir, { recursive: true });
    const temporary = join(cacheDir, `${LISTING_FILE}.${process.pid}.tmp`);
    // The head, then the paths, written where they are: joined first, they were a copy of ~4 MB
    // of paths into fresh memory at 100k seeds (~60 ms of a cold build, issue 4).
    const headBytes = Buffer.from(`${JSON.stringify({ ...head, pathsHash } satisfies ListingHead)}\0`);
    const fd = openSync(temporary, 'w');
    try {
      writeFully(fd, headBytes, 0);
      writeFully(fd, paths, headBytes.length);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, join(cacheDir, LISTING_FILE));
  } catch {
    // A listing that cannot be kept is listed again next time.
  }
  return pathsHash;
}
