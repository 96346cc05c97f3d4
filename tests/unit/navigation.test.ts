/**
 * A tab's address changes (src/background/navigation.ts): the count follows the address at once,
 * while the page's content script is asked what it says about itself, if anything can be known
 * there, and answered through its hook when something is (issue 4: the page never asks, so it never
 * pays for the extension API, and most pages pay for nothing more than being asked, or not even that).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Coverage } from '../../src/core/index/coverage-index';

const fake = vi.hoisted(() => ({
  /** What the page answers when asked (its PageQuestion). */
  question: null as unknown,
  tabUrl: 'https://www.cnet.com/news/a-story/' as string | undefined,
  /** What every lookup finds. */
  coverage: null as unknown,
  /** Whether the page's outlet is one an index knows. */
  outlet: true,
  /** Whether a content script of ours runs on the page. */
  scripted: true,
}));
type Injection = { args: unknown[]; injectImmediately?: boolean; files?: string[] };
/** The page's content script answers the background's question (`fake.question`); any other injection returns nothing. */
const answerAsks = vi.hoisted(() => async (injection: Injection): Promise<Array<{ result: unknown }>> => {
  const notice = injection.args?.[2];
  return [{ result: (notice as { notice?: string } | undefined)?.notice === 'ask' ? fake.question : undefined }];
});
const executeScript = vi.hoisted(() => vi.fn(answerAsks));
const setTab = vi.hoisted(() => vi.fn(async (..._args: unknown[]) => undefined));
const readTab = vi.hoisted(() => vi.fn(async (_tabId: number): Promise<{ url: string } | null> => null));
/** Holds lookups until the test releases them, to order the address's own lookup against the page's. */
const lookups = vi.hoisted(() => ({ release: [] as Array<() => void>, held: false }));
vi.mock('../../src/shared/browser', () => ({ browser: { scripting: { executeScript }, tabs: { get: async () => ({ url: fake.tabUrl }) } } }));
vi.mock('../../src/content/render?iife', () => ({ default: 'src/content/render.js' }));
vi.mock('../../src/content/links?iife', () => ({ default: 'src/content/links.js' }));
vi.mock('../../src/background/tab-state', () => ({ readTab, setTab }));
vi.mock('../../src/background/outlet-sites', () => ({
  // As a build that runs everywhere gives them: no link badges off the outlets (src/shared/outlet-sites.ts).
  settingsForPage: async (settings: object) => (fake.outlet ? settings : { ...settings, linkBadges: false }),
  signalsMayMatch: async () => fake.outlet,
}));
vi.mock('../../src/background/script-sites', () => ({ contentScriptRunsOn: async () => fake.scripted }));
vi.mock('../../src/background/lists/list-sources', () => ({
  lookupCoverage: () => (lookups.held ? new Promise((resolve) => lookups.release.push(() => resolve(fake.coverage))) : Promise.resolve(fake.coverage)),
}));

const { answerOpenTabs, answerPage, onTabAddressChanged, onTabLoaded, forgetTabPages } = await import('../../src/background/navigation');
const { ASK_WAITING, NOTICE_HOOK } = await import('../../src/shared/message-shapes');

const TAB = 4;
const PAGE = 'https://www.cnet.com/news/a-story/';
const OTHER = 'https://www.cnet.com/news/another-story/';
const KNOWN = { otherOutletCount: 2, otherOutlets: [] } as unknown as Coverage;
const question = (url: string, shown = false) => ({ signals: { url, canonical: [], ogUrl: [] }, base: url, links: [], shown });

const asks = () => executeScript.mock.calls.map(([injection]) => injection.args?.[2]).filter((notice) => (notice as { notice?: string } | undefined)?.notice === 'ask');
const told = () => executeScript.mock.calls.map(([injection]) => injection.args?.[1]).filter((notice) => (notice as { notice?: string } | undefined)?.notice === 'answer');

beforeEach(() => {
  executeScript.mockClear();
  setTab.mockClear();
  readTab.mockClear();
  lookups.release = [];
  lookups.held = false;
  fake.question = question(PAGE);
  fake.tabUrl = PAGE;
  fake.coverage = null;
  fake.outlet = true;
  fake.scripted = true;
  forgetTabPages(TAB);
});

