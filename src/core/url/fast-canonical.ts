import type { CanonicalAddress } from './canonical';
import { hostWithoutDots, hostWithoutWww } from './host';
import { isAmpMarkerAt, isTrackingNameAt, isTrackingParam } from './tracking-params';
import { ampCacheOriginAt, isAmpCacheHost, mayUnwrap } from './unwrap';

/**
 * The fast path of `canonicalise` (issue 4, lookup p99 ≤ 5 µs): one scan of the address for its
 * common shape (lower-case `http://` or `https://`, no credentials, a plain or cached host, a path
 * without dot segments, printable ASCII up to the fragment, a host no wrapper but an AMP cache is
 * recognised by), building the key from slices of the address. No URL or URLSearchParams object,
 * one regular expression (mayUnwrap's host test), and no string is built unless the address
 * needs normalising. It returns undefined for anything else, and `canonicalise` then takes the
 * full path (`new URL`), so every unusual address keeps exactly the full path's answer. Whenever
 * it answers, the answer is the full path's, byte for byte: tests/unit/url-fast-path.test.ts
 * checks this on generated addresses.
 */

const SLASH = 0x2f;
const QUESTION = 0x3f;
const HASH = 0x23;
const PERCENT = 0x25;
const BACKSLASH = 0x5c;
const AT = 0x40;
const COLON = 0x3a;
const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const DOT = 0x2e;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** Printable ASCII ends below DEL; anything outside 0x21–0x7e sends the address to the full path. */
const DEL = 0x7f;
const SPACE = 0x20;

function asciiTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** RFC 3986 §2.3 unreserved characters: their escapes are decoded. */
const UNRESERVED = asciiTable(`${ALNUM}-._~`);
/** What a normalised path carries raw (unreserved, sub-delims, ':', '@', '/'); anything else is escaped. */
const PATH_RAW = asciiTable(`${ALNUM}-._~!$&'()*+,;=:@/`);
/** What the application/x-www-form-urlencoded serializer leaves as it is (URLSearchParams#toString). */
const FORM_RAW = asciiTable(`${ALNUM}*-._`);
/** Host characters every URL parser leaves alone but for lower-casing (IDNA maps nothing else in them). */
const HOST_RAW = asciiTable(`${ALNUM}-._`);
const HEX_DIGITS = '0123456789ABCDEF';

/**
 * What each ASCII character means to the host and path scans, in one table read per character
 * rather than a chain of comparisons: these loops are most of a lookup's canonicalisation.
 */
const HOST_PLAIN = 0;
const HOST_UPPER = 1;
const HOST_END = 2;
const HOST_COLON = 3;
const HOST_DOT = 4;
/** Credentials, brackets, backslashes, spaces and DEL: the full path decides. */
const HOST_REFUSE = 5;
/** Printable but not left alone by every parser, or not ASCII (not in the table): the host goes to the URL parser. */
const HOST_OTHER = 6;
const HOST_CLASS = new Uint8Array(128).map((_unused, code) => {
  if (code === SLASH || code === QUESTION || code === HASH) return HOST_END;
  if (code === COLON) return HOST_COLON;
  if (code === DOT) return HOST_DOT;
  if (code <= SPACE || code === DEL || code === AT || code === BACKSLASH || code === OPEN_BRACKET || code === CLOSE_BRACKET) return HOST_REFUSE;
  if (code >= 0x41 && code <= 0x5a) return HOST_UPPER;
  return HOST_RAW[code] ? HOST_PLAIN : HOST_OTHER;
});

const PATH_PLAIN = 0;
const PATH_SLASH = 1;
const PATH_END = 2;
const PATH_PERCENT = 3;
/** Spaces, controls, DEL, backslashes and anything non-ASCII: the full path decides. */
const PATH_REFUSE = 4;
/** Printable, but escaped in a normalised path. */
const PATH_ESCAPE = 5;
const PATH_CLASS = new Uint8Array(128).map((_unused, code) => {
  if (code === QUESTION || code === HASH) return PATH_END;
  if (code === SLASH) return PATH_SLASH;
  if (code <= SPACE || code >= DEL || code === BACKSLASH) return PATH_REFUSE;
  if (code === PERCENT) return PATH_PERCENT;
  return PATH_RAW[code] ? PATH_PLAIN : PATH_ESCAPE;
});

