import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSeedText } from '../../src/build/read-seeds';
import { SEED_LIMITS } from '../../src/core/seed/limits';
import type { FieldPath, SeedProblem } from '../../src/core/seed/types';
import { validateSeed } from '../../src/core/seed/validate';

const REAL_SEED = readFileSync(new URL('../../seeds/000_e29929052b0126c7.txt', import.meta.url), 'utf8');

const DCK_URL = 'https://www.datacenterknowledge.com/microsoft/microsoft-says-it-s-built-top-five-supercomputer-cloud-ai';
const CNET_URL = 'https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
const CNET_AMP = 'https://www.cnet.com/google-amp/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
const CNET_CDN_AMP = 'https://www-cnet-com.cdn.ampproject.org/c/s/www.cnet.com/google-amp/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
const FORBES_URL = 'https://www.forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/';
const FORBES_AMP = 'https://www.forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/amp/';
const FORBES_CDN_AMP = 'https://www-forbes-com.cdn.ampproject.org/c/s/www.forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/amp/';

/** Joins lines into a seed file. */
function file(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** The 1-based line of `text` that contains `needle`, searching from line `after` on; fails loudly if absent. */
function lineOf(text: string, needle: string, after = 1): number {
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((line, i) => i >= after - 1 && line.includes(needle));
  if (index === -1) throw new Error(`fixture does not contain ${JSON.stringify(needle)}`);
  return index + 1;
}

/** The real seed with one line replaced (or removed, when `replacement` is null). */
function editRealSeed(needle: string, replacement: string | null): string {
  const lines = REAL_SEED.split('\n');
  const at = lineOf(REAL_SEED, needle) - 1;
  if (replacement === null) lines.splice(at, 1);
  else lines[at] = replacement;
  return lines.join('\n');
}

function problemsOf(text: string): SeedProblem[] {
  const result = readSeedText(text);
  expect(result.seed).toBeNull();
  return result.problems;
}

const MINIMAL = file('---', 'title: "A headline"', 'webUrl: "https://news.example.com/a/story"', '---');

describe('the real seed', () => {
  it('is valid', () => {
    expect(readSeedText(REAL_SEED).problems).toEqual([]);
  });

  it('yields its article with the shipped fields only', () => {
    const { seed } = readSeedText(REAL_SEED);
    expect(seed?.article).toEqual({
      title: 'Microsoft Says It’s Built a Top-Five Supercomputer in the Cloud for AI',
      excerpt: 'Future machine learning models will be enormous. The OpenAI system shows that hyperscale cloud platforms can take them on.',
      publishedAt: Date.UTC(2020, 4, 21, 16, 50),
      webUrl: DCK_URL,
      alternateUrls: [],
      outletName: 'Data Center Knowledge',
    });
  });

  it('yields both related articles, with AMP addresses as alternates', () => {
    const { seed } = readSeedText(REAL_SEED);
    expect(seed?.related).toHaveLength(2);
    const [cnet, forbes] = seed!.related;
    expect(cnet).toEqual({
      title: 'Microsoft builds massive supercomputer for smarter AI',
      excerpt: 'The Azure machine has 285,000 processor cores and 10,000 GPUs to tackle a new class of artificial intelligence tasks.',
      publishedAt: Date.UTC(2020, 4, 19, 21, 0),
      webUrl: CNET_URL,
      alternateUrls: [CNET_AMP, CNET_CDN_AMP],
      outletName: 'CNET',
    });
    expect(forbes).toMatchObject({
      title: 'Microsoft Builds Massive Supercomputer For OpenAI',
      publishedAt: Date.UTC(2020, 4, 20, 13, 59),
      webUrl: FORBES_URL,
      alternateUrls: [FORBES_AMP, FORBES_CDN_AMP],
      outletName: 'Forbes',
    });
  });

  it('is still valid, with the same lines, when written with CRLF line endings', () => {
    const crlf = REAL_SEED.replace(/\n/g, '\r\n');
    expect(readSeedText(crlf).seed).toEqual(readSeedText(REAL_SEED).seed);
    const broken = editRealSeed('    webUrl: "https://www.forbes.com', '    webUrl: "ftp://www.forbes.com/x"').replace(/\n/g, '\r\n');
    expect(readSeedText(broken).problems.map((p) => p.line)).toEqual([lineOf(broken, 'ftp://www.forbes.com')]);
  });
});

describe('optional fields', () => {
  it('default to an empty excerpt, no date, no alternates and no outlet name', () => {
    expect(readSeedText(MINIMAL).seed).toEqual({
      article: { title: 'A headline', excerpt: '', publishedAt: null, webUrl: 'https://news.example.com/a/story', alternateUrls: [], outletName: null },
      related: [],
    });
  });

  it('trims surrounding whitespace from text', () => {
    const text = file('---', 'title: "   Padded headline  "', 'webUrl: "  https://news.example.com/a  "', '---');
    expect(readSeedText(text).seed?.article).toMatchObject({ title: 'Padded headline', webUrl: 'https://news.example.com/a' });
  });

  it('accepts a quoted ISO date as well as an unquoted one', () => {
    const quoted = file('---', 'title: T', 'webUrl: "https://news.example.com/a"', 'publishedDateTime: "2021-02-03T04:05:06Z"', '---');
    const unquoted = file('---', 'title: T', 'webUrl: "https://news.example.com/a"', 'publishedDateTime: 2021-02-03T04:05:06Z', '---');
    expect(readSeedText(quoted).seed?.article.publishedAt).toBe(Date.UTC(2021, 1, 3, 4, 5, 6));
    expect(readSeedText(unquoted).seed?.article.publishedAt).toBe(Date.UTC(2021, 1, 3, 4, 5, 6));
  });
});

describe('problems are located on the line of the file where the field is', () => {
  it('a missing title in a minimal seed is reported at the start of the front matter', () => {
    const problems = problemsOf(file('---', 'webUrl: "https://news.example.com/a"', '---'));
    expect(problems).toEqual([{ line: 2, message: 'title: is required' }]);
  });

  it('a missing top-level title is not blamed on a nested title further down', () => {
    // The real seed has `title:` inside images[0] and related[*]; none of them is the missing field.
    const text = editRealSeed('title: "Microsoft Says', null);
    const problems = problemsOf(text);
    expect(problems.map((p) => p.message)).toEqual(['title: is required']);
    expect(problems[0]!.line).toBe(2);
  });

  it('a javascript: webUrl is refused on its own line', () => {
    const text = file('---', 'title: T', 'excerpt: E', 'webUrl: "javascript:alert(1)"', '---');
    const [problem, ...rest] = problemsOf(text);
    expect(rest).toEqual([]);
    expect(problem!.line).toBe(4);
    expect(problem!.message).toMatch(/^webUrl: must be an absolute http\(s\) address/);
    expect(problem!.message).toContain('javascript:alert(1)');
  });

  it('an address with a lone surrogate is refused on its line (it has no UTF-8 form to index)', () => {
    const text = file('---', 'title: T', 'webUrl: "https://news.example.com/\\ud800a"', 'ampWebUrl: "https://news.example.com/\\udc00"', '---');
    expect(problemsOf(text)).toEqual([
      { line: 3, message: expect.stringMatching(/^webUrl: must be well-formed Unicode/) },
      { line: 4, message: expect.stringMatching(/^ampWebUrl: must be well-formed Unicode/) },
    ]);
    // A pair is one character: the same escapes in order are fine.
    expect(readSeedText(file('---', 'title: T', 'webUrl: "https://news.example.com/\\ud83d\\udcf0"', '---')).seed?.article.webUrl).toBe('https://news.example.com/📰');
  });

  it('other non-http schemes and relative addresses are refused too', () => {
    for (const url of ['ftp://news.example.com/a', 'data:text/html,hi', '/relative/path', 'news.example.com/a', 'file:///etc/passwd']) {
      const problems = problemsOf(file('---', 'title: T', `webUrl: "${url}"`, '---'));
      expect(problems, url).toEqual([expect.objectContaining({ line: 3, message: expect.stringMatching(/^webUrl: must be an absolute http\(s\) address/) })]);
    }
  });

  it('a title longer than the limit is refused with the limit in the message', () => {
    const long = 'x'.repeat(SEED_LIMITS.titleChars + 1);
    const problems = problemsOf(file('---', 'webUrl: "https://news.example.com/a"', `title: "${long}"`, '---'));
    expect(problems).toEqual([{ line: 3, message: `title: is ${SEED_LIMITS.titleChars + 1} characters long; the limit is ${SEED_LIMITS.titleChars}` }]);
  });

  it('a title of exactly the limit is accepted', () => {
    const title = 'x'.repeat(SEED_LIMITS.titleChars);
    expect(readSeedText(file('---', `title: "${title}"`, 'webUrl: "https://news.example.com/a"', '---')).seed?.article.title).toBe(title);
  });

  it('a title that is a list is refused as the wrong type', () => {
    const problems = problemsOf(file('---', 'webUrl: "https://news.example.com/a"', 'excerpt: E', 'title: [1, 2]', '---'));
    expect(problems).toEqual([{ line: 4, message: 'title: must be text, not a list' }]);
  });

  it('a blank title is refused as empty', () => {
    const problems = problemsOf(file('---', 'title: "   "', 'webUrl: "https://news.example.com/a"', '---'));
    expect(problems).toEqual([{ line: 2, message: 'title: must not be empty' }]);
  });

  it('related that is a number is refused on the related line', () => {
    const problems = problemsOf(file('---', 'title: T', 'webUrl: "https://news.example.com/a"', '', 'related: 5', '---'));
    expect(problems).toEqual([{ line: 5, message: 'related: must be a list of articles, not a number' }]);
  });

  it('a related entry that is not a mapping is refused on its item line', () => {
    const text = file('---', 'title: T', 'webUrl: "https://news.example.com/a"', 'related:', '  - title: R', '    webUrl: "https://other.example.org/r"', '  - just a string', '---');
    expect(problemsOf(text)).toEqual([{ line: 7, message: 'related[1]: must be a mapping of article fields, not a string' }]);
  });

  it('a bad related[1].webUrl is reported inside the second related item', () => {
    const text = editRealSeed('    webUrl: "https://www.forbes.com', '    webUrl: "javascript:void(0)"');
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    const secondItem = lineOf(text, '  - title: "Microsoft Builds Massive Supercomputer For OpenAI"');
    const nextTopLevelKey = lineOf(text, 'secured:');
    expect(problems[0]!.message).toMatch(/^related\[1\]\.webUrl: must be an absolute http\(s\) address/);
    expect(problems[0]!.line).toBe(lineOf(text, 'javascript:void(0)'));
    expect(problems[0]!.line).toBeGreaterThan(secondItem);
    expect(problems[0]!.line).toBeLessThan(nextTopLevelKey);
  });

  it('a bad related[0].cdnAmpWebUrl is reported on its line, not on the article webUrl', () => {
    const text = editRealSeed('    cdnAmpWebUrl: "https://www-cnet-com', '    cdnAmpWebUrl: "not an address"');
    expect(problemsOf(text)).toEqual([
      { line: lineOf(text, 'cdnAmpWebUrl: "not an address"'), message: 'related[0].cdnAmpWebUrl: must be an absolute http(s) address, not "not an address"' },
    ]);
  });

  it('an unparseable publishedDateTime is reported on its line', () => {
    const problems = problemsOf(file('---', 'title: T', 'webUrl: "https://news.example.com/a"', 'publishedDateTime: "the day before yesterday"', '---'));
    expect(problems).toEqual([{ line: 4, message: 'publishedDateTime: must be an ISO 8601 date and time, not a string "the day before yesterday"' }]);
  });

  it('a numeric publishedDateTime is refused', () => {
    const problems = problemsOf(file('---', 'title: T', 'webUrl: "https://news.example.com/a"', 'publishedDateTime: 1590079800', '---'));
    expect(problems).toEqual([{ line: 4, message: expect.stringMatching(/^publishedDateTime: must be an ISO 8601 date and time, not a number/) }]);
  });

  it('a quoted date that is not ISO 8601 is refused rather than read in the local time zone', () => {
    // Date.parse accepts "1" (as 2001-01-01) and "May 21, 2020" and reads them in the build
    // machine's time zone, so the index would depend on where it was built. The message promises ISO 8601.
    for (const value of ['1', 'May 21, 2020']) {
      const result = readSeedText(file('---', 'title: T', 'webUrl: "https://news.example.com/a"', `publishedDateTime: "${value}"`, '---'));
      expect(result.problems, value).toEqual([expect.objectContaining({ line: 4 })]);
    }
  });

  it('a provider that is not a mapping is refused on its line', () => {
    const problems = problemsOf(file('---', 'title: T', 'webUrl: "https://news.example.com/a"', 'provider: CNN', '---'));
    expect(problems).toEqual([{ line: 4, message: 'provider: must be a mapping with name and domain, not a string' }]);
  });

  it('an over-long provider.name is located on the nested line', () => {
    const name = 'N'.repeat(SEED_LIMITS.outletNameChars + 1);
    const problems = problemsOf(file('---', 'title: T', 'webUrl: "https://news.example.com/a"', 'provider:', '  domain: example.com', `  name: ${name}`, '---'));
    expect(problems).toEqual([{ line: 6, message: `provider.name: is ${name.length} characters long; the limit is ${SEED_LIMITS.outletNameChars}` }]);
  });

  it(`more than ${SEED_LIMITS.relatedItems} related articles are refused`, () => {
    const items = Array.from({ length: SEED_LIMITS.relatedItems + 1 }, (_, i) => `  - {title: "R${i}", webUrl: "https://r${i}.example.org/a"}`);
    const problems = problemsOf(file('---', 'title: T', 'webUrl: "https://news.example.com/a"', 'related:', ...items, '---'));
    expect(problems).toEqual([{ line: 4, message: `related: has ${SEED_LIMITS.relatedItems + 1} articles; the limit is ${SEED_LIMITS.relatedItems}` }]);
  });

  it('a YAML syntax error becomes a problem instead of an exception', () => {
    const text = file('---', 'title: T', '  webUrl: "https://news.example.com/a"', 'excerpt: E', '---');
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^front matter is not valid: /);
    expect(problems[0]!.message).not.toContain('\n');
  });

  it('a YAML syntax error is reported on the offending line of the file', () => {
    // Line 3 is indented under a scalar: js-yaml itself says "at line 3".
    const badIndent = file('---', 'title: T', '  webUrl: "https://news.example.com/a"', 'excerpt: E', '---');
    expect(problemsOf(badIndent)[0]!.line).toBe(3);
    // Line 4 repeats the key of line 2.
    const duplicate = file('---', 'title: T', 'webUrl: "https://news.example.com/a"', 'title: again', '---');
    expect(problemsOf(duplicate)[0]!.line).toBe(4);
  });
});

