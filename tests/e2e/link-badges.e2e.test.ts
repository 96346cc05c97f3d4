/**
 * Link badges (issue 5), lived through in both real browsers: a reader on a news front page sees
 * "+2" after the links to known stories and nothing after the others, also on links the page adds
 * later; a click opens Elsewhere's view of the story; the settings turn the badges off and on live.
 */
import type { Page as PlaywrightPage } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../src/shared/settings-schema';
import { ChromiumHarness } from './chromium-harness';
import { DCK_ARTICLE } from './fixture-site';
import { FirefoxHarness } from './firefox-harness';
import { waitFor } from './harness';
import { FRONT_PAGE, generatedLink, generatedPageBadges, GOOGLE_WRAPPED_FORBES, KNOWN_LINKS, knownLinksOn, LATE_LINKS, manyLinksPage } from './link-site';

/** Link badges are idle-time work; on a busy 2-core machine give them a while. */
const SETTLE_MS = 10_000;
/** src/shared/settings.ts keeps all settings under this one storage.sync item. */
const SETTINGS_KEY = 'settings';
const KNOWN_IDS = Object.keys(KNOWN_LINKS).sort();

/** What the page itself can see of the link badges: hosts only, their roots are closed. */
interface BadgeState {
  /** The id of the element right before the badge (the link it belongs to). */
  after: string;
  display: string;
  visible: boolean;
  width: number;
  height: number;
  x: number;
  y: number;
}

function readLinkBadges(): BadgeState[] {
  return [...document.querySelectorAll('elsewhere-link-badge')].map((host) => {
    const box = host.getBoundingClientRect();
    return {
      after: host.previousElementSibling?.id ?? '',
      display: getComputedStyle(host).display,
      visible: box.width > 0 && box.height > 0 && host.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
      width: box.width,
      height: box.height,
      x: box.x + box.width / 2,
      y: box.y + box.height / 2,
    };
  });
}

/** Links whose position or line height changed since the page recorded them before any content script ran. */
function shiftedLinks(): string[] {
  const before = (window as unknown as { __before: Record<string, { top: number; left: number; height: number; lineHeight: number }> }).__before;
  return Object.entries(before)
    .filter(([id, was]) => {
      const link = document.getElementById(id)!;
      const box = link.getBoundingClientRect();
      const line = link.parentElement!.getBoundingClientRect();
      const moved = (a: number, b: number) => Math.abs(a - b) > 0.5;
      return moved(box.top, was.top) || moved(box.left, was.left) || moved(box.height, was.height) || moved(line.height, was.lineHeight);
    })
    .map(([id]) => id);
}

/** Links followed by more than one badge: must never happen. */
function doubledLinks(): string[] {
  return [...document.querySelectorAll('a')]
    .filter((a) => a.nextElementSibling?.localName === 'elsewhere-link-badge' && a.nextElementSibling.nextElementSibling?.localName === 'elsewhere-link-badge')
    .map((a) => a.id || a.href);
}

/** The page adds a new section with links, and a link into an existing line, as feeds do. */
function addLinks(known: string): void {
  const section = document.createElement('section');
  const fresh = document.createElement('a');
  fresh.id = 'added-known';
  fresh.href = known;
  fresh.textContent = 'Added story';
  const other = document.createElement('a');
  other.id = 'added-unknown';
  other.href = 'https://www.cnet.com/news/added-but-unknown/';
  other.textContent = 'Added other story';
  section.append(fresh, ' and ', other);
  document.querySelector('main')!.append(section);
  const inline = document.createElement('a');
  inline.id = 'added-inline';
  inline.href = `${known}&inline=1`;
  inline.textContent = 'also here';
  document.getElementById('line-unknown-site')!.append(' — ', inline);
}

const pageErrors = () => (window as unknown as { __pageErrors: number }).__pageErrors;

/** The little that differs between Chromium (playwright-core) and Firefox (puppeteer-core). */
interface Browser {
  open(url: string): Promise<{ page: PlaywrightPage | PuppeteerPage; close(): Promise<void> }>;
  /** Clicks at a point and returns the Elsewhere tab that opens: its address and list entries. */
  clickForStory(page: PlaywrightPage | PuppeteerPage, x: number, y: number): Promise<{ url: string; entries: string[] }>;
  setSettings(settings: Settings): Promise<void>;
  readonly strayRequests: string[];
}

function evaluate<T, A = undefined>(page: PlaywrightPage | PuppeteerPage, fn: (arg: A) => T, arg?: A): Promise<T> {
  // Both libraries serialise the function and one argument the same way; only their typings differ.
  return (page as unknown as { evaluate(fn: (arg: A) => T, arg: A): Promise<T> }).evaluate(fn, arg as A);
}

