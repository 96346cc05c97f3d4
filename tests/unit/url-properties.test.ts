import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/build/build-index';
import { readSeeds } from '../../src/build/read-seeds';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { explainLookup } from '../../src/core/index/explain-lookup';
import type { SeedArticle } from '../../src/core/seed/types';
import type { NamedSeed } from '../../src/core/story/cluster';
import { canonicalise, lookupKeys, MAX_UNWRAP_DEPTH, traceCanonical } from '../../src/core/url/canonical';
import { pageAddresses } from '../../src/core/url/page-signals';
import { isAmpMarkerAt, isTrackingNameAt, isTrackingParam, TRACKING_PARAMS, TRACKING_PARAM_PREFIXES } from '../../src/core/url/tracking-params';

/** Properties of canonicalisation and lookup (issue 3), checked with fast-check. */

const SEEDS_DIR = fileURLToPath(new URL('../fixtures/seeds-urls', import.meta.url));
const FIXTURE_SEEDS = readSeeds(SEEDS_DIR).seeds;
const FIXTURE_INDEX = CoverageIndex.decode(buildIndex(FIXTURE_SEEDS).bytes);
const FIXTURE_URLS = FIXTURE_SEEDS.flatMap(({ document }) => [document.article, ...document.related].flatMap((article) => [article.webUrl, ...article.alternateUrls]));
const CORPUS_ADDRESSES = (JSON.parse(readFileSync(new URL('../fixtures/url-corpus.json', import.meta.url), 'utf8')) as { entries: Array<{ address: string }> }).entries.map(
  (entry) => entry.address,
);

/** Runs per property: enough to reach the odd corners (IDN hosts, nesting) in well under a second each. */
const RUNS = 300;
/** The random-corpus property builds an index per run, so it runs fewer, larger cases. */
const CORPUS_RUNS = 150;
/** Each property takes about a second alone; others' browser tests may share this 2-core machine. */
const PROPERTY_TIMEOUT_MS = 30_000;

const matchedUrl = (index: CoverageIndex, address: string): string | null => index.coverage([address])?.article.url ?? null;

