import { checkSubscriptionUrl } from '../../core/list/subscription-url';
import { browser } from '../../shared/browser';
import type { ListStatus, SubscriptionReply } from '../../shared/protocol';
import { forgetLoadedLists } from './list-sources';
import { addList, readLists, removeList, type StoredList } from './list-store';
import { updateList } from './update-list';

/** Issue 7: lists are checked every 6 hours by default. */
export const LIST_UPDATE_ALARM = 'elsewhere-list-update';
export const LIST_UPDATE_PERIOD_MINUTES = 6 * 60;

/** Whether a granted origin pattern (`*://*.example.com/*`, `https://example.com/*`, `<all_urls>`) covers a host. */
function patternCoversHost(pattern: string, host: string): boolean {
  if (pattern === '<all_urls>') return true;
  const match = /^[^:]+:\/\/([^/]+)\//.exec(pattern);
  if (!match) return false;
  const patternHost = match[1]!;
  if (patternHost === '*') return true;
  if (patternHost.startsWith('*.')) {
    const domain = patternHost.slice(2);
    return host === domain || host.endsWith(`.${domain}`);
  }
  return host === patternHost;
}

async function statusOf(lists: StoredList[]): Promise<ListStatus[]> {
  const { origins = [] } = await browser.permissions.getAll();
  return lists.map(({ url, name, homepage, storyCount, bytes, updatedAt, checkedAt, error, hosts }) => ({
    url,
    name,
    homepage,
    storyCount,
    bytes,
    updatedAt,
    checkedAt,
    error,
    uncoveredHosts: hosts.filter((host) => !origins.some((pattern) => patternCoversHost(pattern, host))),
  }));
}

export async function listStatuses(): Promise<ListStatus[]> {
  return statusOf(await readLists());
}

/** Subscribes and fetches the list at once, so the reader sees its name, size or error right away. */
export async function subscribe(text: string): Promise<SubscriptionReply> {
  const checked = checkSubscriptionUrl(text);
  if ('problem' in checked) return { problem: checked.problem, lists: await listStatuses() };
  if (await addList(checked.url, Date.now())) await refreshList(checked.url);
  return { problem: null, lists: await listStatuses() };
}

export async function unsubscribe(url: string): Promise<ListStatus[]> {
  await removeList(url);
  forgetLoadedLists();
  return listStatuses();
}

async function refreshList(url: string): Promise<void> {
  if ((await updateList(url)) === 'updated') forgetLoadedLists();
}

/** Updates every list (the alarm, or "Update now" without a list), one after another. */
export async function updateLists(url?: string): Promise<ListStatus[]> {
  const urls = url === undefined ? (await readLists()).map((list) => list.url) : [url];
  for (const each of urls) await refreshList(each);
  return listStatuses();
}

/** Makes sure the periodic update exists; alarms may not survive a browser restart, so this runs at start-up too. */
export async function scheduleListUpdates(): Promise<void> {
  if (await browser.alarms.get(LIST_UPDATE_ALARM)) return;
  await browser.alarms.create(LIST_UPDATE_ALARM, { periodInMinutes: LIST_UPDATE_PERIOD_MINUTES, delayInMinutes: LIST_UPDATE_PERIOD_MINUTES });
}
