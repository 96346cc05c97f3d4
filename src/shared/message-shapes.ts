import type { BackgroundMethods, LinkVerdict, MethodName, PageSignals, PageStart } from './protocol';
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

/**
 * Where the background's question waits when it reaches a page before the content script does. The
 * script runs at `document_end` and the question at `document_idle`, after it; but a page that was
 * loading as the extension was installed may get the script late, or not at all. The content
 * script calls what it finds there once its hook is in place.
 */
export const ASK_WAITING = 'elsewhere.ask-waiting';

/**
 * The background asks the page's first stage what it says about itself (issue 4). The page does
 * not ask: its first use of the extension API (`runtime.sendMessage`, even `runtime.id`) costs
 * its main thread 3-5 ms to build the bindings, more than the whole budget of a page with nothing
 * known. An injected call and its returned value cost it about a millisecond, so the background
 * asks only where something can be known or shown, and only for what can matter there (reading
 * the page costs it too), with the settings the page needs. A page it does not ask (most pages on
 * no outlet) pays for nothing but evaluating the script.
 */
export interface AskNotice {
  notice: 'ask';
  settings: Settings;
  /** Whether to read the canonical link and og:url: only on an outlet some index knows (pageAddresses trusts no other). */
  signals: boolean;
  /** Whether to read the links: only where link badges are due. */
  links: boolean;
  /**
   * Whether to remove badges an earlier instance of the extension left (tags.ts): asked of the
   * open tabs once the extension is installed or updated, when Firefox puts the new instance into
   * them and the old one, gone, could not remove its own.
   */
  sweep: boolean;
}

/** What the first stage tells the background when asked. */
export interface PageQuestion {
  /**
   * Without canonical or og:url when they were not asked for. The canonical links as written: the
   * background resolves them against `base` (a `URL` made in the page costs it time).
   */
  signals: PageSignals;
  /** The document's base URL. */
  base: string;
  /** The links as written (`href`) when asked for and at most one batch; otherwise null (the link-badge engine, if it runs, asks for itself). */
  links: string[] | null;
  /** Whether the page shows coverage now: then it must be answered even when nothing is known, to clear it. */
  shown: boolean;
}

/**
 * The background's answer to a PageQuestion, sent only when something is known (the page's coverage,
 * a link's verdict) or the page shows coverage it must clear. Otherwise the page takes it that
 * nothing is known (most pages), which saves it another injected call.
 */
export interface PageAnswer extends PageStart {
  notice: 'answer';
  /** The address asked about: an answer for an address the page has left (a single-page app) is dropped. */
  url: string;
  links: { urls: string[]; verdicts: Array<LinkVerdict | null> } | null;
}

/** Notices about the page, from the background to its content script. */
export type ContentNotice = AskNotice | PageAnswer;

/** A page cannot have more signals than this worth reading; more is an attack or a broken page. */
export const MAX_SIGNALS_PER_KIND = 8;
/** Links are looked up in batches of at most this many: one message per batch, each answered in well under a millisecond. */
export const MAX_LINKS_PER_BATCH = 250;

export function isAskNotice(message: unknown): message is AskNotice {
  return typeof message === 'object' && message !== null && (message as AskNotice).notice === 'ask';
}

/** Only the background can reach the hook, so its answer is taken as it comes, like a settings notice. */
export function isPageAnswer(message: unknown): message is PageAnswer {
  return typeof message === 'object' && message !== null && (message as PageAnswer).notice === 'answer';
}

/**
 * The background tells every tab's content script when the reader changes a setting, so open tabs
 * apply it at once although the content script reads no storage itself (issue 4). The settings are
 * repaired by the background as it reads them (`loadSettings`), here and in its PageAnswer;
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
