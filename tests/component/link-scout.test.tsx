/**
 * The first stage's look at a page's links (src/content/link-scout.ts, issue 4): one lookup for the
 * page's links, and the link-badge engine loaded only when the page needs it (a known link, more
 * links than one batch, links added later), started from the answers so far.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LinkBadges, LinkBadgesOptions, LinkLookup } from '../../src/content/link-badges';
import { LinkScout } from '../../src/content/link-scout';
import { MAX_LINKS_PER_BATCH } from '../../src/shared/message-shapes';
import type { LinkVerdict } from '../../src/shared/protocol';

const VERDICT: LinkVerdict = { otherOutletCount: 2, outlets: ['CNET', 'Wired'] };
const known = (i: number) => `https://www.cnet.com/known/story-${i}/`;
const unknown = (i: number) => `https://www.cnet.com/other/story-${i}/`;
const answer: LinkLookup = async (urls) => urls.map((url) => (url.includes('/known/') ? VERDICT : null));

/** A stand-in engine: what the scout hands over is what matters here. */
interface FakeEngine {
  seed: Required<Pick<LinkBadgesOptions, 'known' | 'theme'>>;
  start: ReturnType<typeof vi.fn>;
  stop: ReturnType<typeof vi.fn>;
  setTheme: ReturnType<typeof vi.fn>;
}

let lookup: ReturnType<typeof vi.fn<LinkLookup>>;
let engines: FakeEngine[];
let engine: ReturnType<typeof vi.fn<(seed: FakeEngine['seed']) => Promise<LinkBadges>>>;
let scouts: LinkScout[];

beforeEach(() => {
  lookup = vi.fn<LinkLookup>(answer);
  engines = [];
  engine = vi.fn(async (seed: FakeEngine['seed']) => {
    // The seed as it was when the engine was asked for: later answers must not change it under the test.
    const made: FakeEngine = { seed: { known: new Map(seed.known), theme: seed.theme }, start: vi.fn(), stop: vi.fn(), setTheme: vi.fn() };
    engines.push(made);
    return made as unknown as LinkBadges;
  });
  scouts = [];
});
afterEach(() => {
  for (const scout of scouts) scout.stop();
  document.body.replaceChildren();
});

function scout(): LinkScout {
  const made = new LinkScout({ lookup, engine });
  scouts.push(made);
  return made;
}

function links(hrefs: string[]): HTMLElement {
  const nav = document.createElement('nav');
  for (const href of hrefs) {
    const anchor = document.createElement('a');
    anchor.href = href;
    anchor.textContent = href;
    nav.append(anchor);
  }
  return nav;
}

