/**
 * A fast parser for the strict YAML subset seeds are written in, used in front of js-yaml (issue 4:
 * js-yaml 3 parses only a few thousand seeds a second on a core, most of a cold build's time).
 *
 * It answers only when it is sure js-yaml's safeLoad would return the same value without an error,
 * and returns NOT_SUBSET otherwise, so the caller runs js-yaml itself: every value, and every error
 * message and location of a bad seed, stays what it was. tests/unit/fast-yaml.test.ts checks the
 * agreement with fast-check and over real and generated corpora.
 *
 * The subset: a block mapping at column 0; nested block mappings and block sequences (each more
 * indented than its parent key, a sequence item's mapping starting on the "- " line); keys of
 * letters, digits and _; double-quoted strings with the common escapes and single-quoted strings,
 * each on one line; plain scalars that are surely strings, plus decimal integers, true/false/null/~
 * and js-yaml timestamps (built exactly as js-yaml builds them). Anything else — comments, tabs,
 * CR, flow collections, anchors, aliases, tags, block scalars, multi-line scalars, duplicate keys,
 * `__proto__`, odd indentation, floats, octals — is NOT_SUBSET.
 *
 * Work is linear in the text (each line is looked at once, each character a bounded number of
 * times) and nesting is capped, so a hostile seed cannot make this slow; it falls to js-yaml,
 * whose own bounds hold.
 */
export const NOT_SUBSET: unique symbol = Symbol('not in the seed YAML subset');

export type FastYamlValue = string | number | boolean | null | Date | FastYamlValue[] | { [key: string]: FastYamlValue };

/** Deeper nesting than any seed has (they use 3 levels); deeper text goes to js-yaml. */
const MAX_DEPTH = 32;
/** Keys longer than this are no seed's; js-yaml has its own rules for long implicit keys. */
const MAX_KEY_CHARS = 128;

/**
 * Characters js-yaml refuses (non-printable: its PATTERN_NON_PRINTABLE), treats specially (BOM) or
 * that are line breaks to some readers (NEL, LS, PS), plus tab and CR: any of these anywhere sends
 * the whole text to js-yaml, as does a lone surrogate. One pass finds them and every surrogate;
 * a surrogate pair (an emoji) is stepped over.
 */
// eslint-disable-next-line no-control-regex
const UNUSUAL_OR_SURROGATE = /[\x00-\x09\x0B-\x1F\x7F-\x9F\uFEFF\uFFFE\uFFFF\u2028\u2029\uD800-\uDFFF]/g;

