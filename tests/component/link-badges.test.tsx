import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLinkBadgeLook, joinNames } from '../../src/content/link-badge-look';
import { LINK_BADGE_TAG, LinkBadges, type LinkLookup } from '../../src/content/link-badges';
import { removeOrphanBadges } from '../../src/content/tags';
import type { Theme } from '../../src/shared/settings-schema';
import { MAX_LINKS_PER_BATCH, type LinkVerdict } from '../../src/shared/protocol';
import { translatorFor } from './translate';

// The protocol module (for MAX_LINKS_PER_BATCH) imports the WebExtension polyfill, which refuses to load outside an extension.
vi.mock('../../src/shared/browser', () => ({ browser: {} }));

// These tests run the real idle slicing over hundreds of links: seconds when the machine is loaded.
vi.setConfig({ testTimeout: 20_000 });

const english = translatorFor('en');

/** src/content/link-badges.ts: a hidden tab's badges go in after this long without an animation frame. */
const COMMIT_FALLBACK_MS = 1_000;

/** Any address with /known/ in it is an article of a story with three other outlets. */
const VERDICT: LinkVerdict = { otherOutletCount: 3, outlets: ['CNET', 'Forbes', 'Wired'] };
const known = (i: number) => `https://www.cnet.com/known/story-${i}/`;
const unknown = (i: number) => `https://www.cnet.com/other/story-${i}/`;
/** The fake background unwraps redirects the way the real one does, roughly: by decoding. */
const answer: LinkLookup = async (urls) => urls.map((url) => (decodeURIComponent(url).includes('/known/') ? VERDICT : null));
const GOOGLE_WRAPPED = `https://www.google.com/url?q=${encodeURIComponent('https://www.forbes.com/known/wrapped/')}&sa=D`;
const FACEBOOK_WRAPPED = `https://l.facebook.com/l.php?u=${encodeURIComponent('https://www.cnet.com/known/shared/')}&h=AT0`;

let roots: Map<Element, ShadowRoot>;
let lookup: ReturnType<typeof vi.fn<LinkLookup>>;
let open: ReturnType<typeof vi.fn<(url: string) => void>>;
let badges: LinkBadges[];

beforeEach(() => {
  // The badges' roots are closed; keep a handle on them the way only a test can.
  roots = new Map();
  const original = Element.prototype.attachShadow;
  vi.spyOn(Element.prototype, 'attachShadow').mockImplementation(function (this: Element, init: ShadowRootInit) {
    const root = original.call(this, init);
    roots.set(this, root);
    return root;
  });
  lookup = vi.fn<LinkLookup>(answer);
  open = vi.fn<(url: string) => void>();
  badges = [];
});
afterEach(() => {
  for (const instance of badges) instance.stop();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  document.body.replaceChildren();
});

function create(options: ConstructorParameters<typeof LinkBadges>[0] & { theme?: Theme } = {}): LinkBadges {
  // The look comes from the rendering stage in the extension (src/content/render.ts); here it is at hand.
  const look = createLinkBadgeLook({ translate: english, locale: 'en', theme: options.theme });
  // happy-dom's IntersectionObserver never reports: badge every known link at once, unless a test says otherwise.
  const instance = new LinkBadges({ lookup, open, look: () => look, lazy: false, ...options });
  badges.push(instance);
  return instance;
}

function link(href: string, id?: string): HTMLAnchorElement {
  const anchor = document.createElement('a');
  anchor.href = href;
  anchor.textContent = `Headline ${id ?? href}`;
  if (id) anchor.id = id;
  return anchor;
}

/** A list of links, one per item, as on a front page. */
function list(hrefs: string[]): HTMLUListElement {
  const ul = document.createElement('ul');
  for (const href of hrefs) {
    const li = document.createElement('li');
    li.append(link(href), document.createTextNode(' by a reporter'));
    ul.append(li);
  }
  return ul;
}

