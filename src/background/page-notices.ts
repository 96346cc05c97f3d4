import { browser } from '../shared/browser';
import { ASK_WAITING, NOTICE_HOOK, type AskNotice, type PageAnswer, type SettingsNotice } from '../shared/message-shapes';
import { contentScriptRunsOn } from './script-sites';

/**
 * Tells a tab's content script something (the answer about its page, the settings changed) by
 * calling its notice hook in its isolated world through `scripting.executeScript`, not by
 * `tabs.sendMessage`: a `runtime.onMessage` listener would cost every page its set-up (issue 4:
 * in a CPU profile of the first stage, the function that registered it had the largest self
 * time), for notices that most pages never get. Only the top frame, the one frame the content script runs
 * in. Our isolated world is closed to the page and to other extensions, so nothing else can call
 * the hook; a frame without our script has no hook, and the call does nothing there.
 *
 * Injected as soon as possible: whatever page is in the frame then is the one told.
 */
export async function tellPage(tabId: number, notice: PageAnswer | SettingsNotice): Promise<void> {
  await browser.scripting
    .executeScript({ target: { tabId, frameIds: [0] }, func: callNoticeHook, args: [NOTICE_HOOK, notice], injectImmediately: true })
    // No access to the tab (a browser page, a site we may not read) or the tab went away: nothing to tell.
    .catch(() => undefined);
}

/** Runs in the page's isolated world, serialised on its own: it may use nothing but its arguments. */
function callNoticeHook(hook: string, notice: unknown): void {
  const listen = (globalThis as unknown as Record<symbol, ((notice: unknown) => void) | undefined>)[Symbol.for(hook)];
  if (typeof listen === 'function') listen(notice);
}

/**
 * Puts the content script's first stage (`files`, the manifest's) into a tab's page that lacks it:
 * a page open before the extension was installed, where Chromium has injected nothing (Firefox
 * has, and then this changes nothing), or before a new registration covered its site. Only the top
 * frame, as the manifest's script. A frame that has the hook already is left alone; main.ts also
 * stays inert where a copy of it runs already, should the browser's own injection come after this one.
 */
export async function injectFirstStageIfMissing(tabId: number, files: string[]): Promise<void> {
  const target = { tabId, frameIds: [0] };
  const [checked] = await browser.scripting.executeScript({ target, func: addressIfNoHook, args: [NOTICE_HOOK] }).catch(() => []);
  const address = checked?.result;
  // No answer: no access to the page (a browser page, a site we may not read), or the tab went away.
  // An address: the page's own, which may not be the one the caller saw if the tab moved on since.
  if (typeof address !== 'string' || !(await contentScriptRunsOn(address))) return;
  await browser.scripting.executeScript({ target, files }).catch(() => undefined);
}

/** Runs in the page's isolated world, serialised on its own: the page's address if the content script's hook is not there, else null. */
function addressIfNoHook(hook: string): string | null {
  return typeof (globalThis as unknown as Record<symbol, unknown>)[Symbol.for(hook)] === 'function' ? null : location.href;
}

/** How long a question waits in a page for a content script that has not run yet (ASK_WAITING). */
const WAIT_FOR_SCRIPT_MS = 2000;

/**
 * Asks a tab's content script what to look its page up by (AskNotice), and returns what it
 * answered, unchecked (`parsePageQuestion`), or null. Injected when the page is ready
 * (`document_idle`, after the content script's `document_end`), so asked at a page's start it
 * reaches the page that is loading, not the one it replaces. A frame whose script has not run
 * waits for it (ASK_WAITING) with a timer, which only such a page pays for: until then the browser
 * holds the page's load event, so a frame where no script comes answers null after WAIT_FOR_SCRIPT_MS.
 */
export async function askPage(tabId: number, ask: AskNotice): Promise<unknown> {
  const [result] = await browser.scripting
    .executeScript({ target: { tabId, frameIds: [0] }, func: askNoticeHook, args: [NOTICE_HOOK, ASK_WAITING, ask, WAIT_FOR_SCRIPT_MS] })
    .catch(() => []);
  return result?.result ?? null;
}

/**
 * Runs in the page's isolated world, serialised on its own. The browser waits for a promise it
 * returns and hands back the value: the content script's PageQuestion.
 */
function askNoticeHook(hook: string, waiting: string, ask: unknown, waitMs: number): unknown {
  const scope = globalThis as unknown as Record<symbol, unknown>;
  const answer = () => (scope[Symbol.for(hook)] as (notice: unknown) => unknown)(ask);
  if (typeof scope[Symbol.for(hook)] === 'function') return answer();
  return new Promise((resolve) => {
    // Given up: a script that comes later must not answer a question no one waits for any more.
    const timer = setTimeout(() => {
      delete scope[Symbol.for(waiting)];
      resolve(null);
    }, waitMs);
    scope[Symbol.for(waiting)] = () => {
      clearTimeout(timer);
      resolve(answer());
    };
  });
}
