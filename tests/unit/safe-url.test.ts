/**
 * An XSS corpus (issue 6) through the two gates an address passes on its way to an href: seed
 * validation, which keeps it out of the index, and safeHref, which every rendered link goes through.
 * Text fields are the other half: markup in a title stays the exact text, and is rendered as text
 * (tests/component/popup-view.test.tsx).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSeedText } from '../../src/build/read-seeds';
import { SEED_LIMITS } from '../../src/core/seed/limits';
import { safeHref } from '../../src/ui/safe-url';

const LONG = 'a'.repeat(SEED_LIMITS.urlChars);

/** Addresses that must never become an href or enter the index. */
const HOSTILE: Array<[string, string]> = [
  ['javascript:', 'javascript:alert(1)'],
  ['javascript: with a comment body', 'javascript://%0Aalert(document.domain)'],
  ['mixed case', 'JaVaScRiPt:alert(1)'],
  ['upper case', 'JAVASCRIPT:alert(1)'],
  ['a leading space', ' javascript:alert(1)'],
  ['a leading tab', '\tjavascript:alert(1)'],
  ['a leading newline', '\njavascript:alert(1)'],
  ['leading control characters', '\u0001\u001fjavascript:alert(1)'],
  ['a leading no-break space', '\u00a0javascript:alert(1)'],
  ['a tab inside the scheme', 'java\tscript:alert(1)'],
  ['a newline inside the scheme', 'java\nscript:alert(1)'],
  ['a carriage return inside the scheme', 'java\rscript:alert(1)'],
  ['an entity-encoded first letter', '&#106;avascript:alert(1)'],
  ['a hex entity-encoded first letter', '&#x6A;avascript:alert(1)'],
  ['an entity-encoded colon', 'javascript&colon;alert(1)'],
  ['percent-encoded scheme', '%6Aavascript:alert(1)'],
  ['data: HTML', 'data:text/html,<script>alert(1)</script>'],
  ['data: base64 HTML', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
  ['data: SVG', 'data:image/svg+xml,<svg onload=alert(1)>'],
  ['vbscript:', 'vbscript:msgbox(1)'],
  ['mixed-case vbscript:', 'VbScRiPt:msgbox(1)'],
  ['blob:', 'blob:https://x.example/0c7f8d2e-9b1a-4d3e-8f00-000000000000'],
  ['file:', 'file:///etc/passwd'],
  ['about:', 'about:blank'],
  ['ftp:', 'ftp://files.example.com/a'],
  ['ws:', 'ws://socket.example.com/'],
  ['mailto:', 'mailto:someone@example.com'],
  ['view-source:', 'view-source:https://ok.example/'],
  ['chrome-extension:', 'chrome-extension://abcdefghijklmnop/popup.html'],
  ['moz-extension:', 'moz-extension://0c7f8d2e/popup.html'],
  ['a relative path', '/relative/path'],
  ['a protocol-relative address', '//evil.example/x'],
  ['no scheme', 'evil.example/x'],
  ['an empty string', ''],
  [`javascript: over ${SEED_LIMITS.urlChars} characters`, `javascript:alert(1)//${LONG}`],
  [`data: over ${SEED_LIMITS.urlChars} characters`, `data:text/html,${LONG}`],
];

describe('safeHref', () => {
  it.each(HOSTILE)('refuses %s', (_label, address) => {
    expect(safeHref(address)).toBeNull();
  });

  it('accepts http and https addresses', () => {
    expect(safeHref('https://ok.example/')).toBe('https://ok.example/');
    expect(safeHref('http://ok.example/a?b=c#d')).toBe('http://ok.example/a?b=c#d');
    expect(safeHref('HTTPS://OK.EXAMPLE/Path')).toBe('https://ok.example/Path');
  });

  it('serialises markup in an http address as escapes, never raw', () => {
    const href = safeHref('https://ok.example/"><script>alert(1)</script>?q="><img src=x onerror=alert(1)>');
    expect(href).not.toBeNull();
    expect(href).not.toMatch(/[<>"\s]/);
  });

  it('does not bound length itself: an over-long address is still http(s) only, and never enters the index', () => {
    // The 2,048-character bound is enforced where addresses come in (seed validation, below, and
    // the message router); safeHref's job is the scheme.
    const long = `https://ok.example/${LONG}`;
    expect(safeHref(long)).toBe(long);
    expect(problemsFor({ webUrl: long })).toEqual([`webUrl: is ${long.length} characters long; the limit is ${SEED_LIMITS.urlChars}`]);
  });

  it('returns only http(s) addresses without raw markup or whitespace, for any input', () => {
    const scheme = fc.constantFrom('', 'http:', 'https:', 'javascript:', 'JaVaScRiPt:', 'data:', 'vbscript:', 'blob:', 'file:', 'about:', ' ', '\t', 'java\tscript:', '//');
    fc.assert(
      fc.property(scheme, fc.string({ unit: 'binary', maxLength: 60 }), (prefix, rest) => {
        const href = safeHref(prefix + rest);
        if (href === null) return;
        expect(new URL(href).protocol).toMatch(/^https?:$/);
        // eslint-disable-next-line no-control-regex
        expect(href).not.toMatch(/[<>"\s\u0000-\u001f]/);
      }),
      { numRuns: 300 },
    );
  }, 30_000);
});

/** A seed as JSON front matter, so that tabs, newlines and quotes reach the validator unchanged. */
function seed(fields: Record<string, unknown>): string {
  return `---json\n${JSON.stringify({ title: 'A headline', webUrl: 'https://news.example.com/a', ...fields })}\n---\n`;
}

function problemsFor(fields: Record<string, unknown>): string[] {
  const result = readSeedText(seed(fields));
  return result.problems.map((problem) => problem.message);
}

describe('seed validation refuses the same corpus as an address', () => {
  const RELATED_OK = { title: 'R', webUrl: 'https://other.example.org/r' };

  it.each(HOSTILE)('%s as webUrl, ampWebUrl, cdnAmpWebUrl and related[0].webUrl', (_label, address) => {
    const expected = (field: string) =>
      address.trim() === ''
        ? `${field}: ${field === 'webUrl' || field.endsWith('.webUrl') ? 'must not be empty' : 'must be an absolute http(s) address, not ""'}`
        : expect.stringMatching(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}: (must be an absolute http\\(s\\) address|is \\d+ characters long)`));
    expect(problemsFor({ webUrl: address })).toEqual([expected('webUrl')]);
    expect(problemsFor({ ampWebUrl: address })).toEqual([expected('ampWebUrl')]);
    expect(problemsFor({ cdnAmpWebUrl: address })).toEqual([expected('cdnAmpWebUrl')]);
    expect(problemsFor({ related: [{ ...RELATED_OK, webUrl: address }] })).toEqual([expected('related[0].webUrl')]);
  });

  it('the same addresses in YAML front matter, quoted and unquoted', () => {
    for (const [label, address] of HOSTILE) {
      if (/[\n\r]/.test(address)) continue; // a raw line break ends a YAML scalar; covered as JSON above
      const quoted = readSeedText(`---\ntitle: T\nwebUrl: ${JSON.stringify(address)}\n---\n`);
      expect(quoted.seed, label).toBeNull();
      expect(quoted.problems[0]?.line, label).toBe(3);
    }
  });

  it(`refuses an http(s) address over ${SEED_LIMITS.urlChars} characters and accepts one at the limit`, () => {
    const at = `https://news.example.com/${'a'.repeat(SEED_LIMITS.urlChars - 'https://news.example.com/'.length)}`;
    expect(problemsFor({ webUrl: at })).toEqual([]);
    expect(problemsFor({ webUrl: `${at}a` })).toEqual([`webUrl: is ${SEED_LIMITS.urlChars + 1} characters long; the limit is ${SEED_LIMITS.urlChars}`]);
  });

  it('accepts https://ok.example/ as it is', () => {
    expect(readSeedText(seed({ webUrl: 'https://ok.example/' })).seed?.article.webUrl).toBe('https://ok.example/');
  });
});

describe('markup in every text field is kept as the exact text', () => {
  const MARKUP = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '"><svg onload=alert(1)>',
    "'; alert(1); //",
    '<a href="javascript:alert(1)">click</a>',
    '&lt;b&gt;escaped&lt;/b&gt; &amp; &#106;',
    '{{constructor.constructor("alert(1)")()}}',
    '${alert(1)}',
    '<style>*{display:none}</style>',
    'javascript:alert(1)',
    '\u202Eevil\u202C RTL override',
  ];

  it.each(MARKUP)('%s as title, excerpt and provider.name, at the top and in related', (text) => {
    const { seed: document, problems } = readSeedText(
      seed({ title: text, excerpt: text, provider: { name: text }, related: [{ title: text, excerpt: text, webUrl: 'https://other.example.org/r', provider: { name: text } }] }),
    );
    expect(problems).toEqual([]);
    for (const article of [document!.article, document!.related[0]!]) {
      expect(article.title).toBe(text);
      expect(article.excerpt).toBe(text);
      expect(article.outletName).toBe(text);
    }
  });

  it('the same markup in YAML front matter', () => {
    for (const text of MARKUP) {
      const yaml = `---\ntitle: ${JSON.stringify(text)}\nexcerpt: ${JSON.stringify(text)}\nwebUrl: "https://news.example.com/a"\nprovider:\n  name: ${JSON.stringify(text)}\n---\n`;
      const { seed: document } = readSeedText(yaml);
      expect(document?.article, text).toMatchObject({ title: text, excerpt: text, outletName: text });
    }
  });
});
