import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalise, canonicaliseFull, lookupKeys, lookupKeysWithKind } from '../../src/core/url/canonical';
import { canonicaliseFast } from '../../src/core/url/fast-canonical';
import { REDIRECT_WRAPPERS, mayUnwrap } from '../../src/core/url/unwrap';
import { TRACKING_PARAMS, TRACKING_PARAM_PREFIXES } from '../../src/core/url/tracking-params';

/**
 * The fast path of canonicalisation (issue 4, lookup p99) against the full path (`new URL`,
 * unwrapping, URLSearchParams): whenever the fast path accepts an address, its answer must be the
 * full path's, byte for byte. Addresses are generated nasty: mixed-case and IDN hosts, trailing
 * dots, ports, credentials, escapes, dot segments, backslashes, tabs and newlines, tracking
 * parameters, fragments, AMP caches and redirect wrappers.
 */

const CORPUS_ADDRESSES = (JSON.parse(readFileSync(new URL('../fixtures/url-corpus.json', import.meta.url), 'utf8')) as { entries: Array<{ address: string }> }).entries.map(
  (entry) => entry.address,
);

/** Enough runs to reach the rare corners (a dot segment after a collapsed slash, an escape at the end) every time. */
const RUNS = 3000;
/** Each property takes a second or two alone; the machine may be shared with browser tests. */
const PROPERTY_TIMEOUT_MS = 60_000;

function agrees(address: string): boolean {
  const fast = canonicaliseFast(address);
  const full = canonicaliseFull(address);
  if (fast !== undefined) expect(fast, JSON.stringify(address)).toStrictEqual(full);
  expect(canonicalise(address), JSON.stringify(address)).toStrictEqual(full);
  return fast !== undefined;
}

const scheme = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('https://', 'http://') }, { weight: 2, arbitrary: fc.constantFrom('HTTPS://', 'Http://', 'https:/', 'https:///', 'https:\\\\', 'http:', 'ftp://', 'ws://', ' https://', '\thttps://') });

const label = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9]{1,8}$/) },
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/) },
  { weight: 2, arbitrary: fc.constantFrom('www', 'WWW', 'xn--bcher-kva', 'XN--BCHER-KVA', 'xn--abc', 'xn--', 'bücher', 'straße', 'ÉCOLE', 'ｃｎｅｔ', '%41', '%2e', 'a%zz', '1', '0', '127', '0x7f', '08', '1e', 'a b', 'a*b', 'a{b', 'a|b', '', 'com', 'co', 'uk') },
);
const plainHost = fc.tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '', '', '.', '..')).map(([labels, dots]) => labels.join('.') + dots);
const wrapperHost = fc.constantFrom(
  'x.cdn.ampproject.org',
  'cdn.ampproject.org',
  'a-b.bing-amp.com',
  'www.google.com',
  'google.co.uk',
  'GOOGLE.de',
  'google.evil',
  'notgoogle.com',
  'www.bing.com',
  'yandex.ru',
  'l.facebook.com',
  'facebook.com',
  'out.reddit.com',
  'l.instagram.com',
  'eur01.safelinks.protection.outlook.com',
  'r.search.yahoo.com',
  'duckduckgo.com',
  'www.youtube.com',
);
const host = fc.oneof({ weight: 6, arbitrary: plainHost }, { weight: 2, arbitrary: wrapperHost }, { weight: 1, arbitrary: fc.constantFrom('[::1]', '1.2.3.4', '0x7f.1', '1.2.3.4.', '256.1.1.1', 'example.com', 'www.www.example.com', 'www.com') });
const userinfo = fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('user@', 'user:pass@', ':@', '@', 'a%40b@') });
const port = fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 3, arbitrary: fc.constantFrom(':', ':80', ':443', ':080', ':0443', ':8080', ':0', ':65535', ':65536', ':99999999', ':8a', ': 80', ':00000000000000080') });

const segment = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.~-]{0,10}$/) },
  fc.constantFrom('', '.', '..', '%2e', '%2E', '.%2e', '%2e%2e', '%2E.', '.hidden', '..a', '%2ea', '%41', '%7e', '%7E', '%2f', '%2F', '%c3%a9', '%C3%A9', '%', '%4', '%zz', '%%41', '%25'),
  fc.constantFrom('|', '^', '[', ']', '{', '}', '"', '<', '>', '`', ' ', '\t', '\n', '\r', '\\', 'é', '~', "'", '(', ')', '*', ';', '=', ':', '@', '!', '$', '&', '+', ',', '\u0000', '\u007f', '\ud800', '😀'),
  fc.string({ maxLength: 6 }),
);
const path = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 8, arbitrary: fc.tuple(fc.array(segment, { maxLength: 5 }), fc.boolean()).map(([segments, slash]) => `/${segments.join('/')}${slash ? '/' : ''}`) },
  { weight: 1, arbitrary: fc.constantFrom('/amp/s/example.com/a', '/c/s/example.com/a/', '/url', '/l.php', '/l/', '/ck/a', '/redirect', '/a/RU=https%3A%2F%2Fexample.com%2Fa/RK=0') },
);

