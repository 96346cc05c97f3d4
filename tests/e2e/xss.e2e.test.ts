import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumHarness } from './chromium-harness';
import { waitFor } from './harness';
import { XSS_ARTICLES } from './hostile-site';

/** A build of the extension whose bundled index comes from seeds with markup in every text field. */
const XSS_BUILD = 'dist/xss-chrome';
const [FIRST, SECOND] = XSS_ARTICLES;

/** What an injected payload would leave behind in the document. */
function injectedInto(): string[] {
  const root = document;
  const found: string[] = [];
  for (const element of root.querySelectorAll('img, script, iframe, object, embed, svg:not(.es-timeline svg), math, style, a')) {
    if (element.localName === 'a') {
      const href = element.getAttribute('href') ?? '';
      if (!/^https?:\/\//.test(href)) found.push(`a[href=${href}]`);
    } else if (element.localName === 'style' || element.localName === 'script') {
      // The popup's own stylesheet and module script are links, not inline elements.
      if (element.textContent) found.push(element.localName);
    } else {
      found.push(element.localName);
    }
  }
  for (const element of root.querySelectorAll('*')) {
    for (const attribute of element.getAttributeNames()) if (/^on/i.test(attribute)) found.push(`${element.localName}[${attribute}]`);
  }
  return found;
}

describe('Chromium: seeds with markup in every field render as text, and nothing runs', () => {
  let browser: ChromiumHarness;
  const dialogs: string[] = [];
  const watch = (page: Page) => page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });

  beforeAll(async () => {
    execFileSync('node_modules/.bin/vite', ['build', '--mode', 'chrome', '--logLevel', 'error'], {
      env: { ...process.env, ELSEWHERE_SEEDS: 'tests/fixtures/seeds-xss', ELSEWHERE_OUT_DIR: XSS_BUILD },
      stdio: 'pipe',
    });
    browser = await ChromiumHarness.launch(XSS_BUILD);
    browser.context.on('page', watch);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the popup shows the markup as text, with no element, handler or script link injected', async () => {
    const tab = await browser.openArticle(FIRST);
    await waitFor(() => browser.badgeText(tab.tabId), (text) => text === '2', 5000);
    const popup = await browser.openPopup(tab.tabId);
    expect(await popup.locator('.es-title').allInnerTexts()).toEqual(['"><iframe src="javascript:alert(4)"></iframe>Quote breakout', '\u202eReversed text and a zero\u200bwidth space']);
    expect(await popup.locator('.es-outlet').allInnerTexts()).toEqual(['</span><a href="javascript:alert(8)">Forbes</a>', '<style>*{display:none}</style>DCK']);
    expect(await popup.locator('.popup-reading').innerText()).toContain('<img src=x onerror="window.__xss=1;alert(1)">');
    expect(await popup.evaluate(() => document.querySelectorAll('.es-item').length)).toBe(2);
    expect(await popup.evaluate(injectedInto)).toEqual([]);
    expect(await popup.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await popup.close();
    await tab.close();
  });

  it('the in-page badge, expanded, shows the markup as text and injects nothing into its shadow root', async () => {
    const tab = await browser.openArticle(SECOND);
    const text = await waitFor(() => browser.pageBadgeText(tab.page), (value) => value.includes('Also covered'), 5000);
    expect(text).toContain('Also covered by 2 other outlets');
    const box = (await tab.page.locator('elsewhere-badge').boundingBox())!;
    await tab.page.mouse.click(box.x + 40, box.y + box.height / 2);
    const expanded = await waitFor(() => browser.pageBadgeText(tab.page), (value) => value.includes('Markup in a title'), 5000);
    expect(expanded).toContain('<img src=x onerror="window.__xss=1;alert(1)">Markup in a title');
    expect(expanded).toContain('<svg onload=alert(3)>CNET');
    const rootNodes = await browser.pageBadgeElements(tab.page);
    expect(rootNodes.filter((name) => ['img', 'script', 'iframe', 'object', 'embed', 'math', 'style'].includes(name))).toEqual([]);
    expect(await tab.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await tab.close();
  });

  it('opened no dialog, logged no error and made no network request', () => {
    expect(dialogs).toEqual([]);
    expect(browser.errors).toEqual([]);
    expect(browser.strayRequests).toEqual([]);
  });
});
