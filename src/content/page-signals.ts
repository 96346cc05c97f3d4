import { MAX_SIGNALS_PER_KIND } from '../shared/message-shapes';
import type { PageSignals } from '../shared/protocol';

/** Reads what the page says about its own identity. The background decides what to trust. */
export function collectPageSignals(doc: Document = document, url: string = location.href): PageSignals {
  const canonical = [...doc.querySelectorAll<HTMLLinkElement>('link[rel~="canonical" i][href]')].map((link) => link.href);
  const ogUrl = [...doc.querySelectorAll<HTMLMetaElement>('meta[property="og:url" i][content]')].map((meta) => meta.content.trim());
  return { url, canonical: canonical.slice(0, MAX_SIGNALS_PER_KIND), ogUrl: ogUrl.slice(0, MAX_SIGNALS_PER_KIND) };
}
