/** Only http(s) addresses ever reach an href: seeds are untrusted and `javascript:` must never render. */
export function safeHref(address: string): string | null {
  try {
    const url = new URL(address);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
