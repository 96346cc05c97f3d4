/**
 * The first stage reads the page's signals and its links' addresses through XPath, touching no
 * element (src/content/attributes.ts, issue 4). In a real browser, on awkward markup, the XPath
 * queries must find what the CSS selectors they replace find, and the attributes resolved against
 * the base URL must be what the elements' `href` gives.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_HREFS } from '../../src/content/link-scout';
import { CANONICAL_HREFS, OG_URL_CONTENTS } from '../../src/content/page-signals';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './browsers';

const PAGE = 'https://www.cnet.com/news/some-story/index.html';
const MARKUP = `<!doctype html><html><head><base href="https://www.cnet.com/base/dir/">
<link rel="canonical" href="/tech/first/">
<link rel="alternate CANONICAL" href="second/?q=a b">
<link rel="
canonical	 shortlink" href="  https://www.cnet.com/third/  ">
<link rel="noncanonical" href="/not-this/">
<link rel="canonical-ish" href="/nor-this/">
<link rel="canonical">
<meta property="OG:URL" content=" https://www.cnet.com/og/ ">
<meta property="og:url" content="https://www.cnet.com/og-2/">
<meta property="og:urls" content="https://www.cnet.com/not-og/">
<meta name="og:url" content="https://www.cnet.com/not-og-either/">
</head><body>
<a href="/a/">A</a> <a>no href</a> <a href="">empty</a> <a href="#top">fragment</a> <a href="relative/b?x=1#y">B</a>
<a href="https://www.forbes.com/c/">C</a> <a href="javascript:void 0">js</a> <a href="http://[bad">bad</a>
<svg><a href="/svg-link/"><text>svg</text></a></svg>
<AREA href="/area/">
</body></html>`;

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
  page = await browser.newPage();
  await page.route(PAGE, (route) => route.fulfill({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: MARKUP }));
  await page.goto(PAGE);
});
afterAll(async () => {
  await browser?.close();
});

/** [what the XPath query yields, resolved as the first stage resolves it; what the CSS selector's elements give]. */
function compare(xpath: string, selector: string, read: 'href' | 'content'): Promise<[string[], string[]]> {
  return page.evaluate(
    ({ xpath: query, selector: css, read: property }) => {
      const viaXPath: string[] = [];
      const result = document.evaluate(query, document, null, XPathResult.ORDERED_NODE_ITERATOR_TYPE, null);
      for (let node = result.iterateNext(); node; node = result.iterateNext()) {
        const value = (node as Attr).value;
        if (property === 'content') viaXPath.push(value);
        else {
          try {
            viaXPath.push(new URL(value, document.baseURI).href);
          } catch {
            viaXPath.push(value);
          }
        }
      }
      const viaElements = [...document.querySelectorAll(css)].map((element) => (property === 'href' ? (element as HTMLAnchorElement).href : (element as HTMLMetaElement).content));
      return [viaXPath, viaElements] as [string[], string[]];
    },
    { xpath, selector, read },
  );
}

describe('XPath in place of selectors (Chromium)', () => {
  it('finds the canonical links of `link[rel~="canonical" i][href]`, resolved as their href', async () => {
    const [viaXPath, viaElements] = await compare(CANONICAL_HREFS, 'link[rel~="canonical" i][href]', 'href');
    expect(viaElements).toHaveLength(3);
    expect(viaXPath).toEqual(viaElements);
  });

  it('finds the og:url values of `meta[property="og:url" i][content]`', async () => {
    const [viaXPath, viaElements] = await compare(OG_URL_CONTENTS, 'meta[property="og:url" i][content]', 'content');
    expect(viaElements).toHaveLength(2);
    expect(viaXPath).toEqual(viaElements);
  });

  it('finds the links of `a[href]`, HTML links only, resolved as their href', async () => {
    const [viaXPath, viaElements] = await compare(LINK_HREFS, 'a[href]', 'href');
    // The SVG link is matched by the selector but gives no address string; neither reads it as one.
    const strings = viaElements.filter((href) => typeof href === 'string');
    expect(strings.length).toBeGreaterThanOrEqual(7);
    expect(viaXPath).toEqual(strings);
  });
});