const trackingName = fc.oneof(
  fc.constantFrom(...TRACKING_PARAMS),
  fc.tuple(fc.constantFrom(...TRACKING_PARAM_PREFIXES), fc.stringMatching(/^[a-z]{0,4}$/)).map(([prefix, rest]) => prefix + rest),
  fc.constantFrom('UTM_Source', 'FBCLID', 'amp', 'AMP', 'outputType', 'OUTPUTTYPE'),
);
const name = fc.oneof({ weight: 4, arbitrary: trackingName }, { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9_]{0,6}$/) }, fc.constantFrom('id', 'p', 'q', 'url', 'u', 'Z', 'a', 'b', '', 'a+b', 'a%20b', 'utm%5Fsource', '%75tm_source', 'é', '%C3%A9', '%e9', 'a.b*c-d_e'), fc.string({ maxLength: 5 }));
const value = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9]{0,6}$/) },
  fc.constantFrom('', '1', '2', 'amp', 'AMP', 'True', 'x y', 'x+y', 'x%20y', '%2B', '%', '%zz', '%e9', '%C3%A9', 'a=b', "'", '"', '\\', 'é', '?', '/', '~!()', 'https%3A%2F%2Fexample.com%2Fa'),
  fc.stringMatching(/^[a-z0-9]{0,6}$/),
  fc.string({ maxLength: 6 }),
);
const param = fc.oneof({ weight: 8, arbitrary: fc.tuple(name, value).map(([n, v]) => `${n}=${v}`) }, { weight: 1, arbitrary: name }, { weight: 1, arbitrary: fc.constant('') });
const query = fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('?') }, { weight: 6, arbitrary: fc.array(param, { minLength: 1, maxLength: 5 }).map((params) => `?${params.join('&')}`) });
const fragment = fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((text) => `#${text}`) });
const around = fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\n', '\u00a0', '\ufeff', '\u2028', '\u0000') });

const nastyAddress = fc
  .tuple(scheme, userinfo, host, port, path, query, fragment, around, around, fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom('\t', '\n', '\r')) }))
  .map(([s, u, h, p, pa, q, f, before, after, insert]) => {
    let address = `${before}${s}${u}${h}${p}${pa}${q}${f}${after}`;
    if (insert) {
      const at = insert[0] % (address.length + 1);
      address = address.slice(0, at) + insert[1] + address.slice(at);
    }
    return address;
  });

