import { browser } from '../shared/browser';
import { ALL_WEBSITES_PERMISSIONS } from '../shared/permissions';
import { loadSettings, updateSettings } from '../shared/settings';

/*
 * "Show badges on all websites": the optional permissions plus a dynamically registered copy of
 * the content script. The settings page requests them (a user gesture); the reader can revoke
 * them at any time from the browser's own UI, and this file then returns to the default.
 */
const SCRIPT_ID = 'elsewhere-all-websites';

/** The static content script, from the built manifest: the same file, minus the sites it already covers. */
function staticContentScript(): { js: string[]; matches: string[] } | null {
  const [script] = browser.runtime.getManifest().content_scripts ?? [];
  return script?.js ? { js: script.js, matches: script.matches ?? [] } : null;
}

/** Makes the dynamic registration match the setting and the granted permissions. Safe to call any time. */
export async function syncAllWebsites(): Promise<void> {
  const [settings, granted] = await Promise.all([loadSettings(), browser.permissions.contains(ALL_WEBSITES_PERMISSIONS)]);
  if (settings.allWebsites && !granted) {
    // The reader revoked the permission in the browser: fall back to the default quietly.
    await updateSettings(() => ({ allWebsites: false }));
    return;
  }
  // Without the scripting permission the API is absent, and nothing can be registered.
  if (!browser.scripting) return;
  const registered = await browser.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  const wanted = settings.allWebsites && granted;
  const content = staticContentScript();
  if (wanted && registered.length === 0 && content) {
    await browser.scripting.registerContentScripts([
      { id: SCRIPT_ID, js: content.js, matches: ['<all_urls>'], excludeMatches: content.matches, runAt: 'document_idle', persistAcrossSessions: true },
    ]);
  } else if (!wanted && registered.length > 0) {
    await browser.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
  }
}
