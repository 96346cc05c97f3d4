import { browser } from '../shared/browser';
import { matchesPattern } from '../shared/match-pattern';
import { staticContentScript } from './all-websites';

/**
 * Whether the content script runs on the page at `url`: the manifest's, or one of the dynamic
 * registrations ("All websites", list outlets). The background asks only such pages: where no
 * script runs, an injected question would wait for one (page-notices.ts) and the browser would
 * hold the page's load event meanwhile (an AMP cache, where the background has host access only).
 */
export async function contentScriptRunsOn(url: string): Promise<boolean> {
  if (!URL.canParse(url)) return false;
  const address = new URL(url);
  const matches = (patterns: readonly string[] | undefined) => (patterns ?? []).some((pattern) => matchesPattern(address, pattern));
  if (matches(staticContentScript()?.matches)) return true;
  const registered = await browser.scripting.getRegisteredContentScripts().catch(() => []);
  return registered.some((script) => matches(script.matches) && !matches(script.excludeMatches));
}