/** The nasty address inside a redirect wrapper or an AMP cache or viewer, as a link would carry it. */
const wrappedAddress = fc
  .tuple(
    nastyAddress,
    fc.constantFrom('google', 'facebook', 'reddit', 'amp-cache', 'amp-cache-variant', 'amp-viewer', 'lookalike'),
    fc.constantFrom('https://x.cdn.ampproject.org', 'http://cdn.ampproject.org', 'https://a-b.bing-amp.com', 'https://X.CDN.AMPPROJECT.ORG.', 'https://x.cdn.ampproject.org:443', 'https://x.cdn.ampproject.org:8080', 'https://cdn.ampproject.org.evil.com'),
    fc.constantFrom('/c/s/', '/c/', '/v/s/', '/i/s/', '/r/', '/wp/s/', '/wp/', '/C/s/', '/x/s/', '/c//s/', '//c/s/', '/c/s//', '/%63/s/', '/c/s/x.cdn.ampproject.org/c/s/', '/c/s/www.google.com/amp/s/'),
  )
  .map(([inner, wrapper, ampCacheOrigin, ampCachePrefix]) => {
  // encodeURIComponent refuses lone surrogates; the address inside stays nasty otherwise.
  const encoded = encodeURIComponent(inner.replace(/[\ud800-\udfff]/g, 'x'));
  const bare = inner.replace(/^\s*https?:\/\//i, '');
  switch (wrapper) {
    case 'google':
      return `https://www.google.com/url?q=${encoded}&sa=D`;
    case 'facebook':
      return `https://l.facebook.com/l.php?u=${encoded}&h=AT0`;
    case 'reddit':
      return `https://out.reddit.com/t3_x?url=${encoded}`;
    case 'amp-cache':
      return `https://x.cdn.ampproject.org/c/s/${bare}`;
    case 'amp-cache-variant':
      // Every cache path shape and host, and the near misses the fast path must refuse or read alike.
      return `${ampCacheOrigin}${ampCachePrefix}${bare}`;
    case 'amp-viewer':
      return `https://www.google.com/amp/s/${bare}`;
    case 'lookalike':
      return `https://example.com/url?q=${encoded}&utm_source=x`;
  }
  return inner;
});

const anyAddress = fc.oneof(
  { weight: 6, arbitrary: nastyAddress },
  { weight: 2, arbitrary: wrappedAddress },
  { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 1, arbitrary: fc.webUrl({ validSchemes: ['http', 'https'], authoritySettings: { withUserInfo: true, withPort: true, withIPv4: true, withIPv6: true } }) },
);

describe('the fast path of canonicalisation', () => {
  it('answers as the full path does, whenever it answers, on generated nasty addresses', () => {
    fc.assert(
      fc.property(anyAddress, (address) => {
        agrees(address);
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('answers as the full path does on every address of the URL corpus', () => {
    for (const address of CORPUS_ADDRESSES) agrees(address);
  });

  it('takes the common shapes itself, so the property above is not vacuous', () => {
    const accepted = fc.sample(nastyAddress, { numRuns: 2000, seed: 4 }).filter((address) => canonicaliseFast(address) !== undefined).length;
    expect(accepted).toBeGreaterThan(200);
    for (const address of [
      'https://www.cnet.com/news/some-article/',
      'http://CNET.com:443/news//some-article/?utm_source=x&b=2&a=1#top',
      'https://edition.cnn.com/2024/01/01/world/story-slug/index.html?ref=home&id=7',
      'https://example.com/a%7e%2fb%c3%a9|c?q=a+b%20c&amp=1',
      'https://example.com:8080/?a',
      'https://x.cdn.ampproject.org/c/s/cnet.com/a',
      'https://www-cnet-com.cdn.ampproject.org/c/s/www.cnet.com/news/a/amp/?utm_source=x&id=2#top',
      'http://a-b.bing-amp.com/v/example.com/a?',
    ])
      expect(canonicaliseFast(address), address).toBeDefined();
    const wrapped = fc.sample(wrappedAddress, { numRuns: 4000, seed: 4 }).filter((address) => address.includes('ampproject.org/') || address.includes('bing-amp.com/'));
    // AMP caches are peeled by the fast path too: a few thousand of them, each answered as the full path answers.
    expect(wrapped.filter(agrees).length).toBeGreaterThan(50);
  });

  it('drops a parameter that tracks by its name without reading its value, as the full path drops it', () => {
    // Values the scan would refuse in a kept parameter (spaces, tabs, controls, non-ASCII, lone
    // surrogates, bad escapes, `=`): the fast path answers anyway, with the full path's answer.
    for (const address of [
      'https://cnet.com/a?utm_source=a b&id=1',
      'https://cnet.com/a?id=1&utm_content=x\ty',
      'https://cnet.com/a?fbclid=\u0001%zz=é&b=2&a=1',
      'https://cnet.com/a?UTM_Source=\ud800😀&ref=x y#frag',
      'https://x.cdn.ampproject.org/c/s/cnet.com/a?gclid=a b c&id=2',
      'https://cnet.com/a?utm_source=',
      'https://cnet.com/a?id=1&fbclid',
    ]) {
      expect(canonicaliseFast(address), JSON.stringify(address)).toBeDefined();
      expect(agrees(address)).toBe(true);
    }
    // A name that tracks only with a marker's value is read whole; a value the scan refuses keeps
    // the address on the full path.
    expect(canonicaliseFast('https://cnet.com/a?amp=1 2')).toBeUndefined();
    expect(agrees('https://cnet.com/a?outputType=amp&amp=1')).toBe(true);
  });

  it('leaves unusual addresses to the full path', () => {
    for (const address of [
      'HTTPS://cnet.com/a',
      'https://user@cnet.com/a',
      'https://cnet.com/a/../b',
      'https://cnet.com/a/%2E%2e/b',
      'https://cnet.com\\a',
      'https://cnet.com/a\tb',
      'https://cnet.com/a ',
      'https://www.google.com/url?q=https%3A%2F%2Fcnet.com%2Fa',
      // AMP caches whose path needs normalising, with a port, not a cache path, or wrapping another wrapper.
      'https://x.cdn.ampproject.org/c//s/cnet.com/a',
      'https://x.cdn.ampproject.org:8080/c/s/cnet.com/a',
      'https://x.cdn.ampproject.org/amp/s/cnet.com/a',
      'https://x.cdn.ampproject.org/c/s/y.cdn.ampproject.org/c/s/cnet.com/a',
      'https://x.cdn.ampproject.org/c/s/www.google.com/url?q=https%3A%2F%2Fcnet.com%2Fa',
      'https://[::1]/a',
      'https://cnet.com/é',
      'https://cnet.com/?q=%zz',
    ])
      expect(canonicaliseFast(address), address).toBeUndefined();
  });

  it('reads the address an AMP cache serves where it stands in the path, as the full path reads the address it builds', () => {
    const cache = 'https://x.cdn.ampproject.org';
    // Taken by the fast path: the served host's shapes (case, port, escapes, punycode, numeric, a
    // trailing dot), the cache path's variants and a served address ending at its host.
    const taken = ['/c/s', '/c/s?a=1', '/c/sx/a', '/c/s/cnet.com:8080/a', '/c/s/cnet.com:443/a', '/c/s/b%C3%BCcher.de/a', '/c/s/CNET.com/a/?b=2&a=1&utm_source=x#f'];
    taken.push('/c/s/cnet.com/', '/c/s/cnet.com#x', '/wp/s/cnet.com/a', '/r/cnet.com/a', '/c/s/xn--bcher-kva.de/a', '/c/s/1.2.3.4/a', '/c/s/cnet.com./a', '/c/s/cnet.com:80?x', '/c/s/cnet.com?x=1#y');
    // Hosts written in Unicode, as the URL parser reads them once escaped: IDNA, mapping and all.
    taken.push('/c/s/bücher.de/a', '/c/s/eu.école485.com/a/?utm_source=x', '/c/s/ÉCOLE.fr:8080/a', '/c/s/ｃｎｅｔ.com/a', '/c/s/straße.de/a', '/c/s/b%C3%BCcher.dé/a');
    // Left to the full path: nothing after `s/` (read as the host `s`), a dot segment, a host or port
    // the path-host rule refuses, escapes normalising changes, a served path that needs normalising.
    const left = ['/c/s/', '/c/s/?a=1', '/c/s/.x/a', '/c/s/a_b.com/a', '/c/s/cnet.com:/a', '/c/s/cnet.com:123456/a', '/c/s/cnet.com:99999/a', '/c/s/b%c3%bccher.de/a', '/c/s/%2Fx/a'];
    left.push('/c/s/cnet.com/a//b', '/c/s/cnet.com/a/%61', '/c/s/cnet.com/./a', '/c/s/www.cnet.com/a?x=%zz', '/c/s/a.bing-amp.com/c/s/cnet.com', '/r/cnet.com/a b', '/c/s/bücher.de/a/é');
    for (const path of taken) expect(agrees(cache + path), path).toBe(true);
    for (const path of left) expect(agrees(cache + path), path).toBe(false);
  });

  it('reads hosts that need the URL parser as it does, cached or not, past the bound of its table, and hosts a character apart', () => {
    // Punycode, non-ASCII and numeric hosts, many more than the parsed-host table holds, each looked up twice.
    // Numeric hosts come in pairs where one is the other's start (`1.5`, `1.50`): different hosts.
    const hosts = Array.from({ length: 3000 }, (_unused, i) => [`xn--bcher-kva.d${i}e`, `bücher${i}.de`, `1.${i >> 3}`, `1.${i >> 3}0`, `a.xn--${i}`, `${i}.${i % 7}`][i % 6]!);
    for (const round of [0, 1]) {
      const answered = hosts.filter((host, i) => agrees(`https://${host}/a${round ? '' : '/'}?id=${i}`)).length;
      expect(answered).toBeGreaterThan(hosts.length / 2);
    }
  });

  it('reads the plain run of a path at once, and scans on from wherever it stops', () => {
    // A long plain run, then each thing that ends it: a collapsed slash, a dot segment (raw or
    // escaped), an escape to decode, upper-case or keep, a character to escape or to refuse, a
    // trailing slash, a query or a fragment; and the same things at the path's start.
    const run = '/news/2024/05/some-long-article-slug_v2.html~x;y=z,@:a!$&\'()*+';
    const ends = ['', '/', '//', '//b', '/./b', '/../b', '/.b', '/%2e/b', '/%2E%2e/b', '/a%2eb', '%41', '/%7e', '%c3%a9', '%C3%A9', '%zz', '%', '|', '^', '"', ' ', '\\', 'é', '/?q=1', '?q=1', '#f', '/#f', '/b//'];
    for (const end of ends) {
      agrees(`https://cnet.com${run}${end}`);
      agrees(`https://cnet.com${end}`);
      agrees(`https://cnet.com/${end}`);
    }
    expect(canonicaliseFast(`https://cnet.com${run}//b/`)?.key).toBe(`cnet.com${run}/b`);
    expect(canonicaliseFast(`https://cnet.com${run}%7e|/`)?.key).toBe(`cnet.com${run}~%7C`);
    expect(canonicaliseFast(`https://cnet.com${run}/./b`)).toBeUndefined();
    expect(canonicaliseFast(`https://cnet.com${run}/%2E/b`)).toBeUndefined();
  });

  it('slices keys out of the address only where the URL parser gives the host as written', () => {
    for (const host of ['xn--bcher-kva.de', 'XN--BCHER-KVA.de', 'xn--bcher-kva.de.', 'xn--bcher-kva.de..', 'bücher.de', 'BÜCHER.de', '1.2.3.4', '1.2.3.4.', '0x7f.1', 'xn--bcher-kva.de:8080']) {
      // Twice: the parsed-host table is filled by the first and read by the second.
      for (const round of [0, 1]) expect(agrees(`https://${host}/a/b?id=${round}`), host).toBe(true);
    }
    const fast = canonicaliseFast('https://XN--BCHER-KVA.de./a')!;
    expect(fast.key).toBe('xn--bcher-kva.de/a');
  });

  it('keeps what it derives from a host that needs the URL parser (no www., wrapper or not) with the host, read alike from the table', () => {
    const cases: Array<[address: string, key: string | undefined]> = [
      ['https://www.bücher.de/a', 'xn--bcher-kva.de/a'],
      ['https://WWW.www.xn--bcher-kva.de/a?id=1', 'xn--bcher-kva.de/a?id=1'],
      // Wrapper hosts: a search engine's name under an IDN suffix, and AMP caches whose host or served host needs the parser.
      ['https://www.google.xn--p1ai/url?q=https://cnet.com/a', undefined],
      ['https://bücher-de.cdn.ampproject.org/c/s/bücher.de/a', 'xn--bcher-kva.de/a'],
      ['https://xn--bcher-kva.cdn.ampproject.org/c/s/xn--bcher-kva.de/a?id=2', 'xn--bcher-kva.de/a?id=2'],
      // Refused by the parser.
      ['https://a\u00adb\u200b.xn--a/a', undefined],
    ];
    // Twice: the parsed-host table is filled by the first and read by the second.
    for (const round of [0, 1]) {
      for (const [address, key] of cases) {
        agrees(address);
        expect(canonicaliseFast(address)?.key, `${address} (round ${round})`).toBe(key);
      }
    }
  });

  it('sends the hosts of every wrapper rule to the full path (mayUnwrap), and not their lookalikes', () => {
    for (const { host } of REDIRECT_WRAPPERS) {
      if (host.kind === 'exact') for (const exact of host.hosts) expect(mayUnwrap(exact), exact).toBe(true);
      if (host.kind === 'subdomains') for (const sub of [host.domain, `x.${host.domain}`, `a.b.${host.domain}`]) expect(mayUnwrap(sub), sub).toBe(true);
      if (host.kind === 'search-engine') for (const engine of [`${host.name}.com`, `${host.name}.co.uk`, `www.${host.name}.de`]) expect(mayUnwrap(engine), engine).toBe(true);
    }
    for (const cache of ['x.cdn.ampproject.org', 'cdn.ampproject.org', 'a-b.bing-amp.com', 'r.search.yahoo.com']) expect(mayUnwrap(cache), cache).toBe(true);
    for (const other of ['example.com', 'xl.facebook.com', 'facebook.com.evil', 'xcdn.ampproject.org', 'cdn.ampproject.org.evil', 'search.yahoo.com', 'disq.usa', 'vk.co', 'cnet.com']) expect(mayUnwrap(other), other).toBe(false);
  });

  it('gives the same lookup keys as the full path', () => {
    fc.assert(
      fc.property(anyAddress, (address) => {
        const full = canonicaliseFull(address);
        const expected = full ? (full.key === full.pathKey ? [full.key] : [full.key, full.pathKey]) : [];
        expect(lookupKeys(address)).toStrictEqual(expected);
        expect(lookupKeysWithKind(address).map(({ key }) => key)).toStrictEqual(expected);
      }),
      { numRuns: RUNS / 3 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
