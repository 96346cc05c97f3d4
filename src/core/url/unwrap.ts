import { parse as parseDomain } from 'tldts';

/**
 * Addresses that wrap an article's address: AMP caches, AMP viewers and redirect links (issue 3).
 * The wrapped address is what identifies the article. Every wrapper is recognised by its exact
 * host (or a search engine's registrable domain, compared after tldts parsing, never by substring)
 * and its exact endpoint path, so a URL that merely carries an article's address in its query on
 * any other site, or on another path of the same site, is never unwrapped.
 */

/** The parts of a parsed address that the wrappers look at, after syntax normalisation. */
export interface WrapperView {
  /** Lower-cased by the URL parser, trailing dots removed, `www.` kept. */
  hostname: string;
  /** `hostname` without `www.`: the host as keys name it. */
  host: string;
  /**
   * Normalised as keys normalise it: repeated slashes collapsed, unreserved characters decoded, no
   * trailing slash; so `/%61mp//s/` reads `/amp/s`. Wrappers are recognised on this form because
   * the canonical key of an address must not itself be a wrapper (canonicalisation is idempotent).
   */
  path: string;
  /** The raw query, with its `?`, or ''. */
  search: string;
  searchParams: URLSearchParams;
}

/** One peeled layer: which rule peeled it, and the address inside. */
export interface UnwrapStep {
  rule: string;
  address: string;
}

// ---------------------------------------------------------------------------------------------
// Hosts

type HostRule =
  /** Exactly these hosts, written without `www.` (which is ignored, as everywhere else). */
  | { kind: 'exact'; hosts: readonly string[] }
  /** The domain itself or any subdomain of it. */
  | { kind: 'subdomains'; domain: string }
  /** A search engine under any of its ICANN country domains (google.de, google.co.uk, …), bare or www. */
  | { kind: 'search-engine'; name: string };

