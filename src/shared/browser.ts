/** The one place that imports webextension-polyfill: every context gets the promise-based `browser`. */
import browser from 'webextension-polyfill';

export { browser };
export type { Menus, Permissions, Runtime, Tabs } from 'webextension-polyfill';
