import type { FieldPath } from './types';

/**
 * Finds the line (1-based, in the whole file) where a field of block-style YAML front matter
 * starts, so that errors can say FILE:LINE. It follows indentation only; when the path cannot be
 * followed (flow style, JSON front matter) it falls back to the deepest ancestor it found.
 *
 * `lines` are the front matter's lines and `firstLine` is the file line of lines[0].
 */
export function locateField(lines: readonly string[], firstLine: number, path: FieldPath): number {
  let line = -1;
  let from = 0;
  let to = lines.length;
  let parentIndent = -1;
  for (const step of path) {
    const isItem = typeof step === 'number';
    const found = isItem ? findItem(lines, from, to, parentIndent, step) : findKey(lines, from, to, parentIndent, step);
    if (found === -1) break;
    line = found;
    const indent = indentOf(lines[found]!);
    // An item's first key sits on the item's own line, right after "- ".
    parentIndent = isItem ? indent - 1 : indent;
    from = isItem ? found : found + 1;
    to = blockEnd(lines, found, isItem);
  }
  return firstLine + Math.max(line, 0);
}

function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

function isContent(text: string): boolean {
  const trimmed = text.trim();
  return trimmed !== '' && !trimmed.startsWith('#');
}

/** The line after the block that starts at `start`: the next content line indented no deeper. */
function blockEnd(lines: readonly string[], start: number, isItem: boolean): number {
  const indent = indentOf(lines[start]!);
  for (let i = start + 1; i < lines.length; i++) {
    const text = lines[i]!;
    if (!isContent(text)) continue;
    const own = indentOf(text);
    if (own > indent) continue;
    // YAML lets a key's sequence items sit at the key's own indentation.
    if (!isItem && own === indent && text.trimStart().startsWith('-')) continue;
    return i;
  }
  return lines.length;
}

const ANY_KEY = /^(?:- +)?(?:"[^"]*"|'[^']*'|[^\s:#'"][^:#]*?)\s*:(?:\s|$)/;

/** Where a line's key starts: after its indentation and, on a sequence item's line, after "- ". */
function keyColumn(text: string): number {
  const item = /^(\s*)-\s+/.exec(text);
  return item ? item[0].length : indentOf(text);
}

/**
 * Finds `key` among the direct children of the block: only lines whose key starts at the first
 * child's column count, so a nested field of the same name (images[0].title) never stands in.
 */
function findKey(lines: readonly string[], from: number, to: number, parentIndent: number, key: string): number {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^(?:- +)?["']?${escaped}["']?\\s*:`);
  let childColumn = -1;
  for (let i = from; i < to; i++) {
    const text = lines[i]!;
    // Lines that hold no key (a JSON brace, a bare list item) say nothing about the children's column.
    if (!ANY_KEY.test(text.trimStart()) || keyColumn(text) <= parentIndent) continue;
    if (childColumn === -1) childColumn = keyColumn(text);
    if (keyColumn(text) === childColumn && pattern.test(text.trimStart())) return i;
  }
  return -1;
}

function findItem(lines: readonly string[], from: number, to: number, parentIndent: number, index: number): number {
  let seen = -1;
  let itemIndent = -1;
  for (let i = from; i < to; i++) {
    const text = lines[i]!;
    if (!text.trimStart().startsWith('-') || indentOf(text) < parentIndent) continue;
    if (itemIndent === -1) itemIndent = indentOf(text);
    if (indentOf(text) !== itemIndent) continue;
    if (++seen === index) return i;
  }
  return -1;
}
