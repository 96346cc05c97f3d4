import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/build/build-index';
import { readSeeds } from '../../src/build/read-seeds';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { pageAddresses, type PageSignalInput } from '../../src/core/url/page-signals';

/**
 * The page-signal rules of issue 3, end to end through the index: the canonical link and og:url
 * are used only when the address misses, only on the page's own registrable domain, never for
 * the site root, and the canonical link only when there is exactly one; on AMP pages (on the
 * outlet or through an AMP cache) the canonical link names the article.
 */

const SEEDS_DIR = fileURLToPath(new URL('../fixtures/seeds-urls', import.meta.url));
const CNET = 'https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
const CNET_EXPLAINED = 'https://www.cnet.com/tech/computing/supercomputers-explained/';
const CNN = 'https://edition.cnn.com/2024/01/15/tech/quantum-chip-record/index.html';
const FORBES = 'https://www.forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/';
const MISSING = 'https://www.cnet.com/news/print/12345/';

let index: CoverageIndex;
beforeAll(() => {
  index = CoverageIndex.decode(buildIndex(readSeeds(SEEDS_DIR).seeds).bytes);
});

const signals = (url: string, canonical: string[] = [], ogUrl: string[] = []): PageSignalInput => ({ url, canonical, ogUrl });
/** The article Elsewhere shows for a page, by its address. */
const shown = (input: PageSignalInput): string | null => index.coverage(pageAddresses(input))?.article.url ?? null;

describe('the address comes first', () => {
  it('wins over a canonical link that names another article', () => {
    expect(shown(signals(CNET, [CNET_EXPLAINED]))).toBe(CNET);
    expect(shown(signals(CNET, [], [CNET_EXPLAINED]))).toBe(CNET);
  });

  it('wins when it matches through its own rules (tracking tags, query fallback)', () => {
    expect(shown(signals(`${CNET}?utm_source=x&page=2`, [CNET_EXPLAINED]))).toBe(CNET);
  });
});

describe('when the address misses', () => {
  it('uses the one canonical link on the same outlet', () => {
    expect(shown(signals(MISSING, [CNET]))).toBe(CNET);
  });

  it('uses og:url when there is no canonical link', () => {
    expect(shown(signals(MISSING, [], [CNET]))).toBe(CNET);
  });

  it('prefers the canonical link to og:url', () => {
    expect(shown(signals(MISSING, [CNET_EXPLAINED], [CNET]))).toBe(CNET_EXPLAINED);
  });

  it('accepts another subdomain of the same registrable domain', () => {
    expect(shown(signals('https://amp.cnn.com/2024/01/15/tech/quantum-chip-record', [CNN]))).toBe(CNN);
  });

  it('unwraps a canonical link that is itself wrapped, judging the outlet it really names', () => {
    const viaCache = 'https://www-cnet-com.cdn.ampproject.org/c/s/www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
    expect(shown(signals(MISSING, [viaCache]))).toBe(CNET);
  });
});

describe('a signal is refused', () => {
  it('when it names another outlet, even a known article', () => {
    expect(shown(signals(MISSING, [FORBES]))).toBeNull();
    expect(shown(signals(MISSING, [], [FORBES]))).toBeNull();
    expect(shown(signals('https://evil.example/story', [CNET], [CNET]))).toBeNull();
  });

  it('when the page is on a look-alike host', () => {
    for (const page of ['https://www.cnet.com.evil.com/news/x', 'https://notcnet.com/news/x', 'https://google.com.evil.com/amp/s/www.cnet.com/news/x']) {
      expect(shown(signals(page, [CNET], [CNET])), page).toBeNull();
    }
  });

  it('when it is the site root, whatever its spelling or query', () => {
    for (const root of ['https://www.cnet.com/', 'https://cnet.com', 'https://WWW.CNET.COM//', 'https://www.cnet.com/?id=1', 'https://www.cnet.com/#top']) {
      expect(pageAddresses(signals(MISSING, [root])), root).toEqual([MISSING]);
      expect(pageAddresses(signals(MISSING, [], [root])), root).toEqual([MISSING]);
    }
  });

  it('when there is more than one canonical link, even twice the same, and then og:url is refused too', () => {
    expect(shown(signals(MISSING, [CNET, CNET_EXPLAINED]))).toBeNull();
    expect(shown(signals(MISSING, [CNET, CNET]))).toBeNull();
    expect(shown(signals(MISSING, [CNET, CNET_EXPLAINED], [CNET]))).toBeNull();
  });

  it('when og:url values disagree', () => {
    expect(shown(signals(MISSING, [], [CNET, CNET_EXPLAINED]))).toBeNull();
  });

  it('when it is not an http(s) address', () => {
    for (const bad of ['javascript:location="https://www.cnet.com/news/x"', 'data:text/html,x', 'ftp://www.cnet.com/news/x', '/news/relative', '']) {
      expect(pageAddresses(signals(MISSING, [bad], [bad])), bad).toEqual([MISSING]);
    }
  });

  it('when the page itself is no web page', () => {
    expect(pageAddresses(signals('about:blank', [CNET], [CNET]))).toEqual([]);
    expect(shown(signals('chrome://newtab/', [CNET]))).toBeNull();
  });
});

describe('on AMP pages', () => {
  const AMP_PAGE = 'https://www.cnet.com/google-amp/news/some-amp-only-view/';

  it('uses the canonical link of an AMP page on the outlet', () => {
    expect(shown(signals(AMP_PAGE, [CNET]))).toBe(CNET);
  });

  it('judges an AMP-cache page by the outlet in its path, so its canonical link counts', () => {
    const cached = 'https://www-cnet-com.cdn.ampproject.org/c/s/www.cnet.com/google-amp/news/some-amp-only-view/';
    expect(shown(signals(cached, [CNET]))).toBe(CNET);
    // The cache's hashed subdomain is not the outlet: a cached page of another outlet is refused.
    const otherOutlet = 'https://www-cnet-com.cdn.ampproject.org/c/s/evil.example/news/x';
    expect(shown(signals(otherOutlet, [CNET]))).toBeNull();
  });

  it('matches the AMP-cache address itself first when it is known', () => {
    const known = 'https://www-cnet-com.cdn.ampproject.org/c/s/www.cnet.com/google-amp/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
    expect(shown(signals(known, [CNET_EXPLAINED]))).toBe(CNET);
  });
});