/** Lets answers, MutationObserver records and the engine's loading run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('LinkScout', () => {
  it('asks about the page’s links in one batch, and loads no engine when none is known', async () => {
    document.body.append(links([unknown(1), unknown(2), unknown(1), `${location.href}#top`, 'mailto:someone@example.com', 'javascript:void 0']));
    scout().start();
    await settle();
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup.mock.calls[0]![0]).toEqual([unknown(1), unknown(2)]);
    expect(engine).not.toHaveBeenCalled();
  });

  it('asks nothing and loads nothing on a page without links', async () => {
    document.body.append(document.createElement('p'));
    scout().start();
    await settle();
    expect(lookup).not.toHaveBeenCalled();
    expect(engine).not.toHaveBeenCalled();
  });

  it('loads the engine once a link is known, and starts it with the answers so far and the theme', async () => {
    document.body.append(links([unknown(1), known(2)]));
    const made = scout();
    made.setTheme('dark');
    made.start();
    await settle();
    expect(engine).toHaveBeenCalledTimes(1);
    const [started] = engines;
    expect(started!.seed.theme).toBe('dark');
    expect([...started!.seed.known]).toEqual([
      [unknown(1), null],
      [known(2), VERDICT],
    ]);
    expect(started!.start).toHaveBeenCalled();
  });

  it('loads the engine without asking when the page has more links than one batch', async () => {
    document.body.append(links(Array.from({ length: MAX_LINKS_PER_BATCH + 1 }, (_, i) => unknown(i))));
    scout().start();
    await settle();
    expect(lookup).not.toHaveBeenCalled();
    expect(engine).toHaveBeenCalledTimes(1);
    expect(engines[0]!.start).toHaveBeenCalledTimes(1);
  });

  it('loads the engine when the page adds a link later, but not for other nodes or Elsewhere’s own', async () => {
    document.body.append(links([unknown(1)]));
    scout().start();
    await settle();
    document.body.append(document.createElement('p'), document.createElement('elsewhere-badge'));
    const own = document.createElement('elsewhere-link-badge');
    own.append(links([known(9)]));
    document.body.append(own);
    await settle();
    expect(engine).not.toHaveBeenCalled();
    const later = document.createElement('section');
    later.append(links([unknown(2)]));
    document.body.append(later);
    await settle();
    expect(engine).toHaveBeenCalledTimes(1);
    expect(engines[0]!.start).toHaveBeenCalled();
  });

  it('stops watching when stopped, and asks nothing twice when started again', async () => {
    document.body.append(links([unknown(1)]));
    const made = scout();
    made.start();
    await settle();
    made.stop();
    document.body.append(links([unknown(2)]));
    await settle();
    expect(engine).not.toHaveBeenCalled();
    made.start();
    await settle();
    // The added link is new to the scout: only it is asked about.
    expect(lookup.mock.calls.map(([urls]) => urls)).toEqual([[unknown(1)], [unknown(2)]]);
  });

  it('does not start an engine that arrives after the scout stopped, and starts it on the next start', async () => {
    document.body.append(links(Array.from({ length: MAX_LINKS_PER_BATCH + 1 }, (_, i) => unknown(i))));
    const made = scout();
    made.start();
    made.stop();
    await settle();
    expect(engine).toHaveBeenCalledTimes(1);
    expect(engines[0]!.start).not.toHaveBeenCalled();
    made.start();
    expect(engine).toHaveBeenCalledTimes(1);
    expect(engines[0]!.start).toHaveBeenCalledTimes(1);
    made.setTheme('light');
    expect(engines[0]!.setTheme).toHaveBeenCalledWith('light');
    made.stop();
    expect(engines[0]!.stop).toHaveBeenCalled();
  });

  it('caches no failed answer, and loads no engine for it', async () => {
    lookup.mockRejectedValueOnce(new Error('Extension context invalidated.'));
    document.body.append(links([known(1)]));
    const made = scout();
    made.start();
    await settle();
    expect(engine).not.toHaveBeenCalled();
    made.stop();
    made.start();
    await settle();
    expect(lookup).toHaveBeenCalledTimes(2);
    expect(engine).toHaveBeenCalledTimes(1);
  });

  describe('with the background’s question about the page (main.ts)', () => {
    /** A page with these links whose scout answered the background's question as main.ts does: read them, take them to be unknown, start. */
    function askedAbout(hrefs: string[]): LinkScout {
      document.body.append(links(hrefs));
      const made = scout();
      const read = made.pageHrefs()!;
      made.assumeUnknown(read);
      made.start(read);
      return made;
    }

    it('gives the page’s distinct links as written, for the background to resolve, and null above one batch', () => {
      const relative = links(['/news/a', known(1), '/news/a', '#top']);
      relative.querySelectorAll('a').forEach((anchor, i) => anchor.setAttribute('href', ['/news/a', known(1), '/news/a', '#top'][i]!));
      document.body.append(relative);
      expect(scout().pageHrefs()).toEqual(['/news/a', known(1), '#top']);
      document.body.append(links(Array.from({ length: MAX_LINKS_PER_BATCH }, (_, i) => unknown(i))));
      expect(scout().pageHrefs()).toBeNull();
    });

    it('asks nothing when started with links it takes to be unknown (the background answers only when one is known)', async () => {
      askedAbout([unknown(1), unknown(2)]);
      await settle();
      expect(lookup).not.toHaveBeenCalled();
      expect(engine).not.toHaveBeenCalled();
    });

    it('loads the engine for a link an answer named known, which a later assumption does not overwrite', async () => {
      document.body.append(links([unknown(1), known(2)]));
      const made = scout();
      const hrefs = made.pageHrefs()!;
      made.assumeUnknown(hrefs);
      made.remember([known(2)], [VERDICT]);
      // A second question (the background asked twice) assumes again: the answer stands.
      made.assumeUnknown(hrefs);
      made.start(hrefs);
      await settle();
      expect(lookup).not.toHaveBeenCalled();
      expect(engine).toHaveBeenCalledTimes(1);
      expect(engines[0]!.seed.known.get(known(2))).toEqual(VERDICT);
    });

    it('hands the engine no guess: loaded before any answer (the page added a link), it asks about every link itself', async () => {
      askedAbout([unknown(1), known(2)]);
      document.body.append(links([unknown(3)]));
      await settle();
      expect(engine).toHaveBeenCalledTimes(1);
      expect([...engines[0]!.seed.known]).toEqual([]);
      expect(lookup).not.toHaveBeenCalled();
    });

    it('loads the engine when an answer names a known link after it started', async () => {
      const made = askedAbout([unknown(1), known(2)]);
      await settle();
      expect(engine).not.toHaveBeenCalled();
      made.remember([known(2)], [VERDICT]);
      await settle();
      expect(engine).toHaveBeenCalledTimes(1);
    });
  });
});
