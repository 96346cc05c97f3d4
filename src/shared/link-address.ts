import { MAX_URL_LENGTH } from '../core/url/limits';

/** Shared by the first stage's look at the page's links (src/content/link-scout.ts), the engine (src/content/link-badges.ts) and the background, which resolves the links a page's question gives as written (src/background/page-answers.ts). */

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

/** An attribute's address as the element's `href` gives it: resolved against the document's base URL, or as written when it is no URL. */
export function resolveAddress(value: string, base: string): string {
  try {
    return new URL(value, base).href;
  } catch {
    return value;
  }
}

/**
 * The distinct addresses worth asking about among links as written (`href`s, in page order),
 * resolved against the document's base URL: what the page's links are, whoever reads them (the
 * first stage in the page, or the background from a page's question).
 */
export function linkAddresses(hrefs: readonly string[], base: string, pageAddress: string): string[] {
  const page = withoutFragment(pageAddress);
  return [...new Set(hrefs.map((href) => resolveAddress(href, base)))].filter((url) => isLinkAddress(url, page));
}
