/**
 * Pages full of links, for link badges (issue 5): a news front page on a known outlet that is not
 * itself an article, with known, unknown and wrapped links, and generated pages of many links.
 */
import type { Page } from 'playwright-core';
import { CNET_ARTICLE, DCK_ARTICLE, FORBES_ARTICLE, UNKNOWN_PAGE, type FixtureResponse } from './fixture-site';

export const FRONT_PAGE = 'https://www.forbes.com/sites/front-page/';
/**
 * The same front page on a site that is not in the index (an aggregator): only "Show badges on all
 * websites" brings the content script there.
 */
export const AGGREGATOR_PAGE = 'https://news.example.net/front-page/';
/** The front page, served with `?links=N`: N links, every other one to a known article. */
const MANY_LINKS_PATH = `${FRONT_PAGE}?links=`;
/** Generated pages have at most this many links: enough for the 10,000-link story, and a bound on fixture size. */
const MAX_GENERATED_LINKS = 20_000;

export const manyLinksPage = (count: number): string => `${MANY_LINKS_PATH}${count}`;
/** How many links of `manyLinksPage(count)` are known (every even one). */
export const knownLinksOn = (count: number): number => Math.ceil(count / 2);

/** The Google result wrapper around the Forbes article. */
export const GOOGLE_WRAPPED_FORBES = `https://www.google.com/url?q=${encodeURIComponent(FORBES_ARTICLE)}&sa=D&ust=1590000000000000`;

/** Links of the front page that Elsewhere knows, by id: each is one of the story's three articles. */
export const KNOWN_LINKS: Readonly<Record<string, string>> = {
  plain: CNET_ARTICLE,
  utm: `${DCK_ARTICLE}?utm_source=twitter&utm_medium=social&utm_campaign=launch`,
  google: GOOGLE_WRAPPED_FORBES,
  'plain-again': CNET_ARTICLE,
};
/** Links it does not know, or must not look at. */
export const OTHER_LINKS: Readonly<Record<string, string>> = {
  'unknown-article': UNKNOWN_PAGE,
  'unknown-site': 'https://example.org/news/2020/05/20/some-story/',
  'unknown-wrapped': `https://www.google.com/url?q=${encodeURIComponent('https://example.org/news/other/')}&sa=D`,
  mail: 'mailto:tips@forbes.com',
  script: 'javascript:void(0)',
  self: `${FRONT_PAGE}#comments`,
};
/** Added by the page's own script after load; `late-known` is a known article. */
export const LATE_LINKS: Readonly<Record<string, string>> = {
  'late-known': `${FORBES_ARTICLE}?ref=front`,
  'late-unknown': 'https://www.cnet.com/news/an-unrelated-late-story/',
};

const NONCE = 'elsewhere-fixture';
/** A strict CSP: only the page's own nonce'd script and style run; any other <style> is blocked. */
const STRICT_CSP = `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'nonce-${NONCE}'`;

/**
 * Hostile CSS aimed at link badges, and tight lines: a badge that made its line taller would show
 * in the link's position.
 */
const HOSTILE_CSS = `
body { font: 15px/1.15 serif; margin: 16px; }
ul { list-style: none; padding: 0; }
li { margin: 0 0 6px; }
elsewhere-link-badge, a + :not(a) { display: none !important; width: 0 !important; opacity: 0 !important; visibility: hidden !important; margin: 40px !important; font-size: 60px !important; }
elsewhere-link-badge * { color: transparent !important; }`;

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function item(id: string, href: string, label: string): string {
  return `<li><p class="line" id="line-${id}"><a id="${id}" href="${escapeAttribute(href)}">${label}</a> · 4 min read</p></li>`;
}

/**
 * The page records where its links sit before any content script runs (it runs at document_end,
 * after this inline script), counts its own errors, and adds more links after load.
 */
const FRONT_SCRIPT = `
window.__pageErrors = 0;
window.addEventListener('error', () => { window.__pageErrors++; });
window.__before = {};
for (const a of document.querySelectorAll('a[id]')) {
  const box = a.getBoundingClientRect();
  const line = a.parentElement.getBoundingClientRect();
  window.__before[a.id] = { top: box.top, left: box.left, height: box.height, lineHeight: line.height };
}
window.addEventListener('load', () => setTimeout(() => {
  const list = document.getElementById('later');
  for (const [id, href] of ${JSON.stringify(Object.entries(LATE_LINKS))}) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.id = id;
    a.href = href;
    a.textContent = 'Late story ' + id;
    li.append(a);
    list.append(li);
  }
  window.__lateAdded = true;
}, 300));`;

