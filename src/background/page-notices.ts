import { browser } from '../shared/browser';
import { NOTICE_HOOK, type ContentNotice, type SettingsNotice } from '../shared/message-shapes';

/**
 * Tells a tab's content script something (its page's address changed, the settings changed) by
 * calling its notice hook in its isolated world through `scripting.executeScript`, not by
 * `tabs.sendMessage`: a `runtime.onMessage` listener would cost every page its set-up (issue 4:
 * in a CPU profile of the first stage, the function that registered it had the largest self
 * time), for notices that most pages never get. Only the top frame, the one frame the content script runs
 * in. Our isolated world is closed to the page and to other extensions, so nothing else can call
 * the hook; a frame without our script has no hook, and the call does nothing there.
 *
 * Injected as soon as possible: a page still loading has no script to tell yet, and its script
 * asks for itself once it runs (navigation.ts).
 */
export async function tellPage(tabId: number, notice: ContentNotice | SettingsNotice): Promise<void> {
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