describe('onTabAddressChanged', () => {
  it('sets the count from the address, and asks the page in its top frame, when it is ready, for what can matter there', async () => {
    await onTabAddressChanged(TAB, PAGE);
    expect(setTab).toHaveBeenCalledWith(TAB, PAGE, null);
    const [ask] = executeScript.mock.calls[0]!;
    expect(ask).toMatchObject({ target: { tabId: TAB, frameIds: [0] }, args: [NOTICE_HOOK, ASK_WAITING, { notice: 'ask', signals: true, links: true, sweep: false }, expect.any(Number)] });
    expect(ask.injectImmediately).toBeUndefined();
  });

  it('leaves a page where nothing is known unanswered: it takes that as the answer', async () => {
    await onTabAddressChanged(TAB, PAGE);
    expect(asks()).toHaveLength(1);
    expect(told()).toEqual([]);
  });

  it('answers a page where something is known, after putting in the rendering stage', async () => {
    fake.coverage = KNOWN;
    await onTabAddressChanged(TAB, PAGE);
    expect(told()).toEqual([expect.objectContaining({ notice: 'answer', url: PAGE, coverage: KNOWN })]);
    const files = executeScript.mock.calls.map(([injection]) => injection.files).filter(Boolean);
    expect(files).toEqual([['src/content/render.js']]);
  });

  it('answers a page that shows coverage, so that it clears it (a single-page app left a known article)', async () => {
    fake.question = question(PAGE, true);
    await onTabAddressChanged(TAB, PAGE);
    expect(told()).toEqual([expect.objectContaining({ url: PAGE, coverage: null })]);
  });

  it('does not ask a page where nothing can be known or shown (no outlet of any index, link badges not due there)', async () => {
    fake.outlet = false;
    fake.tabUrl = 'https://mail.example/inbox';
    await onTabAddressChanged(TAB, 'https://mail.example/inbox');
    expect(executeScript).not.toHaveBeenCalled();
    expect(setTab).toHaveBeenCalledExactlyOnceWith(TAB, 'https://mail.example/inbox', null);
  });

  it('does not ask a page where no content script of ours runs (an AMP cache, with host access only): the question would hold its load event', async () => {
    fake.scripted = false;
    await onTabAddressChanged(TAB, PAGE);
    expect(executeScript).not.toHaveBeenCalled();
    expect(setTab).toHaveBeenCalledExactlyOnceWith(TAB, PAGE, null);
  });

  it('leaves the count to the page when the page answered before the address’s own lookup came back', async () => {
    lookups.held = true;
    const done = onTabAddressChanged(TAB, PAGE);
    // The address's lookup is out; the page's is held too: let the page's through first.
    await vi.waitFor(() => expect(lookups.release.length).toBeGreaterThanOrEqual(2));
    lookups.release.splice(1, 1)[0]!();
    await vi.waitFor(() => expect(setTab).toHaveBeenCalledTimes(1));
    lookups.release.shift()!();
    await done;
    expect(setTab).toHaveBeenCalledTimes(1);
  });

  it('sets the count from the address alone when the page does not answer (no content script there)', async () => {
    fake.question = null;
    await onTabAddressChanged(TAB, PAGE);
    expect(setTab).toHaveBeenCalledExactlyOnceWith(TAB, PAGE, null);
    expect(told()).toEqual([]);
  });

  it('asks the page, but writes no count of the address, when the tab’s record shows the address already', async () => {
    readTab.mockResolvedValueOnce({ url: PAGE });
    await onTabAddressChanged(TAB, PAGE);
    expect(setTab).toHaveBeenCalledExactlyOnceWith(TAB, PAGE, null);
    expect(asks()).toHaveLength(1);
  });
});

describe('answerPage', () => {
  it('drops the answer of a page the tab has left (Firefox asks the outgoing page as the next loads)', async () => {
    fake.question = question(OTHER);
    fake.coverage = KNOWN;
    await answerPage(TAB);
    expect(setTab).not.toHaveBeenCalled();
    expect(told()).toEqual([]);
  });

  it('drops whatever the page answers that is not a question', async () => {
    fake.question = { signals: { url: PAGE, canonical: 'x', ogUrl: [] }, base: PAGE, links: [], shown: false };
    fake.coverage = KNOWN;
    await answerPage(TAB);
    expect(setTab).not.toHaveBeenCalled();
    expect(told()).toEqual([]);
  });
});

