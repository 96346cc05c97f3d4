import { MAX_LINKS_PER_BATCH } from '../shared/message-shapes';
import type { LinkVerdict } from '../shared/protocol';
import type { Theme } from '../shared/settings-schema';
import { isLinkAddress, withoutFragment } from '../shared/link-address';
import { LINK_BADGE_TAG, OWN_TAGS } from './tags';

/**
 * Link badges (issue 5): "+3" right after every link to an article of a known story, on pages
 * where the content script runs. Hover or focus names the other outlets; a click opens
 * Elsewhere's view of that story.
 *
 * Nothing here may slow the page down. Links are found and badged in idle time, in slices of a
 * few milliseconds; addresses are looked up in batches (one message per batch), each address once
 * per page; after the first scan only nodes the page adds are looked at, through one
 * MutationObserver that skips Elsewhere's own nodes. Badges are built only for links near the
 * viewport, and put in a group per animation frame, because on a big page the browser's pass over
 * the page after each insertion costs far more than our script (bench/link-badges.ts).
 *
 * This file is the engine, a stage of the content script of its own (links.ts), which the first
 * stage loads only once the page has a known link, more links than it looks at itself, or adds
 * links later (link-scout.ts; issue 4: a page with nothing to badge loads none of it). What a badge
 * looks like and says (styles, labels, the tooltip) is a `LinkBadgeLook` (link-badge-look.tsx),
 * which the rendering stage brings once the first badge is due.
 */
export { LINK_BADGE_TAG };
const OWN_SELECTOR = [...OWN_TAGS].join(',');
/** Links, except any inside Elsewhere's own hosts: matched natively, not checked one by one in script. */
const LINK_SELECTOR = `a[href]:not(${[...OWN_TAGS].map((tag) => `${tag} a`).join(',')})`;

/**
 * A slice of our work (scanning links, building badges outside the page) ends after this long:
 * far below a long task (50 ms), so the page's own tasks and frames get in between.
 */
const SLICE_BUDGET_MS = 8;
/** Even a busy idle period gets this much work done, so a page that is never idle still gets badges. */
const MIN_SLICE_MS = 2;
/** A page that is never idle gets its badges anyway, this long after they were due. */
const IDLE_TIMEOUT_MS = 500;
/** Without requestIdleCallback, slices are spaced this far apart so the page's own tasks get in between. */
const FALLBACK_DELAY_MS = 16;
/**
 * Badges are built in idle slices but put into the page once per animation frame, a group at a
 * time: each group costs the browser one style, layout and paint pass after our task, and on a big
 * page that pass costs more than our script. A pass costs a fixed part (the browser walks the whole
 * page) plus a part per badge, so the group size follows a fit of `frame = base + perBadge * size`
 * over the last frames: as big as fits in `TARGET_FRAME_MS`.
 */
const INITIAL_COMMIT_SIZE = 100;
const MIN_COMMIT_SIZE = 25;
const MAX_COMMIT_SIZE = 1_000;
/** Frames we aim for: well under a long task (50 ms), with room for the page's own work. */
const TARGET_FRAME_MS = 40;
/**
 * On a page so big that the browser's own pass alone nearly fills the target (10,000 links on a
 * loaded machine: 26-65 ms to lay out after any change, even one plain <span> the page adds
 * itself; BENCHMARKS.md, link badges), no group makes the frame short. There each group may add only
 * this much to that pass, so our frames stay within a little of what any change to the page costs.
 */
const OVER_PAGE_PASS_MS = 15;
/** The fit uses this many recent frames: the page and the machine change. */
const FRAMES_FITTED = 8;
/**
 * Badges go in as their links come within this margin of the viewport: a screen above and below,
 * so they are in place before the reader scrolls to them. On a page of 10,000 links, putting all
 * 5,000 badges in at once would cost dozens of passes over the whole page (each tens of ms on a
 * slow machine) for badges nobody may scroll to; links never shown (closed menus) cost nothing.
 */
const NEAR_VIEWPORT_MARGIN = '100% 0px';
/**
 * An IntersectionObserver's cost grows with its targets, on every frame that scrolls (about 1.5 µs
 * a target on a slow machine: 7 ms a frame for 5,000 links). Up to this many known links are
 * watched one by one; past it, links are watched in runs of `WATCHED_RUN` (in page order), through
 * the first and last link of each run, and a run is badged whole when either comes near.
 */
