import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** The files of the listing in `cacheDir`, when it is of `root` under `key` and no folder of it has changed since. */
function reusable(cacheDir: string, key: string, root: string, racyWindowMs: number): string[] | null {
  let file: Buffer;
  try {
    file = readFileSync(join(cacheDir, LISTING_FILE));
  } catch {
    return null;
  }
  const headEnd = file.indexOf(0);
  if (headEnd === -1) return null;
  let head: ListingHead;
  try {
    head = JSON.parse(file.toString('utf8', 0, headEnd)) as ListingHead;
  } catch {
    return null;
  }
  if (head.version !== LISTING_VERSION || head.key !== key || head.root !== root || !Array.isArray(head.folders)) return null;
  for (const [path, ino, ctimeMs] of head.folders) {
    if (ctimeMs + racyWindowMs >= head.listedAt) return null;
    const now = stampOf(path);
    if (now[1] !== ino || now[2] !== ctimeMs) return null;
  }
  const paths = file.subarray(headEnd + 1);
  if (contentHash(paths) !== head.pathsHash) return null;
  const files = head.count === 0 ? [] : paths.toString('utf8').split('\0');
  return files.length === head.count ? files : null;
}

/**
 * listSeedFiles(root), from the listing kept in `cacheDir` when it still holds, and kept there
 * otherwise. Paths are separated by NUL in the file, the one byte no path can hold.
 */
export function listSeedFilesReusing(root: string, cacheDir: string | null, key: string, { racyWindowMs = RACY_WINDOW_MS }: ListingOptions = {}): { files: string[]; reused: boolean } {
  if (cacheDir === null) return { files: listSeedFiles(root), reused: false };
  const reused = reusable(cacheDir, key, root, racyWindowMs);
  if (reused) return { files: reused, reused: true };
  const listedAt = Date.now();
  const folders: FolderStamp[] = [];
  const files = listSeedFiles(root, (folder) => folders.push(stampOf(folder)));
  try {
    const paths = Buffer.from(files.join('\0'));
    const head: ListingHead = { version: LISTING_VERSION, key, root, listedAt, folders, count: files.length, pathsHash: contentHash(paths) };
    mkdirSync(cacheDir, { recursive: true });
    const temporary = join(cacheDir, `${LISTING_FILE}.${process.pid}.tmp`);
    writeFileSync(temporary, Buffer.concat([Buffer.from(`${JSON.stringify(head)}\0`), paths]));
    renameSync(temporary, join(cacheDir, LISTING_FILE));
  } catch {
    // A listing that cannot be kept is listed again next time.
  }
  return { files, reused: false };
}
