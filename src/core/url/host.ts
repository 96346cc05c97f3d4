/** Host rules shared by the full canonicaliser (canonical.ts) and its fast path (fast-canonical.ts). */

/** Trailing dots removed (`cnet.com.` is `cnet.com`); the parser already lower-cased it and applied IDNA (punycode). */
export function hostWithoutDots(hostname: string): string {
  let end = hostname.length;
  while (end > 0 && hostname.charCodeAt(end - 1) === 0x2e) end--;
  return end === hostname.length ? hostname : hostname.slice(0, end);
}

/** `www.` is ignored, however often it is repeated, but never when nothing but a suffix would be left (`www.com`). */
export function hostWithoutWww(host: string): string {
  let result = host;
  while (result.startsWith('www.') && result.indexOf('.', 4) !== -1) result = result.slice(4);
  return result;
}
