import { describe, expect, it } from 'vitest';
import { pageAddresses } from '../../src/core/url/page-signals';

const PAGE = 'https://edition.cnn.com/2024/03/02/world/outage/index.html?utm_source=x';
const ARTICLE = 'https://www.cnn.com/2024/03/02/world/outage';
const OTHER_ARTICLE = 'https://www.cnn.com/2024/03/02/world/other';

const addresses = (canonical: string[], ogUrl: string[] = [], url = PAGE): string[] => pageAddresses({ url, canonical, ogUrl });

describe('the page address', () => {
  it('always comes first, as given', () => {
    expect(addresses([])).toEqual([PAGE]);
    expect(addresses([ARTICLE], [ARTICLE])[0]).toBe(PAGE);
  });

  it('is the only address when the page has no signals', () => {
    expect(addresses([], [])).toEqual([PAGE]);
  });

  it('yields nothing for pages that are not http(s)', () => {
    for (const url of ['about:blank', 'chrome://newtab', 'file:///home/me/a.html', 'not a url']) {
      expect(addresses([ARTICLE], [ARTICLE], url), url).toEqual([]);
    }
  });
});

describe('the canonical link', () => {
  it('is used when there is exactly one on the same outlet', () => {
    expect(addresses([ARTICLE])).toEqual([PAGE, ARTICLE]);
  });

  it('is used across subdomains of the same registrable domain', () => {
    expect(addresses(['https://amp.cnn.com/2024/x'])).toEqual([PAGE, 'https://amp.cnn.com/2024/x']);
  });

  it('is ignored when there is more than one, and then og:url is ignored too', () => {
    expect(addresses([ARTICLE, OTHER_ARTICLE])).toEqual([PAGE]);
    expect(addresses([ARTICLE, ARTICLE], [ARTICLE])).toEqual([PAGE]);
  });

  it('is ignored when it points at another outlet', () => {
    expect(addresses(['https://www.foxnews.com/world/outage'])).toEqual([PAGE]);
    // A look-alike host is a different registrable domain.
    expect(addresses(['https://cnn.com.evil.example/2024/x'])).toEqual([PAGE]);
  });

  it('is ignored when it points at another outlet through an AMP cache', () => {
    expect(addresses(['https://www-foxnews-com.cdn.ampproject.org/c/s/www.foxnews.com/world/outage'])).toEqual([PAGE]);
  });

  it('is ignored when it is the site root', () => {
    for (const root of ['https://www.cnn.com/', 'https://www.cnn.com', 'https://edition.cnn.com/?hpt=header', 'https://cnn.com//']) {
      expect(addresses([root]), root).toEqual([PAGE]);
    }
  });

  it('is ignored when it is not an http(s) address', () => {
    for (const bad of ['javascript:alert(1)', '/relative/path', '', 'ftp://www.cnn.com/2024/x']) {
      expect(addresses([bad]), bad).toEqual([PAGE]);
    }
  });

  it('is judged against the outlet the page really is, after unwrapping its AMP cache address', () => {
    const ampPage = 'https://www-cnn-com.cdn.ampproject.org/c/s/www.cnn.com/2024/03/02/world/outage/amp';
    expect(addresses([ARTICLE], [], ampPage)).toEqual([ampPage, ARTICLE]);
  });
});

describe('og:url', () => {
  it('is used when there is one, on the same outlet, after the canonical link', () => {
    expect(addresses([], [ARTICLE])).toEqual([PAGE, ARTICLE]);
    expect(addresses([ARTICLE], [OTHER_ARTICLE])).toEqual([PAGE, ARTICLE, OTHER_ARTICLE]);
  });

  it('is used when repeated with the same value', () => {
    expect(addresses([], [ARTICLE, ARTICLE])).toEqual([PAGE, ARTICLE]);
  });

  it('is ignored when the page gives different values', () => {
    expect(addresses([], [ARTICLE, OTHER_ARTICLE])).toEqual([PAGE]);
  });

  it('is ignored when it points at another outlet or the site root', () => {
    expect(addresses([], ['https://www.bbc.co.uk/news/world-1'])).toEqual([PAGE]);
    expect(addresses([], ['https://www.cnn.com/'])).toEqual([PAGE]);
  });

  it('is still used when the canonical link is refused', () => {
    expect(addresses(['https://www.cnn.com/'], [ARTICLE])).toEqual([PAGE, ARTICLE]);
  });
});