function defineLinkBadgeStories(launch: () => Promise<Browser & { close(): Promise<void> }>): void {
  let browser: Browser & { close(): Promise<void> };
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  /** Closed after each test, passed or failed, so the next one finds one tab at its address. */
  let opened: { close(): Promise<void> } | null = null;
  afterEach(async () => {
    await opened?.close().catch(() => undefined);
    opened = null;
  });

  const badges = (page: PlaywrightPage | PuppeteerPage) => evaluate(page, readLinkBadges);
  const badgesWhen = (page: PlaywrightPage | PuppeteerPage, done: (states: BadgeState[]) => boolean) => waitFor(() => badges(page), done, SETTLE_MS);
  const ids = (states: BadgeState[]) => states.map((state) => state.after).sort();

  it('marks only the known links of a front page, once each, without moving the line', async () => {
    const tab = (opened = await browser.open(FRONT_PAGE));
    const all = await badgesWhen(tab.page, (found) => found.filter((state) => !(state.after in LATE_LINKS)).length >= KNOWN_IDS.length);
    const states = all.filter((state) => !(state.after in LATE_LINKS));
    // Plain, with utm_ parameters, Google-wrapped, and the same article twice; nothing after unknown, mailto, javascript: or self links.
    expect(ids(states)).toEqual(KNOWN_IDS);
    for (const state of states) {
      expect(state).toMatchObject({ display: 'inline', visible: true });
      expect(state.width).toBeGreaterThan(10);
      expect(state.width).toBeLessThan(60);
      expect(state.height).toBeLessThanOrEqual(20);
    }
    expect(await evaluate(tab.page, shiftedLinks)).toEqual([]);
    expect(await evaluate(tab.page, doubledLinks)).toEqual([]);
    expect(await evaluate(tab.page, pageErrors)).toBe(0);
  });

  it('badges the links the page adds later', async () => {
    const tab = (opened = await browser.open(FRONT_PAGE));
    const late = await badgesWhen(tab.page, (found) => found.some((state) => state.after === 'late-known'));
    expect(ids(late)).toEqual([...KNOWN_IDS, 'late-known'].sort());
    expect(Object.keys(LATE_LINKS)).toContain('late-unknown');
    await evaluate(tab.page, addLinks, `${DCK_ARTICLE}?from=feed`);
    const added = await badgesWhen(tab.page, (found) => found.length >= KNOWN_IDS.length + 3);
    expect(ids(added)).toEqual([...KNOWN_IDS, 'late-known', 'added-known', 'added-inline'].sort());
    // Nothing more arrives later, and nothing is doubled.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ids(await badges(tab.page))).toEqual(ids(added));
    expect(await evaluate(tab.page, doubledLinks)).toEqual([]);
    expect(await evaluate(tab.page, pageErrors)).toBe(0);
  });

  it("opens Elsewhere's view of the story when a badge is clicked, even for a Google-wrapped link", async () => {
    const tab = (opened = await browser.open(FRONT_PAGE));
    const states = await badgesWhen(tab.page, (found) => found.some((state) => state.after === 'google'));
    const google = states.find((state) => state.after === 'google')!;
    const story = await browser.clickForStory(tab.page, google.x, google.y);
    expect(story.url).toContain('popup.html?url=');
    expect(decodeURIComponent(story.url.split('popup.html?url=')[1]!)).toBe(GOOGLE_WRAPPED_FORBES);
    // The Forbes article's story: the two other outlets.
    expect(story.entries).toHaveLength(2);
    expect(story.entries.join('\n')).toMatch(/CNET[\s\S]*Data Center Knowledge/);
    // The link itself was not followed.
    expect(await evaluate(tab.page, () => location.href)).toBe(FRONT_PAGE);
  });

  it('removes link badges at once when they are turned off or the site is hidden, and brings them back', async () => {
    const tab = (opened = await browser.open(FRONT_PAGE));
    const count = (await badgesWhen(tab.page, (found) => found.some((state) => state.after === 'late-known'))).length;
    await browser.setSettings({ ...DEFAULT_SETTINGS, linkBadges: false });
    expect(await badgesWhen(tab.page, (found) => found.length === 0)).toEqual([]);
    await browser.setSettings({ ...DEFAULT_SETTINGS, linkBadges: true });
    expect(await badgesWhen(tab.page, (found) => found.length === count)).toHaveLength(count);
    await browser.setSettings({ ...DEFAULT_SETTINGS, hiddenSites: ['forbes.com'] });
    expect(await badgesWhen(tab.page, (found) => found.length === 0)).toEqual([]);
    await browser.setSettings({ ...DEFAULT_SETTINGS });
    const back = await badgesWhen(tab.page, (found) => found.length === count);
    expect(back).toHaveLength(count);
    expect(await evaluate(tab.page, doubledLinks)).toEqual([]);
  });

  it('made no network request beyond the pages the reader opened', () => {
    expect(browser.strayRequests).toEqual([]);
  });
}