function frontPage(): string {
  const known = Object.entries(KNOWN_LINKS).map(([id, href]) => item(id, href, `Story ${id}`));
  const other = Object.entries(OTHER_LINKS).map(([id, href]) => item(id, href, `Other ${id}`));
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Front page</title><style nonce="${NONCE}">${HOSTILE_CSS}</style></head>
<body>
<main>
<h1>Today's stories</h1>
<ul id="stories">
${[known[0], other[0], known[1], other[1], known[2], other[2], other[3], other[4], other[5], known[3]].join('\n')}
</ul>
<ul id="later"></ul>
</main>
<script nonce="${NONCE}">${FRONT_SCRIPT}</script>
</body>
</html>`;
}

const ARTICLES = [CNET_ARTICLE, FORBES_ARTICLE, DCK_ARTICLE];

/** Link i of a generated page: even ones are the known articles with a query (which still matches), odd ones unknown. */
export function generatedLink(i: number): string {
  return i % 2 === 0 ? `${ARTICLES[(i / 2) % ARTICLES.length]}?item=${i}` : `https://www.cnet.com/news/unrelated-story-${i}/`;
}

function manyLinks(count: number): string {
  const items: string[] = [];
  for (let i = 0; i < count; i++) items.push(`<li><a href="${generatedLink(i)}">Story number ${i}</a> <span>· ${(i % 9) + 1} min read</span></li>`);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${count} links</title><style>ul { list-style: none; }</style></head>
<body><main><h1>${count} links</h1><ul id="links">
${items.join('\n')}
</ul></main></body>
</html>`;
}

export function linkFixture(url: string): FixtureResponse | null {
  if (url === FRONT_PAGE || url === AGGREGATOR_PAGE) return { status: 200, headers: { 'content-security-policy': STRICT_CSP }, body: frontPage() };
  if (url.startsWith(MANY_LINKS_PATH)) {
    const count = Number(url.slice(MANY_LINKS_PATH.length));
    if (!Number.isSafeInteger(count) || count < 0 || count > MAX_GENERATED_LINKS) return null;
    return { status: 200, headers: {}, body: manyLinks(count) };
  }
  return null;
}

/**
 * Runs in a generated page: how its badges sit. Every even link is known, every odd one not;
 * badges go in as links come within a screen of the viewport (src/content/link-badges.tsx).
 */
export function generatedPageBadges(): { badges: number; near: number; missingNear: number; misplaced: number } {
  const items = document.querySelectorAll('#links > li');
  const top = -innerHeight;
  const bottom = 2 * innerHeight;
  let near = 0;
  let missingNear = 0;
  let misplaced = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const count = item.getElementsByTagName('elsewhere-link-badge').length;
    // An unknown link with a badge, or any link with two, is wrong wherever it is.
    if (count > (i % 2 === 0 ? 1 : 0)) misplaced++;
    if (i % 2 !== 0) continue;
    const box = item.getBoundingClientRect();
    // Well inside the margin, so a frame in flight does not count as missing.
    if (box.bottom > top + 50 && box.top < bottom - 50) {
      near++;
      if (count === 0) missingNear++;
    }
  }
  return { badges: document.getElementsByTagName('elsewhere-link-badge').length, near, missingNear, misplaced };
}

/**
 * Runs in a generated page: whether every known link within a screen of the view has its badge.
 * Cheap (a binary search for the first such link), so a benchmark can poll it.
 */
export function generatedPageBadgesInView(): boolean {
  const items = document.querySelectorAll('#links > li');
  const top = -innerHeight + 50;
  const bottom = 2 * innerHeight - 50;
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (items[middle]!.getBoundingClientRect().bottom <= top) low = middle + 1;
    else high = middle;
  }
  let near = 0;
  for (let i = low; i < items.length; i++) {
    const item = items[i]!;
    if (item.getBoundingClientRect().top >= bottom) break;
    if (i % 2 !== 0) continue;
    near++;
    if (item.getElementsByTagName('elsewhere-link-badge').length === 0) return false;
  }
  return near > 0;
}

/** The links of the front page that get a badge: the known ones, and the known one the page adds after load. */
export const FRONT_PAGE_BADGED = [...Object.keys(KNOWN_LINKS), ...Object.keys(LATE_LINKS).filter((id) => id.endsWith('-known'))].sort();

/** The ids of the links followed by a link badge, from the page (badge roots are closed, hosts are not). */
export const badgedLinks = (page: Page): Promise<string[]> =>
  page.evaluate(() => [...document.querySelectorAll('elsewhere-link-badge')].map((badge) => badge.previousElementSibling?.id ?? '').sort());