describe('every problem of a file is reported at once', () => {
  it('collects problems from the article and from several related items', () => {
    const text = file(
      '---',
      'title: ""',
      'webUrl: "javascript:alert(1)"',
      'publishedDateTime: "soon"',
      'related:',
      '  - title: "Fine"',
      '    webUrl: "https://ok.example.org/a"',
      '  - title: [nested, list]',
      '    webUrl: "https://ok.example.org/b"',
      '  - title: "Bad address"',
      '    webUrl: "mailto:someone@example.org"',
      '---',
    );
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.line, p.message.split(':')[0]])).toEqual([
      [2, 'title'],
      [4, 'publishedDateTime'],
      [3, 'webUrl'],
      [8, 'related[1].title'],
      [11, 'related[2].webUrl'],
    ]);
  });

  it('validateSeed asks the locator for the path of each problem', () => {
    const asked: FieldPath[] = [];
    const result = validateSeed(
      { title: 7, webUrl: 'https://a.example.com/x', related: [{ title: 'ok', webUrl: 'https://b.example.com/y' }, { title: 'r', webUrl: 'gopher://x' }] },
      (path) => {
        asked.push(path);
        return 100 + asked.length;
      },
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        { line: 101, message: 'title: must be text, not a number' },
        { line: 102, message: 'related[1].webUrl: must be an absolute http(s) address, not "gopher://x"' },
      ],
    });
    expect(asked).toEqual([['title'], ['related', 1, 'webUrl']]);
  });

  it('validateSeed refuses data that is not a mapping, or an empty one', () => {
    for (const data of [null, undefined, 'text', 42, [], {}, new Date(0)]) {
      const result = validateSeed(data, () => 9);
      expect(result, String(data)).toEqual({ ok: false, problems: [{ line: 9, message: expect.stringContaining('has no front matter') }] });
    }
  });
});