/** DevTools' view of the page, which pierces closed shadow roots. */
interface DomNode {
  nodeId: number;
  nodeType: number;
  localName?: string;
  nodeValue?: string;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: DomNode[];
}

function findAll(node: DomNode, match: (node: DomNode) => boolean, found: DomNode[] = []): DomNode[] {
  if (match(node)) found.push(node);
  for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) findAll(child, match, found);
  return found;
}

function textOf(node: DomNode): string {
  if (node.nodeType === 3) return node.nodeValue ?? '';
  return [...(node.shadowRoots ?? []), ...(node.children ?? [])].map(textOf).join(' ').replace(/\s+/g, ' ').trim();
}

function attribute(node: DomNode, name: string): string | null {
  const attributes = node.attributes ?? [];
  for (let i = 0; i < attributes.length; i += 2) if (attributes[i] === name) return attributes[i + 1] ?? null;
  return null;
}

/** Each link badge's text, its button's accessible name, and whether its tooltip is rendered. */
async function linkBadgeInsides(harness: ChromiumHarness, page: PlaywrightPage): Promise<Array<{ text: string; label: string | null; tipShown: boolean }>> {
  const session = await harness.context.newCDPSession(page);
  try {
    const { root } = (await session.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const hosts = findAll(root, (node) => node.localName === 'elsewhere-link-badge');
    return await Promise.all(
      hosts.map(async (host) => {
        const button = findAll(host, (node) => attribute(node, 'role') === 'button')[0];
        const tip = findAll(host, (node) => attribute(node, 'class') === 'es-lb-tip')[0];
        const tipShown = tip ? await session.send('DOM.getBoxModel', { nodeId: tip.nodeId }).then(() => true, () => false) : false;
        return { text: textOf(host), label: button ? attribute(button, 'aria-label') : null, tipShown };
      }),
    );
  } finally {
    await session.detach();
  }
}

function chromiumBrowser(harness: ChromiumHarness): Browser & { close(): Promise<void> } {
  return {
    strayRequests: harness.strayRequests,
    open: async (url) => {
      const tab = await harness.openArticle(url);
      return { page: tab.page, close: () => tab.close() };
    },
    clickForStory: async (page, x, y) => {
      const opened = harness.context.waitForEvent('page', { predicate: (candidate) => candidate.url().includes('popup.html?url='), timeout: SETTLE_MS });
      await (page as PlaywrightPage).mouse.click(x, y);
      const story = await opened;
      await story.waitForSelector('.popup[aria-busy="false"]');
      const result = { url: story.url(), entries: await story.locator('.es-item').allInnerTexts() };
      await story.close();
      return result;
    },
    setSettings: async (settings) => {
      const page = await harness.context.newPage();
      await page.goto(harness.extensionUrl('src/popup/popup.html?tab=0'));
      await page.evaluate(
        ([key, value]) => (globalThis as unknown as { chrome: typeof import('webextension-polyfill') }).chrome.storage.sync.set({ [key]: value }),
        [SETTINGS_KEY, settings] as const,
      );
      await page.close();
    },
    close: () => harness.close(),
  };
}

function firefoxBrowser(harness: FirefoxHarness): Browser & { close(): Promise<void> } {
  return {
    strayRequests: harness.strayRequests,
    open: async (url) => {
      const tab = await harness.openArticle(url);
      return { page: tab.page, close: () => tab.close() };
    },
    clickForStory: async (page, x, y) => {
      const opened = harness.waitForPage((url) => url.includes('popup.html?url='), SETTLE_MS);
      await (page as PuppeteerPage).mouse.click(x, y);
      const story = await opened;
      // Polled with plain evaluations, as the harness does for extension pages over BiDi.
      await waitFor(() => story.evaluate(() => document.querySelector('.popup[aria-busy="false"]') !== null).catch(() => false), Boolean, SETTLE_MS);
      const result = {
        url: await story.evaluate(() => location.href),
        entries: await story.evaluate(() => [...document.querySelectorAll<HTMLElement>('.es-item')].map((item) => item.innerText)),
      };
      await story.close();
      return result;
    },
    setSettings: async (settings) => {
      const page = await harness.openExtensionPage('src/popup/popup.html?tab=0', '.popup');
      await page.evaluate(
        (key, value) => (globalThis as unknown as { browser: typeof import('webextension-polyfill') }).browser.storage.sync.set({ [key]: value }),
        SETTINGS_KEY,
        settings,
      );
      await page.close();
    },
    close: () => harness.close(),
  };
}

describe('Chromium: link badges', () => {
  defineLinkBadgeStories(async () => chromiumBrowser(await ChromiumHarness.launch()));
});

describe('Firefox: link badges', () => {
  defineLinkBadgeStories(async () => firefoxBrowser(await FirefoxHarness.launch()));
});

/** A long task, as the Long Tasks API defines it: issue 5 says the extension never causes one. */
const LONG_TASK_MS = 50;
/** CPU profile sampling interval (µs): fine enough to see an 8 ms slice as several samples. */
const SAMPLING_INTERVAL_US = 500;

/** Consecutive samples further apart than this (µs) are not one stretch of running code. */
const MAX_SAMPLE_GAP_US = 10_000;

/** A stretch of the content script's code: how long, and its samples by innermost function of ours. */
interface Stretch {
  ms: number;
  functions: Record<string, number>;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { url: string; functionName: string }; children?: number[] }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * The longest stretches of the content script's own code, from V8's sampling profiler of the
 * page's renderer (content scripts run in the page's isolate): consecutive samples with a frame of
 * a chrome-extension:// script on the stack (its top-level run, idle slices, message replies and
 * any style or layout they force). A sample of anything else (the page's scripts, the browser's
 * rendering, idle) ends a stretch. Returned longest first, in ms.
 */