const WATCHED_ONE_BY_ONE = 300;
const WATCHED_RUN = 16;
/**
 * Links that come near the viewport while the reader scrolls are badged once the scrolling has
 * paused this long: one pass over the page for the lot, not one per frame. The margin above keeps
 * them ahead of the reader.
 */
const SCROLL_SETTLE_MS = 100;
/** …but no longer than this after the first of them, however long the scrolling goes on. */
const SCROLL_SETTLE_MAX_MS = 500;
/** A hidden tab gets no animation frames; its badges go in after this long anyway (it renders nothing meanwhile). */
const COMMIT_FALLBACK_MS = 1_000;
/** Links are scanned this many at a time between clock reads (one link takes a few microseconds, mostly reading its href). */
const SCAN_STEPS_PER_CLOCK_READ = 16;
/** Leaving the badge hides the tooltip after this long, so the pointer can cross the gap onto it. */
const TOOLTIP_HIDE_DELAY_MS = 200;
/** The tooltip keeps this far from the badge and from the edges of the viewport. */
const TOOLTIP_GAP_PX = 6;
const VIEWPORT_MARGIN_PX = 8;

/** Asks the background about a batch of link addresses; answers in order, null for unknown. */
export type LinkLookup = (urls: string[]) => Promise<Array<LinkVerdict | null>>;

/** What a badge looks like and says: the rendering stage's part of link badges (link-badge-look.tsx). */
export interface LinkBadgeLook {
  /** Styles a badge's shadow root (one shared constructed sheet, or a <style> where there are none). */
  adoptStyles(root: ShadowRoot): void;
  /** Pins the reader's theme on every badge at once. */
  setTheme(theme: Theme): void;
  /** The badge's accessible name: "Elsewhere: 3 other outlets covered this story: CNET, Forbes and 1 more". */
  label(verdict: LinkVerdict): string;
  /** Fills a badge's tooltip (title, outlets, hint), and empties it again. */
  renderTooltip(tip: HTMLElement, verdict: LinkVerdict): void;
  clearTooltip(tip: HTMLElement): void;
}

export interface LinkBadgesOptions {
  /** Defaults to knowing nothing, so no badge appears; the content script passes `background.lookupLinks`. */
  lookup?: LinkLookup;
  /** Answers had already (by the first stage's own look at the page): not asked again. */
  known?: ReadonlyMap<string, LinkVerdict | null>;
  /** Opens Elsewhere's view of a link's story; the content script passes `background.openCoverage`. */
  open?: (url: string) => unknown;
  /** Loads the badges' look, asked for once, when the first badge is due; without it no badge is drawn. */
  look?: () => LinkBadgeLook | Promise<LinkBadgeLook>;
  theme?: Theme;
  document?: Document;
  /**
   * Whether a badge waits until its link comes near the viewport (the default wherever
   * IntersectionObserver exists). False puts every badge in as soon as it is known.
   */
  lazy?: boolean;
}

interface IdleDeadlineLike {
  readonly didTimeout: boolean;
  timeRemaining(): number;
}

/**
 * Runs `callback` in idle time, or after `IDLE_TIMEOUT_MS` at the latest. Firefox content scripts
 * have requestIdleCallback, but a page or an older engine may not, so it is guarded.
 */
function whenIdle(view: Window, callback: (deadline: IdleDeadlineLike) => void): () => void {
  if (typeof view.requestIdleCallback === 'function') {
    try {
      const id = view.requestIdleCallback(callback, { timeout: IDLE_TIMEOUT_MS });
      return () => view.cancelIdleCallback(id);
    } catch {
      // fall through to a timer
    }
  }
  const id = view.setTimeout(() => callback({ didTimeout: true, timeRemaining: () => SLICE_BUDGET_MS }), FALLBACK_DELAY_MS);
  return () => view.clearTimeout(id);
}

/** The background's answer, checked: a content script trusts nothing it did not build itself. */
function cleanVerdict(value: unknown): LinkVerdict | null {
  if (typeof value !== 'object' || value === null) return null;
  const { otherOutletCount, outlets } = value as Partial<LinkVerdict>;
  if (typeof otherOutletCount !== 'number' || !Number.isSafeInteger(otherOutletCount) || otherOutletCount < 1) return null;
  return { otherOutletCount, outlets: Array.isArray(outlets) ? outlets.filter((name): name is string => typeof name === 'string') : [] };
}

/** A FIFO with O(1) removal from the front. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** Known links, consecutive in page order, waiting together to come near the viewport. */
interface OffscreenRun {
  links: Array<{ link: Element; url: string; verdict: LinkVerdict }>;
  /** The first and last links, the ones watched. */
  watched: Element[];
  released: boolean;
}

