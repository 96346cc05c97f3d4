/**
 * The one place that imports webextension-polyfill: the background, the popup and the settings page
 * get the promise-based `browser`. The content script does not (src/content/native-api.ts): it uses
 * the browser's own promise-based object, because the polyfill's start-up touches both `chrome`
 * and `browser` in Chromium, and each namespace's first use costs a page milliseconds (issue 4).
 */
import browser from 'webextension-polyfill';

export { browser };
export type { Browser, Menus, Permissions, Runtime, Scripting, Tabs } from 'webextension-polyfill';
