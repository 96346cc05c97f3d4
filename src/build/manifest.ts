import type { ManifestV3Export } from '@crxjs/vite-plugin';
import { EVERY_SITE_MATCH } from '../shared/outlet-sites';

export type BrowserTarget = 'chrome' | 'firefox';
export const BROWSER_TARGETS: readonly BrowserTarget[] = ['chrome', 'firefox'];

/** Stable add-on id: Firefox keys storage and permissions by it, so it must never change. */
export const GECKO_ID = 'elsewhere@elsewhere-news.org';
/** 140 is the first Firefox (ESR) that understands data_collection_permissions; Android got it in 142. */
export const GECKO_MIN_VERSION = '140.0';
export const GECKO_ANDROID_MIN_VERSION = '142.0';

/**
 * Host access for the background only, never for the content script (issue 3). A known article
 * opened through an AMP cache (`https://<hash>.cdn.ampproject.org/c/s/www.cnet.com/…`) is served
 * from Google's host, and Chromium reveals a tab's address to `tabs.onUpdated` only for hosts the
 * extension may access; without this the toolbar count stays blank there. The address alone names
 * the article (its path carries the origin), so no script needs to run on every publisher's AMP
 * pages: it is not added to the content-script matches. AMP caches serve https only.
 */
export const AMP_CACHE_HOST_PATTERNS: readonly string[] = ['https://*.cdn.ampproject.org/*'];

/**
 * The most outlets the manifest lists one by one. Chromium's cost of loading an extension grows
 * faster than linearly with the patterns of its host lists, at every browser start. Over the 7
 * patterns of the real seeds' build, with both lists grown (`npx tsx bench/extension-load.ts`,
 * medians of 3–5 launches at load 9–19): 200 outlets add nothing measurable, 500 add 2.7 s,
 * 1,000 5.7 s, 2,000 17 s, and the 4,645 outlets of the 100k-story corpus 106 s. Above this cap
 * the extension asks for every site and runs its content script there; the background then keeps
 * link badges to the outlets it knows (src/shared/outlet-sites.ts), as the listed patterns did.
 */
export const MAX_LISTED_OUTLETS = 200;

const ALL_URLS = '<all_urls>';

type Manifest = Record<string, unknown> & {
  background?: { service_worker?: string; scripts?: string[]; type?: string };
  content_scripts?: Array<{ matches?: string[]; js?: string[] }>;
};

/**
 * Derives a browser's manifest from the one top-level manifest.json. Host access and content
 * script matches come from the index, so the extension runs on the outlets it knows and nowhere else;
 * `backgroundHostPatterns` (such as AMP_CACHE_HOST_PATTERNS) add host access without a content script.
 */
export function deriveManifest(
  base: Manifest,
  target: BrowserTarget,
  hostPatterns: readonly string[],
  backgroundHostPatterns: readonly string[] = [],
  maxListedOutlets = MAX_LISTED_OUTLETS,
): ManifestV3Export {
  const manifest = structuredClone(base);
  if (hostPatterns.length > maxListedOutlets) {
    // Every site: `<all_urls>` is what "All websites" asks for, so that setting needs no second prompt.
    manifest.host_permissions = [ALL_URLS];
    manifest.optional_host_permissions = ((manifest.optional_host_permissions as string[] | undefined) ?? []).filter((pattern) => pattern !== ALL_URLS);
    if ((manifest.optional_host_permissions as string[]).length === 0) delete manifest.optional_host_permissions;
    for (const script of manifest.content_scripts ?? []) script.matches = [EVERY_SITE_MATCH];
  } else {
    manifest.host_permissions = [...new Set([...hostPatterns, ...backgroundHostPatterns])];
    for (const script of manifest.content_scripts ?? []) script.matches = [...hostPatterns];
  }
  if (target === 'firefox') {
    const worker = manifest.background?.service_worker;
    if (!worker) throw new Error('manifest.json needs background.service_worker');
    manifest.background = { scripts: [worker] };
    delete manifest.minimum_chrome_version;
    manifest.browser_specific_settings = {
      gecko: {
        id: GECKO_ID,
        strict_min_version: GECKO_MIN_VERSION,
        data_collection_permissions: { required: ['none'] },
      },
      gecko_android: { strict_min_version: GECKO_ANDROID_MIN_VERSION },
    };
  }
  return manifest as unknown as ManifestV3Export;
}