const hosts = () => [...document.querySelectorAll(LINK_BADGE_TAG)];
const buttonOf = (host: Element) => roots.get(host)!.querySelector<HTMLElement>('.es-lb')!;
const askedUrls = () => lookup.mock.calls.flatMap(([urls]) => urls);

describe('LinkBadges', () => {
  it('looks links up in batches of at most MAX_LINKS_PER_BATCH, each address once', async () => {
    const hrefs = Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? known(i) : unknown(i)));
    // Every address twice: 1,200 links, 600 addresses.
    document.body.append(list([...hrefs, ...hrefs]));
    const instance = create();
    instance.start();
    await instance.settled();
    expect(lookup).toHaveBeenCalledTimes(Math.ceil(600 / MAX_LINKS_PER_BATCH));
    for (const [urls] of lookup.mock.calls) expect(urls.length).toBeLessThanOrEqual(MAX_LINKS_PER_BATCH);
    expect(askedUrls()).toHaveLength(600);
    expect(new Set(askedUrls())).toEqual(new Set(hrefs));
  });

  it('badges only the known links, right after each, with the count of other outlets', async () => {
    document.body.append(list([known(1), unknown(2), known(3), known(1)]));
    const instance = create();
    instance.start();
    await instance.settled();
    expect(hosts()).toHaveLength(3);
    for (const host of hosts()) {
      expect(host.previousElementSibling!.getAttribute('href')).toContain('/known/');
      expect(host.shadowRoot).toBeNull();
      expect(buttonOf(host).textContent).toBe('+3');
      expect(buttonOf(host).getAttribute('aria-label')).toBe('Elsewhere: 3 other outlets covered this story: CNET, Forbes, and Wired');
    }
    expect(Element.prototype.attachShadow).toHaveBeenCalledWith({ mode: 'closed' });
    expect(instance.count).toBe(3);
  });

  it('names a few outlets and counts the rest, and has a singular label', async () => {
    const many: LinkVerdict = { otherOutletCount: 11, outlets: Array.from({ length: 11 }, (_, i) => `Outlet ${i}`) };
    const one: LinkVerdict = { otherOutletCount: 1, outlets: ['Forbes'] };
    lookup.mockImplementation(async (urls) => urls.map((url) => (url.includes('many') ? many : url.includes('one') ? one : null)));
    document.body.append(list(['https://a.example/many', 'https://a.example/one']));
    const instance = create();
    instance.start();
    await instance.settled();
    const [first, second] = hosts().map((host) => buttonOf(host).getAttribute('aria-label'));
    expect(first).toBe('Elsewhere: 11 other outlets covered this story: Outlet 0, Outlet 1, Outlet 2, Outlet 3, Outlet 4, Outlet 5, Outlet 6, Outlet 7, and 3 more');
    expect(second).toBe('Elsewhere: 1 other outlet covered this story: Forbes');
  });

  it('passes redirect-wrapped addresses through as they are, for the background to unwrap', async () => {
    document.body.append(list([GOOGLE_WRAPPED, FACEBOOK_WRAPPED]));
    const instance = create();
    instance.start();
    await instance.settled();
    expect(askedUrls()).toEqual([GOOGLE_WRAPPED, FACEBOOK_WRAPPED]);
    expect(hosts()).toHaveLength(2);
    buttonOf(hosts()[0]!).click();
    expect(open).toHaveBeenCalledWith(GOOGLE_WRAPPED);
  });

  it('skips links that are not http(s), point at this page, or are too long to be articles', async () => {
    const here = location.href.split('#')[0]!;
    document.body.append(
      list(['mailto:news@example.com', 'javascript:void(0)', `${here}#known`, '#known', `https://www.cnet.com/known/${'x'.repeat(2100)}`, 'ftp://files.example/known/']),
    );
    const instance = create();
    instance.start();
    await instance.settled();
    expect(lookup).not.toHaveBeenCalled();
    expect(hosts()).toHaveLength(0);
  });

  it('badges links the page adds later, asking only about new addresses', async () => {
    document.body.append(list([known(1), unknown(2)]));
    const instance = create();
    instance.start();
    await instance.settled();
    expect(lookup).toHaveBeenCalledTimes(1);
    const later = list([known(1), known(5), unknown(6)]);
    document.body.append(later);
    // A link added straight into an existing element, not inside a new container.
    document.body.querySelector('li')!.append(document.createTextNode(' and '), link(known(7), 'appended'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    await instance.settled();
    expect(lookup).toHaveBeenCalledTimes(2);
    expect(lookup.mock.calls[1]![0].sort()).toEqual([known(5), known(7), unknown(6)].sort());
    expect(hosts()).toHaveLength(4);
    expect(document.getElementById('appended')!.nextElementSibling!.localName).toBe(LINK_BADGE_TAG);
  });

  it('never duplicates a badge: not on re-scans, moved links, a restart or a second instance', async () => {
    document.body.append(list([known(1), known(2), unknown(3)]));
    const first = create();
    first.start();
    await first.settled();
    expect(hosts()).toHaveLength(2);
    // The page moves a badged link (removed and added again: the observer sees it as added).
    const moved = document.querySelector('a')!;
    document.body.append(moved);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await first.settled();
    // A second script instance (one that did not remove orphans) finds the badges already there.
    const second = create({ lookup: answer });
    second.start();
    await second.settled();
    expect(hosts()).toHaveLength(2);
    first.stop();
    expect(hosts()).toHaveLength(0);
    second.stop();
    first.start();
    await first.settled();
    expect(hosts()).toHaveLength(2);
    for (const anchor of document.querySelectorAll('a')) {
      expect(anchor.nextElementSibling?.nextElementSibling?.localName).not.toBe(LINK_BADGE_TAG);
    }
    // Answers are kept for the page's lifetime: the restart asked nothing again.
    expect(askedUrls().filter((url) => url === known(1))).toHaveLength(1);
  });

  it("skips Elsewhere's own nodes", async () => {
    const instance = create();
    instance.start();
    const fakeLinkBadge = document.createElement(LINK_BADGE_TAG);
    fakeLinkBadge.append(link(known(8)));
    const fakePageBadge = document.createElement('elsewhere-badge');
    fakePageBadge.append(list([known(9)]));
    document.body.append(fakeLinkBadge, fakePageBadge, list([known(10)]));
    await new Promise((resolve) => setTimeout(resolve, 0));
    await instance.settled();
    expect(askedUrls()).toEqual([known(10)]);
    expect(hosts().filter((host) => roots.has(host))).toHaveLength(1);
  });

  it('removes every badge and stops watching when stopped or when its signal aborts', async () => {
    document.body.append(list([known(1), known(2)]));
    const instance = create();
    const lifetime = new AbortController();
    instance.start(lifetime.signal);
    await instance.settled();
    expect(hosts()).toHaveLength(2);
    instance.stop();
    expect(hosts()).toHaveLength(0);
    expect(instance.running).toBe(false);
    document.body.append(list([known(3)]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hosts()).toHaveLength(0);
    instance.start(lifetime.signal);
    await instance.settled();
    expect(hosts()).toHaveLength(3);
    lifetime.abort();
    expect(hosts()).toHaveLength(0);
    instance.start(lifetime.signal);
    expect(instance.running).toBe(false);
  });

  it('removes orphans left by an earlier instance', () => {
    document.body.append(document.createElement(LINK_BADGE_TAG), document.createElement(LINK_BADGE_TAG));
    removeOrphanBadges();
    expect(hosts()).toHaveLength(0);
  });

  it('drops answers that arrive after it stopped, and survives a failing lookup', async () => {
    let answer: (value: Array<LinkVerdict | null>) => void = () => undefined;
    lookup.mockImplementationOnce((urls) => new Promise((resolve) => (answer = () => resolve(urls.map(() => VERDICT)))));
    document.body.append(list([known(1)]));
    const instance = create();
    instance.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lookup).toHaveBeenCalledTimes(1);
    instance.stop();
    answer([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hosts()).toHaveLength(0);

    lookup.mockRejectedValue(new Error('Extension context invalidated.'));
    document.body.append(list([known(2)]));
    instance.start();
    await instance.settled();
    expect(hosts()).toHaveLength(1);
  });

  it('works in idle time, in slices that end when their budget is spent', async () => {
    const idle = vi.fn((callback: IdleRequestCallback, _options?: IdleRequestOptions) =>
      window.setTimeout(() => callback({ didTimeout: false, timeRemaining: () => 50 }), 0),
    );
    vi.stubGlobal('requestIdleCallback', idle);
    vi.stubGlobal('cancelIdleCallback', (id: number) => window.clearTimeout(id));
    // A clock that moves half a millisecond whenever it is read: a slice may read it only so often.
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 0.5));
    document.body.append(list(Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? known(i) : unknown(i)))));
    const instance = create();
    instance.start();
    await instance.settled();
    expect(idle.mock.calls.length).toBeGreaterThan(5);
    for (const [, options] of idle.mock.calls) expect(options?.timeout).toBeGreaterThan(0);
    expect(lookup).toHaveBeenCalledTimes(Math.ceil(2000 / MAX_LINKS_PER_BATCH));
    expect(hosts()).toHaveLength(1000);
  });

  it('names the other outlets on hover and focus, hides on Escape, and opens the story on click', async () => {
    document.body.append(list([known(1)]));
    const instance = create();
    instance.start();
    await instance.settled();
    const host = hosts()[0]!;
    const root = roots.get(host)!;
    host.dispatchEvent(new PointerEvent('pointerenter'));
    const tip = root.querySelector('.es-lb-tip')!;
    expect(tip.textContent).toBe('Also covered by 3 other outletsCNET, Forbes, and WiredClick to compare their coverage');
    expect(tip.getAttribute('aria-hidden')).toBe('true');
    expect((tip as HTMLElement).hidden).toBe(false);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect((tip as HTMLElement).hidden).toBe(true);
    buttonOf(host).dispatchEvent(new FocusEvent('focus'));
    expect((tip as HTMLElement).hidden).toBe(false);
    buttonOf(host).click();
    expect(open).toHaveBeenCalledWith(known(1));
    expect((tip as HTMLElement).hidden).toBe(true);
  });

  it('is a focusable button for the keyboard: Enter and Space open the story', async () => {
    document.body.append(list([known(1)]));
    const instance = create();
    instance.start();
    await instance.settled();
    const button = buttonOf(hosts()[0]!);
    expect(button.getAttribute('role')).toBe('button');
    expect(button.tabIndex).toBe(0);
    const enter = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
    button.dispatchEvent(enter);
    expect(enter.defaultPrevented).toBe(true);
    expect(open).toHaveBeenCalledTimes(1);
    const spaceDown = new KeyboardEvent('keydown', { key: ' ', bubbles: true, cancelable: true });
    button.dispatchEvent(spaceDown);
    // Space does not scroll the page, and acts on key up, as a button does.
    expect(spaceDown.defaultPrevented).toBe(true);
    expect(open).toHaveBeenCalledTimes(1);
    button.dispatchEvent(new KeyboardEvent('keyup', { key: ' ', bubbles: true, cancelable: true }));
    expect(open).toHaveBeenCalledTimes(2);
    button.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true, cancelable: true }));
    expect(open).toHaveBeenCalledTimes(2);
  });

  /** Builds `count` badges, then plays animation frames that each cost `frameMs(group size)`; returns the group sizes. */
  async function framesFor(count: number, frameMs: (size: number) => number): Promise<number[]> {
    const frames: FrameRequestCallback[] = [];
    vi.spyOn(window, 'requestAnimationFrame').mockImplementation((callback) => frames.push(callback));
    // Frames are played by hand here; the fallback for a hidden tab (a timer of a second, which a
    // loaded machine reaches while building 1,000 badges) must not put a group in meanwhile.
    const setTimeout = window.setTimeout.bind(window);
    vi.spyOn(window, 'setTimeout').mockImplementation(((handler: TimerHandler, delay?: number, ...rest: unknown[]) =>
      delay === COMMIT_FALLBACK_MS ? 0 : setTimeout(handler, delay, ...rest)) as typeof window.setTimeout);
    document.body.append(list(Array.from({ length: count }, (_, i) => known(i))));
    const instance = create();
    instance.start();
    // Scanning and building 1,000 links in idle slices takes seconds on a loaded machine.
    await vi.waitFor(() => expect(frames.length).toBeGreaterThan(0), { timeout: 5000 });
    // All built in idle slices (each has its shadow root), yet none in the page before a frame.
    await vi.waitFor(() => expect(roots.size).toBe(count), { timeout: 5000 });
    expect(hosts()).toHaveLength(0);
    let time = 0;
    const sizes: number[] = [];
    while (hosts().length < count) {
      await vi.waitFor(() => expect(frames.length).toBeGreaterThan(0));
      const before = hosts().length;
      frames.shift()!(time);
      sizes.push(hosts().length - before);
      time += frameMs(sizes.at(-1)!);
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(count);
    return sizes;
  }

  it('puts badges in by animation frame, in groups as big as a quick frame allows', async () => {
    // A light page: a pass costs 10 ms plus 0.1 ms a badge, so 300 badges fill the 40 ms aimed at.
    expect(await framesFor(1000, (size) => 10 + size * 0.1)).toEqual([100, 200, 300, 300, 100]);
  });

  it('on a page whose every pass is long anyway, adds little to each pass', async () => {
    // 45 ms a pass before any badge (a big page on a slow machine): no group gets the frame under
    // the 40 ms aimed at, so each adds at most 15 ms to the pass the page costs anyway.
    const frameMs = (size: number) => 45 + size * 0.1;
    const sizes = await framesFor(1000, frameMs);
    expect(sizes.slice(0, 2)).toEqual([100, 50]);
    for (const size of sizes.slice(2)) expect(frameMs(size)).toBeLessThanOrEqual(45 + 15 + 0.5);
    expect(Math.max(...sizes.slice(2))).toBeGreaterThan(100);
  });

  it('joins outlet names as the reader\'s language does, without Intl (its first use costs a page 50-110 ms)', () => {
    expect(joinNames(['CNET'], 'en-US')).toBe('CNET');
    expect(joinNames(['CNET', 'Forbes'], 'en-US')).toBe('CNET and Forbes');
    expect(joinNames(['CNET', 'Forbes', 'Wired'], 'en-US')).toBe('CNET, Forbes, and Wired');
    expect(joinNames(['CNET', 'Forbes', 'Wired'], 'en-GB')).toBe('CNET, Forbes and Wired');
    expect(joinNames(['CNET', 'Forbes', 'Wired'], 'de-DE')).toBe('CNET, Forbes und Wired');
    expect(joinNames(['CNET', 'Forbes'], 'de')).toBe('CNET und Forbes');
    // Any other UI language reads the English messages.
    expect(joinNames(['CNET', 'Forbes', 'Wired'], 'fr')).toBe('CNET, Forbes, and Wired');
    for (const locale of ['en-US', 'en-GB', 'de']) {
      for (const names of [['A', 'B'], ['A', 'B', 'C'], ['A', 'B', 'C', 'D']]) {
        expect(joinNames(names, locale)).toBe(new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(names));
      }
    }
  });

  it('badges links only as they come near the viewport, and never those that do not', async () => {
    const observers: Array<{ callback: IntersectionObserverCallback; targets: Set<Element>; options?: IntersectionObserverInit }> = [];
    class FakeIntersectionObserver {
      private readonly record: (typeof observers)[number];
      constructor(callback: IntersectionObserverCallback, options?: IntersectionObserverInit) {
        this.record = { callback, targets: new Set(), options };
        observers.push(this.record);
      }
      observe(target: Element) {
        this.record.targets.add(target);
      }
      unobserve(target: Element) {
        this.record.targets.delete(target);
      }
      disconnect() {
        this.record.targets.clear();
      }
    }
    const original = window.IntersectionObserver;
    window.IntersectionObserver = FakeIntersectionObserver as unknown as typeof IntersectionObserver;
    try {
      document.body.append(list([known(1), known(2), unknown(3), known(4)]));
      const instance = create({ lazy: true });
      instance.start();
      await instance.settled();
      // Looked up at once, but no badge yet: nothing has come near the viewport.
      expect(lookup).toHaveBeenCalledTimes(1);
      expect(hosts()).toHaveLength(0);
      const [observer] = observers;
      expect(observer!.options?.rootMargin).toBe('100% 0px');
      const watched = [...observer!.targets].map((target) => target.getAttribute('href'));
      expect(watched).toEqual([known(1), known(2), known(4)]);
      const report = (href: string, isIntersecting: boolean) => {
        const target = document.querySelector(`a[href="${href}"]`)!;
        observer!.callback([{ target, isIntersecting } as IntersectionObserverEntry], observer as unknown as IntersectionObserver);
      };
      report(known(1), true);
      report(known(2), false);
      await instance.settled();
      expect(hosts().map((host) => host.previousElementSibling!.getAttribute('href'))).toEqual([known(1)]);
      expect(observer!.targets.size).toBe(2);
      report(known(4), true);
      await instance.settled();
      expect(hosts()).toHaveLength(2);
      instance.stop();
      expect(observer!.targets.size).toBe(0);

      // Past 300 known links, links are watched in runs of 16, through each run's first and last link.
      document.body.replaceChildren(list(Array.from({ length: 340 }, (_, i) => known(100 + i))));
      const many = create({ lazy: true });
      many.start();
      await many.settled();
      const watcher = observers.at(-1)!;
      const hrefs = [...watcher.targets].map((target) => target.getAttribute('href'));
      expect(hrefs).toHaveLength(300 + 2 + 2 + 2);
      expect(hrefs.slice(300)).toEqual([known(400), known(415), known(416), known(431), known(432), known(439)]);
      // The last link of a run comes near: the whole run gets its badges, the others none yet.
      const last = document.querySelector(`a[href="${known(415)}"]`)!;
      watcher.callback([{ target: last, isIntersecting: true } as IntersectionObserverEntry], watcher as unknown as IntersectionObserver);
      await vi.waitFor(() => expect(hosts()).toHaveLength(16));
      await many.settled();
      expect(hosts().map((host) => host.previousElementSibling!.getAttribute('href'))).toEqual(Array.from({ length: 16 }, (_, i) => known(400 + i)));
      expect(watcher.targets.has(last)).toBe(false);
    } finally {
      window.IntersectionObserver = original;
    }
  });

  it('shares one constructed stylesheet across all badge roots, and pins the theme on all at once', async () => {
    document.body.append(list([known(1), known(2)]));
    const instance = create({ theme: 'dark' });
    instance.start();
    await instance.settled();
    const [first, second] = hosts().map((host) => roots.get(host)!);
    expect(first!.adoptedStyleSheets).toHaveLength(2);
    expect(first!.adoptedStyleSheets[0]).toBe(second!.adoptedStyleSheets[0]);
    expect(first!.adoptedStyleSheets[1]).toBe(second!.adoptedStyleSheets[1]);
    const themeSheet = first!.adoptedStyleSheets[1]!;
    const themeText = () => [...themeSheet.cssRules].map((rule) => rule.cssText).join('');
    expect(themeText()).toContain('color-scheme: dark');
    expect(themeText()).not.toContain('@media');
    instance.setTheme('system');
    expect(themeText()).toContain('@media (prefers-color-scheme: dark)');
    instance.setTheme('light');
    expect(themeText()).toBe('');
  });
});