function hasUnusualChars(source: string): boolean {
  UNUSUAL_OR_SURROGATE.lastIndex = 0;
  // Most text has none: one test() finds that without building a match array.
  if (!UNUSUAL_OR_SURROGATE.test(source)) return false;
  UNUSUAL_OR_SURROGATE.lastIndex = 0;
  for (let match = UNUSUAL_OR_SURROGATE.exec(source); match; match = UNUSUAL_OR_SURROGATE.exec(source)) {
    const code = source.charCodeAt(match.index);
    if (code < 0xd800 || code > 0xdbff) return true; // not a high surrogate (a low one here is lone)
    const next = source.charCodeAt(match.index + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
    UNUSUAL_OR_SURROGATE.lastIndex = match.index + 2;
  }
  return false;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A sequence item that opens a mapping: `- key: …` or `- key:`. */
const ITEM_KEY = /^[A-Za-z_][A-Za-z0-9_]*:(?: |$)/;
/** Words js-yaml's core schema reads as null or booleans (it has no yes/no/on/off). */
const WORDS: ReadonlyMap<string, null | boolean> = new Map<string, null | boolean>([
  ['null', null], ['Null', null], ['NULL', null], ['~', null],
  ['true', true], ['True', true], ['TRUE', true],
  ['false', false], ['False', false], ['FALSE', false],
]);
/** Decimal integers exactly representable as numbers; no sign on 0 (js-yaml reads -0 as 0), no leading zeros (octal). */
const INTEGER = /^(?:0|-?[1-9][0-9]{0,14})$/;
/** js-yaml 3's timestamp patterns (type/timestamp.js), copied so the Date is built the same way. */
const YAML_DATE = /^([0-9][0-9][0-9][0-9])-([0-9][0-9])-([0-9][0-9])$/;
const YAML_TIMESTAMP = /^([0-9][0-9][0-9][0-9])-([0-9][0-9]?)-([0-9][0-9]?)(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?$/;
/**
 * First characters of plain scalars that js-yaml may read as something other than a string
 * (numbers, timestamps, `.inf`, `~`, the merge key `<<`) or not as a plain scalar at all
 * (indicators): such a scalar is taken only when it is a decimal integer or a timestamp.
 */
const NUMERIC_START = '-+.0123456789~<';
const INDICATORS = '?:,[]{}#&*!|>\'"%@`';

/** js-yaml's one-character escapes in double-quoted scalars (loader.js simpleEscapeSequence). */
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\x00', a: '\x07', b: '\x08', t: '\x09', n: '\x0A', v: '\x0B', f: '\x0C', r: '\x0D', e: '\x1B',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xA0', L: '\u2028', P: '\u2029',
};

/** Keys seen before, so each is checked once and used as one string (a property key V8 has interned). */
const KNOWN_KEYS = new Map<string, string>();
/** Seeds use a few dozen keys; a hostile corpus must not grow the map without bound. */
const MAX_KNOWN_KEYS = 1000;

/** A mapping key in the subset, as the string to store it under. */
function checkedKey(key: string): string {
  const known = KNOWN_KEYS.get(key);
  if (known !== undefined) return known;
  if (!KEY.test(key) || WORDS.has(key) || key === '__proto__') fail();
  if (KNOWN_KEYS.size < MAX_KNOWN_KEYS) KNOWN_KEYS.set(key, key);
  return key;
}

/**
 * The last key met in each slot of a small table, by its length and its first and last characters:
 * a line's key is usually found here with one comparison, without slicing it out of the line
 * and hashing it for KNOWN_KEYS (checkedKey was a tenth of the parser's profile, issue 4).
 */
const RECENT_KEYS: Array<string | undefined> = new Array<string | undefined>(256).fill(undefined);

/** The key of a mapping line, written before its first colon (at `colon`, > 0): checkedKey of it. */
function lineKey(text: string, colon: number): string {
  const slot = (colon * 7 + text.charCodeAt(0) * 3 + text.charCodeAt(colon - 1)) & 255;
  const recent = RECENT_KEYS[slot];
  if (recent !== undefined && recent.length === colon && text.startsWith(recent)) return recent;
  const key = checkedKey(text.slice(0, colon));
  RECENT_KEYS[slot] = key;
  return key;
}

class NotSubset extends Error {}
const notSubset = new NotSubset();

function fail(): never {
  throw notSubset;
}

function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The form seeds use, YYYY-MM-DDTHH:MM:SSZ, without regular expressions: what js-yaml builds for
 * it (new Date(Date.UTC(…)), no fraction, no offset); null for any other text.
 */
function utcTimestamp(text: string): Date | null {
  if (text.length !== 20 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d || text.charCodeAt(10) !== 0x54 /* T */) return null;
  if (text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a || text.charCodeAt(19) !== 0x5a /* Z */) return null;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  // Any part that is not all digits is -1, which makes the bitwise or negative.
  if ((year | month | day | hour | minute | second) < 0) return null;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, 0));
}

/** js-yaml's constructYamlTimestamp, for text that matches one of its two patterns; null otherwise. */
function timestamp(text: string): Date | null {
  const utc = utcTimestamp(text);
  if (utc) return utc;
  const match = YAML_DATE.exec(text) ?? YAML_TIMESTAMP.exec(text);
  if (!match) return null;
  const year = +match[1]!;
  const month = +match[2]! - 1;
  const day = +match[3]!;
  if (!match[4]) return new Date(Date.UTC(year, month, day));
  let fraction = 0;
  if (match[7]) fraction = +match[7].slice(0, 3).padEnd(3, '0');
  let delta = 0;
  if (match[9]) {
    delta = (+match[10]! * 60 + +(match[11] ?? 0)) * 60000;
    if (match[9] === '-') delta = -delta;
  }
  const date = new Date(Date.UTC(year, month, day, +match[4], +match[5]!, +match[6]!, fraction));
  if (delta) date.setTime(date.getTime() - delta);
  return date;
}

function plainScalar(text: string): FastYamlValue {
  const first = text[0]!;
  if (NUMERIC_START.includes(first)) {
    // INTEGER has at most 16 characters: a timestamp (20) is not tried against it.
    if (text.length <= 16 && INTEGER.test(text)) return Number(text);
    if (first === '~' && text.length === 1) return null;
    return timestamp(text) ?? fail();
  }
  if (INDICATORS.includes(first)) fail();
  // A plain scalar ends at ": " and " #"; one with either (or ending in ":") is not one scalar.
  if (text.includes(': ') || text.includes(' #') || text.endsWith(':')) fail();
  // No word is longer than 5 characters: longer text needs no hashing to know it is none.
  const word = text.length <= 5 ? WORDS.get(text) : undefined;
  return word === undefined ? text : word;
}

