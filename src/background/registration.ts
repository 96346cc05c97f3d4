import { browser, type Scripting } from '../shared/browser';

/** What a dynamic registration of the content script's first stage holds: the same file as the manifest's, on other sites. */
export interface ContentScriptSites {
  js: string[];
  matches: string[];
  excludeMatches?: string[];
}

/**
 * When the registered first stage runs: as the manifest's does, so that the background's question
 * at `document_idle` finds it (page-notices.ts).
 */
const RUN_AT = 'document_end';

/** A list compared as a set, with paths written either way (`src/a.js`, `/src/a.js`). */
function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const normal = (list: readonly string[] | undefined) => (list ?? []).map((item) => item.replace(/^\//, '')).sort().join('\n');
  return normal(a) === normal(b);
}

/**
 * Whether a registration is the one this version would make. A registration outlives the code that
 * made it (it persists across sessions), so one made by another version may name another file or
 * run at another time (`document_idle`, before issue 4): it is then replaced, not kept.
 */
function isCurrent(registered: Scripting.RegisteredContentScript, wanted: ContentScriptSites): boolean {
  return (
    sameList(registered.js, wanted.js) &&
    sameList(registered.matches, wanted.matches) &&
    sameList(registered.excludeMatches, wanted.excludeMatches) &&
    (registered.runAt ?? 'document_idle') === RUN_AT &&
    !registered.allFrames &&
    (registered.css ?? []).length === 0
  );
}

/**
 * Makes the registration `id` be `wanted`, or removes it (null), and says whether it registered
 * anew: pages already open on the sites it covers have no script of it yet, since a registration
 * applies to pages loaded after it. Callers serialise their calls (oneAtATime): the browser refuses
 * a second registration under one id.
 */
export async function keepRegistered(id: string, wanted: ContentScriptSites | null): Promise<boolean> {
  const [registered] = await browser.scripting.getRegisteredContentScripts({ ids: [id] });
  if (registered && wanted && isCurrent(registered, wanted)) return false;
  if (registered) await browser.scripting.unregisterContentScripts({ ids: [id] });
  if (!wanted) return false;
  await browser.scripting.registerContentScripts([{ id, ...wanted, runAt: RUN_AT, persistAcrossSessions: true }]);
  return true;
}