function extensionStretches(profile: CpuProfile): Stretch[] {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  /** The innermost content-script function on a sample's stack, or null if none is. */
  const ours = new Map<number, string | null>();
  const ourFrame = (id: number): string | null => {
    let known = ours.get(id);
    if (known === undefined) {
      const { callFrame } = byId.get(id)!;
      const up = parent.get(id);
      known = callFrame.url.startsWith('chrome-extension://') ? callFrame.functionName || '(top level)' : up === undefined ? null : ourFrame(up);
      ours.set(id, known);
    }
    return known;
  };
  const stretches: Stretch[] = [];
  let current: Stretch | null = null;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    if (current) {
      // The time since the previous sample, which was in our code, counts as ours; but a gap longer
      // than MAX_SAMPLE_GAP_US means the renderer was not running (the OS gave the cores to other
      // processes), so what ran then, if anything, is unknown, and the stretch ends there.
      if (delta > MAX_SAMPLE_GAP_US) {
        stretches.push(current);
        current = null;
      } else {
        current.ms += delta / 1000;
      }
    }
    const frame = ourFrame(id);
    if (frame === null) {
      if (current) stretches.push(current);
      current = null;
      return;
    }
    current ??= { ms: 0, functions: {} };
    current.functions[frame] = (current.functions[frame] ?? 0) + 1;
  });
  if (current) stretches.push(current);
  return stretches.sort((a, b) => b.ms - a.ms);
}