/** The double-quoted scalar that opens at `open` in `text` and must end it. */
function doubleQuoted(text: string, open: number): string {
  // Most strings have no escapes: one search for the closing quote.
  if (!text.includes('\\', open)) {
    if (text.indexOf('"', open + 1) !== text.length - 1) fail();
    return text.slice(open + 1, -1);
  }
  let out = '';
  let start = open + 1;
  for (let i = open + 1; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x22 /* " */) {
      // Only trailing spaces (trimmed already) may follow the closing quote.
      if (i !== text.length - 1) fail();
      return out + text.slice(start, i);
    }
    if (char === 0x5c /* \ */) {
      out += text.slice(start, i);
      const escape = text[i + 1];
      if (escape === undefined) fail();
      const simple = SIMPLE_ESCAPES[escape];
      if (simple !== undefined && Object.hasOwn(SIMPLE_ESCAPES, escape)) {
        out += simple;
        i += 1;
      } else if (escape === 'x' || escape === 'u') {
        const length = escape === 'x' ? 2 : 4;
        const hex = text.slice(i + 2, i + 2 + length);
        if (hex.length !== length || !/^[0-9A-Fa-f]+$/.test(hex)) fail();
        out += String.fromCharCode(parseInt(hex, 16));
        i += 1 + length;
      } else fail();
      start = i + 1;
    }
  }
  return fail(); // no closing quote on this line: a multi-line scalar
}

function singleQuoted(text: string): string {
  let out = '';
  let start = 1;
  for (let i = 1; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x27 /* ' */) continue;
    if (text.charCodeAt(i + 1) === 0x27) {
      out += text.slice(start, i + 1);
      i += 1;
      start = i + 1;
      continue;
    }
    if (i !== text.length - 1) fail();
    return out + text.slice(start, i);
  }
  return fail();
}

/** The scalar written in `text` from `start` (after "key: " or "- ") to its end, trailing spaces removed; never empty. */
function scalar(text: string, start: number): FastYamlValue {
  const first = text.charCodeAt(start);
  // A double-quoted scalar is sliced once, without its quotes: most of a seed's long strings are.
  if (first === 0x22) return doubleQuoted(text, start);
  const rest = start === 0 ? text : text.slice(start);
  return first === 0x27 ? singleQuoted(rest) : plainScalar(rest);
}

interface Line {
  indent: number;
  /** The line after its indentation, trailing spaces removed; never empty. */
  text: string;
}

/**
 * The lines of `source` that are not blank. `lineText(start, end)` gives the text of a line from
 * its first to its last character other than a space (`source` positions).
 */
function lex(source: string, lineText: (start: number, end: number) => string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= source.length) {
    let end = source.indexOf('\n', start);
    if (end === -1) end = source.length;
    let indent = start;
    while (source.charCodeAt(indent) === 0x20) indent++;
    let last = end;
    while (last > indent && source.charCodeAt(last - 1) === 0x20) last--;
    if (last > indent) {
      const text = lineText(indent, last);
      // Comments, and document markers at column 0 ("..."; "---" cannot occur: gray-matter cuts there).
      if (text.charCodeAt(0) === 0x23 /* # */) fail();
      lines.push({ indent: indent - start, text });
    }
    start = end + 1;
  }
  return lines;
}

/**
 * A front matter block as UTF-8 bytes, for parsing without decoding it whole (issue 4): `latin1`
 * has one character per byte, so it is the text itself wherever the bytes are ASCII, and
 * `utf8(start, end)` decodes the bytes from `start` to `end`.
 */
export interface EncodedBlock {
  latin1: string;
  utf8(start: number, end: number): string;
}

/**
 * In a Latin-1 view of UTF-8 bytes, what makes a line more than plain ASCII text: the control
 * characters UNUSUAL_OR_SURROGATE has below U+0080, and every byte of a character beyond ASCII
 * (0x80 and up). Such a line is decoded on its own and checked as parseSeedYaml checks text.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_OR_NOT_ASCII = /[\x00-\x09\x0B-\x1F\x7F-\xFF]/g;

/**
 * Where CONTROL_OR_NOT_ASCII next matches in `source` from `from`, or source.length. test() rather
 * than exec(): a seed has a dozen such lines, and exec builds a match array for each.
 */
function nextControlOrNotAscii(source: string, from: number): number {
  CONTROL_OR_NOT_ASCII.lastIndex = from;
  return CONTROL_OR_NOT_ASCII.test(source) ? CONTROL_OR_NOT_ASCII.lastIndex - 1 : source.length;
}