/**
 * The run of a path that needs no normalising, matched where the path starts (sticky): segments of
 * characters a normalised path carries raw, each after one slash that starts no dot segment and no
 * empty one. The path scan resumes where it stops, so it reads only what needs its attention: the
 * expression engine reads such a run in under half the time of the scan's charCodeAt loop (issue
 * 4, lookup p99).
 */
const PLAIN_PATH_RUN = /(?:\/(?![./]|%2[eE])[A-Za-z0-9\-._~!$&'()*+,;=:@]*)*/y;

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

function escapeByte(code: number): string {
  return `%${HEX_DIGITS[code >> 4]!}${HEX_DIGITS[code & 15]!}`;
}

/**
 * Hosts that need IDNA or IPv4 parsing (non-ASCII, `xn--` labels, a numeric last label,
 * escapes), as the URL parser reads them (without trailing dots), or null when it refuses them:
 * an open-addressing table of the hosts as written, found by a hash of the host's characters.
 * Bounded: a reader visits few such hosts, and a bulk lookup over many empties the table when it
 * is half full.
 *
 * A slot keeps all that the rest of the fast path derives from the host, so that a cached host
 * costs its hash, one comparison and reads of the slot: its host without `www.`, whether it is the
 * host as written (keys may then be slices of the address) and whether a wrapper may be
 * recognised by it (`mayUnwrap`, a regular expression run on each ordinary host). The host as
 * written is kept as a string of its own rather than a slice of the address it was first seen
 * in, one memory read fewer. Such hosts took three times an ordinary host's canonicalisation
 * (about 1 µs more in a pass over 300k addresses), and were a quarter to a third of the lookups
 * above the p99 (issue 4, lookup p99); the slot halves the difference.
 */
const PARSED_HOST_SLOTS = 1024;
const parsedHostKeys: Array<string | undefined> = new Array<string | undefined>(PARSED_HOST_SLOTS).fill(undefined);
const parsedHostnames: Array<string | null> = new Array<string | null>(PARSED_HOST_SLOTS).fill(null);
/** The hostname without `www.` (`hostWithoutWww`), or '' when the parser refuses the host. */
const parsedHostHosts: string[] = new Array<string>(PARSED_HOST_SLOTS).fill('');
const AS_WRITTEN = 1;
const MAY_UNWRAP = 2;
/** AS_WRITTEN and MAY_UNWRAP flags of each slot. */
const parsedHostFlags = new Uint8Array(PARSED_HOST_SLOTS);
let parsedHostCount = 0;

/** The slot of the parsed-host table that holds `address[start, end)`, found or filled. */
function parsedHostSlot(address: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ address.charCodeAt(i), 16777619);
  const home = hash >>> 22;
  let slot = home;
  // A slice compared whole: about half the time of `startsWith` at a position, on a host's length.
  const raw = address.slice(start, end);
  for (let key = parsedHostKeys[slot]; key !== undefined; key = parsedHostKeys[slot]) {
    if (key === raw) return slot;
    slot = (slot + 1) & (PARSED_HOST_SLOTS - 1);
  }
  let hostname: string | null;
  try {
    hostname = hostWithoutDots(new URL(`http://${raw}/`).hostname);
  } catch {
    hostname = null;
  }
  if (parsedHostCount === PARSED_HOST_SLOTS / 2) {
    parsedHostKeys.fill(undefined);
    parsedHostCount = 0;
    slot = home;
  }
  const host = hostname ? hostWithoutWww(hostname) : '';
  parsedHostKeys[slot] = raw.split('').join('');
  parsedHostnames[slot] = hostname;
  parsedHostHosts[slot] = host;
  parsedHostFlags[slot] = (hostname === raw ? AS_WRITTEN : 0) | (host && mayUnwrap(host) ? MAY_UNWRAP : 0);
  parsedHostCount++;
  return slot;
}

/** Whether the host label starting at `at` starts with `xn--` (a punycode label, which IDNA checks and re-encodes). */
function isPunycodeLabel(address: string, at: number): boolean {
  return (address.charCodeAt(at) | 0x20) === 0x78 && (address.charCodeAt(at + 1) | 0x20) === 0x6e && address.charCodeAt(at + 2) === 0x2d && address.charCodeAt(at + 3) === 0x2d;
}

/** `+` as space, then percent-decoding as UTF-8; undefined when an escape is malformed (the full path decides then). */
function formDecode(text: string): string | undefined {
  if (text.indexOf('%') === -1 && text.indexOf('+') === -1) return text;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** The application/x-www-form-urlencoded serializer, as URLSearchParams#toString applies it. */
function formEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) out += FORM_RAW[code] ? text[i]! : code === SPACE ? '+' : escapeByte(code);
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair (decoding valid UTF-8 never leaves a lone one) is one UTF-8 sequence.
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else out += encodeURIComponent(text[i]!);
  }
  return out;
}