describe('Chromium: link badges up close', () => {
  let harness: ChromiumHarness;
  beforeAll(async () => {
    harness = await ChromiumHarness.launch();
  });
  afterAll(async () => {
    await harness?.close();
  });
  let opened: PlaywrightPage | null = null;
  afterEach(async () => {
    await opened?.close().catch(() => undefined);
    opened = null;
  });

  it('says "+2" and names the other outlets on hover and keyboard focus; Enter opens the story', async () => {
    const { page } = await harness.openArticle(FRONT_PAGE);
    opened = page;
    // The four known links, and the one the page adds after load.
    await waitFor(() => page.locator('elsewhere-link-badge').count(), (count) => count >= KNOWN_IDS.length + 1, SETTLE_MS);
    const insides = await linkBadgeInsides(harness, page);
    expect(insides.map((inside) => inside.text)).toEqual(['+2', '+2', '+2', '+2', '+2']);
    // In page order: CNET's article (others: Forbes, DCK), DCK's (CNET, Forbes), Forbes' via Google (CNET, DCK), CNET's again, Forbes' added late.
    expect(insides.map((inside) => inside.label)).toEqual([
      'Elsewhere: 2 other outlets covered this story: Forbes and Data Center Knowledge',
      'Elsewhere: 2 other outlets covered this story: CNET and Forbes',
      'Elsewhere: 2 other outlets covered this story: CNET and Data Center Knowledge',
      'Elsewhere: 2 other outlets covered this story: Forbes and Data Center Knowledge',
      'Elsewhere: 2 other outlets covered this story: CNET and Data Center Knowledge',
    ]);

    const utm = page.locator('#utm + elsewhere-link-badge');
    const box = (await utm.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hovered = await waitFor(() => linkBadgeInsides(harness, page), (all) => all[1]!.tipShown, SETTLE_MS);
    expect(hovered[1]!.text).toBe('+2 Also covered by 2 other outlets CNET and Forbes Click to compare their coverage');
    await page.mouse.move(0, 0);
    await waitFor(() => linkBadgeInsides(harness, page), (all) => !all[1]!.tipShown, SETTLE_MS);

    // Keyboard: the badge is the next stop after its link, shows its tooltip on focus, and Enter opens the story.
    await page.focus('#plain');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.localName + ':' + document.activeElement?.previousElementSibling?.id)).toBe('elsewhere-link-badge:plain');
    expect((await linkBadgeInsides(harness, page))[0]!.tipShown).toBe(true);
    await page.keyboard.press('Escape');
    expect((await waitFor(() => linkBadgeInsides(harness, page), (all) => !all[0]!.tipShown, SETTLE_MS))[0]!.tipShown).toBe(false);
    const storyTab = harness.context.waitForEvent('page', { predicate: (candidate) => candidate.url().includes('popup.html?url='), timeout: SETTLE_MS });
    await page.keyboard.press('Enter');
    const story = await storyTab;
    await story.waitForSelector('.popup[aria-busy="false"]');
    expect(decodeURIComponent(story.url().split('popup.html?url=')[1]!)).toBe(KNOWN_LINKS.plain);
    expect(await story.locator('.es-item').count()).toBe(2);
    await story.close();
  });

  it('badges the known links of a 10,000-link page as the reader reaches them, in slices far shorter than a long task', async () => {
    const links = 10_000;
    const page = await harness.context.newPage();
    opened = page;
    const session = await harness.context.newCDPSession(page);
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await session.send('Profiler.start');
    await page.goto(manyLinksPage(links));
    expect(await page.evaluate(() => document.querySelector('#links a')!.getAttribute('href'))).toBe(generatedLink(0));
    const settled = () => waitFor(() => page.evaluate(generatedPageBadges), (state) => state.near > 0 && state.missingNear === 0, 30_000);
    // At the top, then in the middle, then at the end: every known link within a screen of the view has its badge.
    const top = await settled();
    expect(top).toMatchObject({ missingNear: 0, misplaced: 0 });
    // Links far below are not badged yet: that work waits until the reader scrolls there.
    expect(top.badges).toBeLessThan(knownLinksOn(links) / 4);
    for (const item of [5_001, 10_000]) {
      await page.evaluate((n) => document.querySelector(`#links > li:nth-child(${n})`)!.scrollIntoView({ block: 'center' }), item);
      const there = await settled();
      expect(there).toMatchObject({ missingNear: 0, misplaced: 0 });
      expect(there.badges).toBeGreaterThan(top.badges);
    }
    const { profile } = (await session.send('Profiler.stop')) as unknown as { profile: CpuProfile };
    await session.detach();
    // What the extension's own code costs the page, not how fast this machine is: the page's own
    // tasks (parsing 10,000 links, laying them out, scrolling) take hundreds of ms when other
    // browsers share these 2 cores, so a bound on main-thread lag or on any long task failed here
    // without the extension being the cause. The content script's own stretches are 8 ms idle
    // slices and short callbacks, plus the bundle's first run (12-24 ms in all at load 12-17); the scan
    // without its clock check (one unsliced pass over the links) measured 96-223 ms and fails this,
    // as would the first Intl object (50-110 ms of ICU set-up in one call). The browser's
    // rendering after badges go in is not script: bench/link-badges.ts measures it against the page.
    const stretches = extensionStretches(profile);
    expect(stretches.length).toBeGreaterThan(10);
    const longest = stretches.slice(0, 3).map(({ ms, functions }) => `${ms.toFixed(1)} ms (${JSON.stringify(functions)})`);
    expect(stretches[0]!.ms, `the content script's longest stretches: ${longest.join('; ')}`).toBeLessThanOrEqual(LONG_TASK_MS);
  });

  it('caused no error in any page or extension page, and no network request', () => {
    expect(harness.errors).toEqual([]);
    expect(harness.strayRequests).toEqual([]);
  });
});
