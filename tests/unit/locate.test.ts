import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { locateField } from '../../src/core/seed/locate';
import type { FieldPath } from '../../src/core/seed/types';

/**
 * Front matter as the locator sees it: the lines between the --- markers. Each fixture marks the
 * line a path should resolve to with a trailing comment naming the path, so expectations are
 * written next to the YAML they describe.
 */
function frontMatter(text: string): string[] {
  return text.replace(/^\n/, '').replace(/\n$/, '').split('\n');
}

/** 0-based index of the line that carries the marker `# <- name`. */
function marked(lines: readonly string[], name: string): number {
  const index = lines.findIndex((line) => line.endsWith(`# <- ${name}`));
  if (index === -1) throw new Error(`no line is marked ${name}`);
  return index;
}

const locate = (lines: readonly string[], path: FieldPath, firstLine = 1): number => locateField(lines, firstLine, path);

describe('block YAML', () => {
  const lines = frontMatter(`
title: Headline # <- title
excerpt: >
  folded text that mentions webUrl: but is not a key
webUrl: "https://a.example.com/x" # <- webUrl
provider: # <- provider
  domain: example.com
  name: Example # <- provider.name
related: # <- related
  - title: First # <- related[0]
    webUrl: "https://b.example.org/1" # <- related[0].webUrl
    provider:
      name: B # <- related[0].provider.name
  - title: Second # <- related[1]
    excerpt: E
    webUrl: "https://c.example.org/2" # <- related[1].webUrl
secured: x # <- secured
`);

  const cases: Array<[FieldPath, string]> = [
    [['title'], 'title'],
    [['webUrl'], 'webUrl'],
    [['provider'], 'provider'],
    [['provider', 'name'], 'provider.name'],
    [['related'], 'related'],
    [['related', 0], 'related[0]'],
    [['related', 0, 'title'], 'related[0]'],
    [['related', 0, 'webUrl'], 'related[0].webUrl'],
    [['related', 0, 'provider', 'name'], 'related[0].provider.name'],
    [['related', 1], 'related[1]'],
    [['related', 1, 'title'], 'related[1]'],
    [['related', 1, 'webUrl'], 'related[1].webUrl'],
    [['secured'], 'secured'],
  ];

  for (const [path, mark] of cases) {
    it(`finds ${JSON.stringify(path)} on the ${mark} line`, () => {
      expect(locate(lines, path)).toBe(marked(lines, mark) + 1);
    });
  }

  it('numbers lines from firstLine, so results are file lines', () => {
    expect(locate(lines, ['webUrl'], 2)).toBe(marked(lines, 'webUrl') + 2);
    expect(locate(lines, ['related', 1, 'webUrl'], 10)).toBe(marked(lines, 'related[1].webUrl') + 10);
  });

  it('does not take a related item’s key for the same key of another item', () => {
    const oneMissing = frontMatter(`
related: # <- related
  - title: First
    webUrl: "https://b.example.org/1"
  - title: Second # <- related[1]
  - title: Third
    webUrl: "https://d.example.org/3"
`);
    expect(locate(oneMissing, ['related', 1, 'webUrl'])).toBe(marked(oneMissing, 'related[1]') + 1);
  });
});

describe('compact sequences (items at the key’s own indentation)', () => {
  const lines = frontMatter(`
title: T
related: # <- related
- title: a # <- related[0]
  webUrl: "https://a.example.org/" # <- related[0].webUrl
- title: b # <- related[1]
  provider: # <- related[1].provider
    name: B # <- related[1].provider.name
  webUrl: "https://b.example.org/" # <- related[1].webUrl
webUrl: "https://top.example.com/" # <- webUrl
`);

  it('finds every item of the sequence', () => {
    expect(locate(lines, ['related', 0])).toBe(marked(lines, 'related[0]') + 1);
    expect(locate(lines, ['related', 1])).toBe(marked(lines, 'related[1]') + 1);
  });

  it('finds keys inside compact items, including the key on the item line', () => {
    expect(locate(lines, ['related', 0, 'title'])).toBe(marked(lines, 'related[0]') + 1);
    expect(locate(lines, ['related', 0, 'webUrl'])).toBe(marked(lines, 'related[0].webUrl') + 1);
    expect(locate(lines, ['related', 1, 'webUrl'])).toBe(marked(lines, 'related[1].webUrl') + 1);
    expect(locate(lines, ['related', 1, 'provider', 'name'])).toBe(marked(lines, 'related[1].provider.name') + 1);
  });

  it('ends the sequence at the next top-level key', () => {
    // A third item would have to start before `webUrl:`; there is none.
    expect(locate(lines, ['related', 2])).toBe(marked(lines, 'related') + 1);
    expect(locate(lines, ['related', 1, 'excerpt'])).toBe(marked(lines, 'related[1]') + 1);
  });

  it('handles a nested compact sequence inside an item', () => {
    const nested = frontMatter(`
related:
  - title: a # <- related[0]
    images:
    - url: x
    - url: y
  - title: b # <- related[1]
    webUrl: w # <- related[1].webUrl
`);
    expect(locate(nested, ['related', 1])).toBe(marked(nested, 'related[1]') + 1);
    expect(locate(nested, ['related', 1, 'webUrl'])).toBe(marked(nested, 'related[1].webUrl') + 1);
  });
});

