import { getDomain } from 'tldts';

/** An outlet is its registrable domain: edition.cnn.com and cnn.com are one outlet. */
export function outletDomain(hostname: string): string {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return getDomain(host, { allowPrivateDomains: false }) ?? host;
}
