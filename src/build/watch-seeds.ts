import { statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { isSeedName, listSeedFolders } from './read-seeds';

/**
 * Quiet time after a change before rebuilding: an editor's save is several events (a write, a
 * rename, a change of attributes) within a few milliseconds, and a checkout writes many files.
 */
const SETTLE_MS = 100;

/** How often a watch whose seeds' folder went looks for it to come back. */
const ROOT_POLL_MS = 1000;

export interface SeedWatcher {
  close(): void;
}

/**
 * Calls `rebuild` whenever seed files below `root` change, once the changes have settled, never
 * two at a time: a change during a rebuild makes one more after it. A rebuild in a process that
 * stays up is faster than a new command (issue 4: 1.0–1.3 s from the third one-change rebuild at
 * 100k seeds, against 1.6–1.7 s for a process's first), and the rebuild itself still finds what
 * changed by its cache, so an event missed or merged costs nothing but a rebuild.
 *
 * Each folder is watched on its own. Node 20's recursive watch on Linux walked and tracked every
 * file: 4.1 s and ~270 MB before the first event at 100k seeds. Only events about seed files
 * count, and renames of folders (which list the folders again): the cache and `--out` may sit
 * below `root`, and their writes must not start another rebuild. If `root` itself goes, the watch
 * tells `onRootGone` and waits for it to come back.
 */
export function watchSeeds(root: string, rebuild: () => Promise<void>, onRootGone: () => void = () => undefined): SeedWatcher {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let pending = false;
  let foldersChanged = false;
  let closed = false;
  /** Set while the seeds' folder itself is missing (removed, or moved away and made again): its watcher watched the old one. */
  let awaitingRoot: NodeJS.Timeout | null = null;

  const watchFolders = (): void => {
    const folders = new Set(listSeedFolders(root));
    for (const [folder, watcher] of watchers) {
      if (folders.has(folder)) continue;
      watcher.close();
      watchers.delete(folder);
    }
    for (const folder of folders) {
      if (watchers.has(folder)) continue;
      try {
        // A folder removed under its watcher: the next listing drops it.
        watchers.set(folder, watch(folder, (event, name) => changed(folder, event, name)).on('error', () => undefined));
      } catch {
        // Gone between the listing and the watch: nothing to watch.
      }
    }
  };

  const run = async (): Promise<void> => {
    timer = null;
    if (running) {
      pending = true;
      return;
    }
    running = true;
    try {
      if (!isFolder(root)) {
        waitForRoot();
        return;
      }
      if (foldersChanged) {
        foldersChanged = false;
        try {
          watchFolders();
        } catch {
          // The seeds' folder itself is gone or unreadable: the rebuild says what is wrong.
        }
      }
      await rebuild();
    } finally {
      running = false;
    }
    if (pending && !closed) {
      pending = false;
      schedule();
    }
  };

  /** Polls for the seeds' folder to be back (once a second), then watches and builds it afresh. */
  const waitForRoot = (): void => {
    if (awaitingRoot || closed) return;
    onRootGone();
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
    awaitingRoot = setInterval(() => {
      if (!isFolder(root)) return;
      clearInterval(awaitingRoot!);
      awaitingRoot = null;
      foldersChanged = true;
      schedule();
    }, ROOT_POLL_MS);
  };

  const schedule = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void run(), SETTLE_MS);
  };

  function changed(folder: string, event: string, name: string | Buffer | null): void {
    const file = name === null ? null : String(name);
    if (file !== null && !isSeedName(file)) {
      // A folder that came, or one watched that went, or the seeds' folder itself moved or
      // removed (its watcher names it by its own name); anything else (a cache's temporary file,
      // the index written to --out) is not a seed.
      const path = join(folder, file);
      if (event !== 'rename' || !(watchers.has(path) || isFolder(path) || !isFolder(root))) return;
      foldersChanged = true;
    }
    schedule();
  }

  watchFolders();
  return {
    close(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      if (awaitingRoot) clearInterval(awaitingRoot);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
