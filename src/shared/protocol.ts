import type { Coverage } from '../core/index/coverage-index';
import type { SubscriptionUrlProblem } from '../core/list/subscription-url';
import type { ListError } from '../core/list/list-error';
import { MAX_URL_LENGTH } from '../core/url/limits';
import type { Settings } from './settings-schema';
import { browser } from './browser';
import { MAX_LINKS_PER_BATCH, MAX_SIGNALS_PER_KIND, backgroundCall, type PageQuestion } from './message-shapes';

export {
  isRejectedReply,
  isSettingsNotice,
  MAX_LINKS_PER_BATCH,
  MAX_SIGNALS_PER_KIND,
  type ContentNotice,
  type PageAnswer,
  type PageQuestion,
  type RejectedReply,
  type SettingsNotice,
} from './message-shapes';

/**
 * The one message protocol. Every request names a method of `BackgroundMethods`; the background
 * registers a handler per method and callers use the typed wrappers below, so no method name is
 * written as a string anywhere else.
 */

/** What a content script reports about its page. */
export interface PageSignals {
  url: string;
  /** Every `<link rel=canonical>` href, resolved; the background uses it only when there is exactly one. */
  canonical: string[];
  /** Every `og:url` content value. */
  ogUrl: string[];
}

/**
 * What a content script starts from (issue 4): the page's coverage, and the reader's settings, so
 * the content script touches no extension API of its own (each API's first use costs a page time).
 */
export interface PageStart {
  coverage: Coverage | null;
  settings: Settings;
}

/** What the popup shows for a tab. */
export interface TabView {
  coverage: Coverage | null;
  /** The tab's site (registrable domain), for "Hide on this site"; null on non-web pages. */
  site: string | null;
}

/** What a link badge shows: how many other outlets covered the linked article's story, and which. */
export interface LinkVerdict {
  otherOutletCount: number;
  outlets: string[];
}

/** One subscribed list, as the settings page shows it. */
export interface ListStatus {
  url: string;
  /** From list.json; null until the first good update. */
  name: string | null;
  homepage: string | null;
  storyCount: number;
  bytes: number;
  updatedAt: number | null;
  checkedAt: number | null;
  error: ListError | null;
  /** Outlet hosts of the list where Elsewhere has no host access, so no content script runs. */
  uncoveredHosts: string[];
}

export interface SubscriptionReply {
  /** Why the address was refused; null when it was added (or was there already). */
  problem: SubscriptionUrlProblem | null;
  lists: ListStatus[];
}

export interface BackgroundMethods {
  /** Content scripts (unprivileged): one batch of link addresses, answered in order (null: unknown). */
  lookupLinks(query: { urls: string[] }): Array<LinkVerdict | null>;
  /** Content scripts (unprivileged): open Elsewhere's own view of a link's story in a new tab. */
  openCoverage(query: { url: string }): void;
  /**
   * Content scripts (unprivileged): put the rendering stage (src/content/render.ts: Preact, the
   * badges and their styles) into the sender's frame, once it has something to draw (issue 4).
   */
  loadRenderer(query: Record<string, never>): null;
  /**
   * Content scripts (unprivileged): put the link-badge engine (src/content/links.ts) into the
   * sender's frame, once the page has a known link, many links, or adds links (issue 4).
   */
  loadLinkBadges(query: Record<string, never>): null;
  /** Extension pages only: the coverage of a tab and its site, for the popup. */
  getTabView(query: { tabId: number }): TabView;
  /** Extension pages only: the coverage of any address, for `popup.html?url=`. */
  getUrlView(query: { url: string }): TabView;
  /** Extension pages only: the subscribed index lists (issue 7). */
  listSubscriptions(query: Record<string, never>): ListStatus[];
  /** Extension pages only: subscribe to a list.json address and fetch it now. */
  subscribeList(query: { url: string }): SubscriptionReply;
  /** Extension pages only: drop a list and its shards. */
  unsubscribeList(query: { url: string }): ListStatus[];
  /** Extension pages only: "Update now", for one list or (without url) all of them. */
  updateLists(query: { url?: string }): ListStatus[];
}

