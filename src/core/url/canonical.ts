import { MAX_URL_LENGTH } from './limits';
import { isTrackingParam } from './tracking-params';
import { unwrapAddress } from './unwrap';

export { MAX_URL_LENGTH };

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Decodes percent-escapes of unreserved characters and upper-cases the rest (RFC 3986 §6.2.2.2). */
function normalisePercentEncoding(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_escape, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

function normaliseHost(url: URL): string {
  let host = url.hostname.replace(/\.$/, '');
  if (host.startsWith('www.')) host = host.slice(4);
  return url.port ? `${host}:${url.port}` : host;
}

function normalisePath(pathname: string): string {
  const collapsed = normalisePercentEncoding(pathname.replace(/\/{2,}/g, '/'));
  return collapsed.length > 1 && collapsed.endsWith('/') ? collapsed.slice(0, -1) : collapsed;
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
  /** The hostname the address really points at, after unwrapping. */
  hostname: string;
}

/**
 * Canonicalises an address for matching. The same function runs at build time (for indexed
 * addresses) and at lookup time (for visited ones), so both sides agree by construction.
 * Returns null for anything that is not an http(s) address.
 */
export function canonicalise(address: string): CanonicalAddress | null {
  if (typeof address !== 'string' || address.length > MAX_URL_LENGTH) return null;
  let parsed: URL;
  try {
    parsed = new URL(address.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const url = unwrapAddress(parsed);
  if (!url.hostname) return null;
  const pathKey = normaliseHost(url) + normalisePath(url.pathname);
  const query = normaliseQuery(url.searchParams);
  return { key: query ? `${pathKey}?${query}` : pathKey, pathKey, hostname: url.hostname.replace(/\.$/, '') };
}

/**
 * Keys to try for a visited address, most specific first. An indexed address without a query
 * matches the same path whatever query the visit adds, because outlets append their own tokens;
 * an indexed address with a query is stored under its full key and needs the same parameters.
 */
export function lookupKeys(address: string): string[] {
  const canonical = canonicalise(address);
  if (!canonical) return [];
  return canonical.key === canonical.pathKey ? [canonical.key] : [canonical.key, canonical.pathKey];
}
