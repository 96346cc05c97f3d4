/**
 * Attribute values read without touching the elements that hold them (issue 4). In a content
 * script's isolated world, the first element the script touches costs the page the set-up of the
 * element interfaces for that world (Element, HTMLElement and the element's own: about 1 ms of the
 * page's main thread, measured, next to about 0.3 ms for an XPath query), and the first stage,
 * which runs on every page, touches none: it reads the page's signals and its links' addresses
 * through XPath, which yields the attributes alone.
 */

/** XPathResult.ORDERED_NODE_ITERATOR_TYPE, without touching the XPathResult interface. */
const ORDERED_NODE_ITERATOR = 5;

/**
 * Calls `visit` with the value of each attribute `xpath` selects, in document order, until it
 * returns false. `fallback` (a CSS selector and the attribute's name) is for a DOM without XPath, as
 * test DOMs are.
 */
export function forEachAttribute(doc: Document, xpath: string, fallback: { selector: string; attribute: string }, visit: (value: string) => boolean | void): void {
  if (typeof doc.evaluate !== 'function') {
    for (const element of doc.querySelectorAll(fallback.selector)) {
      if (visit(element.getAttribute(fallback.attribute) ?? '') === false) return;
    }
    return;
  }
  const result = doc.evaluate(xpath, doc, null, ORDERED_NODE_ITERATOR, null);
  for (let node = result.iterateNext(); node; node = result.iterateNext()) {
    if (visit((node as Attr).value) === false) return;
  }
}
