import { parse as parseDomain } from 'tldts';

/**
 * Addresses that wrap an article's address: AMP caches, AMP viewers and redirect links.
 * The wrapped address is what identifies the article.
 */

/** Wrappers can nest (a Google redirect to an AMP cache); more than this is not a real link. */
const MAX_UNWRAP_DEPTH = 4;

interface RedirectWrapper {
  /** Registrable domain of the wrapper (compared after tldts parsing, never by substring). */
  domain: string;
  /** Exact hostnames allowed for that domain; `null` allows any subdomain. */
  hosts: readonly string[] | null;
  /** Path that the redirect endpoint lives at; a prefix when it ends with '/'. */
  path: string;
  /** Query parameters that may carry the target, in order of preference. */
  params: readonly string[];
}

/**
 * Redirect endpoints, from ClearURLs' "redirections" rules and AdGuard's URL tracking filter.
 * A URL that merely carries an address in its query on any other site is not unwrapped.
 */
const REDIRECT_WRAPPERS: readonly RedirectWrapper[] = [
  { domain: 'google', hosts: null, path: '/url', params: ['q', 'url'] },
  { domain: 'facebook.com', hosts: ['l.facebook.com', 'lm.facebook.com', 'm.facebook.com', 'www.facebook.com'], path: '/l.php', params: ['u'] },
  { domain: 'messenger.com', hosts: ['l.messenger.com'], path: '/l.php', params: ['u'] },
  { domain: 'instagram.com', hosts: ['l.instagram.com'], path: '/', params: ['u'] },
  { domain: 'reddit.com', hosts: ['out.reddit.com'], path: '/', params: ['url'] },
  { domain: 'youtube.com', hosts: ['www.youtube.com', 'youtube.com', 'm.youtube.com'], path: '/redirect', params: ['q'] },
  { domain: 'linkedin.com', hosts: ['www.linkedin.com', 'linkedin.com'], path: '/redir/redirect', params: ['url'] },
  { domain: 'slack-redir.net', hosts: null, path: '/link', params: ['url'] },
  { domain: 'steamcommunity.com', hosts: ['steamcommunity.com'], path: '/linkfilter/', params: ['url', 'u'] },
  { domain: 'vk.com', hosts: ['vk.com', 'm.vk.com'], path: '/away.php', params: ['to'] },
  { domain: 'bing.com', hosts: ['www.bing.com', 'bing.com'], path: '/ck/a', params: ['u'] },
  { domain: 'duckduckgo.com', hosts: ['duckduckgo.com'], path: '/l/', params: ['uddg'] },
  { domain: 'yandex.ru', hosts: null, path: '/clck/jsredir', params: ['url'] },
];

/** AMP caches serve `/{c,v,i,r}/[s/]host/path`; the subdomain may be a hash, so only the path is trusted. */
const AMP_CACHE_SUFFIXES = ['.cdn.ampproject.org', '.amp.cloudflare.com', '.bing-amp.com'];
const AMP_CACHE_PATH = /^\/(?:c|v|i|r|wp)\/(s\/)?([^/]+)(\/.*)?$/;
/** Google's and Bing's AMP viewers serve `/amp/[s/]host/path`. */
const AMP_VIEWER_PATH = /^\/amp\/(s\/)?([^/]+)(\/.*)?$/;
const AMP_VIEWER_DOMAINS = new Set(['google', 'bing']);

function isSearchHost(host: string, domainWithoutSuffix: string): boolean {
  const parsed = parseDomain(host);
  if (parsed.domainWithoutSuffix !== domainWithoutSuffix) return false;
  return parsed.subdomain === '' || parsed.subdomain === 'www';
}

function rebuildFromPath(https: boolean, host: string, rest: string | undefined, search: string): URL | null {
  try {
    return new URL(`${https ? 'https' : 'http'}://${host}${rest ?? '/'}${search}`);
  } catch {
    return null;
  }
}

function unwrapAmp(url: URL): URL | null {
  if (AMP_CACHE_SUFFIXES.some((suffix) => url.hostname.endsWith(suffix))) {
    const match = AMP_CACHE_PATH.exec(url.pathname);
    return match ? rebuildFromPath(Boolean(match[1]), match[2]!, match[3], url.search) : null;
  }
  const viewer = AMP_VIEWER_PATH.exec(url.pathname);
  if (viewer && [...AMP_VIEWER_DOMAINS].some((domain) => isSearchHost(url.hostname, domain))) {
    return rebuildFromPath(Boolean(viewer[1]), viewer[2]!, viewer[3], url.search);
  }
  return null;
}

function matchesWrapper(url: URL, wrapper: RedirectWrapper): boolean {
  const pathOk = wrapper.path.endsWith('/') ? url.pathname.startsWith(wrapper.path) : url.pathname === wrapper.path;
  if (!pathOk) return false;
  if (wrapper.hosts) return wrapper.hosts.includes(url.hostname);
  if (wrapper.domain.includes('.')) {
    return url.hostname === wrapper.domain || url.hostname.endsWith(`.${wrapper.domain}`);
  }
  return isSearchHost(url.hostname, wrapper.domain);
}

function unwrapRedirect(url: URL): URL | null {
  for (const wrapper of REDIRECT_WRAPPERS) {
    if (!matchesWrapper(url, wrapper)) continue;
    for (const param of wrapper.params) {
      const target = url.searchParams.get(param);
      if (!target) continue;
      try {
        const inner = new URL(target);
        if (inner.protocol === 'http:' || inner.protocol === 'https:') return inner;
      } catch {
        // Not an absolute address: Google also uses q= for search terms.
      }
    }
  }
  return null;
}

/** Peels AMP caches, AMP viewers and redirect wrappers off an address until none is left. */
export function unwrapAddress(url: URL): URL {
  let current = url;
  for (let depth = 0; depth < MAX_UNWRAP_DEPTH; depth++) {
    const inner = unwrapAmp(current) ?? unwrapRedirect(current);
    if (!inner) break;
    current = inner;
  }
  return current;
}