function compareParams(aName: string, aValue: string, bName: string, bValue: string): number {
  return aName < bName ? -1 : aName > bName ? 1 : aValue < bValue ? -1 : aValue > bValue ? 1 : 0;
}

/**
 * The query as the full path's `normaliseQuery` gives it (tracking parameters dropped, the rest
 * sorted by name then value, serialized as URLSearchParams does), from `address[from, to)`;
 * undefined when a character or an escape is one the fast path leaves to the full path. A
 * parameter written as it decodes (no escape, no `+`, nothing the serializer escapes) is tested
 * where it stands, so a dropped one makes no string; the first kept one makes no array.
 *
 * A parameter whose name as written tracks the reader whatever its value (`isTrackingNameAt`) is
 * dropped without its value being read: the scan goes on after the next `&` (a native search). Its
 * value cannot change the full path's answer, whatever it holds: the URL parser only escapes a
 * query's characters and removes tabs and newlines, so no character of it moves where the next
 * parameter starts, and the name alone drops it. Such values are most of a visited address's query
 * (`utm_…`, `fbclid`), and reading them one character at a time was most of a query's cost
 * (issue 4, lookup p99).
 */
function fastQuery(address: string, from: number, to: number): string | undefined {
  let kept = 0;
  let firstName = '';
  let firstValue = '';
  let firstText = '';
  let names: string[] | null = null;
  let values: string[] | null = null;
  let texts: string[] | null = null;
  for (let start = from; start <= to; ) {
    let end = start;
    let raw = true;
    for (; end < to; end++) {
      const code = address.charCodeAt(end);
      if (code === AMPERSAND || code === EQUALS) break;
      if (code <= SPACE || code >= DEL) return undefined;
      if (!FORM_RAW[code]) raw = false;
    }
    const nameEnd = end;
    if (raw && isTrackingNameAt(address, start, nameEnd)) {
      const next = address.indexOf('&', nameEnd);
      start = next === -1 || next > to ? to + 1 : next + 1;
      continue;
    }
    const equals = end < to && address.charCodeAt(end) === EQUALS ? end : -1;
    if (equals !== -1) {
      for (end++; end < to; end++) {
        const code = address.charCodeAt(end);
        if (code === AMPERSAND) break;
        if (code <= SPACE || code >= DEL) return undefined;
        if (!FORM_RAW[code]) raw = false;
      }
    }
    const valueStart = equals === -1 ? end : equals + 1;
    if (end > start && !(raw && isAmpMarkerAt(address, start, nameEnd, valueStart, end))) {
      let name: string | undefined = address.slice(start, nameEnd);
      let value: string | undefined = address.slice(valueStart, end);
      if (!raw) {
        name = formDecode(name);
        value = formDecode(value);
        if (name === undefined || value === undefined) return undefined;
      }
      // A parameter as written was tested where it stands; a decoded one is tested now.
      if (raw || !isTrackingParam(name, value)) {
        const text = raw ? (equals === -1 ? `${name}=` : address.slice(start, end)) : `${formEncode(name)}=${formEncode(value)}`;
        if (kept === 0) {
          firstName = name;
          firstValue = value;
          firstText = text;
        } else {
          names ??= [firstName];
          values ??= [firstValue];
          texts ??= [firstText];
          // Insertion sort, stable as Array#sort is: queries hold a handful of parameters.
          let at = names.length;
          while (at > 0 && compareParams(names[at - 1]!, values[at - 1]!, name, value) > 0) at--;
          names.splice(at, 0, name);
          values.splice(at, 0, value);
          texts.splice(at, 0, text);
        }
        kept++;
      }
    }
    start = end + 1;
  }
  if (kept === 0) return '';
  return kept === 1 ? firstText : texts!.join('&');
}

/** The canonical address of `address` when it has the common shape, or undefined (see above). */
export function canonicaliseFast(address: string): CanonicalAddress | undefined {
  let hostStart: number;
  if (address.startsWith('https://')) hostStart = 8;
  else if (address.startsWith('http://')) hostStart = 7;
  else return undefined;
  // Whitespace at the end would be trimmed by the full path; keep it simple and decline.
  const lastCode = address.charCodeAt(address.length - 1);
  if (!(lastCode > SPACE && lastCode < DEL)) return undefined;
  return fastCanonical(address, hostStart, false);
}

