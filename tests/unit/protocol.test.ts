import { describe, expect, it, vi } from 'vitest';
import { MAX_URL_LENGTH } from '../../src/core/url/limits';
import { MAX_LINKS_PER_BATCH, MAX_SIGNALS_PER_KIND, isContentNotice, isRejectedReply, parseRequest, UNPRIVILEGED_METHODS } from '../../src/shared/protocol';

// The polyfill throws outside an extension; parseRequest never touches it.
vi.mock('webextension-polyfill', () => ({ default: {} }));

const URL_OK = 'https://www.cnn.com/2024/03/02/world/outage';
const TOO_LONG = `https://a.example.com/${'x'.repeat(MAX_URL_LENGTH)}`;
const signals = { url: URL_OK, canonical: [URL_OK], ogUrl: [] as string[] };
const times = <T>(count: number, value: T): T[] => Array.from({ length: count }, () => value);

describe('lookupPage', () => {
  it('is accepted when well formed', () => {
    expect(parseRequest({ method: 'lookupPage', params: signals })).toEqual({ method: 'lookupPage', params: signals });
  });

  it('keeps only the known fields', () => {
    const request = parseRequest({ method: 'lookupPage', params: { ...signals, injected: 'x' }, extra: true });
    expect(request).toEqual({ method: 'lookupPage', params: signals });
    expect(Object.keys(request!.params)).toEqual(['url', 'canonical', 'ogUrl']);
  });

  it('accepts the limits exactly', () => {
    const longest = `https://a.example.com/${'x'.repeat(MAX_URL_LENGTH - 'https://a.example.com/'.length)}`;
    expect(longest).toHaveLength(MAX_URL_LENGTH);
    const full = times(MAX_SIGNALS_PER_KIND, longest);
    expect(parseRequest({ method: 'lookupPage', params: { url: longest, canonical: full, ogUrl: full } })).not.toBeNull();
  });

  const rejected: Array<[string, unknown]> = [
    ['no params', { method: 'lookupPage' }],
    ['null params', { method: 'lookupPage', params: null }],
    ['params as text', { method: 'lookupPage', params: 'https://x' }],
    ['params as a list', { method: 'lookupPage', params: [URL_OK, [], []] }],
    ['missing url', { method: 'lookupPage', params: { canonical: [], ogUrl: [] } }],
    ['missing canonical', { method: 'lookupPage', params: { url: URL_OK, ogUrl: [] } }],
    ['missing ogUrl', { method: 'lookupPage', params: { url: URL_OK, canonical: [] } }],
    ['url as a number', { method: 'lookupPage', params: { ...signals, url: 42 } }],
    ['url as an object', { method: 'lookupPage', params: { ...signals, url: { href: URL_OK } } }],
    ['canonical as text', { method: 'lookupPage', params: { ...signals, canonical: URL_OK } }],
    ['canonical with a number', { method: 'lookupPage', params: { ...signals, canonical: [URL_OK, 1] } }],
    ['ogUrl with null', { method: 'lookupPage', params: { ...signals, ogUrl: [null] } }],
    ['url over the length limit', { method: 'lookupPage', params: { ...signals, url: TOO_LONG } }],
    ['a canonical entry over the length limit', { method: 'lookupPage', params: { ...signals, canonical: ['x'.repeat(MAX_URL_LENGTH + 1)] } }],
    ['too many canonical entries', { method: 'lookupPage', params: { ...signals, canonical: times(MAX_SIGNALS_PER_KIND + 1, URL_OK) } }],
    ['too many og:url entries', { method: 'lookupPage', params: { ...signals, ogUrl: times(MAX_SIGNALS_PER_KIND + 1, URL_OK) } }],
  ];
  for (const [label, message] of rejected) {
    it(`is rejected with ${label}`, () => {
      expect(parseRequest(message)).toBeNull();
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
  for (const message of [null, undefined, 0, 'lookupPage', true, [], ['lookupPage', signals]]) {
    it(`rejects the non-request ${JSON.stringify(message) ?? 'undefined'}`, () => {
      expect(parseRequest(message)).toBeNull();
    });
  }

  for (const method of ['unknown', 'LookupPage', 'getTabCoverage', 'toString', '__proto__', 'constructor', undefined, 1]) {
    it(`rejects the method ${String(method)}`, () => {
      expect(parseRequest({ method, params: { ...signals, tabId: 1, urls: [URL_OK] } })).toBeNull();
    });
  }

  it('lets content scripts ask about pages and links, load their rendering and link-badge stages and open Elsewhere’s view, but not read tabs', () => {
    expect([...UNPRIVILEGED_METHODS].sort()).toEqual(['loadLinkBadges', 'loadRenderer', 'lookupLinks', 'lookupPage', 'openCoverage', 'startPage']);
    expect(UNPRIVILEGED_METHODS.has('getTabView')).toBe(false);
    expect(UNPRIVILEGED_METHODS.has('getUrlView')).toBe(false);
  });
});

describe('other message guards', () => {
  it('recognise a page-changed notice only', () => {
    expect(isContentNotice({ notice: 'pageChanged' })).toBe(true);
    expect(isContentNotice({ notice: 'other' })).toBe(false);
    expect(isContentNotice(null)).toBe(false);
    expect(isContentNotice('pageChanged')).toBe(false);
  });

  it('recognise a rejected reply only', () => {
    expect(isRejectedReply({ error: 'malformed request' })).toBe(true);
    expect(isRejectedReply({ error: 1 })).toBe(false);
    expect(isRejectedReply(null)).toBe(false);
    expect(isRejectedReply({ article: {} })).toBe(false);
  });
});
