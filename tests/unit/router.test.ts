/**
 * The message router is the background's only door (issue 6): it answers this extension only,
 * refuses malformed or oversized messages, and keeps privileged methods from content scripts.
 * The browser is mocked; the index is the real one, built from seeds/.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../src/shared/browser';

const SELF_ID = 'self-id';
const SELF_ORIGIN = `chrome-extension://${SELF_ID}/`;
const POPUP_URL = `${SELF_ORIGIN}src/popup/popup.html`;

const fake = vi.hoisted(() => {
  const session = new Map<string, unknown>();
  return {
    session,
    storage: {
      get: vi.fn(async (key?: string | string[] | null) => {
        const keys = key === undefined || key === null ? [...session.keys()] : Array.isArray(key) ? key : [key];
        return Object.fromEntries(keys.filter((k) => session.has(k)).map((k) => [k, structuredClone(session.get(k))]));
      }),
      set: vi.fn(async (items: Record<string, unknown>) => {
        for (const [k, v] of Object.entries(items)) session.set(k, structuredClone(v));
      }),
      remove: vi.fn(async (key: string | string[]) => {
        for (const k of Array.isArray(key) ? key : [key]) session.delete(k);
      }),
    },
    action: { setBadgeText: vi.fn(async () => {}), setTitle: vi.fn(async () => {}), setIcon: vi.fn(async (_details: unknown) => {}) },
    tabs: { get: vi.fn(), create: vi.fn(async () => ({})) },
    scripting: { executeScript: vi.fn(async (_injection: unknown) => []) },
  };
});

vi.mock('webextension-polyfill', () => ({
  default: {
    runtime: {
      id: 'self-id',
      getURL: (path = '') => `chrome-extension://self-id/${path}`,
      // A build that lists its outlets (settingsForPage leaves its settings as they are).
      getManifest: () => ({ content_scripts: [{ js: ['src/content/main.js'], matches: ['*://*.cnet.com/*', '*://*.forbes.com/*'] }] }),
    },
    storage: { session: fake.storage },
    action: fake.action,
    tabs: fake.tabs,
    scripting: fake.scripting,
    i18n: { getMessage: (key: string, substitutions?: string[]) => [key, ...(substitutions ?? [])].join(' ') },
  },
}));

// tab-state calls setIcon through the `chrome` namespace's callback form (see its comment).
vi.stubGlobal('chrome', {
  action: {
    setIcon: (details: unknown, callback: () => void) => void fake.action.setIcon(details).then(callback),
  },
  runtime: { lastError: undefined },
});

// The real index, built from seeds/ and cut into the files the build ships, served from memory
// instead of fetched from the package.
vi.mock('../../src/background/index-source', async () => {
  const { readSeeds } = await import('../../src/build/read-seeds');
  const { buildIndex } = await import('../../src/build/build-index');
  const { CoverageIndex } = await import('../../src/core/index/coverage-index');
  const { bundledIndexFiles } = await import('../../src/core/index/chunks');
  const { ChunkedIndex } = await import('../../src/background/chunked-index');
  const read = readSeeds(fileURLToPath(new URL('../../seeds', import.meta.url)));
  if (read.problems.length > 0) throw new Error(`seeds/ is invalid: ${JSON.stringify(read.problems)}`);
  const { bytes } = buildIndex(read.seeds);
  const files = new Map(bundledIndexFiles(CoverageIndex.decode(bytes), bytes).map((file) => [file.path, file.bytes]));
  const bundled = await ChunkedIndex.open(async (path) => files.get(path)!.slice().buffer);
  return { bundledIndex: vi.fn(async () => bundled) };
});

// The stages' built names, which only the build knows.
vi.mock('../../src/content/render?iife', () => ({ default: 'src/content/render.js' }));
vi.mock('../../src/content/links?iife', () => ({ default: 'src/content/links.js' }));

const { routeMessage } = await import('../../src/background/router');
const { answerQuestion } = await import('../../src/background/page-answers');
const { MAX_LINKS_PER_BATCH } = await import('../../src/shared/protocol');
const { MAX_URL_LENGTH } = await import('../../src/core/url/limits');

const CNET_URL = 'https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
const FORBES_URL = 'https://www.forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/';
const UNKNOWN_URL = 'https://www.cnet.com/news/some-other-story/';
const TAB_ID = 7;

const signals = (url: string) => ({ url, canonical: [] as string[], ogUrl: [] as string[] });
/** What a page's first stage says about itself (PageQuestion). */
const question = (url: string, links: string[] | null = []) => ({ signals: signals(url), base: url, links, shown: false });
const tooLong = `https://www.cnet.com/${'x'.repeat(MAX_URL_LENGTH)}`;

