import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './browsers';
import { FIXTURE_REPORT_PATH } from './fixture-site';
import { pageFixture } from './fixtures';
import { isBrowserOwnRequest, readPageBadge, waitFor, type ArticleTab, type ExtensionHarness } from './harness';

export class ChromiumHarness implements ExtensionHarness {
  readonly name = 'chromium';
  readonly strayRequests: string[] = [];
  /**
   * Uncaught errors and console errors from pages, extension pages and the extension's service
   * worker (including its unhandled rejections, such as "Receiving end does not exist"): must stay empty.
   */
  readonly errors: string[] = [];
  private probe: Page | null = null;
  private extensionsPage: Page | null = null;

  private constructor(
    readonly context: BrowserContext,
    readonly extensionId: string,
    private readonly profile: string,
  ) {}

  static async launch(extensionDir = 'dist/chrome'): Promise<ChromiumHarness> {
    // Route the service worker's own requests too, so the network log covers the background.
    process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';
    const dir = resolve(extensionDir);
    const profile = mkdtempSync(join(tmpdir(), 'elsewhere-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${dir}`, `--load-extension=${dir}`],
      ignoreDefaultArgs: ['--disable-extensions'],
    });
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const harness = new ChromiumHarness(context, new URL(worker.url()).host, profile);
    const watchWorker = (worker: Worker): void => {
      if (!worker.url().startsWith('chrome-extension://')) return;
      worker.on('console', (message) => {
        if (message.type() === 'error') harness.errors.push(`service worker: ${message.text()}`);
      });
      // A worker stopped before it could be asked has nothing left to report.
      void harness.watchUncaught(worker).catch(() => undefined);
    };
    context.serviceWorkers().forEach(watchWorker);
    context.on('serviceworker', watchWorker);
    context.on('page', (page) => {
      page.on('pageerror', (error) => harness.errors.push(`${page.url()}: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') harness.errors.push(`${page.url()}: ${message.text()}`);
      });
    });
    await serveFixtures(context, (url) => harness.strayRequests.push(url));
    return harness;
  }

  /**
   * Playwright reports a worker's console but not its uncaught errors or unhandled rejections, so
   * each worker (a stopped one comes back as a new one) is asked to log those as console errors.
   */
  private watchUncaught(worker: Worker): Promise<void> {
    return worker.evaluate(() => {
      const scope = self as unknown as { elsewhereHarnessWatching?: true } & typeof self;
      if (scope.elsewhereHarnessWatching) return;
      scope.elsewhereHarnessWatching = true;
      scope.addEventListener('error', (event) => console.error(`uncaught: ${event.message}`));
      scope.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => console.error(`unhandled rejection: ${String(event.reason)}`));
    });
  }

  /** The extension's running service worker, once its uncaught errors are surely being logged. */
  async watchedServiceWorker(): Promise<Worker> {
    const worker = this.serviceWorker();
    await this.watchUncaught(worker);
    return worker;
  }

  extensionUrl(path: string): string {
    return `chrome-extension://${this.extensionId}/${path}`;
  }

  /**
   * An extension page kept open to ask the extension APIs what the toolbar shows. Asking from a
   * page rather than the service worker keeps working while the worker is stopped.
   */
  private async extensionProbe(): Promise<Page> {
    // Reloading the extension closes every page of the old instance, this one included.
    if (!this.probe || this.probe.isClosed()) {
      this.probe = await this.context.newPage();
      await this.probe.goto(this.extensionUrl('src/popup/popup.html?tab=0'));
    }
    return this.probe;
  }

  async tabIdOf(url: string): Promise<number> {
    const probe = await this.extensionProbe();
    const tabs = await probe.evaluate(async (address) => (await (globalThis as unknown as ChromeGlobal).chrome.tabs.query({ url: address })).map((tab) => tab.id), url);
    if (tabs.length !== 1 || tabs[0] === undefined) throw new Error(`expected one tab at ${url}, found ${tabs.length}`);
    return tabs[0];
  }

  async openArticle(url: string): Promise<ArticleTab & { page: Page }> {
    const page = await this.context.newPage();
    await page.goto(url);
    const tabId = await this.tabIdOf(page.url());
    return { page, tabId, evaluate: (fn) => page.evaluate(fn), close: () => page.close() };
  }

  async badgeText(tabId: number): Promise<string> {
    const probe = await this.extensionProbe();
    return probe.evaluate((id) => (globalThis as unknown as ChromeGlobal).chrome.action.getBadgeText({ tabId: id }), tabId);
  }

  /**
   * Stops the extension's service worker, as Chrome does after 30 s idle (DevTools
   * ServiceWorker.stopAllWorkers), and resolves whether every worker that was running went away
   * within `timeoutMs`. Each worker that runs is a target of its own: polling for no running
   * worker at all could miss the stop when an event woke a new one at once (seen once in about six
   * CI runs).
   */
  async stopWorker(timeoutMs = 5000): Promise<boolean> {
    const before = await this.workerTargets();
    const gone = (now: string[]): boolean => !now.some((id) => before.includes(id));
    // A stop asked while the worker is still starting can go unheeded: asked again, up to 3 times.
    for (let attempt = 0; attempt < 3; attempt++) {
      const probe = await this.extensionProbe();
      const session = await this.context.newCDPSession(probe);
      await session.send('ServiceWorker.enable');
      await session.send('ServiceWorker.stopAllWorkers');
      await session.detach();
      if (gone(await waitFor(() => this.workerTargets(), gone, timeoutMs / 3))) return true;
    }
    return false;
  }

  /**
   * Reloads the extension as `chrome.runtime.reload()` does (the reader's "Reload" on
   * chrome://extensions, or an update): the id stays, the old instance's worker and pages go.
   * Resolves once the new instance serves its pages; its worker starts on its first event.
   * Chromium injects no content script into tabs already open, and the background puts one in only
   * on a first install or a grant's new registration (install.e2e.test.ts, all-websites.e2e.test.ts).
   */
  async reloadExtension(): Promise<void> {
    // Without developer mode, Chromium disables an extension loaded from a folder when it reloads
    // ("unsupportedDeveloperExtension"); a reader who can reload one has developer mode on.
    await this.developerPrivate((api) => api.updateProfileConfiguration({ inDeveloperMode: true }));
    const old = this.serviceWorker();
    const gone = new Promise((resolve) => old.once('close', resolve));
    // Deferred, so the evaluation returns before the worker it runs in goes away.
    await old.evaluate(() => {
      setTimeout(() => (globalThis as unknown as ChromeGlobal).chrome.runtime.reload());
    });
    await gone;
    this.probe = null;
    // Until the new instance is installed, its pages are refused (net::ERR_BLOCKED_BY_CLIENT).
    const deadline = Date.now() + 10_000;
    for (;;) {
      const page = await this.context.newPage();
      try {
        await page.goto(this.extensionUrl('src/popup/popup.html?tab=0'));
        this.probe = page;
        return;
      } catch (error) {
        await page.close();
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** The extension's running service worker, to run code in its own context. */
  serviceWorker(): Worker {
    // The last one: after a reload, the old instance's worker may not be reported closed yet.
    const worker = this.context.serviceWorkers().findLast((candidate) => candidate.url().startsWith(this.extensionUrl('')));
    if (!worker) throw new Error('the extension has no running service worker');
    return worker;
  }

  /** The targets of the extension's service workers running right now: one per worker started. */
  private async workerTargets(): Promise<string[]> {
    const probe = await this.extensionProbe();
    const session = await this.context.newCDPSession(probe);
    const { targetInfos } = (await session.send('Target.getTargets')) as { targetInfos: Array<{ targetId: string; type: string; url: string }> };
    await session.detach();
    return targetInfos.filter((target) => target.type === 'service_worker' && target.url.startsWith(this.extensionUrl(''))).map((target) => target.targetId);
  }

  async openPopup(tabId: number): Promise<Page> {
    const page = await this.context.newPage();
    await page.goto(this.extensionUrl(`src/popup/popup.html?tab=${tabId}`));
    await page.waitForSelector('.popup[aria-busy="false"]');
    return page;
  }

  async popupEntries(tabId: number): Promise<{ heading: string; entries: string[]; empty: string | null }> {
    const page = await this.openPopup(tabId);
    const result = {
      heading: await page.locator('h1').innerText(),
      entries: await page.locator('.es-item').allInnerTexts(),
      empty: (await page.locator('.popup-empty').count()) > 0 ? await page.locator('.popup-empty').innerText() : null,
    };
    await page.close();
    return result;
  }

  pageBadge(tab: ArticleTab): Promise<{ present: boolean; visible: boolean; position: string | null }> {
    return tab.evaluate(readPageBadge);
  }

  /** The in-page badge's host node with its closed shadow root, read through DevTools (which pierces it). */
  private async pageBadgeNode(page: Page): Promise<DomNode | null> {
    const session = await this.context.newCDPSession(page);
    const { root } = (await session.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    await session.detach();
    return findNode(root, (node) => node.localName === 'elsewhere-badge');
  }

  /** The text inside the badge's closed shadow root. */
  async pageBadgeText(page: Page): Promise<string> {
    const host = await this.pageBadgeNode(page);
    return host ? collectText(host) : '';
  }

  /** The element names inside the badge's closed shadow root. */
  async pageBadgeElements(page: Page): Promise<string[]> {
    const names: string[] = [];
    const walk = (node: DomNode): void => {
      if (node.nodeType === 1 && node.localName) names.push(node.localName);
      for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) walk(child);
    };
    const host = await this.pageBadgeNode(page);
    if (host) walk(host);
    return names;
  }

  /**
   * Chrome's own extensions page, chrome://extensions, and the private API its UI calls
   * (`chrome.developerPrivate`): what a reader does there, done the way that page does it.
   */
  private async developerPrivate<T>(call: (api: DeveloperPrivate, args: readonly [id: string, arg: string]) => Promise<T>, arg = ''): Promise<T> {
    if (!this.extensionsPage || this.extensionsPage.isClosed()) {
      this.extensionsPage = await this.context.newPage();
      await this.extensionsPage.goto('chrome://extensions');
    }
    const api = await this.extensionsPage.evaluateHandle(() => (globalThis as unknown as { chrome: { developerPrivate: DeveloperPrivate } }).chrome.developerPrivate);
    return api.evaluate(call, [this.extensionId, arg] as const);
  }

  /** Grants the extension access to sites matching `pattern`, as chrome://extensions' "Site access" does. */
  grantSiteAccess(pattern: string): Promise<void> {
    return this.developerPrivate((api, [id, host]) => api.addHostPermission(id, host), pattern);
  }

  /** Takes the extension's access to `pattern` away again, as a reader does on chrome://extensions. */
  revokeSiteAccess(pattern: string): Promise<void> {
    return this.developerPrivate((api, [id, host]) => api.removeHostPermission(id, host), pattern);
  }

  /**
   * Adds the service worker's uncaught errors, rejected promises, console errors and unchecked
   * `runtime.lastError`s to `errors`. The page listeners above see pages only, and
   * chrome://extensions' error list missed a rejection in the worker (tried, Chromium 156), so this
   * attaches DevTools to the worker itself (non-flat, since Playwright's sessions take no session id).
   * Watches the worker running now: call it again after stopping the worker.
   */
  async watchWorkerErrors(): Promise<void> {
    const probe = await this.extensionProbe();
    const session = await this.context.newCDPSession(probe);
    const { targetInfos } = await session.send('Target.getTargets');
    const worker = targetInfos.find((target) => target.type === 'service_worker' && target.url.startsWith(this.extensionUrl('')));
    if (!worker) throw new Error('the extension has no running service worker');
    const { sessionId } = await session.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
    session.on('Target.receivedMessageFromTarget', (event) => {
      const { method, params } = JSON.parse(event.message) as { method?: string; params?: WorkerEvent };
      if (method === 'Runtime.exceptionThrown' && params?.exceptionDetails) {
        const details = params.exceptionDetails;
        this.errors.push(`${worker.url}: ${details.text} ${details.exception?.description ?? ''}`.trim());
      } else if (method === 'Runtime.consoleAPICalled' && params?.type === 'error') {
        this.errors.push(`${worker.url}: ${(params.args ?? []).map((arg) => arg.value ?? arg.description).join(' ')}`);
      } else if (method === 'Log.entryAdded' && params?.entry?.level === 'error') {
        this.errors.push(`${worker.url}: ${params.entry.text}`);
      }
    });
    let id = 0;
    for (const command of ['Runtime.enable', 'Log.enable']) {
      await session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: ++id, method: command }) });
    }
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/**
 * Answers every request of `context` with its fixture page (tests/e2e/fixtures.ts), lets the
 * extension's own files through, and refuses the rest, telling `stray` of any that is not the
 * browser's own.
 */
export async function serveFixtures(context: BrowserContext, stray: (url: string) => void): Promise<void> {
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('chrome-extension://')) return route.continue();
    // A page's report about itself, which only the HTTPS fixture server keeps: accepted and dropped
    // here, so the page sees no failed request it would not see there.
    if (route.request().method() === 'POST' && new URL(url).pathname === FIXTURE_REPORT_PATH) return route.fulfill({ status: 204 });
    const fixture = pageFixture(url);
    if (fixture) {
      return route.fulfill({ status: fixture.status, headers: { 'content-type': 'text/html; charset=utf-8', ...fixture.headers }, body: fixture.body });
    }
    if (!isBrowserOwnRequest(url)) stray(url);
    return route.abort();
  });
}

/** The part of chrome://extensions' private API these tests use (chrome/common/extensions/api/developer_private.idl). */
interface DeveloperPrivate {
  addHostPermission(extensionId: string, host: string): Promise<void>;
  removeHostPermission(extensionId: string, host: string): Promise<void>;
  updateProfileConfiguration(update: { inDeveloperMode: boolean }): Promise<void>;
}

/** The few fields of the worker's DevTools events that `watchWorkerErrors` reads. */
interface WorkerEvent {
  exceptionDetails?: { text: string; exception?: { description?: string } };
  type?: string;
  args?: Array<{ value?: unknown; description?: string }>;
  entry?: { level: string; text: string };
}

/** Chrome's promise-returning `chrome` global, typed through the polyfill's declarations. */
type ChromeGlobal = { chrome: typeof import('webextension-polyfill') };

interface DomNode {
  nodeType: number;
  localName?: string;
  nodeValue?: string;
  children?: DomNode[];
  shadowRoots?: DomNode[];
}

function findNode(node: DomNode, match: (node: DomNode) => boolean): DomNode | null {
  if (match(node)) return node;
  for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) {
    const found = findNode(child, match);
    if (found) return found;
  }
  return null;
}

function collectText(node: DomNode): string {
  if (node.nodeType === 3) return node.nodeValue ?? '';
  if (node.localName === 'style') return '';
  return [...(node.shadowRoots ?? []), ...(node.children ?? [])].map(collectText).join(' ').replace(/\s+/g, ' ').trim();
}