describe('onTabLoaded', () => {
  it('asks again, once loaded, a page that did not answer when its address changed (its script came too late)', async () => {
    fake.question = null;
    await onTabAddressChanged(TAB, PAGE);
    fake.question = question(PAGE);
    fake.coverage = KNOWN;
    await onTabLoaded(TAB, PAGE);
    expect(asks()).toHaveLength(2);
    expect(told()).toHaveLength(1);
  });

  it('handles a page whose address change this worker missed, and only such a page', async () => {
    await onTabLoaded(TAB, PAGE);
    expect(asks()).toHaveLength(1);
    executeScript.mockClear();
    await onTabLoaded(TAB, PAGE);
    await onTabAddressChanged(TAB, OTHER).catch(() => undefined);
    executeScript.mockClear();
    await onTabLoaded(TAB, OTHER);
    expect(asks()).toEqual([]);
  });
});

describe('answerOpenTabs', () => {
  it('asks every open tab, sweeping what an earlier instance left', async () => {
    const query = vi.fn(async () => [{ id: TAB, url: PAGE }, { id: 5 }]);
    const { browser } = (await import('../../src/shared/browser')) as unknown as { browser: { tabs: Record<string, unknown> } };
    browser.tabs.query = query;
    await answerOpenTabs();
    expect(asks()).toEqual([expect.objectContaining({ sweep: true })]);
  });

  it('sets the count of every open tab from its address, also where no script of ours answers (Chromium, tabs open before install)', async () => {
    const { browser } = (await import('../../src/shared/browser')) as unknown as { browser: { tabs: Record<string, unknown> } };
    browser.tabs.query = vi.fn(async () => [{ id: TAB, url: PAGE }, { id: 5 }]);
    fake.question = null;
    fake.coverage = KNOWN;
    await answerOpenTabs();
    expect(setTab.mock.calls).toEqual([[TAB, PAGE, KNOWN]]);
  });

  const injected = () => executeScript.mock.calls.map(([injection]) => injection.files).filter(Boolean);
  /** What each injection was: a hook check, the first stage's files, or the page's question. */
  const injections = () => executeScript.mock.calls.map(([injection]) => (injection.files ? 'files' : (injection.args?.[2] as { notice?: string } | undefined)?.notice === 'ask' ? 'ask' : 'check'));

  describe('putting the first stage in', () => {
    let browser: { tabs: Record<string, unknown>; runtime?: unknown };
    beforeEach(async () => {
      browser = ((await import('../../src/shared/browser')) as unknown as { browser: typeof browser }).browser;
      browser.tabs.query = vi.fn(async () => [{ id: TAB, url: PAGE }, { id: 5 }]);
      browser.runtime = { getManifest: () => ({ content_scripts: [{ js: ['src/content/main.js'], matches: ['*://*.cnet.com/*'] }] }) };
      // The hook check answers the page's address: no hook there (page-notices.ts).
      executeScript.mockImplementationOnce(async () => [{ result: PAGE }]);
    });
    afterEach(() => {
      delete browser.runtime;
      executeScript.mockReset();
      executeScript.mockImplementation(answerAsks);
    });

    it('on a first install, puts it into open pages it runs on that lack it, and asks them after', async () => {
      await answerOpenTabs(true);
      expect(injected()).toEqual([['src/content/main.js']]);
      expect(injections()).toEqual(['check', 'files', 'ask']);
    });

    it('counts the tab from its address without waiting for the script to go in', async () => {
      let letIn!: () => void;
      executeScript.mockReset();
      executeScript.mockImplementationOnce(() => new Promise((resolve) => (letIn = () => resolve([{ result: PAGE }]))));
      executeScript.mockImplementation(answerAsks);
      fake.coverage = KNOWN;
      const answered = answerOpenTabs(true);
      await vi.waitFor(() => expect(setTab.mock.calls).toEqual([[TAB, PAGE, KNOWN]]));
      expect(injections()).toEqual(['check']);
      letIn();
      await answered;
      // Then the page is answered: the rendering stage goes in, and the answer is told.
      expect(injections()).toEqual(['check', 'files', 'ask', 'files', 'check']);
      expect(injected()).toEqual([['src/content/main.js'], ['src/content/render.js']]);
    });

    it('after an update, puts it nowhere and checks nothing', async () => {
      await answerOpenTabs(false);
      expect(injections()).toEqual(['ask']);
    });

    it('checks no page the script does not run on', async () => {
      fake.scripted = false;
      await answerOpenTabs(true);
      expect(injections()).toEqual([]);
    });
  });
});
