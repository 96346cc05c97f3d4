import { browser } from '../shared/browser';
import { EVERY_SITE_MATCH } from '../shared/outlet-sites';
import { ALL_WEBSITES_PERMISSIONS } from '../shared/permissions';
import { loadSettings, updateSettings } from '../shared/settings';
import { oneAtATime } from './one-at-a-time';
import { keepRegistered } from './registration';

/*
 * "Show badges on all websites": the optional `<all_urls>` plus a dynamically registered copy of
 * the content script's first stage (the one file the manifest lists; its rendering stage is
 * injected by the background where there is something to draw, renderer-injection.ts). The
 * settings page requests the permission (a user gesture); the reader can revoke it at any time
 * from the browser's own UI, and this file then returns to the default.
 */
const SCRIPT_ID = 'elsewhere-all-websites';

/** The static content script, from the built manifest: the same file, minus the sites it already covers. */
export function staticContentScript(): { js: string[]; matches: string[] } | null {
  const [script] = browser.runtime.getManifest().content_scripts ?? [];
  return script?.js ? { js: script.js, matches: script.matches ?? [] } : null;
}

/** Makes the dynamic registration match the setting and the granted permissions; true if it registered anew (keepRegistered). Safe to call any time. */
export const syncAllWebsites = oneAtATime(async (): Promise<boolean> => {
  const [settings, granted, scripting] = await Promise.all([
    loadSettings(),
    browser.permissions.contains(ALL_WEBSITES_PERMISSIONS),
    browser.permissions.contains({ permissions: ['scripting'] }),
  ]);
  if (settings.allWebsites && !granted) {
    // The reader revoked the permission in the browser: fall back to the default quietly.
    await updateSettings(() => ({ allWebsites: false }));
    return false;
  }
  // Without the scripting permission nothing can be registered, read or unregistered. It is
  // required since issue 4 (optional and revocable before), so only a browser that withholds it
  // (an enterprise policy can) gets here; its API object would then exist and throw on every
  // call, so ask the permission, not the object.
  if (!scripting) return false;
  const content = staticContentScript();
  // A build that runs everywhere already has its one script on every site (outlet-sites.ts).
  const wanted = settings.allWebsites && granted && content && !content.matches.includes(EVERY_SITE_MATCH);
  return keepRegistered(SCRIPT_ID, wanted ? { js: content.js, matches: ['<all_urls>'], excludeMatches: content.matches } : null);
});
