import { describe, expect, it } from 'vitest';
import { combinedCoverage, MAX_MERGED_ARTICLES, type CoverageSource } from '../../src/core/list/combined-coverage';
import { indexOf, type Entry } from './story-fixture';

const a: Entry = { url: 'https://www.alpha.example/news/one', outlet: 'Alpha', date: '2026-01-01T10:00:00Z' };
const b: Entry = { url: 'https://beta.example/2026/one', outlet: 'Beta', date: '2026-01-01T09:00:00Z' };
const c: Entry = { url: 'https://gamma.example/one', outlet: 'Gamma', date: '2026-01-01T12:00:00Z' };
const d: Entry = { url: 'https://delta.example/one', outlet: 'Delta', date: '2026-01-01T08:00:00Z' };
const unrelated: Entry = { url: 'https://omega.example/other', outlet: 'Omega', date: '2026-02-01T08:00:00Z' };

describe('combinedCoverage', () => {
  const bundled = indexOf([[a, [b]]]);

  it('answers exactly as the index itself when there is only the bundled index', () => {
    expect(combinedCoverage([{ index: bundled, list: null }], [a.url])).toEqual(bundled.coverage([a.url]));
    expect(combinedCoverage([{ index: bundled, list: null }], [unrelated.url])).toBeNull();
  });

  it('merges a list story that shares an article with a bundled story, and names the list', () => {
    const list = indexOf([[b, [c, d]]]);
    const sources: CoverageSource[] = [
      { index: bundled, list: null },
      { index: list, list: 'Newsroom list' },
    ];
    for (const page of [a, b, c, d]) {
      const coverage = combinedCoverage(sources, [page.url])!;
      expect(coverage.article.url).toBe(page.url);
      expect(coverage.otherOutletCount).toBe(3);
      expect(coverage.lists).toEqual(['Newsroom list']);
    }
    // Oldest first across sources, and the first report is the earliest of all of them.
    const fromA = combinedCoverage(sources, [a.url])!;
    expect(fromA.otherOutlets.map((article) => article.url)).toEqual([d.url, b.url, c.url]);
    expect(fromA.firstReportUrl).toBe(d.url);
  });

  it('finds stories that only a list knows, and keeps unrelated stories apart', () => {
    const list = indexOf([[c, [d]], [unrelated, []]]);
    const sources: CoverageSource[] = [
      { index: bundled, list: null },
      { index: list, list: 'L' },
    ];
    expect(combinedCoverage(sources, [c.url])!.otherOutlets.map((article) => article.url)).toEqual([d.url]);
    expect(combinedCoverage(sources, [a.url])!.otherOutlets.map((article) => article.url)).toEqual([b.url]);
    // A story the list knows only as itself has no other coverage, and lists nothing from the bundle.
    expect(combinedCoverage(sources, [a.url])!.lists).toBeUndefined();
  });

  it('lists an article known to two sources once, taking the earlier source’s copy', () => {
    const list = indexOf([[{ ...b, title: 'Retitled by the list' }, [c]]]);
    const coverage = combinedCoverage(
      [
        { index: bundled, list: null },
        { index: list, list: 'L' },
      ],
      [a.url],
    )!;
    expect(coverage.otherOutlets.map((article) => article.url)).toEqual([b.url, c.url]);
    expect(coverage.otherOutlets[0]!.title).toBe('Story at Beta');
  });

  it('merges transitively: bundled A–B, list B–C, second list C–D', () => {
    const sources: CoverageSource[] = [
      { index: bundled, list: null },
      { index: indexOf([[b, [c]]]), list: 'One' },
      { index: indexOf([[c, [d]]]), list: 'Two' },
    ];
    const coverage = combinedCoverage(sources, [a.url])!;
    expect(coverage.otherOutletCount).toBe(3);
    expect(coverage.lists).toEqual(['One', 'Two']);
  });

  it('stops a hostile chain of stories at MAX_MERGED_ARTICLES', () => {
    // Two lists that chain through shared addresses: story k of one list shares an article with story k of the other.
    const length = MAX_MERGED_ARTICLES;
    const link = (k: number): Entry => ({ url: `https://chain${k}.example/a`, outlet: `Chain ${k}`, date: '2026-03-01T00:00:00Z' });
    const odd = indexOf(Array.from({ length }, (_, k): [Entry, Entry[]] => [link(2 * k), [link(2 * k + 1)]]));
    const even = indexOf(Array.from({ length }, (_, k): [Entry, Entry[]] => [link(2 * k + 1), [link(2 * k + 2)]]));
    const coverage = combinedCoverage(
      [
        { index: bundled, list: null },
        { index: odd, list: 'Odd' },
        { index: even, list: 'Even' },
      ],
      [link(0).url],
    )!;
    expect(coverage.otherOutlets.length + coverage.sameOutlet.length + 1).toBe(MAX_MERGED_ARTICLES);
  });
});