/** Who is asking: built the way the browser fills in runtime.MessageSender. */
const senders = {
  contentTop: (url = CNET_URL) => ({ id: SELF_ID, url, frameId: 0, tab: { id: TAB_ID, url } }) as unknown as Runtime.MessageSender,
  contentFrame: (url = CNET_URL) => ({ id: SELF_ID, url, frameId: 1, tab: { id: TAB_ID, url: 'https://host.example/' } }) as unknown as Runtime.MessageSender,
  /** The popup: an extension page with no tab. */
  popup: () => ({ id: SELF_ID, url: POPUP_URL }) as Runtime.MessageSender,
  /** Our own page opened in a tab (popup.html?url=… from a link badge). */
  extensionTab: () => ({ id: SELF_ID, url: `${POPUP_URL}?url=x`, frameId: 0, tab: { id: 9, url: `${POPUP_URL}?url=x` } }) as unknown as Runtime.MessageSender,
  otherExtension: () => ({ id: 'other-id', url: 'chrome-extension://other-id/page.html' }) as Runtime.MessageSender,
  noId: () => ({ url: 'https://evil.example/' }) as Runtime.MessageSender,
};

async function reply(message: unknown, sender: Runtime.MessageSender): Promise<unknown> {
  const answer = routeMessage(message, sender);
  expect(answer, 'a message from this extension always gets an answer').toBeInstanceOf(Promise);
  return answer;
}

beforeEach(() => {
  fake.session.clear();
  vi.clearAllMocks();
});

afterEach(() => {
  fake.session.clear();
});

function expectNoSideEffects(): void {
  expect(fake.action.setBadgeText).not.toHaveBeenCalled();
  expect(fake.action.setTitle).not.toHaveBeenCalled();
  expect(fake.action.setIcon).not.toHaveBeenCalled();
  expect(fake.storage.set).not.toHaveBeenCalled();
  expect(fake.storage.remove).not.toHaveBeenCalled();
  expect(fake.tabs.create).not.toHaveBeenCalled();
}

describe('messages from anyone but this extension', () => {
  it.each([
    ['another extension', senders.otherExtension()],
    ['a sender with no extension id', senders.noId()],
    ['an id that only starts like ours', { id: `${SELF_ID}x`, url: POPUP_URL } as Runtime.MessageSender],
  ])('from %s get no answer at all, even for a valid request', (_label, sender) => {
    for (const message of [
      { method: 'lookupLinks', params: { urls: [CNET_URL] } },
      { method: 'getTabView', params: { tabId: TAB_ID } },
      { method: 'openCoverage', params: { url: CNET_URL } },
      null,
    ]) {
      expect(routeMessage(message, sender)).toBeUndefined();
    }
    expectNoSideEffects();
  });
});

describe('malformed messages are refused with an error object, never an exception', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a string', 'lookupLinks'],
    ['a boolean', true],
    ['a list', ['lookupLinks', { urls: [CNET_URL] }]],
    ['a function', () => ({ method: 'lookupLinks' })],
    ['an empty object', {}],
  ])('%s', async (_label, message) => {
    await expect(reply(message, senders.contentTop())).resolves.toEqual({ error: 'malformed request' });
    expectNoSideEffects();
  });

  it.each(['eval', 'getTabCoverage ', 'askAboutPage', 'lookupPage', 'startPage', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'setTab', 'forgetTab', '', 42, null])(
    'unknown method %j',
    async (method) => {
      for (const sender of [senders.contentTop(), senders.popup()]) {
        await expect(reply({ method, params: { tabId: TAB_ID, url: CNET_URL, urls: [], canonical: [], ogUrl: [] } }, sender)).resolves.toEqual({ error: 'malformed request' });
      }
      expectNoSideEffects();
    },
  );

  it.each([
    ['lookupLinks with a number among the urls', { method: 'lookupLinks', params: { urls: [CNET_URL, 7] } }],
    ['lookupLinks with a url over the limit', { method: 'lookupLinks', params: { urls: [tooLong] } }],
    [`lookupLinks with ${MAX_LINKS_PER_BATCH + 1} urls`, { method: 'lookupLinks', params: { urls: Array.from({ length: MAX_LINKS_PER_BATCH + 1 }, () => CNET_URL) } }],
    ['openCoverage with a numeric url', { method: 'openCoverage', params: { url: 1 } }],
    ['openCoverage with a url over the limit', { method: 'openCoverage', params: { url: tooLong } }],
    ['getUrlView with a list url', { method: 'getUrlView', params: { url: [CNET_URL] } }],
    ['getTabView with a text tabId', { method: 'getTabView', params: { tabId: '7' } }],
    ['getTabView with a negative tabId', { method: 'getTabView', params: { tabId: -1 } }],
    ['getTabView with a fractional tabId', { method: 'getTabView', params: { tabId: 1.5 } }],
    ['getTabView with NaN', { method: 'getTabView', params: { tabId: Number.NaN } }],
    ['getTabView with Infinity', { method: 'getTabView', params: { tabId: Number.POSITIVE_INFINITY } }],
    ['getTabView with an unsafe integer', { method: 'getTabView', params: { tabId: 2 ** 53 } }],
    ['getTabView without params', { method: 'getTabView' }],
  ])('%s', async (_label, message) => {
    // Refused before any privilege check: the popup gets the same answer as a page.
    for (const sender of [senders.contentTop(), senders.popup()]) {
      await expect(reply(message, sender)).resolves.toEqual({ error: 'malformed request' });
    }
    expectNoSideEffects();
  });
});

