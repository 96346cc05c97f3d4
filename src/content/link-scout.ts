import { MAX_LINKS_PER_BATCH } from '../shared/message-shapes';
import type { LinkVerdict } from '../shared/protocol';
import type { Theme } from '../shared/settings-schema';
import { forEachAttribute } from './attributes';
import { linkAddresses } from '../shared/link-address';
import type { LinkBadges, LinkBadgesOptions, LinkLookup } from './link-badges';
import { OWN_TAGS } from './tags';

/** Every link's `href` attribute (`a[href]`); in an HTML document, `a` names HTML links only, as the engine's selector does. */
export const LINK_HREFS = '//a/@href';

export interface LinkScoutOptions {
  /** Asks the background about a batch of link addresses; the content script passes `background.lookupLinks`. */
  lookup: LinkLookup;
  /** Loads the engine stage (links.ts) and makes the engine, which starts from what the scout knows. */
  engine: (seed: Required<Pick<LinkBadgesOptions, 'known' | 'theme'>>) => Promise<LinkBadges>;
  document?: Document;
}

/**
 * The first stage's part of link badges (issues 4 and 5): most pages link to no known article, and
 * there the engine (link-badges.ts: idle slicing, batching, the viewport watch, the badges) would be
 * code compiled and run for nothing. So the first stage reads the page's links itself, once, for
 * the background's question about the page (main.ts), whose answer carries their verdicts when one
 * is known; it loads the engine (a stage of its own, injected by the background) only when:
 *
 * - an answer names a known article (the engine starts from these answers and asks none again);
 * - the page has more links than one batch, too many to read at once here;
 * - the page adds a link (a single-page app, a feed, a late widget): from then on the engine
 *   scans and watches the page as it always did.
 *
 * `start`, `stop` and `setTheme` are the engine's, so main.ts drives both alike.
 */
export class LinkScout {
  /** Answers so far, for the page's lifetime: a settings toggle asks nothing twice. The engine starts from them. */
  private readonly verdicts = new Map<string, LinkVerdict | null>();
  /**
   * Links sent with the page's question, taken to be unknown until an answer says otherwise. Kept
   * apart from the answers: if the answer never comes, the engine, once loaded, asks about them itself.
   */
  private readonly assumed = new Set<string>();
  private started = false;
  private observer: MutationObserver | null = null;
  private engine: LinkBadges | null = null;
  private engineAsked = false;
  private theme: Theme = 'system';

  /** Read when used, not when made: a page the background never asks is not touched at all (main.ts). */
  private get doc(): Document {
    return this.options.document ?? document;
  }

  constructor(private readonly options: LinkScoutOptions) {}

  /**
   * What the background said of these links, asked with the page's own question (main.ts), so that
   * `start` asks nothing again; a missing verdict is null (unknown). A known link loads the engine.
   */
  remember(urls: readonly string[], verdicts: ReadonlyArray<LinkVerdict | null>): void {
    urls.forEach((url, index) => this.verdicts.set(url, verdicts[index] ?? null));
    if (this.started && verdicts.some(Boolean)) this.loadEngine();
  }

  /**
   * Takes it that these links are unknown, unless an answer said otherwise: the background answers
   * a page's question only when something is known (main.ts), so `start` asks nothing about them.
   */
  assumeUnknown(urls: readonly string[]): void {
    for (const url of urls) if (!this.verdicts.has(url)) this.assumed.add(url);
  }

  /** Whether it looks at the page's links (between `start` and `stop`). */
  get running(): boolean {
    return this.started;
  }

  /** Looks at the page's links until `stop()`; `links` are what `pageLinks()` read just now, if the caller did. */
  start(links?: string[] | null): void {
    if (this.started) return;
    this.started = true;
    if (this.engine) return this.engine.start();
    // The engine is on its way, and starts once it is here.
    if (this.engineAsked) return;
    const urls = links === undefined ? this.pageLinks() : links;
    if (urls === null || urls.some((url) => this.verdicts.get(url))) return this.loadEngine();
    this.watch();
    const unasked = urls.filter((url) => !this.verdicts.has(url) && !this.assumed.has(url));
    if (unasked.length > 0) this.ask(unasked);
  }

  stop(): void {
    this.started = false;
    this.observer?.disconnect();
    this.engine?.stop();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.engine?.setTheme(theme);
  }

  /**
   * The page's distinct links as written (`href` attributes), in page order, for the background to
   * resolve (main.ts); null when there are more than one batch, or once the engine is loading (it
   * reads and asks for itself). Nothing is resolved here: a `URL` made in the page costs it the
   * set-up of that interface. Read through XPath, touching no element (attributes.ts).
   */
  pageHrefs(): string[] | null {
    if (this.engineAsked) return null;
    // XPath gathers and sorts all it finds before it yields the first: on a page of thousands of
    // links that alone is a long task (151 ms for 10,000 links, measured). Such a page is the
    // engine's. With at most a batch of links, there are at most a batch of hrefs.
    if (this.doc.getElementsByTagName('a').length > MAX_LINKS_PER_BATCH) return null;
    const hrefs = new Set<string>();
    forEachAttribute(this.doc, LINK_HREFS, { selector: 'a[href]', attribute: 'href' }, (href) => {
      hrefs.add(href);
    });
    return [...hrefs];
  }

  /** The page's distinct link addresses worth asking about, in page order (pageHrefs, resolved as the links' `href` gives them). */
  pageLinks(): string[] | null {
    const hrefs = this.pageHrefs();
    return hrefs && linkAddresses(hrefs, this.doc.baseURI, this.doc.location?.href ?? '');
  }

  /** Links the page adds later are the engine's to find: any added link loads it. */
  private watch(): void {
    this.observer ??= new MutationObserver((records) => {
      if (records.some(addsLink)) this.loadEngine();
    });
    this.observer.observe(this.doc, { childList: true, subtree: true });
  }

  private ask(urls: string[]): void {
    let reply: Promise<Array<LinkVerdict | null>>;
    try {
      reply = Promise.resolve(this.options.lookup(urls));
    } catch (error) {
      reply = Promise.reject(error);
    }
    reply.then(
      (answers) => {
        if (!Array.isArray(answers) || answers.length !== urls.length) return;
        this.remember(urls, answers);
      },
      // The extension was reloaded under the page, or the background could not answer: nothing to
      // badge, and nothing cached, so the next start asks again.
      () => undefined,
    );
  }

  private loadEngine(): void {
    if (this.engineAsked) return;
    this.engineAsked = true;
    // From here the engine watches the page (its first scan finds whatever was added meanwhile).
    this.observer?.disconnect();
    this.observer = null;
    this.options.engine({ known: this.verdicts, theme: this.theme }).then(
      (engine) => {
        this.engine = engine;
        if (this.started) engine.start();
      },
      () => {
        // It could not load (the extension was reloaded under the page): the next start tries again.
        this.engineAsked = false;
      },
    );
  }
}

/** Whether a mutation added a link, or something with a link in it, other than Elsewhere's own nodes. */
function addsLink(record: MutationRecord): boolean {
  for (const node of record.addedNodes) {
    if (node.nodeType !== 1) continue;
    const element = node as Element;
    if (OWN_TAGS.has(element.localName)) continue;
    if (element.localName === 'a' ? element.hasAttribute('href') : element.querySelector('a[href]') !== null) return true;
  }
  return false;
}
