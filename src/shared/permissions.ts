import type { Permissions } from './browser';

/**
 * "Show badges on all websites" needs host access everywhere and `scripting` to register the
 * content script there. Both are optional: requested from the settings page, revocable any time.
 */
export const ALL_WEBSITES_PERMISSIONS: Permissions.Permissions = { origins: ['<all_urls>'], permissions: ['scripting'] };
