/**
 * Seeds are untrusted (issue 6): whatever a seed file holds, the reader answers with a seed or with
 * located problems, in bounded time, and never runs code. These properties are checked with
 * fast-check over generated garbage and with hand-built hostile inputs; every input that once broke
 * the reader is kept here as a regression case.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import matter from 'gray-matter';
import { afterEach, describe, expect, it } from 'vitest';
import { readSeeds, readSeedText } from '../../src/build/read-seeds';
import { SEED_LIMITS } from '../../src/core/seed/limits';
import type { SeedProblem } from '../../src/core/seed/types';
import { MAX_PROBLEMS_LISTED } from '../../src/core/seed/validate';

const REAL_SEED = readFileSync(new URL('../../seeds/000_e29929052b0126c7.txt', import.meta.url), 'utf8');

/**
 * A hang and bomb guard, not a benchmark: a real seed reads in well under a millisecond, and the
 * worst inputs below (a full 256 KB file) in a few hundred. Only a runaway input comes near this.
 */
const MAX_MS_PER_INPUT = 2000;

/**
 * vitest's 5 s default is too tight for a few hundred generated inputs on a loaded 2-core machine
 * (fast-check's full-Unicode strings are slow to generate, not to read); this is a hang guard too.
 */
const FUZZ_TIMEOUT = { timeout: 30_000 };

/** Set by executable front matter if it ever runs. */
const SENTINEL = '__elsewhereSeedSentinel';
const sentinelHolder = globalThis as Record<string, unknown>;

afterEach(() => {
  delete sentinelHolder[SENTINEL];
});

