import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumHarness } from './chromium-harness';
import { CNET_ARTICLE, DCK_ARTICLE } from './fixture-site';
import { waitFor } from './harness';
import { defineUserStories } from './user-stories';

describe('Chromium (Debian chromium via playwright-core)', () => {
  defineUserStories(() => ChromiumHarness.launch());
});

/** Stories that need DevTools: reading inside the closed shadow root, keyboard use, screenshots. */
describe('Chromium: the badge and popup up close', () => {
  let browser: ChromiumHarness;
  beforeAll(async () => {
    browser = await ChromiumHarness.launch();
    mkdirSync('assets/screenshots', { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('expands the in-page badge into the list, and dismisses it for the page', async () => {
    const tab = await browser.openArticle(DCK_ARTICLE);
    const page = tab.page;
    const text = await waitFor(() => browser.pageBadgeText(page), (value) => value.includes('Also covered'), 5000);
    expect(text).toContain('Also covered by 2 other outlets');
    expect(text).not.toContain('Forbes');
    const host = page.locator('elsewhere-badge');
    const box = (await host.boundingBox())!;
    // The toggle button sits at the badge's left; the dismiss button at its right.
    await page.mouse.click(box.x + 40, box.y + box.height / 2);
    const expanded = await waitFor(() => browser.pageBadgeText(page), (value) => value.includes('Forbes'), 5000);
    expect(expanded).toMatch(/CNET.*First report.*Microsoft builds massive supercomputer for smarter AI.*Forbes/);
    await page.screenshot({ path: 'assets/screenshots/in-page-badge.png' });
    const open = (await host.boundingBox())!;
    await page.mouse.click(open.x + open.width - 20, open.y + 20);
    expect(await waitFor(() => tab.evaluate(() => document.querySelector('elsewhere-badge') !== null), (present) => !present, 5000)).toBe(false);
    // Dismissed for the page, but the toolbar still knows.
    expect(await browser.badgeText(tab.tabId)).toBe('2');
    await tab.close();
  });

  it('lets a keyboard user open an entry of the popup in a new tab', async () => {
    const tab = await browser.openArticle(CNET_ARTICLE);
    await waitFor(() => browser.badgeText(tab.tabId), (text) => text === '2', 5000);
    const popup = await browser.openPopup(tab.tabId);
    await popup.setViewportSize({ width: 400, height: 420 });
    await popup.screenshot({ path: 'assets/screenshots/popup.png' });
    await popup.keyboard.press('Tab');
    expect(await popup.evaluate(() => document.activeElement?.className)).toBe('es-link');
    const opened = browser.context.waitForEvent('page');
    await popup.keyboard.press('Enter');
    const article = await opened;
    await article.waitForLoadState();
    expect(article.url()).toBe('https://www.forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/');
    await article.close();
    await popup.close();
    await tab.close();
  });
});
