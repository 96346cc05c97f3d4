import type { Permissions } from './browser';

/**
 * "Show badges on all websites" needs host access everywhere, to register the content script there
 * (`scripting`, which is required: the content script's rendering stage is injected with it, issue 4).
 * Optional: requested from the settings page, revocable any time.
 */
export const ALL_WEBSITES_PERMISSIONS: Permissions.Permissions = { origins: ['<all_urls>'] };

/**
 * Badges on the outlets of a subscribed list that the bundled index does not know (issue 7): host
 * access to just those hosts, to register the content script there.
 */
export function listOutletPermissions(hosts: readonly string[]): Permissions.Permissions {
  return { origins: hosts.map((host) => `*://*.${host}/*`) };
}
