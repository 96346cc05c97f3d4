import { describe, expect, it, vi } from 'vitest';
import { MAX_URL_LENGTH } from '../../src/core/url/limits';
import { isAskNotice, isPageAnswer } from '../../src/shared/message-shapes';
import { MAX_LINKS_PER_BATCH, MAX_SIGNALS_PER_KIND, isRejectedReply, parsePageQuestion, parseRequest, UNPRIVILEGED_METHODS } from '../../src/shared/protocol';

// The polyfill throws outside an extension; parseRequest never touches it.
vi.mock('webextension-polyfill', () => ({ default: {} }));

const URL_OK = 'https://www.cnn.com/2024/03/02/world/outage';
const TOO_LONG = `https://a.example.com/${'x'.repeat(MAX_URL_LENGTH)}`;
const signals = { url: URL_OK, canonical: [URL_OK], ogUrl: [] as string[] };
const times = <T>(count: number, value: T): T[] => Array.from({ length: count }, () => value);

describe('a page’s question (what its first stage answers when the background asks)', () => {
  const question = { signals, base: URL_OK, links: [URL_OK], shown: false };

  it('is no request: a page does not ask', () => {
    expect(parseRequest({ method: 'askAboutPage', params: question })).toBeNull();
  });

  it('is accepted when well formed, with links or with null for more than one batch', () => {
    expect(parsePageQuestion(question)).toEqual(question);
    expect(parsePageQuestion({ signals, base: URL_OK, links: null, shown: true })).toEqual({ signals, base: URL_OK, links: null, shown: true });
    expect(parsePageQuestion({ signals, base: URL_OK, links: [], shown: false })).toEqual({ signals, base: URL_OK, links: [], shown: false });
  });

  it('keeps only the known fields', () => {
    const parsed = parsePageQuestion({ signals: { ...signals, injected: 'x' }, base: URL_OK, links: [URL_OK], shown: false, tabId: 99 });
    expect(parsed).toEqual(question);
    expect(Object.keys(parsed!)).toEqual(['signals', 'base', 'links', 'shown']);
    expect(Object.keys(parsed!.signals)).toEqual(['url', 'canonical', 'ogUrl']);
  });

  it('accepts the limits exactly', () => {
    const longest = `https://a.example.com/${'x'.repeat(MAX_URL_LENGTH - 'https://a.example.com/'.length)}`;
    expect(longest).toHaveLength(MAX_URL_LENGTH);
    const full = times(MAX_SIGNALS_PER_KIND, longest);
    expect(parsePageQuestion({ signals: { url: longest, canonical: full, ogUrl: full }, base: longest, links: times(MAX_LINKS_PER_BATCH, longest), shown: false })).not.toBeNull();
  });

  const rejected: Array<[string, unknown]> = [
    ['nothing', null],
    ['text', 'https://x'],
    ['no signals', { links: [], shown: false, base: URL_OK }],
    ['no links', { signals, shown: false, base: URL_OK }],
    ['null signals', { signals: null, links: [], shown: false, base: URL_OK }],
    ['signals as a list', { signals: [URL_OK, [], []], links: [], shown: false, base: URL_OK }],
    ['missing url', { signals: { canonical: [], ogUrl: [] }, links: [], shown: false, base: URL_OK }],
    ['missing canonical', { signals: { url: URL_OK, ogUrl: [] }, links: [], shown: false, base: URL_OK }],
    ['missing ogUrl', { signals: { url: URL_OK, canonical: [] }, links: [], shown: false, base: URL_OK }],
    ['url as a number', { signals: { ...signals, url: 42 }, links: [], shown: false, base: URL_OK }],
    ['url as an object', { signals: { ...signals, url: { href: URL_OK } }, links: [], shown: false, base: URL_OK }],
    ['canonical as text', { signals: { ...signals, canonical: URL_OK }, links: [], shown: false, base: URL_OK }],
    ['canonical with a number', { signals: { ...signals, canonical: [URL_OK, 1] }, links: [], shown: false, base: URL_OK }],
    ['ogUrl with null', { signals: { ...signals, ogUrl: [null] }, links: [], shown: false, base: URL_OK }],
    ['url over the length limit', { signals: { ...signals, url: TOO_LONG }, links: [], shown: false, base: URL_OK }],
    ['a canonical entry over the length limit', { signals: { ...signals, canonical: ['x'.repeat(MAX_URL_LENGTH + 1)] }, links: [], shown: false, base: URL_OK }],
    ['too many canonical entries', { signals: { ...signals, canonical: times(MAX_SIGNALS_PER_KIND + 1, URL_OK) }, links: [], shown: false, base: URL_OK }],
    ['too many og:url entries', { signals: { ...signals, ogUrl: times(MAX_SIGNALS_PER_KIND + 1, URL_OK) }, links: [], shown: false, base: URL_OK }],
    ['links as text', { signals, links: URL_OK, shown: false, base: URL_OK }],
    ['a link that is not text', { signals, links: [URL_OK, 7], shown: false, base: URL_OK }],
    ['a link over the length limit', { signals, links: [TOO_LONG], shown: false, base: URL_OK }],
    [`${MAX_LINKS_PER_BATCH + 1} links`, { signals, links: times(MAX_LINKS_PER_BATCH + 1, URL_OK), shown: false, base: URL_OK }],
    ['no shown', { signals, base: URL_OK, links: [] }],
    ['shown as text', { signals, base: URL_OK, links: [], shown: 'yes' }],
    ['no base', { signals, links: [], shown: false }],
    ['base over the length limit', { signals, base: TOO_LONG, links: [], shown: false }],
  ];
  for (const [label, value] of rejected) {
    it(`is rejected with ${label}`, () => {
      expect(parsePageQuestion(value)).toBeNull();
    });
  }
});

