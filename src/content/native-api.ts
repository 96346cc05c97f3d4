import type { Browser } from '../shared/browser';

/**
 * The content script's handle on the extension API: the browser's own object, not
 * webextension-polyfill (issue 4, figure 6). Both browsers' own objects answer every call the
 * content script makes (`runtime.sendMessage`, `runtime.id`, `i18n`) with promises or plain
 * values: Chromium's `chrome` since MV3 (Chrome 99+; we need 123), Firefox's `browser` always. The polyfill adds nothing to those calls, but its start-up
 * reads `chrome.runtime.id` and `browser.runtime.id`, and in Chromium 136+ (which has both) each
 * namespace's first use builds its bindings: 3-5 ms of a page's main thread, measured, before the
 * script does anything. The build for each browser picks its one namespace, and reads it only
 * when a call is made: even reading the global costs a page about half a millisecond in Chromium
 * (`bench/content-cost-ab.ts`), which a page with nothing known never pays.
 */
function namespace(): Browser {
  const scope = globalThis as { browser?: Browser; chrome?: Browser };
  return (import.meta.env.MODE === 'firefox' ? scope.browser : scope.chrome) as Browser;
}

export const extension = {
  get runtime(): Browser['runtime'] {
    return namespace().runtime;
  },
  get i18n(): Browser['i18n'] {
    return namespace().i18n;
  },
};
