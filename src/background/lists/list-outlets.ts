import { browser } from '../../shared/browser';
import { EVERY_SITE_MATCH } from '../../shared/outlet-sites';
import { loadSettings } from '../../shared/settings';
import { staticContentScript } from '../all-websites';
import { oneAtATime } from '../one-at-a-time';
import { keepRegistered } from '../registration';

/*
 * Badges on the outlets a subscribed list added (issue 7). The settings page asks for host access
 * to exactly those hosts; this keeps a dynamically registered copy of the content script matching
 * whatever optional host access the reader granted, and removes it when they revoke it.
 */
const SCRIPT_ID = 'elsewhere-list-outlets';

/** Safe to call any time: after permission changes, setting changes and at install. True if it registered anew (keepRegistered). */
export const syncListOutlets = oneAtATime(async (): Promise<boolean> => {
  const [{ origins = [], permissions = [] }, settings] = await Promise.all([browser.permissions.getAll(), loadSettings()]);
  // `scripting` is required, but a browser may still withhold it; ask the permission, not the API
  // object, which outlives a revocation (every call then throws; all-websites.ts).
  if (!permissions.includes('scripting')) return false;
  const required = new Set(browser.runtime.getManifest().host_permissions ?? []);
  const granted = origins.filter((origin) => origin !== '<all_urls>' && !required.has(origin)).sort();
  const content = staticContentScript();
  // "All websites" runs the same script everywhere already; a second registration would inject it twice.
  // So does a build that runs everywhere (outlet-sites.ts).
  const everywhere = (settings.allWebsites && origins.includes('<all_urls>')) || (content?.matches.includes(EVERY_SITE_MATCH) ?? false);
  return keepRegistered(SCRIPT_ID, content && granted.length > 0 && !everywhere ? { js: content.js, matches: granted } : null);
});