export type MethodName = keyof BackgroundMethods;
export type Request = { [M in MethodName]: { method: M; params: Parameters<BackgroundMethods[M]>[0] } }[MethodName];

/**
 * Methods a content script may call: read-only questions, and opening Elsewhere's own view (the
 * only effect a page can cause, and only with an http(s) address that is validated again there).
 */
export const UNPRIVILEGED_METHODS: ReadonlySet<MethodName> = new Set<MethodName>(['lookupLinks', 'openCoverage', 'loadRenderer', 'loadLinkBadges']);

function isUrlText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_URL_LENGTH;
}

function isUrlList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= MAX_SIGNALS_PER_KIND && value.every(isUrlText);
}

function isLinkBatch(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= MAX_LINKS_PER_BATCH && value.every(isUrlText);
}

/**
 * Validates what a page's first stage answered when the background asked it (navigation.ts).
 * Only our own isolated world answers, but what it read is the page's (addresses of any length,
 * links by the thousand), so it is checked as strictly as a message. Null for anything else.
 */
export function parsePageQuestion(value: unknown): PageQuestion | null {
  if (typeof value !== 'object' || value === null) return null;
  const { signals, base, links, shown } = value as { signals?: unknown; base?: unknown; links?: unknown; shown?: unknown };
  if (typeof signals !== 'object' || signals === null) return null;
  const { url, canonical, ogUrl } = signals as Partial<PageSignals>;
  if (!isUrlText(url) || !isUrlList(canonical) || !isUrlList(ogUrl)) return null;
  if (!isUrlText(base) || (links !== null && !isLinkBatch(links)) || typeof shown !== 'boolean') return null;
  return { signals: { url, canonical, ogUrl }, base, links, shown };
}

/** Validates an incoming message's shape. Returns null for anything that is not a well-formed request. */
export function parseRequest(message: unknown): Request | null {
  if (typeof message !== 'object' || message === null) return null;
  const { method, params } = message as { method?: unknown; params?: unknown };
  if (typeof params !== 'object' || params === null) return null;
  if (method === 'lookupLinks') {
    const { urls } = params as { urls?: unknown };
    if (!isLinkBatch(urls)) return null;
    return { method, params: { urls } };
  }
  if (method === 'listSubscriptions' || method === 'loadRenderer' || method === 'loadLinkBadges') return { method, params: {} };
  if (method === 'updateLists') {
    const { url } = params as { url?: unknown };
    if (url !== undefined && !isUrlText(url)) return null;
    return { method, params: url === undefined ? {} : { url } };
  }
  if (method === 'openCoverage' || method === 'getUrlView' || method === 'subscribeList' || method === 'unsubscribeList') {
    const { url } = params as { url?: unknown };
    if (!isUrlText(url)) return null;
    return { method, params: { url } };
  }
  if (method === 'getTabView') {
    const { tabId } = params as { tabId?: unknown };
    if (typeof tabId !== 'number' || !Number.isSafeInteger(tabId) || tabId < 0) return null;
    return { method, params: { tabId } };
  }
  return null;
}

const call = backgroundCall((message) => browser.runtime.sendMessage(message));

/** Typed callers, one per method. */
export const background = {
  lookupLinks: (urls: string[]) => call('lookupLinks', { urls }),
  openCoverage: (url: string) => call('openCoverage', { url }),
  getTabView: (tabId: number) => call('getTabView', { tabId }),
  getUrlView: (url: string) => call('getUrlView', { url }),
  listSubscriptions: () => call('listSubscriptions', {}),
  subscribeList: (url: string) => call('subscribeList', { url }),
  unsubscribeList: (url: string) => call('unsubscribeList', { url }),
  updateLists: (url?: string) => call('updateLists', url === undefined ? {} : { url }),
};
