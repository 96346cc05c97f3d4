import type { Settings } from './settings-schema';

/*
 * A build whose index has more outlets than the manifest lists one by one (src/build/manifest.ts,
 * MAX_LISTED_OUTLETS) runs its content script on every site. This file is the rule that keeps such
 * a build doing what a listing build does: badges on the outlets the index knows, and elsewhere
 * only with "All websites" on. Pure, so that it is tested in node; the background applies it
 * (src/background/outlet-sites.ts).
 */

/** The content script's match pattern in such a build: every http(s) page. */
export const EVERY_SITE_MATCH = '*://*/*';

/** The outlets' hostnames (without www.), one a line, bundled by the build (beside the index directory, which holds only the files its directory lists). */
export const OUTLET_HOSTS_FILE = 'outlet-hosts.txt';

export function parseOutletHosts(text: string): Set<string> {
  return new Set(text.split('\n').filter((line) => line !== ''));
}

/** Whether `hostname` is one of `hosts` or a subdomain of one: what the manifest's `*://*.HOST/*` patterns match. */
export function isOutletHost(hosts: ReadonlySet<string>, hostname: string): boolean {
  let host = hostname.toLowerCase().replace(/\.$/, '');
  for (;;) {
    if (hosts.has(host)) return true;
    const dot = host.indexOf('.');
    if (dot < 0) return false;
    host = host.slice(dot + 1);
  }
}

/**
 * Whether some host of `hosts` belongs to the outlet `domain` (a registrable domain): the hosts a
 * page's canonical link or og:url may name and still be trusted (src/core/url/page-signals.ts).
 */
export function hasOutletDomain(hosts: Iterable<string>, domain: string): boolean {
  const suffix = `.${domain}`;
  for (const host of hosts) if (host === domain || host.endsWith(suffix)) return true;
  return false;
}

/**
 * The settings a page gets: on a page outside the outlets, with "All websites" off, no link badges,
 * as a listing build would not have run there. The article badge needs no rule: it shows only on
 * an article some index knows (an outlet's, or its AMP-cache copy). `outletPage` is null in a
 * listing build, where the manifest did the choosing.
 */
export function pageSettings(settings: Settings, outletPage: boolean | null): Settings {
  return outletPage === false && !settings.allWebsites ? { ...settings, linkBadges: false } : settings;
}