/** Whether `host` (a `WrapperView.host`) is one the rule names. */
function hostMatches(host: string, rule: HostRule): boolean {
  switch (rule.kind) {
    case 'exact':
      return rule.hosts.includes(host);
    case 'subdomains':
      // The dot compared where it stands, not a `.domain` string made per call: AMP caches are tested on the lookup path.
      return host === rule.domain || (host.endsWith(rule.domain) && host.charCodeAt(host.length - rule.domain.length - 1) === 0x2e);
    case 'search-engine': {
      const parsed = parseDomain(host, { allowPrivateDomains: false });
      // isIcann: an unknown top-level domain (google.evil) is not one of Google's country domains.
      return parsed.isIcann === true && parsed.domainWithoutSuffix === rule.name && (parsed.subdomain === '' || parsed.subdomain === 'www');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// AMP caches and viewers

/**
 * AMP caches serve `/{c,v,i,r}/[s/]host/path` ("s/" marks https); see the AMP cache URL format
 * (https://developers.google.com/amp/cache/overview). The subdomain may be a hash of the origin,
 * so only the path is trusted for the origin.
 */
const AMP_CACHES: readonly HostRule[] = [
  { kind: 'subdomains', domain: 'cdn.ampproject.org' },
  // Bing's AMP cache.
  { kind: 'subdomains', domain: 'bing-amp.com' },
];
const AMP_CACHE_PATH = /^\/(?:c|v|i|r|wp)\/(s\/)?([^/]+)(\/.*)?$/;

/** Google's and Bing's AMP viewers serve `/amp/[s/]host/path`. */
const AMP_VIEWERS: readonly HostRule[] = [
  { kind: 'search-engine', name: 'google' },
  { kind: 'search-engine', name: 'bing' },
];
const AMP_VIEWER_PATH = /^\/amp\/(s\/)?([^/]+)(\/.*)?$/;

/**
 * A hostname as it may appear in a path: letters, digits, dots, hyphens and percent-escapes (an
 * internationalised name), an optional port; never credentials, which could make `evil@cnet.com`-
 * style paths read as another host.
 */
const PATH_HOST = /^(?:[A-Za-z0-9.-]|%[0-9A-F]{2})+(?::\d{1,5})?$/;

function fromPath(https: boolean, host: string, rest: string | undefined, search: string): string | null {
  // A host with credentials or stray characters is not an origin an AMP cache serves.
  if (!PATH_HOST.test(host)) return null;
  return `${https ? 'https' : 'http'}://${host}${rest ?? '/'}${search}`;
}

/** Whether `host` (a `WrapperView.host`) is an AMP cache's. */
export function isAmpCacheHost(host: string): boolean {
  // A loop rather than `some` and a closure: this runs on the lookup path of every AMP cache's address.
  for (const rule of AMP_CACHES) if (hostMatches(host, rule)) return true;
  return false;
}

/**
 * The address an AMP cache serves at `path` (normalised as `WrapperView.path` is) with the raw
 * query `search` (`?…` or ''), or null when `path` is no cache path.
 */
function ampCacheTarget(path: string, search: string): string | null {
  const match = AMP_CACHE_PATH.exec(path);
  return match ? fromPath(Boolean(match[1]), match[2]!, match[3], search) : null;
}

/** The cache path prefixes of AMP_CACHE_PATH, for `ampCacheOriginAt`. */
const AMP_CACHE_PREFIXES: readonly string[] = ['/c/', '/v/', '/i/', '/r/', '/wp/'];

/** Where the AMP cache prefix (`/c/`, `/wp/`…) at `pathStart` ends, or -1 when there is none. */
function ampCachePrefixEnd(address: string, pathStart: number): number {
  // A loop rather than `find` and a closure, as in isAmpCacheHost.
  for (const prefix of AMP_CACHE_PREFIXES) if (address.startsWith(prefix, pathStart)) return pathStart + prefix.length;
  return -1;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x46);
}

/**
 * Whether the path segment at `at` is a host that AMP_CACHE_PATH's and PATH_HOST's reading of a
 * path that needs no normalisation accepts as it stands: letters, digits, dots (not first: a dot
 * segment) and hyphens, escapes of non-ASCII bytes (upper-case, as normalising leaves them), and
 * an optional port of one to five digits. Anything else is left to the full path.
 *
 * Non-ASCII characters are accepted as written too: the URL parser escapes them in the cache's
 * path as UTF-8 (a lone surrogate as U+FFFD's), which PATH_HOST accepts, and the served address's
 * parse decodes those escapes back before IDNA; so the host as written, which the fast path gives
 * the URL parser, is read alike. Such an address took the full path's two parses and IDNA, 40 µs
 * and more (issue 4, lookup p99: the slowest AMP cache addresses).
 */
function isPathHostAt(address: string, at: number): boolean {
  let i = at;
  if (address.charCodeAt(i) === 0x2e) return false;
  for (; i < address.length; i++) {
    const code = address.charCodeAt(i);
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || isDigit(code) || code === 0x2e || code === 0x2d || code >= 0x80) continue;
    if (code === 0x25) {
      const high = address.charCodeAt(i + 1);
      if (!(high >= 0x38 && isHexDigit(high)) || !isHexDigit(address.charCodeAt(i + 2))) return false;
      i += 2;
      continue;
    }
    break;
  }
  if (i === at) return false;
  if (address.charCodeAt(i) === 0x3a) {
    const portStart = i + 1;
    for (i = portStart; i < address.length && isDigit(address.charCodeAt(i)); i++);
    if (i === portStart || i - portStart > 5) return false;
  }
  const next = address.charCodeAt(i);
  return i === address.length || next === 0x2f || next === 0x3f || next === 0x23;
}

/**
 * Where the served address's host starts in an AMP cache's path as written,
 * `address[pathStart…]` (`/c/s/host/path?query`), or -1 when that is no cache path or its host is
 * one to leave to the full path. The fast canonicaliser reads the served address there, with no
 * string made for it (fast-canonical.ts), for a path that needs no normalisation: what
 * AMP_CACHE_PATH and PATH_HOST accept on such a path. A path `/c/s/` with nothing after `s/`
 * (which the expression reads as the host `s`) is left to the full path too.
 */
export function ampCacheOriginAt(address: string, pathStart: number): number {
  let at = ampCachePrefixEnd(address, pathStart);
  if (at === -1) return -1;
  if (address.charCodeAt(at) === 0x73 && address.charCodeAt(at + 1) === 0x2f) at += 2;
  return isPathHostAt(address, at) ? at : -1;
}

function unwrapAmp(view: WrapperView): UnwrapStep | null {
  if (isAmpCacheHost(view.host)) {
    const address = ampCacheTarget(view.path, view.search);
    return address ? { rule: 'AMP cache', address } : null;
  }
  const viewer = AMP_VIEWER_PATH.exec(view.path);
  if (viewer && AMP_VIEWERS.some((rule) => hostMatches(view.host, rule))) {
    const address = fromPath(Boolean(viewer[1]), viewer[2]!, viewer[3], view.search);
    return address ? { rule: 'AMP viewer', address } : null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Redirect wrappers

interface RedirectWrapper {
  /** Shown by `lookup --explain`. */
  name: string;
  host: HostRule;
  /** The endpoint's path, without a trailing slash. */
  path: string;
  /** Whether any path below `path` is the endpoint too (`/l/anything`). */
  prefix?: boolean;
  /** Query parameters that may carry the target, in order of preference. */
  params: readonly string[];
  /** Turns a parameter's (already percent-decoded) value into an address; defaults to the value itself. */
  decode?: (value: string) => string | null;
}

/** Bing's `/ck/a` links carry the target as "a1" + unpadded base64url. */
function decodeBingTarget(value: string): string | null {
  return value.startsWith('a1') ? decodeBase64Url(value.slice(2)) : null;
}

/** Disqus appends ":" and a token to the target it wraps. */
function decodeDisqusTarget(value: string): string | null {
  return value.replace(/:[A-Za-z0-9_-]+$/, '');
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Strict decoder: fatal, so invalid UTF-8 is no address rather than a garbled one. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes base64url or base64 text (padding optional) as UTF-8; null when it is not valid. */
function decodeBase64Url(text: string): string | null {
  const clean = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (clean.length % 4 === 1) return null;
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE64URL.indexOf(char);
    if (value === -1) return null;
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  try {
    return UTF8.decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
}

/**
 * Redirect endpoints, from ClearURLs' "redirections" rules (https://github.com/ClearURLs/Rules)
 * and AdGuard's URL tracking filter. Hosts are listed exactly; only outlook's SafeLinks and the
 * search engines vary by region.
 */
export const REDIRECT_WRAPPERS: readonly RedirectWrapper[] = [
  { name: 'Google redirect', host: { kind: 'search-engine', name: 'google' }, path: '/url', params: ['q', 'url'] },
  { name: 'Facebook link shim', host: { kind: 'exact', hosts: ['l.facebook.com', 'lm.facebook.com', 'm.facebook.com', 'facebook.com'] }, path: '/l.php', params: ['u'] },
  { name: 'Messenger link shim', host: { kind: 'exact', hosts: ['l.messenger.com'] }, path: '/l.php', params: ['u'] },
  { name: 'Instagram link shim', host: { kind: 'exact', hosts: ['l.instagram.com'] }, path: '/', prefix: true, params: ['u'] },
  { name: 'Reddit outbound link', host: { kind: 'exact', hosts: ['out.reddit.com'] }, path: '/', prefix: true, params: ['url'] },
  { name: 'YouTube redirect', host: { kind: 'exact', hosts: ['youtube.com', 'm.youtube.com'] }, path: '/redirect', params: ['q'] },
  { name: 'LinkedIn redirect', host: { kind: 'exact', hosts: ['linkedin.com'] }, path: '/redir/redirect', params: ['url'] },
  { name: 'LinkedIn safety redirect', host: { kind: 'exact', hosts: ['linkedin.com'] }, path: '/safety/go', params: ['url'] },
  { name: 'Slack redirect', host: { kind: 'exact', hosts: ['slack-redir.net'] }, path: '/link', params: ['url'] },
  { name: 'Steam link filter', host: { kind: 'exact', hosts: ['steamcommunity.com'] }, path: '/linkfilter', prefix: true, params: ['url', 'u'] },
  { name: 'VK away link', host: { kind: 'exact', hosts: ['vk.com', 'm.vk.com', 'away.vk.com'] }, path: '/away.php', params: ['to'] },
  { name: 'Bing click link', host: { kind: 'search-engine', name: 'bing' }, path: '/ck/a', params: ['u'], decode: decodeBingTarget },
  { name: 'DuckDuckGo redirect', host: { kind: 'exact', hosts: ['duckduckgo.com'] }, path: '/l', prefix: true, params: ['uddg'] },
  { name: 'Yandex redirect', host: { kind: 'search-engine', name: 'yandex' }, path: '/clck/jsredir', params: ['url'] },
  { name: 'Outlook SafeLinks', host: { kind: 'subdomains', domain: 'safelinks.protection.outlook.com' }, path: '/', prefix: true, params: ['url'] },
  { name: 'Disqus redirect', host: { kind: 'exact', hosts: ['disq.us'] }, path: '/url', params: ['url'], decode: decodeDisqusTarget },
  { name: 'Tumblr redirect', host: { kind: 'exact', hosts: ['t.umblr.com'] }, path: '/redirect', params: ['z'] },
  { name: 'Pocket redirect', host: { kind: 'exact', hosts: ['getpocket.com'] }, path: '/redirect', params: ['url'] },
];

/** Yahoo's result links carry the target in a path segment: `/…/RU=<encoded address>/RK=…`. */
const YAHOO_REDIRECT: HostRule = { kind: 'exact', hosts: ['r.search.yahoo.com'] };
const YAHOO_TARGET = /\/RU=([^/]+)\//;

function isWebAddress(text: string): boolean {
  try {
    const protocol = new URL(text).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    // Not an absolute address: Google also uses q= for search terms.
    return false;
  }
}

function pathMatches(path: string, wrapper: RedirectWrapper): boolean {
  if (path === wrapper.path) return true;
  return wrapper.prefix === true && (wrapper.path === '/' || path.startsWith(`${wrapper.path}/`));
}

function unwrapRedirect(view: WrapperView): UnwrapStep | null {
  for (const wrapper of REDIRECT_WRAPPERS) {
    if (!pathMatches(view.path, wrapper) || !hostMatches(view.host, wrapper.host)) continue;
    for (const param of wrapper.params) {
      const values = view.searchParams.getAll(param);
      // Two targets in one link is not a link a wrapper made; picking one would depend on their order.
      if (values.length !== 1 || !values[0]) continue;
      const value = values[0];
      const target = wrapper.decode ? wrapper.decode(value) : value;
      if (target && isWebAddress(target)) return { rule: wrapper.name, address: target };
    }
  }
  if (hostMatches(view.host, YAHOO_REDIRECT)) {
    const encoded = YAHOO_TARGET.exec(view.path)?.[1];
    if (encoded) {
      let target: string | null = null;
      try {
        target = decodeURIComponent(encoded);
      } catch {
        // A malformed escape: not a link Yahoo made.
      }
      if (target && isWebAddress(target)) return { rule: 'Yahoo redirect', address: target };
    }
  }
  return null;
}

/** Every host rule a wrapper is recognised by, for `mayUnwrap`. */
const WRAPPER_HOSTS: readonly HostRule[] = [...AMP_CACHES, ...AMP_VIEWERS, ...REDIRECT_WRAPPERS.map((wrapper) => wrapper.host), YAHOO_REDIRECT];
const EXACT_WRAPPER_HOSTS: readonly string[] = WRAPPER_HOSTS.flatMap((rule) => (rule.kind === 'exact' ? rule.hosts : []));
const WRAPPER_DOMAINS: readonly string[] = WRAPPER_HOSTS.flatMap((rule) => (rule.kind === 'subdomains' ? [rule.domain] : []));
const SEARCH_ENGINE_NAMES: readonly string[] = [...new Set(WRAPPER_HOSTS.flatMap((rule) => (rule.kind === 'search-engine' ? [rule.name] : [])))];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * An exact wrapper host, a wrapper domain or a subdomain of one, or any host containing a search
 * engine's name (its registrable domain always contains it): one regular expression built from
 * the rules, because the same tests as a set look-up, suffix and substring searches took three
 * times as long on the lookup path (issue 4, lookup p99).
 */
const MAY_UNWRAP = new RegExp(`^(?:${EXACT_WRAPPER_HOSTS.map(escapeRegExp).join('|')})$|(?:^|\\.)(?:${WRAPPER_DOMAINS.map(escapeRegExp).join('|')})$|${SEARCH_ENGINE_NAMES.map(escapeRegExp).join('|')}`);

/**
 * Whether `unwrapOnce` may peel a layer off some address on `host` (a `WrapperView.host`): false
 * means it returns null whatever the path and query, so the fast canonicaliser need not build a
 * view. Derived from the same rules, and cheap (no tldts parse).
 */
export function mayUnwrap(host: string): boolean {
  return MAY_UNWRAP.test(host);
}

/** Peels one layer off an address: an AMP cache, an AMP viewer or a redirect wrapper; null when there is none. */
export function unwrapOnce(view: WrapperView): UnwrapStep | null {
  return unwrapAmp(view) ?? unwrapRedirect(view);
}
