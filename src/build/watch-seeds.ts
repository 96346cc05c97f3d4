import { statSync, watch, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';
import { isSeedName, listSeedFolders } from './read-seeds';

/**
 * Quiet time after a change before rebuilding: an editor's save is several events (a write, a
 * rename, a change of attributes) within a few milliseconds, and a checkout writes many files.
 */
const SETTLE_MS = 100;

/** How often a watch whose seeds' folder went looks for it to come back. */
const ROOT_POLL_MS = 1000;

/**
 * Past this many seed files named by the events before a rebuild (a checkout, say), the rebuild
 * checks every file as a build does: a stat each costs less than keeping the names.
 */
const MAX_NAMED_CHANGES = 10_000;

export interface SeedWatcher {
  close(): void;
}

/**
 * Calls `rebuild` whenever seed files below `root` change, once the changes have settled, never
 * two at a time: a change during a rebuild makes one more after it. A rebuild in a process that
 * stays up is faster than a new command (issue 4: 1.0–1.3 s from the third one-change rebuild at
 * 100k seeds, against 1.6–1.7 s for a process's first).
 *
 * `rebuild` is told which seed files the events named (absolute paths), so that it stats those
 * and takes every other file as the cache last saw it: a stat of every file was half of a
 * one-change rebuild at 100k seeds (issue 4, session 15). It is told null, and checks every file
 * as a build does, when the events cannot say what changed: on the first rebuild (changes made
 * before the watch began are caught there), after a rebuild that failed (its changes may not have
 * reached the cache), after folders came or went, and past MAX_NAMED_CHANGES. It resolves whether
 * it built.
 *
 * Each folder is watched on its own. Node 20's recursive watch on Linux walked and tracked every
 * file: 4.1 s and ~270 MB before the first event at 100k seeds. Only events about seed files
 * count, and renames of folders (which list the folders again): the cache and `--out` may sit
 * below `root`, and their writes must not start another rebuild. If `root` itself goes, the watch
 * tells `onRootGone` and waits for it to come back.
 */
export function watchSeeds(root: string, rebuild: (changed: ReadonlySet<string> | null) => Promise<boolean>, onRootGone: () => void = () => undefined): SeedWatcher {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let pending = false;
  let foldersChanged = false;
  /** Seed files named by events since the last rebuild began; null when they cannot say what changed (see above). */
  let named: Set<string> | null = null;
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
        named = null;
        try {
          watchFolders();
        } catch {
          // The seeds' folder itself is gone or unreadable: the rebuild says what is wrong.
        }
      }
      const changed = named;
      named = new Set();
      let built = false;
      try {
        built = await rebuild(changed);
      } finally {
        if (!built) named = null;
      }
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
    } else if (file === null || named?.add(resolve(folder, file)).size === MAX_NAMED_CHANGES) {
      named = null;
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