interface Badge {
  host: HTMLElement;
  root: ShadowRoot;
  /** A `span role=button`, not a <button>: buttons are atomic boxes, several times dearer to lay out by the thousand. */
  button: HTMLElement;
  link: Element;
  /** The address that was looked up: what the count is about, and what a click opens. */
  url: string;
  verdict: LinkVerdict;
  tip: HTMLElement | null;
  hideTimer: number;
}

/** One `start()` to `stop()`: the scan, the observer and the badges it made. */
class Run implements EventListenerObject {
  private readonly processed = new WeakSet<Element>();
  private readonly badgeOf = new WeakMap<EventTarget, Badge>();
  private readonly badgeFor = new WeakMap<Element, Badge>();
  /** Nodes to look for links in: the document first, then what the page adds. */
  private readonly roots = new Queue<ParentNode & Node>();
  /** Links found in a root, scanned one at a time. */
  private scan: { links: ArrayLike<Element>; next: number } | null = null;
  /** Addresses for the next lookup message; unique, because each is asked only once per page. */
  private batch: string[] = [];
  /** Links waiting for their address's answer. */
  private readonly waiting = new Map<string, Element[]>();
  /** Links with a known answer, to get a badge built. */
  private readonly toBadge = new Queue<{ link: Element; url: string; verdict: LinkVerdict }>();
  /** Badges built but not yet in the page. */
  private readonly built = new Queue<Badge>();
  private readonly observer: MutationObserver | null;
  /**
   * Watches known links until they come near the viewport (null: badge them at once). Made with
   * the first known link: a page with none pays nothing for it (issue 4).
   */
  private nearby: IntersectionObserver | null | undefined;
  /** Known links waiting to come near the viewport, in runs; each watched link maps to its run. */
  private readonly runOf = new WeakMap<Element, OffscreenRun>();
  /** The run that links known next join, while it has room. */
  private openRun: OffscreenRun | null = null;
  private watchedLinks = 0;
  private settleTimer = 0;
  /** When the first run still waiting for the scrolling to pause came near (null: none waits). */
  private settleSince: number | null = null;
  private cancelIdle: (() => void) | null = null;
  private cancelCommit: (() => void) | null = null;
  private commitSize = INITIAL_COMMIT_SIZE;
  /** The last group that went in with more to follow: its size, and its frame's time. */
  private lastCommit: { size: number; at: number } | null = null;
  /** Recent frames that put a group in: its size, and how long the frame took. */
  private frames: Array<{ size: number; ms: number }> = [];
  private pageAddress = '';
  /**
   * Whether links must be checked one by one for being inside our own hosts: only where the
   * engine's selectors cannot say so (complex :not() is Chrome 88 and Firefox 84; a test DOM may lack it).
   */
  private readonly checkOwnHosts: boolean;
  private shown: Badge | null = null;
  private settledWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly owner: LinkBadges,
    private readonly doc: Document,
    private readonly lazy: boolean,
  ) {
    this.checkOwnHosts = !Run.selectorExcludesOwnHosts(doc);
    this.observer = this.observe(doc);
    this.roots.push(doc);
    this.schedule();
  }

  private static selectorExcludesOwnHosts(doc: Document): boolean {
    try {
      const host = doc.createElement(LINK_BADGE_TAG);
      const link = doc.createElement('a');
      link.href = 'https://example.com/';
      host.append(link);
      return !link.matches(LINK_SELECTOR) && doc.createElement('a').matches('a:not(b a)');
    } catch {
      return false;
    }
  }

  /** One observer over the whole document, for added nodes only. */
  private observe(doc: Document): MutationObserver | null {
    try {
      const observer = new doc.defaultView!.MutationObserver((records) => {
        this.enqueueAdded(records);
        this.schedule();
      });
      observer.observe(doc, { childList: true, subtree: true });
      return observer;
    } catch {
      // Without an observer, links the page adds later get no badge; the first scan still runs.
      return null;
    }
  }

  private watchViewport(doc: Document): IntersectionObserver | null {
    const Observer = (doc.defaultView as (Window & typeof globalThis) | null)?.IntersectionObserver;
    if (typeof Observer !== 'function') return null;
    try {
      return new Observer(
        (entries) => {
          let released = false;
          for (const entry of entries) {
            const run = entry.isIntersecting ? this.runOf.get(entry.target) : undefined;
            if (run && !run.released) released = this.release(run) || released;
          }
          if (!released) return;
          // While the reader scrolls, more runs come near each frame: build them once it pauses.
          const view = this.doc.defaultView!;
          const now = performance.now();
          this.settleSince ??= now;
          if (now - this.settleSince > SCROLL_SETTLE_MAX_MS) return;
          view.clearTimeout(this.settleTimer);
          this.settleTimer = view.setTimeout(() => {
            this.settleSince = null;
            this.schedule();
          }, SCROLL_SETTLE_MS);
        },
        { rootMargin: NEAR_VIEWPORT_MARGIN },
      );
    } catch {
      return null;
    }
  }

  /** A run came near the viewport: stop watching it, and queue its links for badges. */
  private release(run: OffscreenRun): boolean {
    run.released = true;
    if (this.openRun === run) this.openRun = null;
    for (const link of run.watched) {
      this.nearby!.unobserve(link);
      this.runOf.delete(link);
    }
    for (const known of run.links) this.toBadge.push(known);
    return true;
  }

  /** A link is known: badge it now, or once it comes near the viewport. */
  private known(link: Element, url: string, verdict: LinkVerdict): void {
    if (this.nearby === undefined) this.nearby = this.lazy ? this.watchViewport(this.doc) : null;
    if (!this.nearby) {
      this.toBadge.push({ link, url, verdict });
      return;
    }
    const oneByOne = this.watchedLinks < WATCHED_ONE_BY_ONE;
    let run = this.openRun;
    if (!run || oneByOne || run.links.length >= WATCHED_RUN) {
      run = { links: [], watched: [], released: false };
      this.openRun = oneByOne ? null : run;
    }
    run.links.push({ link, url, verdict });
    // Watch the first link and, as the run grows, its last one (instead of the one before).
    if (run.watched.length === 2) {
      const previous = run.watched.pop()!;
      this.nearby.unobserve(previous);
      this.runOf.delete(previous);
    } else {
      this.watchedLinks++;
    }
    run.watched.push(link);
    this.runOf.set(link, run);
    this.nearby.observe(link);
  }

  private enqueueAdded(records: readonly MutationRecord[]): void {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === 1 && !OWN_TAGS.has((node as Element).localName)) this.roots.push(node as Element);
      }
    }
  }

  /** Work for an idle slice: links to find, or badges to build once their look is here. */
  private get hasWork(): boolean {
    return this.roots.size > 0 || this.scan !== null || (this.toBadge.size > 0 && this.owner.look !== null);
  }

  private get busy(): boolean {
    return this.hasWork || this.toBadge.size > 0 || this.built.size > 0 || this.waiting.size > 0 || this.batch.length > 0;
  }

  schedule(): void {
    if (this.stopped) return;
    if (this.toBadge.size > 0 && !this.owner.look) this.owner.needLook();
    if (this.cancelIdle || !this.hasWork) return;
    this.cancelIdle = whenIdle(this.doc.defaultView!, (deadline) => {
      this.cancelIdle = null;
      this.work(deadline);
    });
  }

  /** One time slice: scan links, send full batches, build badges; then yield to the page. */
  private work(deadline: IdleDeadlineLike): void {
    if (this.stopped) return;
    const began = performance.now();
    const budget = Math.min(SLICE_BUDGET_MS, Math.max(MIN_SLICE_MS, deadline.didTimeout ? SLICE_BUDGET_MS : deadline.timeRemaining()));
    const until = began + budget;
    this.pageAddress = withoutFragment(this.doc.location?.href ?? '');
    if (this.observer) this.enqueueAdded(this.observer.takeRecords());
    while (performance.now() < until) {
      if (this.scan) {
        const { links } = this.scan;
        const end = Math.min(links.length, this.scan.next + SCAN_STEPS_PER_CLOCK_READ);
        while (this.scan.next < end) this.consider(links[this.scan.next++]!);
        if (this.scan.next >= links.length) this.scan = null;
      } else if (this.roots.size > 0) {
        this.expand(this.roots.shift()!);
      } else if (this.toBadge.size > 0 && this.owner.look) {
        const { link, url, verdict } = this.toBadge.shift()!;
        this.build(link, url, verdict, this.owner.look);
      } else {
        break;
      }
    }
    // A partial batch waits for the scan to finish, so N links cost ceil(N / MAX_LINKS_PER_BATCH) messages.
    if (!this.scan && this.roots.size === 0) this.flush();
    this.scheduleCommit();
    if (this.hasWork) this.schedule();
    else this.checkSettled();
  }

  private expand(root: ParentNode & Node): void {
    if (!root.isConnected) return;
    if (root.nodeType === 1) {
      const element = root as Element;
      if (element.closest(OWN_SELECTOR)) return;
      if (element.localName === 'a') {
        this.scan = { links: [element], next: 0 };
        // An added link has no link descendants worth a query; nested links are not valid HTML.
        return;
      }
    }
    const links = root.querySelectorAll(LINK_SELECTOR);
    if (links.length > 0) this.scan = { links, next: 0 };
  }

  /** Decides about one link: skip it, badge it from the cache, or queue its address for lookup. */
  private consider(link: Element): void {
    if (!link.isConnected) return;
    if (this.processed.has(link)) {
      // Seen before: the page moved it (removed and added it again), so its badge moves with it.
      const badge = this.badgeFor.get(link);
      if (badge && link.nextSibling !== badge.host) this.built.push(badge);
      return;
    }
    this.processed.add(link);
    const url: unknown = (link as HTMLAnchorElement).href;
    if (!isLinkAddress(url, this.pageAddress)) return;
    if (this.checkOwnHosts && link.closest(OWN_SELECTOR)) return;
    const known = this.owner.cached(url);
    if (known !== undefined) {
      if (known) this.known(link, url, known);
      return;
    }
    const waiting = this.waiting.get(url);
    if (waiting) {
      waiting.push(link);
      return;
    }
    this.waiting.set(url, [link]);
    if (this.owner.isPending(url)) return;
    this.batch.push(url);
    if (this.batch.length >= MAX_LINKS_PER_BATCH) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const urls = this.batch;
    this.batch = [];
    this.owner.request(urls);
  }

  /** Answers arrived (or failed) for these addresses: badge the links that were waiting for them. */
  deliver(urls: readonly string[]): void {
    if (this.stopped) return;
    for (const url of urls) {
      const links = this.waiting.get(url);
      if (!links) continue;
      this.waiting.delete(url);
      const verdict = this.owner.cached(url);
      if (verdict) for (const link of links) this.known(link, url, verdict);
    }
    this.schedule();
    this.checkSettled();
  }

  /** Whether the node right after the link is a link badge already (ours, or an earlier instance's). */
  private static badged(link: Element): boolean {
    const next = link.nextSibling;
    return next !== null && next.nodeType === 1 && (next as Element).localName === LINK_BADGE_TAG;
  }

  /** Builds a badge outside the page: no style or layout is due until it goes in. */
  private build(link: Element, url: string, verdict: LinkVerdict, look: LinkBadgeLook): void {
    if (!link.isConnected || Run.badged(link)) return;
    const host = this.doc.createElement(LINK_BADGE_TAG);
    const root = host.attachShadow({ mode: 'closed' });
    look.adoptStyles(root);
    const button = this.doc.createElement('span');
    button.className = 'es-lb';
    button.setAttribute('role', 'button');
    button.tabIndex = 0;
    button.textContent = `+${verdict.otherOutletCount}`;
    button.setAttribute('aria-label', look.label(verdict));
    root.append(button);
    const badge: Badge = { host, root, button, link, url, verdict, tip: null, hideTimer: 0 };
    this.badgeOf.set(host, badge);
    this.badgeOf.set(button, badge);
    host.addEventListener('pointerenter', this);
    host.addEventListener('pointerleave', this);
    for (const type of ['focus', 'blur', 'click', 'keydown', 'keyup']) button.addEventListener(type, this);
    this.built.push(badge);
  }

  /** Puts the next group of built badges into the page in the next animation frame. */
  private scheduleCommit(): void {
    if (this.stopped || this.cancelCommit || this.built.size === 0) return;
    const view = this.doc.defaultView!;
    let frame = 0;
    let timer = 0;
    const run = (frameTime: number | null): void => {
      view.cancelAnimationFrame(frame);
      view.clearTimeout(timer);
      this.cancelCommit = null;
      this.commit(frameTime);
    };
    frame = typeof view.requestAnimationFrame === 'function' ? view.requestAnimationFrame((time) => run(time)) : 0;
    timer = view.setTimeout(() => run(null), COMMIT_FALLBACK_MS);
    this.cancelCommit = () => {
      view.cancelAnimationFrame(frame);
      view.clearTimeout(timer);
    };
  }

  /** Learns from a frame that put `size` badges in and took `ms`; sets the next group's size. */
  private fit(size: number, ms: number): void {
    this.frames.push({ size, ms });
    if (this.frames.length > FRAMES_FITTED) this.frames.shift();
    const count = this.frames.length;
    const meanSize = this.frames.reduce((sum, frame) => sum + frame.size, 0) / count;
    const meanMs = this.frames.reduce((sum, frame) => sum + frame.ms, 0) / count;
    const spread = this.frames.reduce((sum, frame) => sum + (frame.size - meanSize) ** 2, 0);
    let next: number;
    if (spread < 1) {
      // One size so far: try another, bigger if the frame was quick, to learn the cost per badge.
      next = ms <= TARGET_FRAME_MS ? size * 2 : size / 2;
    } else {
      const perBadge = Math.max(0.001, this.frames.reduce((sum, frame) => sum + (frame.size - meanSize) * (frame.ms - meanMs), 0) / spread);
      const base = Math.max(0, meanMs - perBadge * meanSize);
      next = Math.max(TARGET_FRAME_MS - base, OVER_PAGE_PASS_MS) / perBadge;
      // A noisy fit must not leap: at most double at a time.
      next = Math.min(next, this.commitSize * 2);
    }
    this.commitSize = Math.round(Math.min(MAX_COMMIT_SIZE, Math.max(MIN_COMMIT_SIZE, next)));
  }

  /**
   * Inserts up to `commitSize` badges, right after their links, unless a badge is there already.
   * Inserting is cheap; the browser's pass over the page afterwards is not, so the size follows
   * how long the previous group's frame took.
   */
  private commit(frameTime: number | null): void {
    if (this.stopped) return;
    if (frameTime !== null && this.lastCommit) this.fit(this.lastCommit.size, frameTime - this.lastCommit.at);
    if (this.observer) this.enqueueAdded(this.observer.takeRecords());
    let count = 0;
    while (count < this.commitSize && this.built.size > 0) {
      const badge = this.built.shift()!;
      const { link, host } = badge;
      const parent = link.parentNode;
      // Never a second badge: the one right after the link is there already.
      if (!parent || !link.isConnected || Run.badged(link)) continue;
      // A badge the page left behind when it moved the link goes (or, if it is this one, moves).
      const stale = this.badgeFor.get(link);
      if (stale && stale !== badge) this.discard(stale);
      parent.insertBefore(host, link.nextSibling);
      this.badgeFor.set(link, badge);
      count++;
    }
    // Our insertions queued records for our own nodes; taking them now spares the observer a wake-up.
    if (this.observer) this.enqueueAdded(this.observer.takeRecords());
    // The next frame follows at once only if more is waiting: only then is the gap this frame's cost.
    this.lastCommit = this.built.size > 0 && frameTime !== null && count > 0 ? { size: count, at: frameTime } : null;
    this.scheduleCommit();
    this.schedule();
    this.checkSettled();
  }

  /** One listener object for every badge: no closure per badge on a page with thousands of them. */
  handleEvent(event: Event): void {
    if (this.stopped) return;
    const badge = this.badgeOf.get(event.currentTarget!);
    if (!badge) {
      // The window, listened to only while a tooltip shows: Escape, scrolling or resizing hides it.
      if (this.shown && (event.type !== 'keydown' || (event as KeyboardEvent).key === 'Escape')) this.hide(this.shown);
      return;
    }
    switch (event.type) {
      case 'pointerenter':
      case 'focus':
        this.show(badge);
        break;
      case 'pointerleave':
        if (this.doc.activeElement !== badge.host) this.hideSoon(badge);
        break;
      case 'blur':
        this.hideSoon(badge);
        break;
      case 'keydown':
      case 'keyup': {
        // What a <button> does: Enter activates on key down, Space on key up (and does not scroll the page).
        const key = (event as KeyboardEvent).key;
        if (key !== 'Enter' && key !== ' ') return;
        event.preventDefault();
        event.stopPropagation();
        if ((key === 'Enter') === (event.type === 'keydown')) this.activate(badge);
        break;
      }
      case 'click':
        // The badge is the link's sibling, so the link does not navigate; nor should page handlers see the click.
        event.preventDefault();
        event.stopPropagation();
        this.activate(badge);
        break;
    }
  }

  private activate(badge: Badge): void {
    this.hide(badge);
    this.owner.openStory(badge.url);
  }

  private show(badge: Badge): void {
    const view = this.doc.defaultView!;
    view.clearTimeout(badge.hideTimer);
    if (this.shown && this.shown !== badge) this.hide(this.shown);
    let tip = badge.tip;
    if (!tip) {
      tip = this.doc.createElement('div');
      tip.className = 'es-lb-tip';
      // The button's label says all of this already; screen readers should not hear it twice.
      tip.setAttribute('aria-hidden', 'true');
      if (typeof tip.showPopover === 'function') tip.popover = 'manual';
      else tip.hidden = true;
      this.owner.look!.renderTooltip(tip, badge.verdict);
      badge.root.append(tip);
      badge.tip = tip;
    }
    if (typeof tip.showPopover === 'function') {
      if (!tip.matches(':popover-open')) tip.showPopover();
    } else {
      tip.hidden = false;
    }
    this.place(badge, tip);
    if (!this.shown) {
      view.addEventListener('keydown', this, true);
      view.addEventListener('scroll', this, { capture: true, passive: true });
      view.addEventListener('resize', this, { passive: true });
    }
    this.shown = badge;
  }

  /** Below the badge, or above it when there is no room below, inside the viewport. */
  private place(badge: Badge, tip: HTMLElement): void {
    const view = this.doc.defaultView!;
    const box = badge.button.getBoundingClientRect();
    const size = tip.getBoundingClientRect();
    const left = Math.max(VIEWPORT_MARGIN_PX, Math.min(box.left, view.innerWidth - size.width - VIEWPORT_MARGIN_PX));
    const below = box.bottom + TOOLTIP_GAP_PX;
    const top = below + size.height > view.innerHeight - VIEWPORT_MARGIN_PX ? Math.max(VIEWPORT_MARGIN_PX, box.top - TOOLTIP_GAP_PX - size.height) : below;
    // CSSOM writes, not style attributes: a page's style-src CSP does not apply to them.
    tip.style.setProperty('left', `${Math.round(left)}px`);
    tip.style.setProperty('top', `${Math.round(top)}px`);
  }

  private hideSoon(badge: Badge): void {
    const view = this.doc.defaultView!;
    view.clearTimeout(badge.hideTimer);
    badge.hideTimer = view.setTimeout(() => this.hide(badge), TOOLTIP_HIDE_DELAY_MS);
  }

  private hide(badge: Badge): void {
    const view = this.doc.defaultView!;
    view.clearTimeout(badge.hideTimer);
    const tip = badge.tip;
    if (tip) {
      if (typeof tip.hidePopover === 'function') {
        if (tip.matches(':popover-open')) tip.hidePopover();
      } else {
        tip.hidden = true;
      }
    }
    if (this.shown === badge) {
      this.shown = null;
      view.removeEventListener('keydown', this, true);
      view.removeEventListener('scroll', this, { capture: true });
      view.removeEventListener('resize', this);
    }
  }

  private discard(badge: Badge): void {
    if (this.shown === badge) this.hide(badge);
    if (badge.tip) this.owner.look?.clearTooltip(badge.tip);
    badge.host.remove();
    if (this.badgeFor.get(badge.link) === badge) this.badgeFor.delete(badge.link);
  }

  /** The look could not load: known links waiting for a badge get none. */
  dropUnbuilt(): void {
    while (this.toBadge.size > 0) this.toBadge.shift();
    this.checkSettled();
  }

  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.settledWaiters.push(resolve);
      this.checkSettled();
    });
  }

  private checkSettled(): void {
    if (this.stopped || this.busy || this.settledWaiters.length === 0) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Undoes everything: no observer, no scheduled work, no badge left in the page. */
  end(): void {
    if (this.stopped) return;
    if (this.shown) this.hide(this.shown);
    this.stopped = true;
    this.cancelIdle?.();
    this.cancelIdle = null;
    this.cancelCommit?.();
    this.cancelCommit = null;
    this.observer?.disconnect();
    this.nearby?.disconnect();
    this.doc.defaultView?.clearTimeout(this.settleTimer);
    for (const host of this.ownHosts()) {
      const badge = this.badgeOf.get(host)!;
      if (badge.tip) this.owner.look?.clearTooltip(badge.tip);
      host.remove();
    }
    this.waiting.clear();
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * This run's badges in the page, found by tag rather than kept in a list: a page that throws
   * away its links (a feed recycling its items) must not leave us holding their badges.
   */
  private ownHosts(): Element[] {
    return [...this.doc.getElementsByTagName(LINK_BADGE_TAG)].filter((host) => this.badgeOf.has(host));
  }

  get badgeCount(): number {
    return this.ownHosts().length;
  }
}

/**
 * The link badges of one page. `start(signal)` scans and watches the page until `stop()` or the
 * signal aborts; stopping removes every badge and the observer. Answers are kept for the page's
 * lifetime, so stopping and starting again (a settings toggle) asks the background nothing twice.
 */
export class LinkBadges {
  private readonly verdicts = new Map<string, LinkVerdict | null>();
  private readonly pending = new Set<string>();
  private run: Run | null = null;
  private unlisten: (() => void) | null = null;
  private readonly doc: Document;
  private readonly lazy: boolean;
  private readonly lookup: LinkLookup;
  private readonly open: (url: string) => unknown;
  private readonly loadLook: () => LinkBadgeLook | Promise<LinkBadgeLook>;
  private lookAsked = false;
  /** @internal The badges' look, once loaded (null: not yet, or it failed). */
  look: LinkBadgeLook | null = null;
  private theme: Theme;

  constructor(options: LinkBadgesOptions = {}) {
    this.doc = options.document ?? document;
    this.lazy = options.lazy ?? true;
    this.lookup = options.lookup ?? ((urls) => Promise.resolve(urls.map(() => null)));
    for (const [url, verdict] of options.known ?? []) this.verdicts.set(url, verdict === null ? null : cleanVerdict(verdict));
    this.open = options.open ?? (() => undefined);
    this.loadLook = options.look ?? (() => Promise.reject(new Error('no look for link badges')));
    this.theme = options.theme ?? 'system';
  }

  /**
   * @internal A run has a badge to build: load the look, once. Until it is here, known links wait;
   * if it cannot load (the extension was reloaded under the page), they are dropped unbadged.
   */
  needLook(): void {
    if (this.lookAsked) return;
    this.lookAsked = true;
    let loading: Promise<LinkBadgeLook>;
    try {
      loading = Promise.resolve(this.loadLook());
    } catch (error) {
      loading = Promise.reject(error);
    }
    loading.then(
      (look) => {
        look.setTheme(this.theme);
        this.look = look;
        this.run?.schedule();
      },
      () => {
        // The next run (a settings toggle) may ask again.
        this.lookAsked = false;
        this.run?.dropUnbuilt();
      },
    );
  }

  get running(): boolean {
    return this.run !== null;
  }

  /** The number of badges in the page now. */
  get count(): number {
    return this.run?.badgeCount ?? 0;
  }

  /** Scans the page and watches it until `stop()`, or until `signal` aborts (the script is orphaned). */
  start(signal?: AbortSignal): void {
    if (this.run || signal?.aborted) return;
    this.run = new Run(this, this.doc, this.lazy);
    if (signal) {
      const onAbort = (): void => this.stop();
      signal.addEventListener('abort', onAbort, { once: true });
      this.unlisten = () => signal.removeEventListener('abort', onAbort);
    }
  }

  /** Removes every badge and stops watching the page. */
  stop(): void {
    this.unlisten?.();
    this.unlisten = null;
    this.run?.end();
    this.run = null;
  }

  /** Resolves once the page's links have all been looked at, answered and badged (at once when stopped). */
  settled(): Promise<void> {
    return this.run?.settled() ?? Promise.resolve();
  }

  setTheme(theme: Theme): void {
    if (theme === this.theme) return;
    this.theme = theme;
    this.look?.setTheme(theme);
  }

  /** @internal The cached answer for an address: a verdict, null (unknown), or undefined (not asked yet). */
  cached(url: string): LinkVerdict | null | undefined {
    return this.verdicts.get(url);
  }

  /** @internal */
  isPending(url: string): boolean {
    return this.pending.has(url);
  }

  /** @internal Sends one batch; the current run is told when its answers arrive. */
  request(urls: string[]): void {
    for (const url of urls) this.pending.add(url);
    const done = (answers: unknown): void => {
      const valid = Array.isArray(answers) && answers.length === urls.length;
      urls.forEach((url, index) => {
        this.pending.delete(url);
        // A failed batch (the extension was reloaded under the page) is not cached: a new run may ask again.
        if (valid) this.verdicts.set(url, cleanVerdict((answers as unknown[])[index]));
      });
      this.run?.deliver(urls);
    };
    let reply: Promise<unknown>;
    try {
      reply = Promise.resolve(this.lookup(urls));
    } catch (error) {
      reply = Promise.reject(error);
    }
    reply.then(done, () => done(null));
  }

  /** @internal */
  openStory(url: string): void {
    try {
      void Promise.resolve(this.open(url)).catch(() => undefined);
    } catch {
      // The extension was reloaded under the page; the click does nothing rather than throw.
    }
  }
}
