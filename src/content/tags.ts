/** The custom elements Elsewhere puts in a page: never scanned for links, never badged, and removed when an instance starts or is orphaned. */
export const PAGE_BADGE_TAG = 'elsewhere-badge';
export const LINK_BADGE_TAG = 'elsewhere-link-badge';
/** Elsewhere's own hosts (the in-page badge and link badges): never scanned, never badged. */
export const OWN_TAGS: ReadonlySet<string> = new Set([PAGE_BADGE_TAG, LINK_BADGE_TAG]);

/**
 * Removes badges left by an earlier instance of the content script: after the extension is reloaded
 * or updated, the old script is cut off from the extension but its nodes stay in the page.
 */
export function removeOrphanBadges(doc: Document = document): void {
  for (const orphan of doc.querySelectorAll(`${PAGE_BADGE_TAG},${LINK_BADGE_TAG}`)) orphan.remove();
}
