import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { GECKO_ID } from '../../src/build/manifest';
import { FIREFOX_PATH } from './browsers';
import { pageFixture } from './fixtures';
import { isBrowserOwnRequest, readPageBadge, type ArticleTab, type ExtensionHarness } from './harness';

type WebExtensionGlobal = { browser: typeof import('webextension-polyfill') };

export class FirefoxHarness implements ExtensionHarness {
  readonly name = 'firefox';
  readonly strayRequests: string[] = [];
  private probe: Page | null = null;

  private constructor(
    private readonly browser: Browser,
    /** Fixed through a pref, because Firefox otherwise gives each install a random one. */
    private readonly uuid: string,
    private readonly extensionDir: string,
  ) {}

  /**
   * `idleTimeoutMs` shortens how long Firefox keeps the background alive without events, so tests
   * can make it be suspended between steps as it would be after 30 s idle. `installed: false`
   * starts Firefox without the extension, as a reader has it before installing: `install()` adds it.
   */
  static async launch(options: { extensionDir?: string; idleTimeoutMs?: number; installed?: boolean } = {}): Promise<FirefoxHarness> {
    const { extensionDir = 'dist/firefox', idleTimeoutMs, installed = true } = options;
    const uuid = randomUUID();
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      args: ['--remote-allow-system-access'],
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
        ...(idleTimeoutMs === undefined ? {} : { 'extensions.background.idle.timeout': idleTimeoutMs }),
      },
    });
    const harness = new FirefoxHarness(browser, uuid, extensionDir);
    if (installed) await harness.install();
    return harness;
  }

  async install(): Promise<void> {
    await this.browser.installExtension(resolve(this.extensionDir));
  }

  private extensionUrl(path: string): string {
    return `moz-extension://${this.uuid}/${path}`;
  }

  /** A moz-extension page never reports load complete over BiDi: navigate, then wait for a selector. */
  async openExtensionPage(path: string, selector: string): Promise<Page> {
    const page = await this.browser.newPage();
    void page.goto(this.extensionUrl(path)).catch(() => undefined);
    // Polled with plain evaluations: waitForSelector's element handle sometimes fails to serialise
    // over BiDi while about:blank gives way to the extension page ("right-hand side of 'in'…").
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = await page.evaluate((wanted) => document.querySelector(wanted) !== null, selector).catch(() => false);
      if (found) return page;
      if (Date.now() > deadline) throw new Error(`${selector} did not appear in ${path}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** An extension page kept open to ask the WebExtension APIs what the toolbar shows. */
  private async extensionProbe(): Promise<Page> {
    this.probe ??= await this.openExtensionPage('src/popup/popup.html?tab=0', '.popup');
    return this.probe;
  }

  async openArticle(url: string): Promise<ArticleTab & { page: Page }> {
    const page = await this.openTab(url);
    const tabId = await this.tabIdAt(page.url());
    return { page, tabId, evaluate: (fn) => page.evaluate(fn), close: () => page.close() };
  }

  /** A new tab at `url`, served from the fixtures; it needs no extension (see `install`). */
  async openTab(url: string): Promise<Page> {
    const page = await this.browser.newPage();
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const fixture = pageFixture(request.url());
      if (fixture) {
        void request.respond({ status: fixture.status, headers: { 'content-type': 'text/html; charset=utf-8', ...fixture.headers }, body: fixture.body });
        return;
      }
      if (!isBrowserOwnRequest(request.url())) this.strayRequests.push(request.url());
      void request.abort();
    });
    await page.goto(url);
    return page;
  }

  /** The id of the one tab at `url`, asked from the extension. */
  async tabIdAt(url: string): Promise<number> {
    const probe = await this.extensionProbe();
    const ids = await probe.evaluate(
      async (address) => (await (globalThis as unknown as WebExtensionGlobal).browser.tabs.query({ url: address })).map((tab) => tab.id),
      url,
    );
    if (ids.length !== 1 || ids[0] === undefined) throw new Error(`expected one tab at ${url}, found ${ids.length}`);
    return ids[0];
  }

  /**
   * A tab whose address `match` accepts, such as one the extension opens. BiDi reports a tab the
   * extension opens as about:blank even once it shows a moz-extension page, so each tab is asked.
   */
  async waitForPage(match: (url: string) => boolean, timeout = 10_000): Promise<Page> {
    const deadline = Date.now() + timeout;
    const whereIs = (page: Page) =>
      Promise.race([page.evaluate(() => location.href), new Promise<string>((resolve) => setTimeout(() => resolve(''), 1000))]).catch(() => '');
    while (Date.now() < deadline) {
      for (const page of await this.browser.pages()) if (match(await whereIs(page))) return page;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no tab matched within ${timeout} ms`);
  }

  async badgeText(tabId: number): Promise<string> {
    const probe = await this.extensionProbe();
    return probe.evaluate((id) => (globalThis as unknown as WebExtensionGlobal).browser.action.getBadgeText({ tabId: id }), tabId);
  }

  async popupEntries(tabId: number): Promise<{ heading: string; entries: string[]; empty: string | null }> {
    const page = await this.openExtensionPage(`src/popup/popup.html?tab=${tabId}`, '.popup[aria-busy="false"]');
    const result = await page.evaluate(() => ({
      heading: document.querySelector('h1')?.textContent ?? '',
      entries: [...document.querySelectorAll<HTMLElement>('.es-item')].map((item) => item.innerText),
      empty: document.querySelector('.popup-empty')?.textContent ?? null,
    }));
    await page.close();
    return result;
  }

  pageBadge(tab: ArticleTab): Promise<{ present: boolean; visible: boolean; position: string | null }> {
    return tab.evaluate(readPageBadge);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