describe('privileged methods are refused to content scripts', () => {
  it.each([
    ['getTabView', { tabId: TAB_ID }],
    ['getUrlView', { url: CNET_URL }],
    ['listSubscriptions', {}],
    ['subscribeList', { url: 'https://lists.example/list.json' }],
    ['unsubscribeList', { url: 'https://lists.example/list.json' }],
    ['updateLists', {}],
  ])('%s from a content script in a web page', async (method, params) => {
    fake.session.set(`tab:${TAB_ID}`, { url: CNET_URL, coverage: { secret: true } });
    for (const sender of [senders.contentTop(), senders.contentFrame()]) {
      await expect(reply({ method, params }, sender)).resolves.toEqual({ error: `${method} is not available to pages` });
    }
    // A page whose own address merely contains our origin is still a page.
    const lookalike = senders.contentTop(`https://evil.example/${SELF_ORIGIN}src/popup/popup.html`);
    await expect(reply({ method, params }, lookalike)).resolves.toEqual({ error: `${method} is not available to pages` });
    expect(fake.storage.get).not.toHaveBeenCalled();
    expect(fake.tabs.get).not.toHaveBeenCalled();
    expectNoSideEffects();
  });
});

describe('answerQuestion: the answer to what a tab’s page says about itself (the background asked it)', () => {
  it('answers with the coverage and the settings, and sets the toolbar count of the tab', async () => {
    const answer = (await answerQuestion(TAB_ID, question(CNET_URL))) as {
      coverage: { otherOutletCount: number; article: { url: string } } | null;
    };
    expect(answer).toMatchObject({ notice: 'answer', url: CNET_URL, settings: { linkBadges: true }, links: { urls: [], verdicts: [] } });
    expect(answer.coverage?.otherOutletCount).toBe(2);
    expect(answer.coverage?.article.url).toBe(CNET_URL);
    expect(fake.action.setBadgeText).toHaveBeenCalledTimes(1);
    expect(fake.action.setBadgeText).toHaveBeenCalledWith({ tabId: TAB_ID, text: '2' });
    expect(fake.action.setIcon).toHaveBeenCalledWith(expect.objectContaining({ tabId: TAB_ID }));
    expect(fake.session.get(`tab:${TAB_ID}`)).toEqual({ url: CNET_URL, coverage: answer.coverage, site: 'cnet.com' });
    // The in-page badge is due: its stage went into the tab's top frame before the answer.
    expect(fake.scripting.executeScript).toHaveBeenCalledWith({ target: { tabId: TAB_ID, frameIds: [0] }, files: ['src/content/render.js'] });
  });

  it('answers the page’s links with their verdicts, in order', async () => {
    const other = 'https://www.cnet.com/news/yet-another-story/';
    const answer = await answerQuestion(TAB_ID, question(UNKNOWN_URL, [FORBES_URL, other]));
    expect(answer).toMatchObject({ coverage: null, links: { urls: [FORBES_URL, other], verdicts: [{ otherOutletCount: 2 }, null] } });
    expect(fake.scripting.executeScript).not.toHaveBeenCalled();
  });

  it('resolves the canonical link and the links as the page gives them, against its base, and keeps only links worth asking about', async () => {
    const page = 'https://www.cnet.com/news/some-other-story/?amp';
    const answer = await answerQuestion(TAB_ID, {
      signals: { url: page, canonical: ['microsoft-builds-massive-supercomputer-for-smarter-ai/'], ogUrl: [] },
      base: 'https://www.cnet.com/news/',
      links: ['../sites/x', FORBES_URL, FORBES_URL.replace('https://www.forbes.com', ''), 'mailto:a@example.com', `${page}#top`, page],
      shown: false,
    });
    expect(answer.coverage?.article.url).toBe(CNET_URL);
    expect(answer.links).toEqual({
      urls: ['https://www.cnet.com/sites/x', FORBES_URL, `https://www.cnet.com${FORBES_URL.replace('https://www.forbes.com', '')}`],
      verdicts: [null, expect.objectContaining({ otherOutletCount: 2 }), null],
    });
  });

  it('on a page the index does not know: answers null and clears the count', async () => {
    fake.session.set(`tab:${TAB_ID}`, { url: CNET_URL, coverage: {} });
    await expect(answerQuestion(TAB_ID, question(UNKNOWN_URL))).resolves.toMatchObject({ coverage: null });
    expect(fake.action.setBadgeText).toHaveBeenCalledWith({ tabId: TAB_ID, text: '' });
    expect(fake.session.has(`tab:${TAB_ID}`)).toBe(false);
  });

  it('ignores a canonical link that points to another outlet (a page cannot claim to be any article)', async () => {
    const hostile = { signals: { url: 'https://evil.example/page', canonical: [CNET_URL], ogUrl: [CNET_URL] }, base: 'https://evil.example/page', links: null, shown: false };
    await expect(answerQuestion(TAB_ID, hostile)).resolves.toMatchObject({ coverage: null, links: null });
  });
});