function isWebAddress(text: string): boolean {
  try {
    const protocol = new URL(text.trim()).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Variants of an address that must not change what it matches

const trackingName = fc.oneof(
  fc.constantFrom(...TRACKING_PARAMS),
  fc.tuple(fc.constantFrom(...TRACKING_PARAM_PREFIXES), fc.stringMatching(/^[a-z]{0,8}$/)).map(([prefix, rest]) => prefix + rest),
);
const trackingParams = fc.array(fc.tuple(trackingName, fc.string({ maxLength: 12 })), { maxLength: 4 });

interface Variant {
  tracking: Array<[string, string]>;
  trackingFirst: boolean;
  fragment: string | null;
  hostCase: boolean[];
  toggleWww: boolean;
  toggleTrailingSlash: boolean;
  swapScheme: boolean;
  explicitDefaultPort: boolean;
}

const variantArbitrary: fc.Arbitrary<Variant> = fc.record({
  tracking: trackingParams,
  trackingFirst: fc.boolean(),
  fragment: fc.option(fc.string({ maxLength: 16 })),
  hostCase: fc.array(fc.boolean(), { maxLength: 40 }),
  toggleWww: fc.boolean(),
  toggleTrailingSlash: fc.boolean(),
  swapScheme: fc.boolean(),
  explicitDefaultPort: fc.boolean(),
});

/** Applies a variant to an absolute http(s) address, as a reader's browser or a share button might. */
function applyVariant(address: string, variant: Variant): string {
  const url = new URL(address);
  if (variant.tracking.length > 0) {
    const original = [...url.searchParams];
    const params = new URLSearchParams(variant.trackingFirst ? [...variant.tracking, ...original] : [...original, ...variant.tracking]);
    url.search = params.toString();
  }
  if (variant.toggleTrailingSlash && url.pathname !== '/') {
    url.pathname = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : `${url.pathname}/`;
  }
  if (variant.swapScheme) url.protocol = url.protocol === 'https:' ? 'http:' : 'https:';
  let host = url.hostname;
  if (variant.toggleWww) host = host.startsWith('www.') ? host.slice(4) : `www.${host}`;
  host = [...host].map((char, i) => (variant.hostCase[i] ? char.toUpperCase() : char)).join('');
  const port = url.port ? `:${url.port}` : variant.explicitDefaultPort ? (url.protocol === 'https:' ? ':443' : ':80') : '';
  const fragment = variant.fragment === null ? '' : `#${variant.fragment}`;
  return `${url.protocol}//${host}${port}${url.pathname}${url.search}${fragment}`;
}

type Wrapper = 'amp-cache' | 'amp-viewer' | 'google' | 'facebook' | 'reddit';
const wrapperArbitrary = fc.array(fc.constantFrom<Wrapper>('amp-cache', 'amp-viewer', 'google', 'facebook', 'reddit'), { maxLength: MAX_UNWRAP_DEPTH });

/** Wraps an address the way AMP caches, AMP viewers and link shims do. */
function wrap(address: string, wrapper: Wrapper): string {
  const url = new URL(address);
  const https = url.protocol === 'https:';
  const rest = `${url.host}${url.pathname}${url.search}`;
  switch (wrapper) {
    case 'amp-cache': {
      // The cache names its subdomain after the origin, or a hash of it when that is no valid label (IDN).
      const subdomain = url.hostname.includes('xn--') ? '0f3b9c8e2d' : url.hostname.replace(/[.-]/g, (c) => (c === '.' ? '-' : '--'));
      return `https://${subdomain}.cdn.ampproject.org/c/${https ? 's/' : ''}${rest}`;
    }
    case 'amp-viewer':
      return `https://www.google.com/amp/${https ? 's/' : ''}${rest}`;
    case 'google':
      return `https://www.google.com/url?q=${encodeURIComponent(address)}&sa=D`;
    case 'facebook':
      return `https://l.facebook.com/l.php?u=${encodeURIComponent(address)}&h=AT0`;
    case 'reddit':
      return `https://out.reddit.com/t3_x?url=${encodeURIComponent(address)}&token=a`;
  }
}

/** Messy addresses built from real ones: variants inside wrappers inside variants. */
const messyAddress = fc
  .tuple(fc.constantFrom(...FIXTURE_URLS), variantArbitrary, wrapperArbitrary, variantArbitrary)
  .map(([address, inner, wrappers, outer]) => {
    const varied = applyVariant(address, inner);
    const wrapped = wrappers.reduce((current, wrapper) => wrap(current, wrapper), varied);
    return wrappers.length > 0 ? applyVariant(wrapped, { ...outer, toggleWww: false, toggleTrailingSlash: false }) : wrapped;
  });

const anyAddress = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.webUrl({ validSchemes: ['http', 'https', 'ftp', 'ws'], authoritySettings: { withUserInfo: true, withPort: true, withIPv4: true, withIPv6: true } }),
  messyAddress,
  fc.constantFrom(...CORPUS_ADDRESSES),
);

describe('the tracking-parameter list', () => {
  /** Names that identify an article on some outlet, and must survive canonicalisation. */
  const IDENTIFYING = ['id', 'p', 'story', 'article', 'articleid', 'page', 's', 'q', 'v', 'section', 'sid', 'aid', 'nid', 'cid', 'ids', 'storyid', 'postid', 'item', 'itemid', 'source', 'form', 'c', 'slug'];

  it('keeps the parameters that may identify an article', () => {
    for (const name of IDENTIFYING) {
      expect(isTrackingParam(name, '123'), name).toBe(false);
      expect(isTrackingParam(name.toUpperCase(), '123'), name).toBe(false);
    }
  });

  it('is written in lower case, since names are compared lower-cased', () => {
    for (const name of [...TRACKING_PARAMS, ...TRACKING_PARAM_PREFIXES]) expect(name, name).toBe(name.toLowerCase());
  });

  it('drops AMP markers only with their AMP values', () => {
    expect(isTrackingParam('outputType', 'amp')).toBe(true);
    expect(isTrackingParam('amp', '1')).toBe(true);
    expect(isTrackingParam('outputType', 'json')).toBe(false);
    expect(isTrackingParam('amp', 'story-42')).toBe(false);
  });

  it('tells the same of a parameter read where it stands in the address (isTrackingNameAt, isAmpMarkerAt) as of its name and value', () => {
    const listed = fc.constantFrom(...TRACKING_PARAMS, ...TRACKING_PARAM_PREFIXES, 'amp', 'outputtype');
    // Listed names in mixed case, cut short, lengthened or changed by a character, and any ASCII.
    const name = fc.oneof(
      fc.tuple(listed, fc.nat(), fc.stringMatching(/^[A-Za-z0-9_.*-]{0,3}$/)).map(([known, seed, suffix]) => [...known].map((char, i) => ((seed >> i) & 1 ? char.toUpperCase() : char)).join('') + suffix),
      listed.map((known) => known.slice(0, -1)),
      fc.stringMatching(/^[\x21-\x7e]{0,12}$/),
    );
    const value = fc.oneof(fc.constantFrom('', '1', 'true', 'TRUE', 'amp', 'Amp', 'ampx', 'json'), fc.stringMatching(/^[\x21-\x7e]{0,6}$/));
    fc.assert(
      fc.property(name, value, fc.string({ maxLength: 3 }), fc.string({ maxLength: 6 }), (n, v, before, otherValue) => {
        const text = `${before}${n}=${v}&`;
        const at = before.length;
        const byName = isTrackingNameAt(text, at, at + n.length);
        const asMarker = isAmpMarkerAt(text, at, at + n.length, at + n.length + 1, at + n.length + 1 + v.length);
        expect(byName || asMarker, `${n}=${v}`).toBe(isTrackingParam(n, v));
        // The query scan drops a parameter tracking by its name without reading its value.
        if (byName) expect(isTrackingParam(n, otherValue), `${n}=${otherValue}`).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('canonicalisation', () => {
  it('is idempotent: the canonical key, read as an address, canonicalises to itself', () => {
    fc.assert(
      fc.property(anyAddress, (address) => {
        const canonical = canonicalise(address);
        if (!canonical) return;
        for (const scheme of ['https://', 'http://']) {
          const again = canonicalise(scheme + canonical.key);
          expect(again?.key, address).toBe(canonical.key);
          expect(again?.pathKey, address).toBe(canonical.pathKey);
        }
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('never throws, on any string', () => {
    const strings = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.string({ unit: 'binary' }).map((tail) => `https://${tail}`),
      fc.string({ unit: 'binary' }).map((tail) => `https://www.google.com/url?q=${tail}`),
      fc.string({ unit: 'binary' }).map((tail) => `https://x.cdn.ampproject.org/c/s/${tail}`),
    );
    fc.assert(
      fc.property(strings, (text) => {
        traceCanonical(text);
        canonicalise(text);
        lookupKeys(text);
        FIXTURE_INDEX.coverage([text]);
        explainLookup(FIXTURE_INDEX, [text]);
        FIXTURE_INDEX.coverage(pageAddresses({ url: text, canonical: [text], ogUrl: [text] }));
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('returns no match for anything that is not an http(s) address', () => {
    const notAddresses = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webUrl({ validSchemes: ['ftp', 'file', 'javascript', 'data', 'ws', 'mailto'] })).filter((text) => !isWebAddress(text));
    fc.assert(
      fc.property(notAddresses, (text) => {
        expect(canonicalise(text)).toBeNull();
        expect(lookupKeys(text)).toEqual([]);
        expect(FIXTURE_INDEX.coverage([text])).toBeNull();
        expect(traceCanonical(text).ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('refuses non-string input without throwing', () => {
    for (const value of [null, undefined, 42, {}, []]) expect(canonicalise(value as unknown as string)).toBeNull();
  });
});

describe('matching', () => {
  it(`refuses an address wrapped more than ${MAX_UNWRAP_DEPTH} times`, () => {
    const tooDeep = Array.from({ length: MAX_UNWRAP_DEPTH + 1 }, (_, i): Wrapper => (i % 2 === 0 ? 'google' : 'facebook')).reduce((current, wrapper) => wrap(current, wrapper), FIXTURE_URLS[0]!);
    expect(traceCanonical(tooDeep)).toMatchObject({ ok: false, reason: `wrapped more than ${MAX_UNWRAP_DEPTH} times` });
    expect(FIXTURE_INDEX.coverage([tooDeep])).toBeNull();
  });

  it('is invariant under tracking parameters, a fragment, host case, www., trailing slash, scheme and default port', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURE_URLS), variantArbitrary, (address, variant) => {
        const expected = matchedUrl(FIXTURE_INDEX, address);
        expect(expected, address).not.toBeNull();
        expect(matchedUrl(FIXTURE_INDEX, applyVariant(address, variant)), applyVariant(address, variant)).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it(`is invariant under up to ${MAX_UNWRAP_DEPTH} AMP caches, AMP viewers and redirect wrappers`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURE_URLS), wrapperArbitrary, (address, wrappers) => {
        // Some fixture addresses are wrapped already (cdnAmpWebUrl); the depth bound counts every layer.
        const room = MAX_UNWRAP_DEPTH - traceCanonical(address).steps.length;
        const wrapped = wrappers.slice(0, room).reduce((current, wrapper) => wrap(current, wrapper), address);
        expect(matchedUrl(FIXTURE_INDEX, wrapped), wrapped).toBe(matchedUrl(FIXTURE_INDEX, address));
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);
});

// ---------------------------------------------------------------------------------------------
// The index against a naive reference

/** Small alphabets, so that random articles collide, nest and nearly miss each other. */
const hostArbitrary = fc.constantFrom('a.example', 'www.a.example', 'b.example', 'news.b.example', 'c.example:8080', 'xn--bcher-kva.example', 'A.Example');
const segmentArbitrary = fc.constantFrom('x', 'y', 'news', '2024', '%7E', '%7e', 'a%2Fb', 'Z', '.', '..');
const pathArbitrary = fc.tuple(fc.array(segmentArbitrary, { maxLength: 3 }), fc.boolean()).map(([segments, slash]) => `/${segments.join('/')}${slash && segments.length > 0 ? '/' : ''}`);
const queryArbitrary = fc
  .array(fc.tuple(fc.constantFrom('id', 'p', 'utm_source', 'ref', 'q', 'amp'), fc.constantFrom('1', '2', 'x', '')), { maxLength: 2 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`));
const randomAddress = fc
  .tuple(fc.constantFrom('http', 'https'), hostArbitrary, pathArbitrary, queryArbitrary, fc.option(fc.constantFrom('#a', '#')))
  .map(([scheme, host, path, query, fragment]) => `${scheme}://${host}${path}${query}${fragment ?? ''}`);

function seedArticle(webUrl: string, title: string): SeedArticle {
  return { title, excerpt: '', publishedAt: null, webUrl, alternateUrls: [], outletName: null };
}

describe('the index', () => {
  it('agrees with a naive Map of canonical keys on random corpora', () => {
    const corpusArbitrary = fc.array(fc.array(randomAddress, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(corpusArbitrary, fc.array(fc.oneof(randomAddress, messyAddress), { maxLength: 20 }), (stories, extraVisits) => {
        // The reference: canonical key → the address it was indexed from; an address whose key is
        // already taken is dropped (clustering would merge it into the first article).
        const reference = new Map<string, string>();
        const seeds: NamedSeed[] = [];
        stories.forEach((addresses, story) => {
          const kept = addresses.filter((address) => {
            const key = canonicalise(address)?.key;
            if (key === undefined || reference.has(key)) return false;
            reference.set(key, address);
            return true;
          });
          if (kept.length === 0) return;
          const [main, ...related] = kept.map((address, i) => seedArticle(address, `story ${story} article ${i}`));
          seeds.push({ source: `story-${String(story).padStart(3, '0')}.md`, document: { article: main!, related } });
        });
        const index = CoverageIndex.decode(buildIndex(seeds).bytes);
        const naive = (address: string): string | null => {
          const canonical = canonicalise(address);
          if (!canonical) return null;
          return reference.get(canonical.key) ?? reference.get(canonical.pathKey) ?? null;
        };
        for (const visit of [...stories.flat(), ...extraVisits]) expect(matchedUrl(index, visit), visit).toBe(naive(visit));
      }),
      { numRuns: CORPUS_RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);
});