describe('getTabView', () => {
  it('is accepted with a non-negative integer tabId', () => {
    expect(parseRequest({ method: 'getTabView', params: { tabId: 12 } })).toEqual({ method: 'getTabView', params: { tabId: 12 } });
    expect(parseRequest({ method: 'getTabView', params: { tabId: 0 } })).toEqual({ method: 'getTabView', params: { tabId: 0 } });
  });

  it('keeps only tabId', () => {
    expect(parseRequest({ method: 'getTabView', params: { tabId: 3, url: URL_OK } })).toEqual({ method: 'getTabView', params: { tabId: 3 } });
  });

  for (const tabId of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, '3', null, undefined, [3], true]) {
    it(`is rejected with tabId ${String(tabId)}`, () => {
      expect(parseRequest({ method: 'getTabView', params: { tabId } })).toBeNull();
    });
  }

  it('is rejected without params', () => {
    expect(parseRequest({ method: 'getTabView' })).toBeNull();
  });
});

describe('lookupLinks', () => {
  it('is accepted with a batch of addresses, up to the batch limit', () => {
    expect(parseRequest({ method: 'lookupLinks', params: { urls: [URL_OK, 'not even a url'] } })).toEqual({ method: 'lookupLinks', params: { urls: [URL_OK, 'not even a url'] } });
    expect(parseRequest({ method: 'lookupLinks', params: { urls: [] } })).not.toBeNull();
    expect(parseRequest({ method: 'lookupLinks', params: { urls: times(MAX_LINKS_PER_BATCH, URL_OK) } })).not.toBeNull();
  });

  for (const [label, urls] of [
    ['a batch over the limit', times(MAX_LINKS_PER_BATCH + 1, URL_OK)],
    ['an over-long address', [URL_OK, TOO_LONG]],
    ['a non-text entry', [URL_OK, 7]],
    ['text instead of a list', URL_OK],
    ['no list', undefined],
  ] as const) {
    it(`is rejected with ${label}`, () => {
      expect(parseRequest({ method: 'lookupLinks', params: { urls } })).toBeNull();
    });
  }
});

describe('openCoverage and getUrlView', () => {
  for (const method of ['openCoverage', 'getUrlView'] as const) {
    it(`${method} is accepted with one address and keeps only it`, () => {
      expect(parseRequest({ method, params: { url: URL_OK, tabId: 1 } })).toEqual({ method, params: { url: URL_OK } });
    });

    for (const url of [TOO_LONG, 42, null, undefined, [URL_OK]]) {
      it(`${method} is rejected with url ${JSON.stringify(url)?.slice(0, 40) ?? 'undefined'}`, () => {
        expect(parseRequest({ method, params: { url } })).toBeNull();
      });
    }
  }
});

