/**
 * Whether a web address matches an extension match pattern (`<all_urls>`, `*://*.cnet.com/*`,
 * `https://news.example/*`), as the browser matches content scripts: the scheme (`*` is http or
 * https), the host (`*` any, `*.host` the host and its subdomains) and the path with its query (`*`
 * any run of characters). Only http(s) addresses can match: no content script of ours runs on any
 * other. Pure, for the background to know where its content script runs (navigation.ts).
 */
export function matchesPattern(url: URL, pattern: string): boolean {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (pattern === '<all_urls>') return true;
  const parts = /^(\*|https?):\/\/(\*|\*\.[^/*]+|[^/*]+)(\/.*)$/.exec(pattern);
  if (!parts) return false;
  const [, scheme, host, path] = parts as unknown as [string, string, string, string];
  if (scheme !== '*' && `${scheme}:` !== url.protocol) return false;
  if (host !== '*') {
    const domain = host.startsWith('*.') ? host.slice(2) : host;
    const hostname = url.hostname;
    const hostMatches = hostname === domain || (host.startsWith('*.') && hostname.endsWith(`.${domain}`));
    if (!hostMatches) return false;
  }
  const glob = new RegExp(`^${path.split('*').map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return glob.test(url.pathname + url.search);
}
