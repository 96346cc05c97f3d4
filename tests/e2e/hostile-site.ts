/**
 * Pages that try to break, detect or trick the extension. They live on the known articles'
 * addresses with a query: the index knows those articles without a query, so any query matches.
 */
import type { FixtureResponse } from './fixture-site';
import { DCK_ARTICLE, FORBES_ARTICLE } from './fixture-site';

export const PROTOTYPE_OVERRIDE_PAGE = `${FORBES_ARTICLE}?fixture=prototypes`;
export const OVERLAY_PAGE = `${DCK_ARTICLE}?fixture=overlay`;
/** A known article whose own scripts fail: Elsewhere must neither add to its errors nor hide any. */
export const FAILING_PAGE = `${DCK_ARTICLE}?fixture=failing`;

/** Every hostile page counts its own errors, so a test can prove the extension caused none. */
const ERROR_COUNTER = `window.__pageErrors = 0; window.addEventListener('error', () => { window.__pageErrors++; });`;

/** The page sabotages the DOM APIs a naive content script would call from the page's world. */
const SABOTAGE = `
Element.prototype.attachShadow = function () { throw new Error('no shadow for you'); };
window.MutationObserver = function () { throw new Error('no observers'); };
CSSStyleSheet.prototype.replaceSync = function () { throw new Error('no sheets'); };
Node.prototype.appendChild = (function (original) { return function (node) {
  if (node && node.localName && node.localName.includes('-')) throw new Error('no custom elements');
  return original.call(this, node);
}; })(Node.prototype.appendChild);`;

/** A transparent layer put over the badge's corner once the badge is there. */
const OVERLAY = `
window.coverBadge = () => {
  const layer = document.createElement('div');
  layer.style.cssText = 'position:fixed;right:0;bottom:0;width:60vw;height:40vh;z-index:2147483647;background:transparent';
  layer.addEventListener('click', () => { window.__overlayClicks = (window.__overlayClicks || 0) + 1; });
  document.documentElement.append(layer);
};`;

/** An uncaught error and an unhandled rejection, at load and again once the content script has run. */
const FAILING = `
const fail = (when) => {
  setTimeout(() => { throw new Error('page error ' + when); });
  Promise.reject(new Error('page rejection ' + when));
};
fail('at load');
setTimeout(() => fail('later'), 1500);`;

function page(title: string, script: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<script>${ERROR_COUNTER}</script></head>
<body><main><h1>${title}</h1><p>${'Text. '.repeat(50)}</p></main><script>${script}</script></body></html>`;
}

/** The articles of tests/fixtures/seeds-xss, whose every text field carries markup. */
export const XSS_ARTICLES = [
  'https://www.cnet.com/xss/markup-in-every-field/',
  'https://www.forbes.com/xss/quote-breakout/',
  'https://www.datacenterknowledge.com/xss/bidi-and-mathml',
] as const;

export const HOSTILE_FIXTURES: ReadonlyMap<string, FixtureResponse> = new Map<string, FixtureResponse>([
  ...XSS_ARTICLES.map((url): [string, FixtureResponse] => [url, { status: 200, headers: {}, body: page('An ordinary page', '') }]),
  [PROTOTYPE_OVERRIDE_PAGE, { status: 200, headers: {}, body: page('Sabotaged prototypes', SABOTAGE) }],
  [OVERLAY_PAGE, { status: 200, headers: {}, body: page('Overlay', OVERLAY) }],
  [FAILING_PAGE, { status: 200, headers: {}, body: page('Failing scripts', FAILING) }],
]);
