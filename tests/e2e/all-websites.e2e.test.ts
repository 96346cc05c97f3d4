/**
 * "Show badges on all websites" (issue 5), lived through in real Chromium: by default the content
 * script stays on the outlets in the index; the settings toggle asks for the optional `<all_urls>`
 * and, once granted, links on any site get badges, on pages already open too; when the reader takes
 * the access away in the browser, Elsewhere turns the setting off and returns to the default,
 * without an error.
 *
 * Its own browser: revoking `<all_urls>` on chrome://extensions also withholds the outlets' hosts,
 * which would change what the other end-to-end files see.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_WEBSITES_PERMISSIONS } from '../../src/shared/permissions';
import { ChromiumHarness } from './chromium-harness';
import { waitFor } from './harness';
import { AGGREGATOR_PAGE, badgedLinks, FRONT_PAGE, FRONT_PAGE_BADGED as BADGED } from './link-site';

/** Link badges are idle-time work; on a busy 2-core machine give them a while. */
const SETTLE_MS = 10_000;
const TOGGLE = 'Show badges on all websites';

describe('Chromium: "Show badges on all websites" granted and revoked', () => {
  let browser: ChromiumHarness;
  let options: Page;
  let aggregator: Page;
  beforeAll(async () => {
    browser = await ChromiumHarness.launch();
    await browser.watchWorkerErrors();
    options = await browser.context.newPage();
    await options.goto(browser.extensionUrl('src/options/options.html'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Asked from the settings page, an extension page that holds the extension's API. */
  const hasAllWebsites = () => options.evaluate((wanted) => (globalThis as unknown as ChromeGlobal).chrome.permissions.contains(wanted), ALL_WEBSITES_PERMISSIONS);
  /** The ids of the dynamically registered content scripts; null if `scripting` (required since issue 4) were withheld. */
  const registeredScripts = () =>
    options.evaluate(async () => {
      const { permissions, scripting } = (globalThis as unknown as ChromeGlobal).chrome;
      if (!(await permissions.contains({ permissions: ['scripting'] }))) return null;
      return (await scripting.getRegisteredContentScripts()).map((script) => script.id);
    });
  const storedAllWebsites = () => options.evaluate(async () => ((await (globalThis as unknown as ChromeGlobal).chrome.storage.sync.get('settings')).settings as { allWebsites?: boolean } | undefined)?.allWebsites);

  it('leaves a site outside the index alone by default', async () => {
    // The same page on a known outlet is the control: once its badges are in, the script had its time.
    const outlet = await browser.context.newPage();
    aggregator = await browser.context.newPage();
    await Promise.all([outlet.goto(FRONT_PAGE), aggregator.goto(AGGREGATOR_PAGE)]);
    expect(await waitFor(() => badgedLinks(outlet), (ids) => ids.length === BADGED.length, SETTLE_MS)).toEqual(BADGED);
    expect(await badgedLinks(aggregator)).toEqual([]);
    expect(await options.getByLabel(TOGGLE).isChecked()).toBe(false);
    expect(await hasAllWebsites()).toBe(false);
    await outlet.close();
  });

  it('asks for the optional permissions from the toggle and, once granted, badges links on any site', async () => {
    // Headless Chromium cannot answer the permission prompt, and no switch accepts it (Chromium 156).
    // But Chrome does not prompt for optional permissions the reader already granted at runtime
    // (PermissionsRequestFunction::Run, chrome/browser/extensions/api/permissions/permissions_api.cc);
    // so the reader first allows all sites on chrome://extensions (`scripting` is required, and
    // shows no warning). That grant alone does not activate anything: the request from the toggle does.
    await browser.grantSiteAccess('<all_urls>');
    expect(await hasAllWebsites()).toBe(false);
    expect(await registeredScripts()).toEqual([]);

    await options.getByLabel(TOGGLE).check();
    expect(await waitFor(hasAllWebsites, (granted) => granted)).toBe(true);
    expect(await waitFor(storedAllWebsites, (on) => on === true)).toBe(true);
    expect(await waitFor(registeredScripts, (ids) => (ids?.length ?? 0) > 0)).toEqual(['elsewhere-all-websites']);
    expect(await options.getByText('The browser did not grant access').count()).toBe(0);

    // The page open all along gets the script and its badges at once, without a reload.
    expect(await waitFor(() => badgedLinks(aggregator), (ids) => ids.length === BADGED.length, SETTLE_MS)).toEqual(BADGED);
    expect(await aggregator.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type)).toBe('navigate');
  });

  it('turns off from the toggle, and back on without a second prompt', async () => {
    await options.getByLabel(TOGGLE).uncheck();
    // The toggle gives `<all_urls>` back, and the registration goes with it.
    expect(await waitFor(registeredScripts, (ids) => ids?.length === 0)).toEqual([]);
    expect(await hasAllWebsites()).toBe(false);
    expect(await waitFor(storedAllWebsites, (on) => on === false)).toBe(false);

    // Chrome remembers what the extension gave up itself, so turning it back on asks nobody.
    await options.getByLabel(TOGGLE).check();
    expect(await waitFor(hasAllWebsites, (granted) => granted)).toBe(true);
    expect(await waitFor(registeredScripts, (ids) => (ids?.length ?? 0) > 0)).toEqual(['elsewhere-all-websites']);
  });

  it('returns to the default quietly when the reader revokes the access in the browser', async () => {
    await browser.revokeSiteAccess('<all_urls>');
    expect(await waitFor(hasAllWebsites, (granted) => !granted)).toBe(false);
    // The settings page, open all along, shows the setting off at once; the stored setting says so too.
    await expect.poll(() => options.getByLabel(TOGGLE).isChecked(), { timeout: SETTLE_MS }).toBe(false);
    expect(await storedAllWebsites()).toBe(false);
    expect(await waitFor(registeredScripts, (ids) => ids?.length === 0)).toEqual([]);

    await aggregator.reload();
    // A script that still ran would have badged the page well within this (about a second above).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await badgedLinks(aggregator)).toEqual([]);
  });

  it('caused no error anywhere, the service worker included, and no network request', () => {
    expect(browser.errors).toEqual([]);
    expect(browser.strayRequests).toEqual([]);
  });
});

/** Chrome's promise-returning `chrome` global, typed through the polyfill's declarations. */
type ChromeGlobal = { chrome: typeof import('webextension-polyfill') };
