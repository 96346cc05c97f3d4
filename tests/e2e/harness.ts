/**
 * One interface over the two real browsers, so each user story is written once and lived
 * through in Chromium (playwright-core) and in Firefox (puppeteer-core over WebDriver BiDi).
 */
export interface ArticleTab {
  /** The browser's id for this tab, as the extension sees it. */
  tabId: number;
  /** Runs a function in the page's own world. */
  evaluate<T>(fn: () => T): Promise<T>;
  close(): Promise<void>;
}

export interface ExtensionHarness {
  readonly name: 'chromium' | 'firefox';
  /** Opens an outlet's page (served from a fixture) in a new tab and waits for it to load. */
  openArticle(url: string): Promise<ArticleTab>;
  /** The toolbar badge text of a tab, read from the extension (`action.getBadgeText`). */
  badgeText(tabId: number): Promise<string>;
  /** Opens `popup.html?tab=ID` in a tab and returns the texts of its list entries, in order. */
  popupEntries(tabId: number): Promise<{ heading: string; entries: string[]; empty: string | null }>;
  /** Whether the in-page badge is attached and rendered (visible, with a size, position fixed). */
  pageBadge(tab: ArticleTab): Promise<{ present: boolean; visible: boolean; position: string | null }>;
  /** Requests that reached the network layer and were not fixture pages: must stay empty. */
  readonly strayRequests: string[];
  close(): Promise<void>;
}

/** Polls until `read` returns what `done` accepts, or gives up and returns the last value. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/** Favicons are fetched by the browser itself, never by the extension; data: URLs never reach a network. */
export function isBrowserOwnRequest(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'data:' || parsed.pathname === '/favicon.ico';
}

/** The in-page badge's state, read from the page (the host element only: its shadow root is closed). */
export function readPageBadge(): { present: boolean; visible: boolean; position: string | null } {
  const host = document.querySelector('elsewhere-badge');
  if (!host) return { present: false, visible: false, position: null };
  const box = host.getBoundingClientRect();
  const visible = box.width > 0 && box.height > 0 && host.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  return { present: true, visible, position: getComputedStyle(host).position };
}
