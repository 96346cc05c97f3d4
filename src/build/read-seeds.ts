import { readdirSync, readFileSync, statSync } from 'node:fs';
import { normalize, relative, sep } from 'node:path';
import matter from 'gray-matter';
import { NOT_SUBSET, parseEncodedSeedYaml, parseSeedYaml } from '../core/seed/fast-yaml';
import { SEED_LIMITS } from '../core/seed/limits';
import { locateField } from '../core/seed/locate';
import type { SeedProblem } from '../core/seed/types';
import { validateSeed } from '../core/seed/validate';
import type { NamedSeed } from '../core/story/cluster';
import { canonicalise } from '../core/url/canonical';

export const SEED_EXTENSIONS = ['.md', '.txt'];

/**
 * Front matter languages a seed may use. gray-matter would also run `---js` and `---coffee`
 * front matter through eval; seeds are untrusted, so anything but YAML and JSON is refused
 * before gray-matter sees it.
 */
const SAFE_LANGUAGES = new Set(['', 'yaml', 'yml', 'json']);

function refuseCode(): never {
  throw new Error('executable front matter is not allowed');
}

/**
 * The front matter of a seed in the YAML subset (src/core/seed/fast-yaml.ts), parsed without
 * gray-matter or js-yaml: js-yaml 3 parses a few thousand seeds a second on a core, and gray-matter
 * adds a lookup in its cache keyed by the whole text and a Buffer copy of it to every call (issue 4).
 * NOT_SUBSET for anything else (a first line other than "---", no closing line, YAML outside the
 * subset): gray-matter and js-yaml then read the seed as before, so values, errors and their
 * locations are unchanged (tests/unit/fast-yaml.test.ts).
 *
 * This splits the text as gray-matter does: the block runs from after the opening "---" up to the
 * first "\n---". gray-matter answers {} without parsing a block that is empty once comment lines are
 * removed; the subset has no comment lines and no empty documents, so that case never gets here.
 */
function subsetFrontMatter(text: string): unknown {
  if (text.charCodeAt(3) !== 0x0a /* \n */) return NOT_SUBSET;
  const close = text.indexOf('\n---', 3);
  if (close === -1) return NOT_SUBSET;
  return parseSeedYaml(text.slice(3, close));
}

/** gray-matter ignores what an excerpt function returns. */
function skipExcerpt(): string {
  return '';
}

export interface SeedFileProblem extends SeedProblem {
  file: string;
}

export interface SeedReadResult {
  seeds: NamedSeed[];
  problems: SeedFileProblem[];
  /** Files with at least one problem, in order. */
  invalidFiles: string[];
  fileCount: number;
}

/** Splits a file into lines once, for locating fields; front matter starts after the first line. */
function frontMatterLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const end = lines.findIndex((line, index) => index > 0 && /^---\s*$/.test(line));
  return lines.slice(1, end === -1 ? lines.length : end);
}

function yamlErrorLine(error: unknown): number | null {
  const mark = (error as { mark?: { line?: number } }).mark;
  // js-yaml counts from 0 within the text after the opening ---, which starts with that line's
  // own line break: its line 0 is the rest of file line 1.
  return typeof mark?.line === 'number' ? mark.line + 1 : null;
}

/** Control characters and line separators: a terminal or editor acts on them (CR, ESC sequences) instead of printing them. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * The first line of a parser's message, with control characters escaped. Parsers quote the seed's
 * own text (JSON.parse: `Unexpected token 'a', "…" is not valid JSON`), and a CR or an ESC sequence
 * in a FILE:LINE: message would let a seed rewrite its own report on a terminal (issue 6,
 * tests/unit/seed-fuzz.test.ts).
 */
function firstLineOf(message: string): string {
  return escapeControls(message.split(/[\r\n]/)[0]!.slice(0, 200));
}