describe('other unprivileged methods', () => {
  it('lookupLinks answers each link in order, null for unknown ones, without touching the toolbar', async () => {
    const verdicts = await reply({ method: 'lookupLinks', params: { urls: [CNET_URL, UNKNOWN_URL, 'javascript:alert(1)'] } }, senders.contentTop());
    expect(verdicts).toEqual([{ otherOutletCount: 2, outlets: expect.arrayContaining(['Forbes']) }, null, null]);
    expectNoSideEffects();
  });

  it('openCoverage opens only our own view, and nothing for a non-http address', async () => {
    await reply({ method: 'openCoverage', params: { url: 'javascript:alert(1)' } }, senders.contentTop());
    await reply({ method: 'openCoverage', params: { url: 'data:text/html,<script>alert(1)</script>' } }, senders.contentTop());
    expect(fake.tabs.create).not.toHaveBeenCalled();
    await reply({ method: 'openCoverage', params: { url: FORBES_URL } }, senders.contentTop());
    expect(fake.tabs.create).toHaveBeenCalledTimes(1);
    expect(fake.tabs.create).toHaveBeenCalledWith({ url: `${POPUP_URL}?url=${encodeURIComponent(FORBES_URL)}` });
  });
});

describe('privileged methods from extension pages', () => {
  it('getTabView from the popup returns the coverage the tab stored', async () => {
    const { coverage } = await answerQuestion(TAB_ID, question(CNET_URL));
    fake.tabs.get.mockResolvedValue({ id: TAB_ID, url: CNET_URL });
    const view = (await reply({ method: 'getTabView', params: { tabId: TAB_ID } }, senders.popup())) as { coverage: unknown; site: string | null };
    expect(view.coverage).toEqual(coverage);
    expect(view.site).toBe('cnet.com');
  });

  it('getTabView falls back to the tab address when nothing is stored, and to nothing for an unknown tab', async () => {
    fake.tabs.get.mockResolvedValueOnce({ id: 3, url: FORBES_URL });
    const view = (await reply({ method: 'getTabView', params: { tabId: 3 } }, senders.popup())) as { coverage: { otherOutletCount: number } | null };
    expect(view.coverage?.otherOutletCount).toBe(2);
    fake.tabs.get.mockRejectedValueOnce(new Error('No tab with id: 4'));
    await expect(reply({ method: 'getTabView', params: { tabId: 4 } }, senders.popup())).resolves.toEqual({ coverage: null, site: null });
  });

  it('getTabView looks the address up again when the stored record lacks the site (a record from an older version)', async () => {
    fake.session.set('tab:5', { url: CNET_URL, coverage: { otherOutletCount: 99 } });
    fake.tabs.get.mockResolvedValueOnce({ id: 5, url: FORBES_URL });
    await expect(reply({ method: 'getTabView', params: { tabId: 5 } }, senders.popup())).resolves.toMatchObject({ coverage: { otherOutletCount: 2 }, site: 'forbes.com' });
  });

  it('getTabView and getUrlView from our own page opened in a tab', async () => {
    fake.tabs.get.mockResolvedValue({ id: 3, url: FORBES_URL });
    await expect(reply({ method: 'getTabView', params: { tabId: 3 } }, senders.extensionTab())).resolves.toMatchObject({ coverage: { otherOutletCount: 2 } });
    await expect(reply({ method: 'getUrlView', params: { url: CNET_URL } }, senders.extensionTab())).resolves.toMatchObject({ coverage: { otherOutletCount: 2 }, site: 'cnet.com' });
    await expect(reply({ method: 'getUrlView', params: { url: 'javascript:alert(1)' } }, senders.popup())).resolves.toEqual({ coverage: null, site: null });
  });
});
