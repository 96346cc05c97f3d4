import { MAX_URL_LENGTH } from '../url/limits';

/**
 * Every bound on a seed, in one place. Seeds are untrusted: these keep a hostile or broken
 * file from bloating the index, the bundle or the popup.
 */
export const SEED_LIMITS = {
  /** A real seed is ~4 KB; 256 KB leaves room for long related lists without letting a file balloon. */
  fileBytes: 256 * 1024,
  /** Headlines beyond this are not headlines; the popup clamps far earlier anyway. */
  titleChars: 300,
  /** Excerpts are shown clamped to three lines; more is dead weight in the index. */
  excerptChars: 1000,
  /** Outlet names are labels ("Data Center Knowledge"). */
  outletNameChars: 100,
  /** Hostnames cap at 253 characters (RFC 1035). */
  domainChars: 253,
  /** The same bound lookups use: an address longer than this can never match. */
  urlChars: MAX_URL_LENGTH,
  /** A story with more outlets than this is an aggregator dump, not coverage. */
  relatedItems: 100,
} as const;
