import type { BackgroundMethods, MethodName } from './protocol';
import type { Settings } from './settings-schema';

/**
 * The parts of the message protocol (src/shared/protocol.ts) that need no extension API: its
 * bounds and the guards for what crosses it. The content script's first stage imports these
 * without the rest of protocol.ts, whose callers bring in webextension-polyfill (issue 4).
 */

/**
 * The content script hears the background's notices through a function on its isolated world's
 * global object, under `Symbol.for(NOTICE_HOOK)`, which the background calls with
 * `scripting.executeScript` (src/background/page-notices.ts) instead of sending a message: the
 * page is spared a `runtime.onMessage` listener (issue 4).
 */
export const NOTICE_HOOK = 'elsewhere.notice';

/** Messages from the background to a content script. */
export interface ContentNotice {
  notice: 'pageChanged';
}

/** A page cannot have more signals than this worth reading; more is an attack or a broken page. */
export const MAX_SIGNALS_PER_KIND = 8;
/** Links are looked up in batches of at most this many: one message per batch, each answered in well under a millisecond. */
export const MAX_LINKS_PER_BATCH = 250;

export function isContentNotice(message: unknown): message is ContentNotice {
  return typeof message === 'object' && message !== null && (message as ContentNotice).notice === 'pageChanged';
}

/**
 * The background tells every tab's content script when the reader changes a setting, so open tabs
 * apply it at once although the content script reads no storage itself (issue 4). The settings are
 * repaired by the background as it reads them (`loadSettings`), here and in `startPage`'s answer;
 * the content script, which only this extension can reach, takes them as they come instead of
 * carrying the repair code (migrations, domain checks) onto every page.
 */
export interface SettingsNotice {
  notice: 'settingsChanged';
  settings: Settings;
}

export function isSettingsNotice(message: unknown): message is SettingsNotice {
  return typeof message === 'object' && message !== null && (message as SettingsNotice).notice === 'settingsChanged';
}

/** How the router answers a request it refuses. */
export interface RejectedReply {
  error: string;
}

export function isRejectedReply(reply: unknown): reply is RejectedReply {
  return typeof reply === 'object' && reply !== null && typeof (reply as RejectedReply).error === 'string';
}

/** Calls one of the background's methods; a refusal becomes an Error. */
export type BackgroundCall = <M extends MethodName>(method: M, params: Parameters<BackgroundMethods[M]>[0]) => Promise<ReturnType<BackgroundMethods[M]>>;

/**
 * The one way to call the background, over `send` (the `runtime.sendMessage` of webextension-polyfill
 * in extension pages, of the browser's own API in the content script).
 */
export function backgroundCall(send: (message: unknown) => Promise<unknown>): BackgroundCall {
  return async (method, params) => {
    const reply = await send({ method, params });
    if (isRejectedReply(reply)) throw new Error(`Elsewhere refused ${method}: ${reply.error}`);
    return reply as never;
  };
}