/**
 * The lines of an encoded block, as lex(decoded block) gives them. Most of a seed is ASCII: an
 * ASCII line is a slice of the Latin-1 view (~1 µs for a 3.5 KB seed, where decoding it as UTF-8
 * takes ~7), and a one-byte string, where slices of a seed decoded whole are two-byte strings as
 * soon as it holds one curly quote. Spaces and line breaks are single bytes in UTF-8, never part
 * of a longer character, so lines, indentation and trailing spaces are found on the bytes, and a
 * line decoded on its own is that line of the whole text.
 */
function lexEncoded(block: EncodedBlock): Line[] {
  const source = block.latin1;
  let unusual = nextControlOrNotAscii(source, 0);
  return lex(source, (start, end) => {
    if (unusual >= end) return source.slice(start, end);
    // Only spaces precede `start` on its line: the byte found is in this line, which is checked as text.
    const text = block.utf8(start, end);
    if (hasUnusualChars(text)) fail();
    unusual = nextControlOrNotAscii(source, end);
    return text;
  });
}

class Parser {
  private position = 0;

  constructor(private readonly lines: readonly Line[]) {}

  document(): FastYamlValue {
    const first = this.lines[0];
    if (!first || first.indent !== 0 || first.text.startsWith('- ') || first.text === '-') fail();
    const value = this.mapping(0, null, 0);
    if (this.position !== this.lines.length) fail();
    return value;
  }

  /** A block mapping whose keys are at `indent`; `inline` is its first entry when it opens a sequence item. */
  private mapping(indent: number, inline: string | null, depth: number): { [key: string]: FastYamlValue } {
    if (depth > MAX_DEPTH) fail();
    const result: { [key: string]: FastYamlValue } = {};
    let text = inline;
    for (;;) {
      if (text === null) {
        const line = this.lines[this.position];
        if (!line || line.indent < indent) break;
        if (line.indent > indent) fail();
        text = line.text;
      }
      this.position++;
      const colon = text.indexOf(':');
      if (colon <= 0 || colon > MAX_KEY_CHARS) fail();
      const key = lineKey(text, colon);
      // Seen already, or inherited (toString, constructor): not a key this parser adds to a mapping.
      if (result[key] !== undefined) fail();
      let value: FastYamlValue;
      if (colon === text.length - 1) value = this.nested(indent, depth);
      else {
        if (text.charCodeAt(colon + 1) !== 0x20) fail();
        let start = colon + 2;
        while (text.charCodeAt(start) === 0x20) start++;
        value = scalar(text, start);
      }
      result[key] = value;
      text = null;
    }
    return result;
  }

  /** The value of a key written alone on its line (at `indent`): a block below it, or null. */
  private nested(indent: number, depth: number): FastYamlValue {
    const line = this.lines[this.position];
    if (!line || line.indent < indent) return null;
    if (line.indent === indent) {
      // A sequence may sit at its key's own indentation in YAML; not in the subset.
      if (line.text === '-' || line.text.startsWith('- ')) fail();
      return null;
    }
    if (line.text === '-' || line.text.startsWith('- ')) return this.sequence(line.indent, depth + 1);
    return this.mapping(line.indent, null, depth + 1);
  }

  private sequence(indent: number, depth: number): FastYamlValue[] {
    if (depth > MAX_DEPTH) fail();
    const result: FastYamlValue[] = [];
    for (;;) {
      const line = this.lines[this.position];
      if (!line || line.indent !== indent || !line.text.startsWith('- ')) break;
      const item = line.text.slice(2);
      // "-" alone, "-  x" (the item's column is unusual) and "- - x" (nested sequences) are not in the subset.
      if (item.charCodeAt(0) === 0x20 || item.startsWith('- ') || item === '-') fail();
      if (ITEM_KEY.test(item)) result.push(this.mapping(indent + 2, item, depth + 1));
      else {
        this.position++;
        result.push(scalar(item, 0));
      }
    }
    return result;
  }
}

/**
 * Parses `source` (a front matter block) when it is in the seed subset, as js-yaml's safeLoad
 * would; NOT_SUBSET when it is not, and js-yaml must decide.
 */
export function parseSeedYaml(source: string): FastYamlValue | typeof NOT_SUBSET {
  if (hasUnusualChars(source)) return NOT_SUBSET;
  return parseLines(() => lex(source, (start, end) => source.slice(start, end)));
}

/** parseSeedYaml of the block's decoded text, without decoding it whole. */
export function parseEncodedSeedYaml(block: EncodedBlock): FastYamlValue | typeof NOT_SUBSET {
  return parseLines(() => lexEncoded(block));
}

function parseLines(lines: () => Line[]): FastYamlValue | typeof NOT_SUBSET {
  try {
    return new Parser(lines()).document();
  } catch (error) {
    if (error === notSubset) return NOT_SUBSET;
    throw error;
  }
}
