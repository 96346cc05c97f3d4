/**
 * The outlets' pages, served by intercepting their real addresses (this machine has no network).
 * Each page is a plain article page; some carry a strict CSP or hostile CSS.
 */
export const CNET_ARTICLE = 'https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
export const FORBES_ARTICLE = 'https://www.forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/';
export const DCK_ARTICLE = 'https://www.datacenterknowledge.com/microsoft/microsoft-says-it-s-built-top-five-supercomputer-cloud-ai';
/** On a known outlet, but not in the index. */
export const UNKNOWN_PAGE = 'https://www.cnet.com/tech/mobile/some-unrelated-phone-review/';
/** Address misses, but its one canonical link names the Forbes article. */
export const CANONICAL_ONLY_PAGE = 'https://www.forbes.com/sites/moorinsights/print/12345/';
/** The CNET article through Google's AMP cache (its seed's cdnAmpWebUrl): the origin is in the path (issue 3). */
export const CNET_AMP_CACHE = 'https://www-cnet-com.cdn.ampproject.org/c/s/www.cnet.com/google-amp/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
/** The CNET article as a share button leaves it: tracking tags on the clean address (issue 3). */
export const CNET_TRACKING_TAGGED = `${CNET_ARTICLE}?utm_source=twitter&utm_medium=social&utm_campaign=ai-news&fbclid=IwAR0aBcD`;
/** Where the SPA fixture navigates with history.pushState. */
export const SPA_TARGET_PATH = '/news/another-story-entirely/';

export interface FixtureResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const STRICT_CSP = "default-src 'none'; style-src 'none'";
const HOSTILE_CSS = `* { all: unset !important; }
elsewhere-badge, :not(html):not(body):not(head):not(main):not(p):not(h1):not(article):not(script):not(style) { display: none !important; }
html::after { content: ''; position: fixed; inset: 0; z-index: 2147483647; pointer-events: none; }`;

function page(options: { title: string; canonical?: string; css?: string; script?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${options.title}</title>
${options.canonical ? `<link rel="canonical" href="${options.canonical}">` : ''}
${options.css ? `<style>${options.css}</style>` : ''}
</head>
<body>
<main><article><h1 id="headline">${options.title}</h1>
<p id="para">${'News text. '.repeat(80)}</p></article></main>
${options.script ? `<script>${options.script}</script>` : ''}
</body>
</html>`;
}

/** The page replaces its canonical link as it navigates, as real single-page apps do. */
const SPA_SCRIPT = `window.goElsewhere = () => {
  document.querySelector('link[rel=canonical]')?.remove();
  history.pushState({}, '', '${SPA_TARGET_PATH}');
  document.getElementById('headline').textContent = 'Another story';
};
window.replaceElsewhere = () => {
  document.querySelector('link[rel=canonical]')?.remove();
  history.replaceState({}, '', '${SPA_TARGET_PATH}');
};`;

export const FIXTURES: ReadonlyMap<string, FixtureResponse> = new Map<string, FixtureResponse>([
  [CNET_ARTICLE, { status: 200, headers: {}, body: page({ title: 'Microsoft builds massive supercomputer', canonical: CNET_ARTICLE, script: SPA_SCRIPT }) }],
  [UNKNOWN_PAGE, { status: 200, headers: {}, body: page({ title: 'A phone review' }) }],
  [CANONICAL_ONLY_PAGE, { status: 200, headers: {}, body: page({ title: 'Print view', canonical: FORBES_ARTICLE }) }],
  [FORBES_ARTICLE, { status: 200, headers: {}, body: page({ title: 'Forbes: supercomputer', canonical: FORBES_ARTICLE, css: HOSTILE_CSS }) }],
  [DCK_ARTICLE, { status: 200, headers: { 'content-security-policy': STRICT_CSP }, body: page({ title: 'Top-five supercomputer' }) }],
  // An AMP page names its main article in its canonical link, as AMP requires.
  [CNET_AMP_CACHE, { status: 200, headers: {}, body: page({ title: 'Microsoft builds massive supercomputer (AMP)', canonical: CNET_ARTICLE }) }],
  // No canonical link: the count must come from the address alone, with its tracking tags removed.
  [CNET_TRACKING_TAGGED, { status: 200, headers: {}, body: page({ title: 'Microsoft builds massive supercomputer' }) }],
]);

export function fixtureFor(url: string): FixtureResponse | null {
  return FIXTURES.get(url) ?? null;
}
