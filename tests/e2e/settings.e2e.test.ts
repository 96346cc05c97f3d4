import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumHarness } from './chromium-harness';
import { CNET_ARTICLE, DCK_ARTICLE, FORBES_ARTICLE, UNKNOWN_PAGE } from './fixture-site';
import { waitFor } from './harness';

const SETTLE_MS = 5000;

/** The reader changes settings while articles are open: every change applies without a reload. */
describe('Chromium: settings, site hiding and the story view', () => {
  let browser: ChromiumHarness;
  beforeAll(async () => {
    browser = await ChromiumHarness.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const badgeShown = async (tab: Awaited<ReturnType<ChromiumHarness['openArticle']>>, shown: boolean) =>
    (await waitFor(() => browser.pageBadge(tab), (state) => state.present === shown, SETTLE_MS)).present;

  it('turns the article badge off and on in open tabs, live', async () => {
    const tab = await browser.openArticle(CNET_ARTICLE);
    expect(await badgeShown(tab, true)).toBe(true);
    const options = await browser.context.newPage();
    await options.goto(browser.extensionUrl('src/options/options.html'));
    await options.getByLabel('Show a badge on known articles').uncheck();
    expect(await badgeShown(tab, false)).toBe(false);
    // The toolbar count does not depend on the page badge.
    expect(await browser.badgeText(tab.tabId)).toBe('2');
    await options.getByLabel('Show a badge on known articles').check();
    expect(await badgeShown(tab, true)).toBe(true);
    await options.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    expect(await options.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await options.close();
    await tab.close();
  });

  it('hides Elsewhere on a site from the popup, lists it in settings, and undoes it there', async () => {
    const tab = await browser.openArticle(DCK_ARTICLE);
    expect(await badgeShown(tab, true)).toBe(true);
    const popup = await browser.openPopup(tab.tabId);
    await popup.getByRole('button', { name: 'Hide on this site' }).click();
    await popup.getByText('Hidden on datacenterknowledge.com').waitFor();
    expect(await badgeShown(tab, false)).toBe(false);
    await popup.close();

    const options = await browser.context.newPage();
    await options.goto(browser.extensionUrl('src/options/options.html'));
    await options.getByRole('button', { name: 'Show Elsewhere on datacenterknowledge.com again' }).click();
    await options.getByText('None. Use “Hide on this site” in the popup to add one.').waitFor();
    expect(await badgeShown(tab, true)).toBe(true);
    await options.close();
    await tab.close();
  });

  it('shows the story of a link, as link badges and the context menu open it', async () => {
    const view = await browser.context.newPage();
    await view.goto(browser.extensionUrl(`src/popup/popup.html?url=${encodeURIComponent(`${FORBES_ARTICLE}?utm_source=feed`)}`));
    await view.waitForSelector('.popup[aria-busy="false"]');
    expect(await view.locator('.es-outlet').allInnerTexts()).toEqual(['CNET', 'Data Center Knowledge']);
    await view.goto(browser.extensionUrl(`src/popup/popup.html?url=${encodeURIComponent(UNKNOWN_PAGE)}`));
    await view.waitForSelector('.popup[aria-busy="false"]');
    expect(await view.locator('.popup-empty').innerText()).toBe('Elsewhere knows no other coverage of this link.');
    await view.close();
  });

  it('caused no error and no network request', () => {
    expect(browser.errors).toEqual([]);
    expect(browser.strayRequests).toEqual([]);
  });
});
