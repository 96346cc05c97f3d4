import { browser } from '../shared/browser';
import { canonicalise } from '../core/url/canonical';
import { outletDomain } from '../core/url/outlet';
import { EVERY_SITE_MATCH, hasOutletDomain, isOutletHost, OUTLET_HOSTS_FILE, pageSettings, parseOutletHosts } from '../shared/outlet-sites';
import type { Settings } from '../shared/settings-schema';
import { staticContentScript } from './all-websites';
import { readLists } from './lists/list-store';

/** Whether this build runs its content script on every site (an index with very many outlets: src/build/manifest.ts). */
export function runsEverywhere(): boolean {
  return staticContentScript()?.matches.includes(EVERY_SITE_MATCH) ?? false;
}

let outletHosts: Promise<Set<string>> | null = null;

/** The outlets' hosts, read once a background lifetime. */
function loadOutletHosts(): Promise<Set<string>> {
  outletHosts ??= fetch(browser.runtime.getURL(OUTLET_HOSTS_FILE)).then(async (response) => {
    if (!response.ok) throw new Error(`cannot read ${OUTLET_HOSTS_FILE}: ${response.status}`);
    return parseOutletHosts(await response.text());
  });
  // A failed read must not poison every later page.
  outletHosts.catch(() => {
    outletHosts = null;
  });
  return outletHosts;
}

/** Whether `hostname` is an outlet of the bundled index or of a subscribed list. */
async function isOutletPage(hostname: string): Promise<boolean> {
  if (isOutletHost(await loadOutletHosts(), hostname)) return true;
  const lists = await readLists();
  return lists.some((list) => isOutletHost(new Set(list.hosts), hostname));
}

/** The settings for the page at `url` (see pageSettings): unchanged in a build that lists its outlets. */
export async function settingsForPage(settings: Settings, url: string | undefined): Promise<Settings> {
  if (!runsEverywhere() || settings.allWebsites) return settings;
  const hostname = url !== undefined && URL.canParse(url) ? new URL(url).hostname : '';
  return pageSettings(settings, await isOutletPage(hostname));
}

/**
 * Whether the page at `url` could be known by its canonical link or og:url: only when the bundled
 * index or a subscribed list has an article on the page's own outlet, judged as pageAddresses
 * judges it (after unwrapping an AMP cache's address). Elsewhere the page is not asked to read them.
 */
export async function signalsMayMatch(url: string): Promise<boolean> {
  const page = canonicalise(url);
  if (!page) return false;
  const domain = outletDomain(page.hostname);
  if (hasOutletDomain(await loadOutletHosts(), domain)) return true;
  return (await readLists()).some((list) => hasOutletDomain(list.hosts, domain));
}
