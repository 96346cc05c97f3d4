import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page, type WebWorker } from 'puppeteer-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './browsers';
import { FixtureServer } from './fixture-server';

type ChromeGlobal = { chrome: typeof import('webextension-polyfill') };

/**
 * Chromium with the extension, driven by puppeteer, for what the Playwright harness cannot show:
 * Chromium refuses to prerender under a DevTools client that attaches to pages without tab targets
 * (Playwright does; puppeteer attaches through tab targets), and under request interception, so
 * pages come from a real local server (FixtureServer) instead. Once a prerendered page is
 * activated, puppeteer now and then cannot evaluate in it (a detached frame, or an execution context
 * that never comes), so such a page reports what the test needs to the server instead. It can also
 * start without the extension and install it later (DevTools' Extensions.loadUnpacked, which needs
 * the pipe), as a reader installs it with tabs open (install.e2e.test.ts).
 */
export class PrerenderHarness {
  /** Uncaught errors and console errors of the pages the test opened: must stay empty. */
  readonly errors: string[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly server: FixtureServer,
    private readonly profile: string,
    private readonly extensionDir: string,
  ) {}

  /**
   * The extension's service worker, asked what the toolbar shows. (An extension page as probe, as
   * in the Playwright harness, now and then never finished loading under puppeteer.) DevTools keeps
   * an attached worker running, which suits these tests: none of them stops the worker.
   */
  private worker: WebWorker | null = null;

  private get probe(): WebWorker {
    if (!this.worker) throw new Error('the extension is not installed yet (install())');
    return this.worker;
  }

  /** `installed: false` starts Chromium without the extension, as a reader has it before installing: `install()` adds it. */
  static async launch(extensionDir = 'dist/chrome', { installed = true }: { installed?: boolean } = {}): Promise<PrerenderHarness> {
    const profile = mkdtempSync(join(tmpdir(), 'elsewhere-prerender-'));
    const server = await FixtureServer.start(profile);
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      pipe: true,
      userDataDir: profile,
      enableExtensions: installed ? [resolve(extensionDir)] : true,
      args: [...CHROMIUM_FLAGS, ...server.chromiumArgs()],
    });
    const harness = new PrerenderHarness(browser, server, profile, extensionDir);
    if (installed) await harness.findWorker();
    return harness;
  }

  /** Installs the extension into the running browser (DevTools' Extensions.loadUnpacked), as a reader does from the store. */
  async install(): Promise<void> {
    await this.browser.installExtension(resolve(this.extensionDir));
    await this.findWorker();
  }

  private async findWorker(): Promise<void> {
    // Ours by its file, not any extension's worker: Chromium may run a component extension's worker
    // too, which has no `chrome.tabs` (a CI run once probed one and failed on `chrome` undefined).
    const workerFile = (JSON.parse(readFileSync(join(this.extensionDir, 'manifest.json'), 'utf8')) as { background: { service_worker: string } }).background.service_worker;
    const target = await this.browser.waitForTarget(
      (candidate) => candidate.type() === 'service_worker' && candidate.url().startsWith('chrome-extension://') && candidate.url().endsWith(`/${workerFile}`),
    );
    this.worker = await target.worker();
    if (!this.worker) throw new Error('the extension has no service worker');
  }

  get strayRequests(): readonly string[] {
    return this.server.strayRequests;
  }

  /** How many requests for `url` the server has answered (a prerender fetches its page unseen). */
  servedCount(url: string): number {
    return this.server.served.filter((served) => served === url).length;
  }

  async openPage(url: string): Promise<{ page: Page; tabId: number }> {
    const page = await this.openTab(url);
    return { page, tabId: await this.tabIdAt(url) };
  }

  /** A new tab at `url`, its errors watched; it needs no extension (see `install`). */
  async openTab(url: string): Promise<Page> {
    const page = await this.browser.newPage();
    page.on('pageerror', (error) => this.errors.push(`${page.url()}: ${(error as Error).message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(`${page.url()}: ${message.text()}`);
    });
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    return page;
  }

  /** The id of the one tab at `url`, asked from the extension's worker. */
  async tabIdAt(url: string): Promise<number> {
    const ids = await this.tabIdsAt(url);
    if (ids.length !== 1 || ids[0] === undefined) throw new Error(`expected one tab at ${url}, found ${ids.length}`);
    return ids[0];
  }

  /** The ids of the tabs at `url`, asked from the worker; waits for its extension API if the worker is still starting. */
  private async tabIdsAt(url: string): Promise<Array<number | undefined>> {
    for (let attempt = 0; ; attempt++) {
      const ids = await this.probe.evaluate(async (address) => {
        const api = (globalThis as unknown as Partial<ChromeGlobal>).chrome;
        return api?.tabs ? (await api.tabs.query({ url: address })).map((tab) => tab.id) : null;
      }, url);
      if (ids) return ids;
      if (attempt === 50) throw new Error('the service worker has no chrome.tabs');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** What the page at `url` last reported about itself (FIXTURE_REPORT_PATH), or null. */
  report<T>(url: string): T | null {
    return (this.server.reports.get(url) as T | undefined) ?? null;
  }

  async badgeText(tabId: number): Promise<string> {
    return this.probe.evaluate((id) => (globalThis as unknown as ChromeGlobal).chrome.action.getBadgeText({ tabId: id }), tabId);
  }

  /**
   * Starts watching a tab's toolbar count from inside the browser (every 5 ms, so the time is not
   * blurred by DevTools round trips) and resolves with the wall-clock time it first reads `text`,
   * or null after `timeoutMs`.
   */
  async watchBadgeText(tabId: number, text: string, timeoutMs: number): Promise<number | null> {
    return this.probe.evaluate(
      (id, wanted, timeout) => {
        const deadline = Date.now() + timeout;
        return new Promise<number | null>((resolve) => {
          const poll = async () => {
            if ((await (globalThis as unknown as ChromeGlobal).chrome.action.getBadgeText({ tabId: id })) === wanted) resolve(Date.now());
            else if (Date.now() > deadline) resolve(null);
            else setTimeout(poll, 5);
          };
          void poll();
        });
      },
      tabId,
      text,
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.server.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}
