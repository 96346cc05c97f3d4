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
/** The CNET article as a page prerenders it: a query of its own keeps it apart from the other tests' tab. */
export const PRERENDERED_ARTICLE = `${CNET_ARTICLE}?fixture=prerendered`;
/**
 * A same-origin page (Speculation Rules prerender only same-origin pages without opt-in) that is
 * not in the index and prerenders the CNET article, with a link the reader follows to activate it.
 */
export const PRERENDER_LAUNCHER = 'https://www.cnet.com/tech/?fixture=prerender-launcher';
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

function page(options: { title: string; canonical?: string; css?: string; script?: string; headScript?: string; html?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${options.title}</title>
${options.canonical ? `<link rel="canonical" href="${options.canonical}">` : ''}
${options.css ? `<style>${options.css}</style>` : ''}
${options.headScript ? `<script>${options.headScript}</script>` : ''}
</head>
<body>
<main><article><h1 id="headline">${options.title}</h1>
<p id="para">${'News text. '.repeat(80)}</p></article></main>
${options.html ?? ''}
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

/**
 * The prerendered page notes what the reader's browser did, so a test can tell a real prerender
 * (activationStart > 0) from a plain load, and when its badge appeared after activation. Once
 * activated, it posts its notes to the fixture server after every change (tests/e2e/fixture-server.ts):
 * the test cannot always evaluate in an activated page.
 */
/** Where a fixture page posts a report, on its own origin; each report carries a rising `seq`. */
export const FIXTURE_REPORT_PATH = '/__fixture-report';
const PRERENDER_PROBE = `const notes = window.__prerender = { seq: 0, startedPrerendering: document.prerendering, badgeDuringPrerender: false, activatedAt: null, badgeAt: null, badges: 0,
  activationStart: null, timeOrigin: performance.timeOrigin };
const report = () => {
  notes.seq++;
  if (!document.prerendering) fetch('${FIXTURE_REPORT_PATH}', { method: 'POST', body: JSON.stringify(notes) });
};
new MutationObserver(() => {
  notes.badges = document.querySelectorAll('elsewhere-badge').length;
  if (notes.badges > 0 && document.prerendering) notes.badgeDuringPrerender = true;
  if (notes.badges > 0 && !document.prerendering) notes.badgeAt ??= performance.now();
  report();
}).observe(document.documentElement, { childList: true });
document.addEventListener('prerenderingchange', () => {
  notes.activatedAt = performance.now();
  notes.activationStart = performance.getEntriesByType('navigation')[0].activationStart;
  report();
});`;

const SPECULATION_RULES = `<script type="speculationrules">${JSON.stringify({ prerender: [{ source: 'list', urls: [PRERENDERED_ARTICLE] }] })}</script>
<a id="prerendered-link" href="${PRERENDERED_ARTICLE}">Microsoft builds massive supercomputer</a>`;

export const FIXTURES: ReadonlyMap<string, FixtureResponse> = new Map<string, FixtureResponse>([
  [CNET_ARTICLE, { status: 200, headers: {}, body: page({ title: 'Microsoft builds massive supercomputer', canonical: CNET_ARTICLE, script: SPA_SCRIPT }) }],
  [PRERENDERED_ARTICLE, { status: 200, headers: {}, body: page({ title: 'Microsoft builds massive supercomputer', canonical: CNET_ARTICLE, headScript: PRERENDER_PROBE }) }],
  [PRERENDER_LAUNCHER, { status: 200, headers: {}, body: page({ title: 'Tech news', html: SPECULATION_RULES }) }],
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
