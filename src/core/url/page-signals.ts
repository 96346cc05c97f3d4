import { canonicalise } from './canonical';
import { outletDomain } from './outlet';

export interface PageSignalInput {
  url: string;
  canonical: readonly string[];
  ogUrl: readonly string[];
}

/**
 * A page signal (canonical link, og:url) is trusted only when it stays on the page's own outlet
 * and names an article rather than the site's root: otherwise any page could claim to be any
 * article, and sites that point every page's canonical at the home page would all match.
 */
function trustedSignal(pageDomain: string, address: string): boolean {
  const canonical = canonicalise(address);
  if (!canonical) return false;
  if (outletDomain(canonical.hostname) !== pageDomain) return false;
  return canonical.pathKey.slice(canonical.pathKey.indexOf('/')) !== '/';
}

/**
 * Addresses to look a page up by, in order of trust: the address itself, then its one canonical
 * link, then og:url. `CoverageIndex.match` tries them in this order, so a signal is used only when
 * the address misses. More than one canonical link means the page is confused, so neither is used.
 * The page's outlet is judged after unwrapping its address, so an AMP page served by an AMP cache
 * belongs to the outlet in the cache path, and its canonical link (which AMP requires to name the
 * article's main address) is trusted there as on the outlet's own AMP page (issue 3).
 */
export function pageAddresses(signals: PageSignalInput): string[] {
  const page = canonicalise(signals.url);
  if (!page) return [];
  const pageDomain = outletDomain(page.hostname);
  const addresses = [signals.url];
  if (signals.canonical.length === 1 && trustedSignal(pageDomain, signals.canonical[0]!)) addresses.push(signals.canonical[0]!);
  if (signals.canonical.length <= 1) {
    const og = [...new Set(signals.ogUrl)];
    if (og.length === 1 && trustedSignal(pageDomain, og[0]!)) addresses.push(og[0]!);
  }
  return addresses;
}
