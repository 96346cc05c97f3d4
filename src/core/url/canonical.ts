import { canonicaliseFast } from './fast-canonical';
import { hostWithoutDots, hostWithoutWww } from './host';
import { MAX_URL_LENGTH } from './limits';
import { isTrackingParam } from './tracking-params';
import { unwrapOnce, type UnwrapStep, type WrapperView } from './unwrap';

export { MAX_URL_LENGTH };
export type { UnwrapStep };

/**
 * Wrappers nest (a Google redirect to an AMP viewer of an AMP cache is three); a link wrapped more
 * often than this is not one a reader followed, so it is refused rather than half unwrapped.
 */
export const MAX_UNWRAP_DEPTH = 4;

/** http and https are one story, so the default port of either is dropped whichever scheme carries it. */
const DEFAULT_PORTS: ReadonlySet<string> = new Set(['', '80', '443']);

/** RFC 3986 §2.3: the characters whose percent-escapes are decoded. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
/**
 * A percent-escape, or a character a path may not carry raw under RFC 3986 (anything but unreserved
 * characters, sub-delims, ':', '@' and '/'). The URL parser leaves a few such characters raw (`|`,
 * `^`, `[`); escaping them makes `|` and `%7C` one address, as the RFC says they are.
 */
const PATH_TOKEN = /%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g;
/** What a character that cannot be encoded (a lone surrogate) becomes, as the URL parser does. */
const REPLACEMENT_ESCAPE = '%EF%BF%BD';

function escapeChar(char: string): string {
  try {
    return encodeURIComponent(char);
  } catch {
    return REPLACEMENT_ESCAPE;
  }
}

/**
 * Collapses repeated slashes, decodes escapes of unreserved characters, upper-cases the other
 * escapes and escapes what the RFC forbids raw (RFC 3986 §6.2.2). Dot segments, including escaped
 * ones, were already resolved by the URL parser. The trailing slash is kept here; keys drop it.
 */
function normalisePath(pathname: string): string {
  return pathname.replace(/\/{2,}/g, '/').replace(PATH_TOKEN, (token) => {
    if (token.length === 3 && token.startsWith('%')) {
      const char = String.fromCharCode(Number.parseInt(token.slice(1), 16));
      return UNRESERVED.test(char) ? char : token.toUpperCase();
    }
    return escapeChar(token);
  });
}

/** A trailing slash does not make another article, except that the root stays "/". */
function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function normaliseQuery(params: URLSearchParams): string {
  const kept = [...params].filter(([name, value]) => !isTrackingParam(name, value));
  kept.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return new URLSearchParams(kept).toString();
}

/** The identity of an address: `host/path` plus `?query` when it keeps any non-tracking parameter. */
export interface CanonicalAddress {
  /** The full key, with the sorted non-tracking query. */
  key: string;
  /** The key without any query; equal to `key` when there is none. */
  pathKey: string;
  /** The hostname the address really points at, after unwrapping (with `www.`, without trailing dots). */
  hostname: string;
}

/** How an address was canonicalised: the layers peeled off it, and the result or why there is none. */
export type CanonicalTrace =
  | { ok: true; canonical: CanonicalAddress; steps: UnwrapStep[]; unwrapped: string }
  | { ok: false; reason: string; steps: UnwrapStep[] };

function parseWebAddress(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'not an absolute address';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${url.protocol} addresses never match; only http and https do`;
  return url;
}

function viewOf(url: URL): WrapperView | null {
  const hostname = hostWithoutDots(url.hostname);
  if (!hostname) return null;
  return {
    hostname,
    host: hostWithoutWww(hostname),
    path: withoutTrailingSlash(normalisePath(url.pathname)),
    search: url.search,
    searchParams: url.searchParams,
  };
}

/**
 * Canonicalises an address and says how: which wrappers were peeled off, or why it can never match.
 * The same function runs at build time (for indexed addresses) and at lookup time (for visited
 * ones), so both sides agree by construction. It never throws.
 */
export function traceCanonical(address: string): CanonicalTrace {
  const steps: UnwrapStep[] = [];
  if (typeof address !== 'string') return { ok: false, reason: 'not text', steps };
  if (address.length > MAX_URL_LENGTH) return { ok: false, reason: `longer than ${MAX_URL_LENGTH} characters`, steps };
  let url = parseWebAddress(address);
  for (;;) {
    if (typeof url === 'string') return { ok: false, reason: steps.length > 0 ? `it wraps an address that is ${url}` : url, steps };
    const view = viewOf(url);
    if (!view) return { ok: false, reason: 'has no host', steps };
    const step = unwrapOnce(view);
    if (!step) {
      const port = DEFAULT_PORTS.has(url.port) ? '' : `:${url.port}`;
      const pathKey = view.host + port + view.path;
      const query = normaliseQuery(view.searchParams);
      const canonical = { key: query ? `${pathKey}?${query}` : pathKey, pathKey, hostname: view.hostname };
      return { ok: true, canonical, steps, unwrapped: url.href };
    }
    if (steps.length === MAX_UNWRAP_DEPTH) return { ok: false, reason: `wrapped more than ${MAX_UNWRAP_DEPTH} times`, steps };
    steps.push(step);
    url = parseWebAddress(step.address);
  }
}

/**
 * Canonicalises an address for matching: http and https are one; host lower-cased, punycode, no
 * `www.`, no trailing dot, no default port; path with dot segments resolved, slashes collapsed,
 * escapes normalised, no trailing slash; no fragment; tracking parameters removed and the rest
 * sorted; AMP caches, AMP viewers and redirect wrappers peeled off. Returns null for anything that
 * can never match (other schemes, text that is not an address).
 */
export function canonicalise(address: string): CanonicalAddress | null {
  // The common shape of address takes the fast path (fast-canonical.ts); anything it declines, the full one.
  if (typeof address === 'string' && address.length <= MAX_URL_LENGTH) {
    const fast = canonicaliseFast(address);
    if (fast) return fast;
  }
  return canonicaliseFull(address);
}

/** `canonicalise` without its fast path: `new URL`, unwrapping and URLSearchParams, for every address. */
export function canonicaliseFull(address: string): CanonicalAddress | null {
  const trace = traceCanonical(address);
  return trace.ok ? trace.canonical : null;
}

/** How a lookup key relates to the visited address. */
export type LookupKeyKind = 'full' | 'path-only';

/**
 * Keys to try for a visited address, most specific first, with their kind. An indexed address
 * without a query matches the same path whatever query the visit adds, because outlets append
 * their own tokens; an indexed address with a query is stored under its full key, so the visit
 * needs the same non-tracking parameters (in any order, since they are sorted).
 */
export function lookupKeysWithKind(address: string): Array<{ key: string; kind: LookupKeyKind }> {
  const canonical = canonicalise(address);
  if (!canonical) return [];
  const full = { key: canonical.key, kind: 'full' as const };
  return canonical.key === canonical.pathKey ? [full] : [full, { key: canonical.pathKey, kind: 'path-only' as const }];
}

/** The keys of `lookupKeysWithKind`, in the same order. */
export function lookupKeys(address: string): string[] {
  // Built directly rather than mapped from lookupKeysWithKind: this runs on every lookup.
  const canonical = canonicalise(address);
  if (!canonical) return [];
  return canonical.key === canonical.pathKey ? [canonical.key] : [canonical.key, canonical.pathKey];
}

/** The host of a canonical key, without its port: what host permissions and content-script matches name. */
export function keyHost(key: string): string {
  const end = key.search(/[/?]/);
  return (end === -1 ? key : key.slice(0, end)).replace(/:\d+$/, '');
}