describe('list subscriptions (extension pages only)', () => {
  for (const method of ['subscribeList', 'unsubscribeList'] as const) {
    it(`${method} keeps only the address`, () => {
      expect(parseRequest({ method, params: { url: URL_OK, extra: 1 } })).toEqual({ method, params: { url: URL_OK } });
    });
    for (const url of [TOO_LONG, 42, null, undefined, [URL_OK]]) {
      it(`${method} is rejected with url ${JSON.stringify(url)?.slice(0, 40) ?? 'undefined'}`, () => {
        expect(parseRequest({ method, params: { url } })).toBeNull();
      });
    }
  }

  it('updateLists takes an optional address', () => {
    expect(parseRequest({ method: 'updateLists', params: {} })).toEqual({ method: 'updateLists', params: {} });
    expect(parseRequest({ method: 'updateLists', params: { url: URL_OK } })).toEqual({ method: 'updateLists', params: { url: URL_OK } });
    expect(parseRequest({ method: 'updateLists', params: { url: TOO_LONG } })).toBeNull();
    expect(parseRequest({ method: 'updateLists', params: { url: 5 } })).toBeNull();
  });

  it('listSubscriptions takes nothing and drops whatever it is sent', () => {
    expect(parseRequest({ method: 'listSubscriptions', params: { url: URL_OK } })).toEqual({ method: 'listSubscriptions', params: {} });
    expect(parseRequest({ method: 'listSubscriptions' })).toBeNull();
  });

  it('none of them is open to content scripts', () => {
    for (const method of ['listSubscriptions', 'subscribeList', 'unsubscribeList', 'updateLists'] as const) expect(UNPRIVILEGED_METHODS.has(method)).toBe(false);
  });
});

describe('anything else', () => {
  for (const message of [null, undefined, 0, 'lookupLinks', true, [], ['lookupLinks', { urls: [URL_OK] }]]) {
    it(`rejects the non-request ${JSON.stringify(message) ?? 'undefined'}`, () => {
      expect(parseRequest(message)).toBeNull();
    });
  }

  for (const method of ['unknown', 'LookupLinks', 'lookupPage', 'startPage', 'askAboutPage', 'getTabCoverage', 'toString', '__proto__', 'constructor', undefined, 1]) {
    it(`rejects the method ${String(method)}`, () => {
      expect(parseRequest({ method, params: { ...signals, tabId: 1, urls: [URL_OK] } })).toBeNull();
    });
  }

  it('lets content scripts ask about links, load their rendering and link-badge stages and open Elsewhere’s view, but not read tabs', () => {
    expect([...UNPRIVILEGED_METHODS].sort()).toEqual(['loadLinkBadges', 'loadRenderer', 'lookupLinks', 'openCoverage']);
    expect(UNPRIVILEGED_METHODS.has('getTabView')).toBe(false);
    expect(UNPRIVILEGED_METHODS.has('getUrlView')).toBe(false);
  });
});

describe('other message guards', () => {
  it('recognise the background’s question and answer to a page only', () => {
    expect(isAskNotice({ notice: 'ask', settings: {}, signals: true, links: true, sweep: false })).toBe(true);
    expect(isPageAnswer({ notice: 'answer', url: URL_OK, coverage: null, settings: {}, links: null })).toBe(true);
    for (const other of [{ notice: 'pageChanged' }, { notice: 'settingsChanged' }, null, 'ask', 'answer']) {
      expect(isAskNotice(other)).toBe(false);
      expect(isPageAnswer(other)).toBe(false);
    }
  });

  it('recognise a rejected reply only', () => {
    expect(isRejectedReply({ error: 'malformed request' })).toBe(true);
    expect(isRejectedReply({ error: 1 })).toBe(false);
    expect(isRejectedReply(null)).toBe(false);
    expect(isRejectedReply({ article: {} })).toBe(false);
  });
});
