import { MAX_SIGNALS_PER_KIND } from '../shared/message-shapes';
import type { PageSignals } from '../shared/protocol';

/** Reads what the page says about its own identity. The background decides what to trust. */
export function collectPageSignals(doc: Document = document, url: string = location.href): PageSignals {
  const canonical: string[] = [];
  const ogUrl: string[] = [];
  // One query for both kinds, in document order: every DOM call is a page's time (issue 4).
  for (const element of doc.querySelectorAll<HTMLLinkElement | HTMLMetaElement>('link[rel~="canonical" i][href],meta[property="og:url" i][content]')) {
    if (element.localName === 'link') canonical.push((element as HTMLLinkElement).href);
    else ogUrl.push((element as HTMLMetaElement).content.trim());
  }
  return { url, canonical: canonical.slice(0, MAX_SIGNALS_PER_KIND), ogUrl: ogUrl.slice(0, MAX_SIGNALS_PER_KIND) };
}