function escapeControls(text: string): string {
  return text.replace(CONTROL_CHARS, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface SeedTextResult {
  seed: NamedSeed['document'] | null;
  problems: SeedProblem[];
}

/**
 * Parses and validates one seed's text. Never throws: every failure becomes a located problem.
 * `canonicaliseUrl` checks addresses (see validateSeed).
 */
export function readSeedText(text: string, canonicaliseUrl: typeof canonicalise = canonicalise): SeedTextResult {
  // The limit is in bytes, as readSeeds measures files: 100,000 "€" are 100,000 characters but
  // 300,000 bytes, which text.length let through (issue 6, tests/unit/seed-fuzz.test.ts).
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > SEED_LIMITS.fileBytes) {
    return { seed: null, problems: [{ line: 1, message: `file is ${bytes} bytes; the limit is ${SEED_LIMITS.fileBytes}` }] };
  }
  if (text.includes('\u0000')) return { seed: null, problems: [{ line: 1, message: 'file is binary, not a text seed' }] };
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  if (!/^---/.test(firstLine)) return { seed: null, problems: [{ line: 1, message: 'has no front matter: the first line must be ---' }] };
  const language = firstLine.slice(3).trim().toLowerCase();
  if (!SAFE_LANGUAGES.has(language)) {
    // Quoted with escapes: the first line may hold a CR, which would garble a terminal report.
    return { seed: null, problems: [{ line: 1, message: `front matter language ${escapeControls(JSON.stringify(language.slice(0, 40)))} is not allowed; use YAML or JSON` }] };
  }
  let data: unknown;
  try {
    data = subsetFrontMatter(text);
    // `excerpt` as a function replaces gray-matter's excerpt step, which would call indexOf() with
    // the front matter's own `excerpt_separator`: an alias-bombed list there is stringified with
    // exponential cost, a hang (issue 6, tests/unit/seed-fuzz.test.ts). Seeds use no excerpts.
    if (data === NOT_SUBSET) data = matter(text, { engines: { javascript: refuseCode, coffee: refuseCode }, excerpt: skipExcerpt }).data;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { seed: null, problems: [{ line: yamlErrorLine(error) ?? 1, message: `front matter is not valid: ${firstLineOf(message)}` }] };
  }
  return validated(data, () => text, canonicaliseUrl);
}

/** validateSeed of a seed's front matter, located in the file's text (`text()`, asked for only when a problem needs it). */
function validated(data: unknown, text: () => string, canonicaliseUrl: typeof canonicalise): SeedTextResult {
  // Lines are split only when a problem needs locating: most seeds are valid, and splitting every
  // file costs a noticeable share of a large build.
  let lines: string[] | null = null;
  const result = validateSeed(data, (path) => locateField((lines ??= frontMatterLines(text())), 2, path), canonicaliseUrl);
  return result.ok ? { seed: result.document, problems: [] } : { seed: null, problems: result.problems };
}

const OPENING_LINE = Buffer.from('---\n');
const CLOSING_LINE = Buffer.from('\n---');

/**
 * readSeedText of a file's bytes decoded as UTF-8, without decoding them whole when the front
 * matter is in the YAML subset (parseEncodedSeedYaml): the build's workers read seeds as bytes,
 * and most of a seed's text is ASCII, which this leaves as one-byte strings (issue 4). Every
 * other file is decoded and read by readSeedText.
 *
 * The checks readSeedText makes before parsing hold here by construction: a file of at most a
 * third of the byte limit stays within it decoded (an invalid byte becomes U+FFFD, three bytes),
 * it has a U+0000 exactly where it has a zero byte, and "---\n" is a first line of plain YAML.
 */
export function readSeedBytes(bytes: Buffer, canonicaliseUrl: typeof canonicalise = canonicalise): SeedTextResult {
  const decoded = (): string => bytes.toString('utf8');
  if (bytes.length > SEED_LIMITS.fileBytes / 3 || bytes.indexOf(0) !== -1 || !bytes.subarray(0, 4).equals(OPENING_LINE)) return readSeedText(decoded(), canonicaliseUrl);
  // As subsetFrontMatter splits the text: an ASCII "\n---" is at the same place in bytes and text.
  const close = bytes.indexOf(CLOSING_LINE, 3);
  if (close === -1) return readSeedText(decoded(), canonicaliseUrl);
  let data: unknown;
  try {
    data = parseEncodedSeedYaml({ latin1: bytes.toString('latin1', 3, close), utf8: (start, end) => bytes.toString('utf8', 3 + start, 3 + end) });
  } catch {
    // Nothing in the subset parser throws but a fault of its own; readSeedText reports one as it always has.
    data = NOT_SUBSET;
  }
  if (data === NOT_SUBSET) return readSeedText(decoded(), canonicaliseUrl);
  return validated(data, decoded, canonicaliseUrl);
}

/**
 * Lists seed files below `dir` (recursively), sorted so builds are deterministic. `onFolder` is
 * told each folder just before it is read (seed-listing.ts stamps them), and `onFound` how many
 * seed files are found so far after each folder is read (parallel-read.ts starts its workers).
 */
export function listSeedFiles(dir: string, onFolder?: (folder: string) => void, onFound?: (count: number) => void): string[] {
  const files: string[] = [];
  /** Folders that held seed files, and whether each one's names came in order (readdir sorts them, by bytes). */
  let foldersWithFiles = 0;
  let namesInOrder = true;
  const walk = (folder: string): void => {
    // folder + sep + name is what join() returns for a normalised folder and a plain name, without
    // join's normalising pass over each of 100k paths.
    const prefix = folder === '.' ? '' : folder.endsWith(sep) ? folder : folder + sep;
    onFolder?.(folder);
    let last: string | null = null;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(prefix + entry.name);
      else if (entry.isFile() && isSeedName(entry.name)) {
        if (last === null) foldersWithFiles++;
        else if (entry.name < last) namesInOrder = false;
        last = entry.name;
        files.push(prefix + entry.name);
      }
    }
    onFound?.(files.length);
  };
  const root = normalize(dir);
  walk(root === `.${sep}` ? '.' : root);
  // One folder's files in order are sorted paths. Sorting them anyway compared 100k paths built by
  // concatenation, each flattened first: ~70 ms of a cold build's listing (issue 4).
  return foldersWithFiles <= 1 && namesInOrder ? files : files.sort();
}