describe('front matter languages', () => {
  const executable = (opening: string): string =>
    file(opening, '{ title: (globalThis.__pwned = "executed", "T"), webUrl: "https://news.example.com/a" }', '---');

  for (const opening of ['---js', '---javascript', '---coffee', '--- JavaScript', '---JS']) {
    it(`refuses ${JSON.stringify(opening)} front matter without running it`, () => {
      const scope = globalThis as { __pwned?: unknown };
      delete scope.__pwned;
      const result = readSeedText(executable(opening));
      expect(scope.__pwned).toBeUndefined();
      expect(result.seed).toBeNull();
      expect(result.problems).toEqual([{ line: 1, message: expect.stringMatching(/^front matter language ".+" is not allowed; use YAML or JSON$/) }]);
    });
  }

  it('does not run YAML tags that construct functions', () => {
    const scope = globalThis as { __pwned?: unknown };
    delete scope.__pwned;
    const text = file('---', 'title: !!js/function "function () { globalThis.__pwned = 1; return \'T\'; }"', 'webUrl: "https://news.example.com/a"', '---');
    const result = readSeedText(text);
    expect(scope.__pwned).toBeUndefined();
    expect(result.seed).toBeNull();
    expect(result.problems[0]!.message).toMatch(/^front matter is not valid/);
  });

  it('accepts JSON front matter', () => {
    const text = file(
      '---json',
      '{',
      '  "title": "From JSON",',
      '  "webUrl": "https://news.example.com/json",',
      '  "publishedDateTime": "2022-01-02T03:04:05Z",',
      '  "related": [{ "title": "Other", "webUrl": "https://other.example.org/x", "ampWebUrl": "https://other.example.org/x/amp" }]',
      '}',
      '---',
    );
    expect(readSeedText(text)).toEqual({
      seed: {
        article: { title: 'From JSON', excerpt: '', publishedAt: Date.UTC(2022, 0, 2, 3, 4, 5), webUrl: 'https://news.example.com/json', alternateUrls: [], outletName: null },
        related: [{ title: 'Other', excerpt: '', publishedAt: null, webUrl: 'https://other.example.org/x', alternateUrls: ['https://other.example.org/x/amp'], outletName: null }],
      },
      problems: [],
    });
  });

  it('accepts an explicit ---yaml opening', () => {
    expect(readSeedText(MINIMAL.replace(/^---/, '---yaml')).problems).toEqual([]);
  });

  it('locates problems in JSON front matter on the key line', () => {
    const text = file('---json', '{', '  "title": "T",', '  "webUrl": "javascript:x"', '}', '---');
    expect(problemsOf(text)).toEqual([{ line: 4, message: expect.stringMatching(/^webUrl: /) }]);
  });
});

