/** The one place that imports webextension-polyfill: every context gets the promise-based `browser`. */
import browser from 'webextension-polyfill';

export { browser };
export type { Runtime, Tabs } from 'webextension-polyfill';