/**
 * The canonical address of the address whose host starts at `hostStart` (after its scheme: http
 * and https are one). An AMP cache's address as written
 * (`https://x.cdn.ampproject.org/c/s/host/path?query`, a path that needs no normalisation) is the
 * address it serves, the wrapped shape readers follow most: that address is read where it stands
 * in the cache's path (`servedByAmpCache`), scanned once and with no string made for it. The full
 * path's parses, regular expressions and second parse made such an address 30 µs and more, and a
 * string built for the served address cost more than the scan of an ordinary one (issue 4, lookup
 * p99). Any other wrapper, a wrapper inside the cache's address, and a served path that needs
 * normalising go to the full path.
 */
function fastCanonical(address: string, hostStart: number, servedByAmpCache: boolean): CanonicalAddress | undefined {
  const length = address.length;
  let i = hostStart;

  // Authority: host, then an optional port; no credentials, brackets or backslashes. The same scan
  // tells whether the host needs the URL parser: a label starting `xn--` is checked and re-encoded
  // by IDNA, and a last label starting with a digit may be an IPv4 number.
  let plainHost = true;
  let upperCase = false;
  let punycode = false;
  let labelStart = i;
  /** Start of the last non-empty label, or -1. */
  let lastLabel = -1;
  for (; i < length; i++) {
    const code = address.charCodeAt(i);
    const kind = code < 0x80 ? HOST_CLASS[code]! : HOST_OTHER;
    if (kind === HOST_PLAIN) continue;
    if (kind === HOST_DOT) {
      if (i > labelStart) {
        lastLabel = labelStart;
        if (i - labelStart >= 4 && isPunycodeLabel(address, labelStart)) punycode = true;
      }
      labelStart = i + 1;
      continue;
    }
    if (kind === HOST_UPPER) upperCase = true;
    else if (kind === HOST_END || kind === HOST_COLON) break;
    else if (kind === HOST_REFUSE) return undefined;
    else plainHost = false;
  }
  const hostEnd = i;
  if (hostEnd > labelStart) {
    lastLabel = labelStart;
    if (hostEnd - labelStart >= 4 && isPunycodeLabel(address, labelStart)) punycode = true;
  }
  let colon = -1;
  if (i < length && address.charCodeAt(i) === COLON) {
    colon = i;
    for (i++; i < length; i++) {
      const code = address.charCodeAt(i);
      if (code === SLASH || code === QUESTION || code === HASH) break;
      if (code < 0x30 || code > 0x39) return undefined;
    }
  }
  if (hostEnd === hostStart) return undefined;
  const lastLabelCode = lastLabel === -1 ? 0 : address.charCodeAt(lastLabel);
  const needsParser = punycode || lastLabel === -1 || (lastLabelCode >= 0x30 && lastLabelCode <= 0x39);
  let hostname: string;
  let host: string;
  /** Whether the hostname is the host as written (so keys may be slices of the address). */
  let hostAsWritten: boolean;
  let wrapperHost: boolean;
  if (plainHost && !needsParser) {
    const written = address.slice(hostStart, hostEnd);
    hostname = hostWithoutDots(upperCase ? written.toLowerCase() : written);
    if (hostname === '') return undefined;
    hostAsWritten = !upperCase && hostname.length === written.length;
    host = hostWithoutWww(hostname);
    wrapperHost = mayUnwrap(host);
  } else {
    const slot = parsedHostSlot(address, hostStart, hostEnd);
    const parsed = parsedHostnames[slot];
    if (!parsed) return undefined;
    hostname = parsed;
    host = parsedHostHosts[slot]!;
    const flags = parsedHostFlags[slot]!;
    hostAsWritten = (flags & AS_WRITTEN) !== 0;
    wrapperHost = (flags & MAY_UNWRAP) !== 0;
  }
  if (wrapperHost) {
    if (servedByAmpCache || colon !== -1 || !isAmpCacheHost(host)) return undefined;
    const servedHostStart = ampCacheOriginAt(address, i);
    return servedHostStart === -1 ? undefined : fastCanonical(address, servedHostStart, true);
  }

  // http and https are one, so both default ports are dropped, whichever scheme carries them.
  let port = '';
  if (colon !== -1 && colon + 1 < i) {
    let value = 0;
    for (let p = colon + 1; p < i; p++) {
      value = value * 10 + address.charCodeAt(p) - 0x30;
      if (value > 65535) return undefined;
    }
    if (value !== 80 && value !== 443) port = `:${value}`;
  }

  // Path: slashes collapsed, unreserved escapes decoded, other escapes upper-cased, what the RFC
  // forbids raw escaped, no trailing slash; a dot segment (`.`, `..`, `%2e`…) goes to the full path.
  const pathStart = i;
  let built: string | null = null;
  let copyFrom = i;
  // The run ends before a slash that starts a dot segment or follows a slash, or before a character
  // that is not plain: either way, the character before it is no slash the scan would collapse.
  PLAIN_PATH_RUN.lastIndex = i;
  PLAIN_PATH_RUN.test(address);
  i = PLAIN_PATH_RUN.lastIndex;
  let previousSlash = false;
  for (; i < length; i++) {
    const code = address.charCodeAt(i);
    const kind = code < 0x80 ? PATH_CLASS[code]! : PATH_REFUSE;
    if (kind === PATH_PLAIN) {
      previousSlash = false;
      continue;
    }
    if (kind === PATH_END) break;
    if (kind === PATH_SLASH) {
      const next = address.charCodeAt(i + 1);
      if (next === DOT || (next === PERCENT && address.charCodeAt(i + 2) === 0x32 && (address.charCodeAt(i + 3) | 0x20) === 0x65)) return undefined;
      if (previousSlash) {
        built = (built ?? '') + address.slice(copyFrom, i);
        copyFrom = i + 1;
      }
      previousSlash = true;
      continue;
    }
    previousSlash = false;
    if (kind === PATH_REFUSE) return undefined;
    if (kind === PATH_PERCENT) {
      const high = hexValue(address.charCodeAt(i + 1));
      const low = hexValue(address.charCodeAt(i + 2));
      if (high === -1 || low === -1) {
        built = `${built ?? ''}${address.slice(copyFrom, i)}%25`;
        copyFrom = i + 1;
        continue;
      }
      const byte = high * 16 + low;
      if (byte < 0x80 && UNRESERVED[byte]) {
        built = (built ?? '') + address.slice(copyFrom, i) + String.fromCharCode(byte);
        copyFrom = i + 3;
      } else if (address.charCodeAt(i + 1) >= 0x61 || address.charCodeAt(i + 2) >= 0x61) {
        built = (built ?? '') + address.slice(copyFrom, i) + escapeByte(byte);
        copyFrom = i + 3;
      }
      i += 2;
      continue;
    }
    // PATH_ESCAPE: what the RFC forbids raw.
    built = (built ?? '') + address.slice(copyFrom, i) + escapeByte(code);
    copyFrom = i + 1;
  }
  // The wrapper rules read the cache's path normalised; one that needs no normalisation reads alike.
  if (servedByAmpCache && built !== null) return undefined;
  const trailingSlash = built === null && i - 1 > pathStart && address.charCodeAt(i - 1) === SLASH;
  // A path that needs no change, after a host that needs none and no port, is one slice of the
  // address with the host: no concatenation to build now, and none for the index to flatten when
  // it hashes the key.
  const contiguous = built === null && i > pathStart && colon === -1 && hostAsWritten;
  let pathKey: string;
  if (contiguous) pathKey = address.slice(hostEnd - host.length, trailingSlash ? i - 1 : i);
  else {
    let path: string;
    if (i === pathStart) path = '/';
    else if (built === null) path = address.slice(pathStart, trailingSlash ? i - 1 : i);
    else {
      path = built + address.slice(copyFrom, i);
      if (path.length > 1 && path.charCodeAt(path.length - 1) === SLASH) path = path.slice(0, -1);
    }
    pathKey = host + port + path;
  }
  let query = '';
  if (i < length && address.charCodeAt(i) === QUESTION) {
    const hash = address.indexOf('#', i + 1);
    const result = fastQuery(address, i + 1, hash === -1 ? length : hash);
    if (result === undefined) return undefined;
    query = result;
  }
  if (!query) return { key: pathKey, pathKey, hostname };
  // Likewise the key, when the query kept is the address's own, as written.
  const key = contiguous && !trailingSlash && address.startsWith(query, i + 1) ? address.slice(hostEnd - host.length, i + 1 + query.length) : `${pathKey}?${query}`;
  return { key, pathKey, hostname };
}