describe('the real seed', () => {
  const text = readFileSync(new URL('../../seeds/000_e29929052b0126c7.txt', import.meta.url), 'utf8');
  const fileLines = text.split('\n');
  const end = fileLines.indexOf('---', 1);
  const lines = fileLines.slice(1, end);
  const fileLineOf = (needle: string, from = 0): number => fileLines.findIndex((line, i) => i >= from && line.includes(needle)) + 1;

  it('finds provider.name of the article, not of a related item', () => {
    expect(locate(lines, ['provider', 'name'], 2)).toBe(fileLineOf('  name: Data Center Knowledge'));
  });

  it('finds the Forbes webUrl as related[1].webUrl', () => {
    expect(locate(lines, ['related', 1, 'webUrl'], 2)).toBe(fileLineOf('    webUrl: "https://www.forbes.com'));
    expect(locate(lines, ['related', 1, 'provider', 'name'], 2)).toBe(fileLineOf('      name: Forbes'));
  });

  it('finds the CNET cdnAmpWebUrl as related[0].cdnAmpWebUrl', () => {
    expect(locate(lines, ['related', 0, 'cdnAmpWebUrl'], 2)).toBe(fileLineOf('    cdnAmpWebUrl:'));
  });
});

describe('paths it cannot follow', () => {
  const lines = frontMatter(`
titles: not the title key
subtitle: also not the title key
# webUrl: commented out
related: [{title: a, webUrl: b}] # <- related
title: T # <- title
"quoted": yes # <- quoted
`);

  it('falls back to the deepest ancestor found', () => {
    expect(locate(lines, ['related', 0, 'webUrl'])).toBe(marked(lines, 'related') + 1);
    expect(locate(lines, ['related', 7])).toBe(marked(lines, 'related') + 1);
  });

  it('falls back to the first line for the root and for unknown top-level keys', () => {
    expect(locate(lines, [], 5)).toBe(5);
    expect(locate(lines, ['nowhere'], 5)).toBe(5);
  });

  it('ignores commented-out keys', () => {
    expect(locate(lines, ['webUrl'], 5)).toBe(5);
  });

  it('matches whole keys only, quoted or not', () => {
    expect(locate(lines, ['title'])).toBe(marked(lines, 'title') + 1);
    expect(locate(lines, ['quoted'])).toBe(marked(lines, 'quoted') + 1);
  });

  it('escapes keys that contain regular-expression characters', () => {
    const special = frontMatter(`
a+b: 1
a.b: 2 # <- a.b
`);
    expect(locate(special, ['a.b'])).toBe(marked(special, 'a.b') + 1);
  });
});

describe('only direct children count as a key of a mapping', () => {
  it('a missing top-level key is not found inside a nested mapping', () => {
    const lines = frontMatter(`
webUrl: "https://a.example.com/x"
images:
  - url: "https://a.example.com/i.jpg"
    title: "Image caption"
`);
    expect(locate(lines, ['title'], 2)).toBe(2);
  });

  it('a top-level key after a compact sequence is not taken from an item of the sequence', () => {
    const lines = frontMatter(`
title: T
related:
- title: a
  webUrl: "https://a.example.org/"
webUrl: "https://top.example.com/" # <- webUrl
`);
    expect(locate(lines, ['webUrl'])).toBe(marked(lines, 'webUrl') + 1);
  });

  it('a nested key that comes first does not hide the top-level one', () => {
    const lines = frontMatter(`
related:
  - title: R
    webUrl: "https://b.example.org/1"
    provider:
      name: B
provider:
  name: Top # <- provider.name
`);
    expect(locate(lines, ['provider', 'name'])).toBe(marked(lines, 'provider.name') + 1);
  });
});
