import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, axeViolationsInShadow } from './axe';
import { ChromiumHarness } from './chromium-harness';
import { DCK_ARTICLE, UNKNOWN_PAGE } from './fixture-site';
import { waitFor } from './harness';
import { FRONT_PAGE } from './link-site';

/** axe-core over every surface Elsewhere draws, in real Chromium: 0 violations. */
describe('Chromium: accessibility (axe-core)', () => {
  let browser: ChromiumHarness;
  beforeAll(async () => {
    browser = await ChromiumHarness.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the popup, with a story and empty', async () => {
    const known = await browser.openArticle(DCK_ARTICLE);
    await waitFor(() => browser.badgeText(known.tabId), (text) => text === '2', 5000);
    const popup = await browser.openPopup(known.tabId);
    expect(await popup.locator('.es-item').count()).toBe(2);
    expect(await axeViolations(popup)).toEqual([]);
    const unknown = await browser.openArticle(UNKNOWN_PAGE);
    const empty = await browser.openPopup(unknown.tabId);
    expect(await axeViolations(empty)).toEqual([]);
    await Promise.all([popup.close(), empty.close(), known.close(), unknown.close()]);
  });

  it('the settings page', async () => {
    const options = await browser.context.newPage();
    await options.goto(browser.extensionUrl('src/options/options.html'));
    await options.getByRole('combobox', { name: 'Theme' }).waitFor();
    expect(await axeViolations(options)).toEqual([]);
    await options.close();
  });

  it('the in-page badge, collapsed and expanded', async () => {
    const tab = await browser.openArticle(DCK_ARTICLE);
    await waitFor(() => browser.pageBadgeText(tab.page), (text) => text.includes('Also covered'), 5000);
    expect(await axeViolationsInShadow(browser.context, tab.page, 'elsewhere-badge')).toEqual([]);
    const box = (await tab.page.locator('elsewhere-badge').boundingBox())!;
    await tab.page.mouse.click(box.x + 40, box.y + box.height / 2);
    await waitFor(() => browser.pageBadgeText(tab.page), (text) => text.includes('Forbes'), 5000);
    expect(await axeViolationsInShadow(browser.context, tab.page, 'elsewhere-badge')).toEqual([]);
    await tab.close();
  });

  it('a link badge', async () => {
    const page = await browser.context.newPage();
    await page.goto(FRONT_PAGE);
    await waitFor(() => page.locator('elsewhere-link-badge').count(), (count) => count > 0, 5000);
    expect(await axeViolationsInShadow(browser.context, page, 'elsewhere-link-badge')).toEqual([]);
    await page.close();
  });
});