describe('files that are not seeds', () => {
  it('a file with no front matter is refused on line 1', () => {
    expect(problemsOf('title: T\nwebUrl: "https://news.example.com/a"\n')).toEqual([{ line: 1, message: 'has no front matter: the first line must be ---' }]);
  });

  it('an empty file is refused', () => {
    expect(problemsOf('')).toEqual([{ line: 1, message: expect.stringContaining('no front matter') }]);
  });

  it('an empty front matter block is refused', () => {
    expect(problemsOf('---\n---\nbody\n')).toEqual([{ line: 2, message: expect.stringContaining('has no front matter') }]);
  });

  it(`a file over ${SEED_LIMITS.fileBytes} bytes is refused before parsing`, () => {
    const padding = '#'.repeat(SEED_LIMITS.fileBytes);
    const problems = problemsOf(`${MINIMAL}${padding}`);
    expect(problems).toEqual([{ line: 1, message: expect.stringContaining(`the limit is ${SEED_LIMITS.fileBytes}`) }]);
  });

  it('a file of exactly the size limit is still read', () => {
    const text = `${MINIMAL}${'x'.repeat(SEED_LIMITS.fileBytes - MINIMAL.length)}`;
    expect(text.length).toBe(SEED_LIMITS.fileBytes);
    expect(readSeedText(text).problems).toEqual([]);
  });

  it('a file with a NUL byte is refused as binary', () => {
    const problems = problemsOf(MINIMAL.replace('A headline', 'A head\u0000line'));
    expect(problems).toEqual([{ line: 1, message: 'file is binary, not a text seed' }]);
  });
});
