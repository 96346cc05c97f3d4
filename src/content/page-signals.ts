import { MAX_SIGNALS_PER_KIND } from '../shared/message-shapes';
import type { PageSignals } from '../shared/protocol';
import { forEachAttribute } from './attributes';

/** Folds ASCII upper case to lower case, as the CSS selectors' `i` flag does for attribute values. */
const lowerCase = (expression: string): string => `translate(${expression}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
/** `link[rel~="canonical" i][href]`: "canonical" among the rel tokens (ASCII whitespace apart), in any case. */
export const CANONICAL_HREFS = `//link[contains(concat(' ', normalize-space(translate(${lowerCase('@rel')}, '\f', ' ')), ' '), ' canonical ')]/@href`;
/** `meta[property="og:url" i][content]`. */
export const OG_URL_CONTENTS = `//meta[${lowerCase('@property')} = 'og:url']/@content`;

/**
 * Reads what the page says about its own identity, as written: the background resolves the
 * canonical link against the document's base URL (a `URL` made here would cost the page the set-up
 * of that interface, issue 4) and decides what to trust. Read through XPath, touching no element
 * (attributes.ts).
 */
export function collectPageSignals(doc: Document = document, url: string = location.href): PageSignals {
  const canonical: string[] = [];
  const ogUrl: string[] = [];
  forEachAttribute(doc, CANONICAL_HREFS, { selector: 'link[rel~="canonical" i][href]', attribute: 'href' }, (href) => {
    canonical.push(href);
    return canonical.length < MAX_SIGNALS_PER_KIND;
  });
  forEachAttribute(doc, OG_URL_CONTENTS, { selector: 'meta[property="og:url" i][content]', attribute: 'content' }, (content) => {
    ogUrl.push(content.trim());
    return ogUrl.length < MAX_SIGNALS_PER_KIND;
  });
  return { url, canonical, ogUrl };
}
