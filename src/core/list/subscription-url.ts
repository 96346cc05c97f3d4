import { MAX_URL_LENGTH } from '../url/limits';

/** Why an address cannot be subscribed to; each has a message in _locales. */
export type SubscriptionUrlProblem = 'listUrlInvalid' | 'listUrlNotHttps';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Checks an address the reader wants to subscribe to. Lists must come over HTTPS, so nobody on
 * the network can swap the index the reader trusts; plain HTTP is allowed only on this machine's
 * loopback, for trying out `cli serve`. Returns the normalised address, without its fragment.
 */
export function checkSubscriptionUrl(text: string): { url: string } | { problem: SubscriptionUrlProblem } {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_URL_LENGTH || !URL.canParse(trimmed)) return { problem: 'listUrlInvalid' };
  const url = new URL(trimmed);
  url.hash = '';
  if (url.username || url.password) return { problem: 'listUrlInvalid' };
  if (url.protocol === 'https:') return { url: url.href };
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return { url: url.href };
  return { problem: url.protocol === 'http:' ? 'listUrlNotHttps' : 'listUrlInvalid' };
}
