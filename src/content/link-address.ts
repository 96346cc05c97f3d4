import { MAX_URL_LENGTH } from '../core/url/limits';

/** Shared by the first stage's look at the page's links (link-scout.ts) and the engine (link-badges.ts). */

export function withoutFragment(address: string): string {
  const hash = address.indexOf('#');
  return hash < 0 ? address : address.slice(0, hash);
}

/**
 * Whether a link's address is worth asking the background about: http(s) (only those can be
 * articles; SVG links have an object here), not too long, and not the page itself.
 */
export function isLinkAddress(url: unknown, pageAddress: string): url is string {
  if (typeof url !== 'string' || url.length > MAX_URL_LENGTH) return false;
  if (!url.startsWith('https://') && !url.startsWith('http://')) return false;
  return withoutFragment(url) !== pageAddress;
}