function preview(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}… (${text.length} chars)` : text);
}

/**
 * A stack trace: "\n    at fn (file.js:1:2)". Not /^\s*at /m: the seed's own text may hold U+2028,
 * which is a line start to a JavaScript regex, followed by js-yaml's " at line 2".
 */
const STACK_FRAME = /\.(?:c|m)?[jt]sx?:\d+:\d+|\n\s*at /;
// eslint-disable-next-line no-control-regex
const CONTROL_CHAR = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Reads `text` and checks every property of the answer; returns it for more specific checks. */
function read(text: string): ReturnType<typeof readSeedText> {
  const started = performance.now();
  let result: ReturnType<typeof readSeedText>;
  try {
    result = readSeedText(text);
  } catch (error) {
    throw new Error(`readSeedText threw ${String(error)} for ${preview(text)}`, { cause: error });
  }
  const elapsed = performance.now() - started;
  if (elapsed > MAX_MS_PER_INPUT) throw new Error(`readSeedText took ${Math.round(elapsed)} ms for ${preview(text)}`);
  if (sentinelHolder[SENTINEL] !== undefined) throw new Error(`front matter ran code for ${preview(text)}`);
  if (result.seed) {
    if (result.problems.length > 0) throw new Error(`a seed and problems at once for ${preview(text)}`);
  } else if (result.problems.length === 0) {
    throw new Error(`neither a seed nor a problem for ${preview(text)}`);
  }
  for (const problem of result.problems) checkProblem(problem, text);
  return result;
}

function checkProblem(problem: SeedProblem, text: string): void {
  const where = `${JSON.stringify(problem)} for ${preview(text)}`;
  if (!Number.isInteger(problem.line) || problem.line < 1) throw new Error(`bad line in ${where}`);
  if (typeof problem.message !== 'string' || problem.message.trim() === '') throw new Error(`empty message in ${where}`);
  if (STACK_FRAME.test(problem.message)) throw new Error(`stack trace in ${where}`);
  // FILE:LINE: message is one line of plain text: no CR, LF, line separator or terminal control from the seed.
  if (CONTROL_CHAR.test(problem.message)) throw new Error(`control character in ${where}`);
}

const frontMatter = (body: string, language = ''): string => `---${language}\n${body}\n---\n`;

/** A valid body: the minimum a seed needs. */
const MINIMAL_BODY = 'title: "A headline"\nwebUrl: "https://news.example.com/a/story"';

describe('the checker itself', () => {
  it('accepts the real seed', () => {
    expect(read(REAL_SEED).seed).not.toBeNull();
  });

  it('notices code that runs: gray-matter with its default engines evaluates ---js front matter', () => {
    // The control for every "never executes" check below: the sentinel does detect execution.
    matter(`---js\n({ title: (globalThis.${SENTINEL} = 'ran') })\n---\n`, { language: 'js' });
    expect(sentinelHolder[SENTINEL]).toBe('ran');
  });
});

describe('random garbage', FUZZ_TIMEOUT, () => {
  const runs = { numRuns: 300 };

  it('any short string', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => void read(text)), runs);
  });

  // Full-Unicode strings cost fast-check far more to generate than the reader to read: fewer runs.
  it('any string of any code point', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => void read(text)), { numRuns: 100 });
  });

  it('any string of any code point, inside front matter delimiters, so it reaches the YAML parser', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (body) => void read(frontMatter(body))), { numRuns: 100 });
  });

  it('any printable string, inside front matter delimiters', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 400 }), (body) => void read(frontMatter(body))), runs);
  });

  it('any bytes, decoded as latin1 and as UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, withDelimiters) => {
        for (const encoding of ['latin1', 'utf8'] as const) {
          const text = Buffer.from(bytes).toString(encoding);
          read(withDelimiters ? frontMatter(text) : text);
        }
      }),
      runs,
    );
  });

  it('YAML token soup', () => {
    const token = fc.constantFrom(
      '-', '- ', ':', ': ', '[', ']', '{', '}', ',', '?', '? ', '|', '>', '|-', '>+', '#', '"', "'", '\\', '\n', '\r\n', '\r', '\t', '  ', '    ',
      '&a ', '*a', '&b ', '*b', '<<: ', '<<: *a', '!!str ', '!!int ', '!!binary ', '!!set', '!!omap', '!!timestamp ', '!!js/function ', '!!js/regexp ',
      '!!js/undefined', '!!python/object:os.system ', '!<tag:yaml.org,2002:str> ', '%YAML 1.2\n', '%TAG ! tag:x,2000:\n', '---', '...', '~', 'null',
      'true', '.inf', '-.inf', '.nan', '0x1F', '0o17', '1e400', '2020-05-21T16:50:00Z', '2020-13-45', 'title', 'webUrl', 'related', 'provider', 'name',
      'excerpt', 'publishedDateTime', 'ampWebUrl', 'excerpt_separator', '__proto__', 'constructor', 'toString', 'https://news.example.com/a',
      'javascript:alert(1)', '<script>', '\u2028', '\uFEFF', '\u0085', '\u00a0',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 80 }), fc.constantFrom('', 'yaml', 'json'), (tokens, language) => void read(frontMatter(tokens.join(''), language))),
      { numRuns: 1000 },
    );
  });

  it('any JSON value, as JSON front matter and as YAML (JSON is YAML)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const json = JSON.stringify(value) ?? 'null';
        read(frontMatter(json, 'json'));
        read(frontMatter(json));
      }),
      runs,
    );
  });

  it('the real seed with random edits', () => {
    const edit = fc.record({
      at: fc.nat({ max: REAL_SEED.length }),
      remove: fc.nat({ max: 40 }),
      insert: fc.string({ unit: 'binary', maxLength: 30 }),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 5 }), (edits) => {
        let text = REAL_SEED;
        for (const { at, remove, insert } of edits) text = text.slice(0, at) + insert + text.slice(at + remove);
        read(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('truncated YAML', FUZZ_TIMEOUT, () => {
  it('every prefix of the real seed', () => {
    for (let cut = 0; cut <= REAL_SEED.length; cut++) read(REAL_SEED.slice(0, cut));
  });

  it('sampled prefixes of the real seed with CRLF line endings', () => {
    const crlf = REAL_SEED.replace(/\n/g, '\r\n');
    for (let cut = 0; cut <= crlf.length; cut += 7) read(crlf.slice(0, cut));
  });

  it('every prefix of the real seed as JSON front matter', () => {
    const json = frontMatter(JSON.stringify(matter(REAL_SEED).data, null, 2), 'json');
    for (let cut = 0; cut <= json.length; cut += 3) read(json.slice(0, cut));
  });
});

describe('deep nesting', () => {
  const DEPTH = 10_000;

  it.each([
    ['unclosed flow lists', `title: ${'['.repeat(DEPTH)}`],
    ['closed flow lists', `title: ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`],
    ['unclosed flow mappings', `title: ${'{a: '.repeat(DEPTH)}`],
    ['closed flow mappings', `title: ${'{a: '.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`],
    ['compact block lists', `title:\n  ${'- '.repeat(DEPTH)}x`],
    ['nested related', `${MINIMAL_BODY}\nrelated: ${'[{related: '.repeat(DEPTH)}`],
  ])('%s, 10,000 levels deep, in YAML', (_name, body) => {
    expect(read(frontMatter(body)).seed).toBeNull();
  });

  it('10,000 levels of JSON lists and objects', () => {
    read(frontMatter(`{"title": ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`, 'json'));
    read(frontMatter(`{"title": ${'{"a": '.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}`, 'json'));
    read(frontMatter(`${'['.repeat(DEPTH)}`, 'json'));
  });

  it('block mappings nested as deep as the file limit allows (one space per level)', () => {
    // Indentation grows with depth, so 700 levels is already ~245 KB.
    const levels = Array.from({ length: 700 }, (_, depth) => `${' '.repeat(depth)}k${depth}:`);
    const text = frontMatter(`${MINIMAL_BODY}\nrelated:\n${levels.map((line) => ` ${line}`).join('\n')} x`);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(SEED_LIMITS.fileBytes);
    expect(read(text).seed).toBeNull();
  });
});

describe('huge scalars and the file size limit', () => {
  it('a 200 KB title, excerpt, webUrl and outlet name are refused with the field named', () => {
    const huge = 'x'.repeat(200 * 1024);
    for (const [field, body] of [
      ['title', `title: "${huge}"\nwebUrl: "https://news.example.com/a"`],
      ['excerpt', `${MINIMAL_BODY}\nexcerpt: ${huge}`],
      ['webUrl', `title: T\nwebUrl: "https://news.example.com/${huge}"`],
      ['provider.name', `${MINIMAL_BODY}\nprovider:\n  name: ${huge}`],
    ]) {
      const { problems } = read(frontMatter(body!));
      expect(problems.map((p) => p.message.split(':')[0]), field).toEqual([field]);
    }
  });

  it('a 200 KB block scalar and a 200 KB key are handled', () => {
    read(frontMatter(`${MINIMAL_BODY}\nexcerpt: |\n  ${'word '.repeat(40_000)}`));
    read(frontMatter(`${MINIMAL_BODY}\n${'k'.repeat(200 * 1024)}: 1`));
    read(frontMatter(`${MINIMAL_BODY}\n? ${'k'.repeat(200 * 1024)}\n: 1`));
  });

  it('a file just over the byte limit is refused before parsing; one at the limit is read', () => {
    const pad = (size: number): string => `${REAL_SEED}${'#'.repeat(size - Buffer.byteLength(REAL_SEED))}`;
    expect(read(pad(SEED_LIMITS.fileBytes)).seed).not.toBeNull();
    expect(read(pad(SEED_LIMITS.fileBytes + 1)).problems).toEqual([
      { line: 1, message: `file is ${SEED_LIMITS.fileBytes + 1} bytes; the limit is ${SEED_LIMITS.fileBytes}` },
    ]);
  });

  it('regression: the limit counts bytes, not characters (multi-byte text was let through at 3x the limit)', () => {
    // 100,000 "€" are 100,000 UTF-16 units but 300,000 UTF-8 bytes.
    const text = frontMatter(`${MINIMAL_BODY}\nnotes: "${'€'.repeat(100_000)}"`);
    expect(text.length).toBeLessThan(SEED_LIMITS.fileBytes);
    expect(read(text).problems).toEqual([{ line: 1, message: expect.stringMatching(/^file is \d+ bytes; the limit is 262144$/) }]);
  });

  it('readSeeds refuses an oversized file by its size on disk, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elsewhere-fuzz-'));
    try {
      writeFileSync(join(dir, 'big.md'), `${REAL_SEED}${'#'.repeat(SEED_LIMITS.fileBytes)}`);
      const result = readSeeds(dir);
      expect(result.invalidFiles).toHaveLength(1);
      expect(result.problems).toEqual([{ file: expect.stringMatching(/big\.md$/), line: 1, message: expect.stringMatching(/^file is \d+ bytes; the limit is 262144$/) }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('YAML alias bombs', FUZZ_TIMEOUT, () => {
  /** Billion laughs: each level is a list of `width` aliases of the level below. */
  function laughs(levels: number, width: number, anchorsAt = 'lol'): string[] {
    const lines = [`${anchorsAt}0: &a0 ["lol"]`];
    for (let level = 1; level <= levels; level++) {
      lines.push(`${anchorsAt}${level}: &a${level} [${Array.from({ length: width }, () => `*a${level - 1}`).join(', ')}]`);
    }
    return lines;
  }
  const TOP = 9;
  const bombFor = (field: string): string => frontMatter([...laughs(TOP, 9), ...replaceField(MINIMAL_BODY.split('\n'), field, `*a${TOP}`)].join('\n'));

  function replaceField(lines: string[], field: string, value: string): string[] {
    const kept = lines.filter((line) => !line.startsWith(`${field}:`));
    return [...kept, `${field}: ${value}`];
  }

  it.each(['title', 'excerpt', 'webUrl', 'ampWebUrl', 'provider', 'related', 'topics', 'excerpt_separator', 'publishedDateTime'])(
    'a 9^9 billion-laughs list as %s is refused or ignored in bounded time',
    (field) => {
      read(bombFor(field));
    },
  );

  it('regression: an alias bomb in publishedDateTime was stringified into its message (exponential time)', () => {
    expect(read(bombFor('publishedDateTime')).problems).toEqual([
      { line: expect.any(Number), message: 'publishedDateTime: must be an ISO 8601 date and time, not a list' },
    ]);
  });

  it('regression: an alias bomb in excerpt_separator hung gray-matter, which stringified it to look for an excerpt', () => {
    // The field is not a seed field: the seed itself is valid.
    expect(read(bombFor('excerpt_separator')).seed).not.toBeNull();
  });

  it('a bomb inside related items and nested provider names', () => {
    read(frontMatter([...laughs(TOP, 9), 'title: T', 'webUrl: "https://news.example.com/a"', 'related:', `  - {title: *a${TOP}, webUrl: "https://b.example.com/x"}`, `  - {title: R, webUrl: "https://c.example.com/x", provider: {name: *a${TOP}}}`].join('\n')));
  });

  it('merge keys (<<) of aliased mappings, 9 wide and 9 deep', () => {
    const lines = ['m0: &m0 {a: 1, b: 2}'];
    for (let level = 1; level <= 9; level++) lines.push(`m${level}: &m${level} {<<: [${Array.from({ length: 9 }, () => `*m${level - 1}`).join(', ')}], k${level}: ${level}}`);
    read(frontMatter([...lines, MINIMAL_BODY, `provider: *m9`, `related: [*m9, *m9, *m9]`].join('\n')));
  });

  it('a related list of 100 aliases of one huge mapping', () => {
    const big = `big: &big {title: "${'t'.repeat(50_000)}", webUrl: "https://b.example.com/${'p'.repeat(1_000)}"}`;
    read(frontMatter([big, MINIMAL_BODY, `related: [${Array.from({ length: 100 }, () => '*big').join(', ')}]`].join('\n')));
  });
});

describe('wrong types in every field of the real seed', FUZZ_TIMEOUT, () => {
  /** Every scalar line of the real seed's block YAML: its key and its line index. */
  const fieldLines = REAL_SEED.split('\n')
    .map((line, index) => ({ line, index, match: /^(\s*(?:- )?)([A-Za-z_]\w*):\s+\S/.exec(line) }))
    .filter((entry) => entry.match !== null);

  /** YAML values of every type js-yaml's safe schema produces, and some it refuses. */
  const WRONG_YAML = [
    '42', '-1.5', '.inf', '.nan', '0x1F', 'true', 'false', 'null', '~', '""', '"   "', '[]', '[1, "a"]', '{}', '{a: 1}', '{toString: 1}', '{valueOf: 1, toString: 1}',
    '2020-05-21', '2020-05-21T16:50:00Z', '!!binary aGVsbG8=', '!!set {a, b}', '!!omap [a: 1]', '!!js/function "function(){}"', '!!js/regexp /x/', '!!js/undefined ""',
    '"<script>alert(1)</script>"', '"javascript:alert(1)"',
  ];

  it('has the fields it claims to cover', () => {
    const keys = new Set(fieldLines.map((entry) => entry.match![2]));
    for (const key of ['title', 'excerpt', 'publishedDateTime', 'webUrl', 'ampWebUrl', 'cdnAmpWebUrl', 'name', 'domain', 'quality', 'secured']) expect(keys).toContain(key);
    expect(fieldLines.length).toBeGreaterThan(30);
  });

  it('each scalar field replaced, in place, by each wrong value (YAML)', () => {
    const lines = REAL_SEED.split('\n');
    for (const { index, match } of fieldLines) {
      for (const value of WRONG_YAML) {
        const edited = [...lines];
        edited[index] = `${match![1]}${match![2]}: ${value}`;
        read(edited.join('\n'));
      }
    }
  });

  /** The parsed real seed, to rewrite as JSON with one value swapped. */
  const REAL_DATA = matter(REAL_SEED).data as Record<string, unknown>;
  const WRONG_JSON: unknown[] = [42, -1.5, true, false, null, '', '   ', [], [1, 'a'], {}, { a: 1 }, { toString: 1 }, JSON.parse('{"__proto__": {"title": "x"}}')];

  type Path = Array<string | number>;
  /** Every path of the parsed real seed: mappings, lists and scalars. */
  function pathsOf(value: unknown, path: Path = []): Path[] {
    if (Array.isArray(value)) return value.flatMap((item, index) => [[...path, index], ...pathsOf(item, [...path, index])]);
    if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
      return Object.entries(value).flatMap(([key, item]) => [[...path, key], ...pathsOf(item, [...path, key])]);
    }
    return [];
  }

  function withValue(data: unknown, path: Path, value: unknown): unknown {
    const copy = structuredClone(data) as Record<string | number, unknown>;
    let node = copy;
    for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
    node[path.at(-1)!] = value;
    return copy;
  }

  const pathText = (path: Path): string => path.reduce<string>((text, step) => (typeof step === 'number' ? `${text}[${step}]` : text ? `${text}.${step}` : step), '');

  /** Fields the validator reads, and whether a value is acceptable for each. */
  const isText = (value: unknown): boolean => typeof value === 'string';
  const CHECKS: Record<string, (value: unknown) => boolean> = {
    title: (value) => typeof value === 'string' && value.trim() !== '',
    webUrl: () => false, // none of the wrong values is an http(s) address
    excerpt: (value) => value === null || isText(value),
    ampWebUrl: (value) => value === null,
    cdnAmpWebUrl: (value) => value === null,
    publishedDateTime: (value) => value === null,
    provider: (value) => value === null || (typeof value === 'object' && !Array.isArray(value)),
    'provider.name': (value) => value === null || isText(value),
    'provider.domain': (value) => value === null || isText(value),
  };

  it('every path (mapping, list or scalar) replaced by each wrong JSON value is refused with the field named, or ignored when unused', () => {
    let refused = 0;
    for (const path of pathsOf(REAL_DATA)) {
      for (const value of WRONG_JSON) {
        const data = withValue(REAL_DATA, path, value);
        const result = read(frontMatter(JSON.stringify(data), 'json'));
        // Which validated field is this, relative to its article (top level or related[i])?
        const articlePath = path[0] === 'related' && typeof path[1] === 'number' ? path.slice(2) : path;
        const field = articlePath.join('.');
        const check = CHECKS[field];
        if (path.length === 1 && path[0] === 'related') {
          const ok = value === null || (Array.isArray(value) && value.length === 0);
          expect(result.seed !== null, `related = ${JSON.stringify(value)}`).toBe(ok);
        } else if (path.length === 2 && path[0] === 'related') {
          // Not a mapping: refused as a whole; a mapping without the article fields: refused for them.
          expect(result.seed, `${pathText(path)} = ${JSON.stringify(value)}`).toBeNull();
          for (const problem of result.problems) expect(problem.message.startsWith(`related[${path[1]}]`), problem.message).toBe(true);
        } else if (check) {
          const ok = check(value);
          expect(result.seed !== null, `${pathText(path)} = ${JSON.stringify(value)}`).toBe(ok);
          if (!ok) {
            refused++;
            expect(result.problems.some((p) => p.message.startsWith(`${pathText(path)}: `)), `${pathText(path)} = ${JSON.stringify(value)}: ${JSON.stringify(result.problems)}`).toBe(true);
          }
        } else {
          // topics, images, quality, secured, …: accepted and never shipped.
          expect(result.seed, `${pathText(path)} = ${JSON.stringify(value)}`).not.toBeNull();
        }
      }
    }
    expect(refused).toBeGreaterThan(100);
  });

  it('the whole front matter of the wrong type', () => {
    for (const value of ['42', '"text"', '[1, 2]', 'null', 'true', '2020-05-21']) {
      expect(read(frontMatter(value)).problems, value).toEqual([{ line: 2, message: expect.stringContaining('has no front matter') }]);
    }
  });

  it('regression: a publishedDateTime mapping with a toString key made the validator throw', () => {
    // String({toString: 1}) throws "Cannot convert object to primitive value".
    const text = frontMatter(`${MINIMAL_BODY}\npublishedDateTime: {toString: 1}`);
    expect(read(text).problems).toEqual([{ line: 4, message: 'publishedDateTime: must be an ISO 8601 date and time, not a mapping' }]);
  });
});

describe('front matter in every syntax gray-matter understands', FUZZ_TIMEOUT, () => {
  const JS_BODY = `({ title: (globalThis.${SENTINEL} = 'ran'), webUrl: 'https://news.example.com/a' })`;
  const STATEMENT_BODY = `globalThis.${SENTINEL} = 'ran'; module.exports = {}`;
  const COFFEE_BODY = `title: (globalThis.${SENTINEL} = 'ran')\nwebUrl: 'https://news.example.com/a'`;
  const TOML_BODY = 'title = "A headline"\nwebUrl = "https://news.example.com/a"';

  /** Languages gray-matter would look up as an engine, an alias or an inherited property of its engine table. */
  const REFUSED = [
    'js', 'javascript', 'JS', 'JavaScript', ' js ', 'js\t', 'coffee', 'coffeescript', 'cson', 'toml', 'TOML', 'ini', 'xml',
    '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__', 'yaml js', '-', '--', '---',
  ];

  it.each(REFUSED)('"---%s" is refused and runs nothing', (language) => {
    for (const body of [JS_BODY, STATEMENT_BODY, COFFEE_BODY, TOML_BODY]) {
      for (const eol of ['\n', '\r\n']) {
        const text = `---${language}${eol}${body.replace(/\n/g, eol)}${eol}---${eol}`;
        const { seed, problems } = read(text);
        expect(seed).toBeNull();
        expect(problems).toEqual([{ line: 1, message: expect.stringMatching(/is not allowed|has no front matter/) }]);
      }
    }
  });

  it.each(['', 'yaml', 'yml', 'YAML', ' yaml ', 'json'])('"---%s" is read', (language) => {
    const body = language.trim() === 'json' ? JSON.stringify({ title: 'A headline', webUrl: 'https://news.example.com/a/story' }) : MINIMAL_BODY;
    expect(read(frontMatter(body, language)).seed?.article.title).toBe('A headline');
  });

  it('the language line without a newline after it', () => {
    for (const language of ['js', 'javascript', 'coffee', 'yaml', 'json', '']) read(`---${language}`);
    read(`---js${JS_BODY}`);
    read(`---\n${JS_BODY}`);
  });

  it('JavaScript in YAML and JSON front matter is data, never code', () => {
    read(frontMatter(JS_BODY));
    read(frontMatter(JS_BODY, 'json'));
    read(frontMatter(`title: !!js/function "function () { globalThis.${SENTINEL} = 'ran' }"\nwebUrl: "https://news.example.com/a"`));
    read(frontMatter(`title: !<tag:yaml.org,2002:js/function> "function () { globalThis.${SENTINEL} = 'ran' }"`));
  });

  it('custom delimiters (TOML +++, ~~~, ;;;, <!-- -->) are not front matter', () => {
    for (const [open, close] of [['+++', '+++'], ['~~~', '~~~'], [';;;', ';;;'], ['<!--', '-->'], ['{{{', '}}}']]) {
      for (const body of [MINIMAL_BODY, TOML_BODY, JS_BODY]) {
        expect(read(`${open}\n${body}\n${close}\n`).problems, open).toEqual([{ line: 1, message: 'has no front matter: the first line must be ---' }]);
      }
    }
  });

  it('a BOM, leading blank lines or a second document do not smuggle a language past the check', () => {
    read(`\uFEFF---js\n${JS_BODY}\n---\n`);
    read(`\n---js\n${JS_BODY}\n---\n`);
    read(`---\n${MINIMAL_BODY}\n---\n---js\n${JS_BODY}\n---\n`);
    read(`---\n---js\n${JS_BODY}\n---\n`);
  });

  it('any language name with any body: nothing runs', () => {
    const language = fc.oneof(fc.constantFrom(...REFUSED, '', 'yaml', 'yml', 'json'), fc.string({ maxLength: 12 }));
    const body = fc.oneof(fc.constantFrom(JS_BODY, STATEMENT_BODY, COFFEE_BODY, TOML_BODY, MINIMAL_BODY), fc.string({ maxLength: 80 }));
    fc.assert(fc.property(language, body, (lang, text) => void read(frontMatter(text, lang))), { numRuns: 300 });
  });

  it('regression: a CR in the language line is escaped, so the report cannot overwrite itself on a terminal', () => {
    expect(read('---js\rjson\ntitle: T\n---\n').problems).toEqual([{ line: 1, message: 'front matter language "js\\rjson" is not allowed; use YAML or JSON' }]);
  });

  it('regression: C1 controls (U+009B is CSI) and line separators quoted from a field are escaped in the message', () => {
    // JSON.stringify escapes C0 controls only.
    const { problems } = read(frontMatter(JSON.stringify({ title: 'T', webUrl: 'x\u009b31m\u0085\u2028y', publishedDateTime: 'soon\u007f' }), 'json'));
    expect(problems.map((p) => p.message)).toEqual([
      'publishedDateTime: must be an ISO 8601 date and time, not a string "soon\\u007f"',
      'webUrl: must be an absolute http(s) address, not "x\\u009b31m\\u0085\\u2028y"',
    ]);
  });

  it('regression: control characters the JSON parser quotes from the seed are escaped in the message', () => {
    const { problems } = read(frontMatter('ab\u001b[31mc\rd', 'json'));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^front matter is not valid: /);
  });
});

describe('problem count', FUZZ_TIMEOUT, () => {
  it(`regression: a 256 KB file of short lines with 700 bad fields is reported in bounded time, ${MAX_PROBLEMS_LISTED} problems listed`, () => {
    // Locating each problem scans the file: 700 problems x 125,000 lines took ~6 s before the cap.
    const item = '  - {title: 1, webUrl: 1, excerpt: 1, publishedDateTime: x, ampWebUrl: 1, cdnAmpWebUrl: 1, provider: 1}';
    const head = ['title: 1', 'webUrl: 1'];
    const related = ['related:', ...Array.from({ length: SEED_LIMITS.relatedItems }, () => item)];
    const fillerLines = Math.floor((SEED_LIMITS.fileBytes - 20_000) / 2);
    const text = frontMatter([...head, ...Array.from({ length: fillerLines }, () => '#'), ...related].join('\n'));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(SEED_LIMITS.fileBytes);
    const { problems } = read(text);
    expect(problems).toHaveLength(MAX_PROBLEMS_LISTED + 1);
    expect(problems.at(-1)).toEqual({ line: 2, message: `${2 + 7 * SEED_LIMITS.relatedItems - MAX_PROBLEMS_LISTED} more problem(s) not listed; fix these and check again` });
  });
});

describe('every field limit in SEED_LIMITS is enforced, naming the field', () => {
  const url = (length: number, host = 'news.example.com'): string => {
    const base = `https://${host}/`;
    return `${base}${'a'.repeat(length - base.length)}`;
  };
  const article = (fields: Record<string, unknown>): string => frontMatter(JSON.stringify({ title: 'A headline', webUrl: 'https://news.example.com/a', ...fields }), 'json');

  /** For each limit: seeds exactly at it and one past it, and the field a refusal must name. */
  const CASES: Record<keyof typeof SEED_LIMITS, Array<{ field: string; at: (limit: number) => string }>> = {
    titleChars: [
      { field: 'title', at: (n) => article({ title: 'T'.repeat(n) }) },
      { field: 'related[0].title', at: (n) => article({ related: [{ title: 'T'.repeat(n), webUrl: 'https://other.example.org/r' }] }) },
    ],
    excerptChars: [{ field: 'excerpt', at: (n) => article({ excerpt: 'E'.repeat(n) }) }],
    outletNameChars: [{ field: 'provider.name', at: (n) => article({ provider: { name: 'N'.repeat(n) } }) }],
    domainChars: [{ field: 'provider.domain', at: (n) => article({ provider: { name: 'N', domain: 'd'.repeat(n) } }) }],
    urlChars: [
      { field: 'webUrl', at: (n) => article({ webUrl: url(n) }) },
      { field: 'ampWebUrl', at: (n) => article({ ampWebUrl: url(n) }) },
      { field: 'cdnAmpWebUrl', at: (n) => article({ cdnAmpWebUrl: url(n) }) },
      { field: 'related[0].webUrl', at: (n) => article({ related: [{ title: 'R', webUrl: url(n, 'other.example.org') }] }) },
    ],
    relatedItems: [
      { field: 'related', at: (n) => article({ related: Array.from({ length: n }, (_, i) => ({ title: `R${i}`, webUrl: `https://r${i}.example.org/a` })) }) },
    ],
    fileBytes: [{ field: 'file', at: (n) => `${REAL_SEED}${'#'.repeat(n - Buffer.byteLength(REAL_SEED))}` }],
  };

  it('has a case for every limit, so a new limit cannot go untested', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(SEED_LIMITS).sort());
  });

  it('uses the limits the issue names: URLs of 2,048 characters, 100 related articles', () => {
    expect(SEED_LIMITS.urlChars).toBe(2048);
    expect(SEED_LIMITS.relatedItems).toBe(100);
  });

  for (const [name, cases] of Object.entries(CASES) as Array<[keyof typeof SEED_LIMITS, (typeof CASES)[keyof typeof SEED_LIMITS]]>) {
    for (const { field, at } of cases) {
      it(`${name}: ${field} at ${SEED_LIMITS[name]} is accepted, one more is refused with "${field}" and the limit`, () => {
        const limit = SEED_LIMITS[name];
        expect(read(at(limit)).problems).toEqual([]);
        const { problems } = read(at(limit + 1));
        expect(problems).toHaveLength(1);
        expect(problems[0]!.message.startsWith(field === 'file' ? 'file is ' : `${field}: `), problems[0]!.message).toBe(true);
        expect(problems[0]!.message).toContain(`the limit is ${limit}`);
      });
    }
  }

  it('readSeeds names the file with the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elsewhere-limits-'));
    try {
      writeFileSync(join(dir, 'long-title.md'), article({ title: 'T'.repeat(SEED_LIMITS.titleChars + 1) }));
      const { problems } = readSeeds(dir);
      expect(problems).toEqual([{ file: expect.stringMatching(/long-title\.md$/), line: 2, message: `title: is ${SEED_LIMITS.titleChars + 1} characters long; the limit is ${SEED_LIMITS.titleChars}` }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