/** Every folder below `dir` (itself included), as listSeedFiles walks them. */
export function listSeedFolders(dir: string): string[] {
  const folders: string[] = [];
  listSeedFiles(dir, (folder) => folders.push(folder));
  return folders;
}

/** Whether a file of this name is read as a seed (by its extension). */
export function isSeedName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot !== -1 && SEED_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

/** Reads every seed below `dir`, collecting each file's problems instead of stopping at the first. */
export function readSeeds(dir: string): SeedReadResult {
  const files = listSeedFiles(dir);
  const seeds: NamedSeed[] = [];
  const problems: SeedFileProblem[] = [];
  const invalidFiles: string[] = [];
  for (const path of files) {
    const file = relative(process.cwd(), path) || path;
    let text: string;
    try {
      if (statSync(path).size > SEED_LIMITS.fileBytes) {
        problems.push({ file, line: 1, message: `file is ${statSync(path).size} bytes; the limit is ${SEED_LIMITS.fileBytes}` });
        invalidFiles.push(file);
        continue;
      }
      text = readFileSync(path, 'utf8');
    } catch (error) {
      problems.push({ file, line: 1, message: `cannot read: ${(error as Error).message}` });
      invalidFiles.push(file);
      continue;
    }
    const result = readSeedText(text);
    if (result.seed) seeds.push({ source: file, document: result.seed });
    else {
      invalidFiles.push(file);
      for (const problem of result.problems) problems.push({ file, ...problem });
    }
  }
  return { seeds, problems, invalidFiles, fileCount: files.length };
}

export function formatProblem(problem: SeedFileProblem): string {
  return `${problem.file}:${problem.line}: ${problem.message}`;
}
