import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS_MARKER, MAX_RELATED, MIN_RELATED, generateCorpus, writeCorpus } from '../../src/build/generate-corpus';
import { readSeedText } from '../../src/build/read-seeds';
import { clusterStories } from '../../src/core/story/cluster';

const corpus = (stories: number, seed: number): Array<{ name: string; text: string }> => [...generateCorpus({ stories, seed })];
const STORIES = 300;
const FILES = corpus(STORIES, 7);
const PARSED = FILES.map((file) => ({ file, result: readSeedText(file.text) }));
const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-generate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('generate: determinism', () => {
  it('gives byte-identical files for the same seed', () => {
    expect(corpus(STORIES, 7)).toEqual(FILES);
  });

  it('gives another corpus for another seed', () => {
    const other = corpus(STORIES, 8);
    expect(other.map((file) => file.text)).not.toEqual(FILES.map((file) => file.text));
  });

  it('writes the same files to disk as it yields, under names like the real seed', () => {
    const dir = join(scratch, 'written');
    expect(writeCorpus(dir, { stories: 40, seed: 7 }).files).toBe(40);
    const names = readdirSync(dir).filter((name) => name !== CORPUS_MARKER).sort();
    expect(names).toEqual(FILES.slice(0, 40).map((file) => file.name).sort());
    expect(names[0]).toMatch(/^\d{3}_[0-9a-f]{16}\.txt$/);
    for (const file of FILES.slice(0, 40).filter((_f, i) => i < 5)) expect(readFileSync(join(dir, file.name), 'utf8')).not.toBe('');
  });

  it('regenerates over its own corpus, but never over a directory it did not write', () => {
    const dir = join(scratch, 'written');
    expect(writeCorpus(dir, { stories: 3, seed: 1 }).files).toBe(3);
    const foreign = join(scratch, 'foreign');
    writeCorpus(join(foreign, 'sub'), { stories: 1, seed: 1 });
    writeFileSync(join(foreign, 'mine.txt'), 'a maintainer’s file');
    expect(() => writeCorpus(foreign, { stories: 1, seed: 1 })).toThrow(/not empty/);
    expect(readFileSync(join(foreign, 'mine.txt'), 'utf8')).toBe('a maintainer’s file');
  });
});

describe('generate: shape', () => {
  it('writes only valid seeds', () => {
    const invalid = PARSED.filter(({ result }) => !result.seed).map(({ file, result }) => `${file.name}: ${JSON.stringify(result.problems)}`);
    expect(invalid).toEqual([]);
  });

  const documents = PARSED.map(({ result }) => result.seed!);
  const articles = documents.flatMap((document) => [document.article, ...document.related]);
  const urls = articles.flatMap((article) => [article.webUrl, ...article.alternateUrls]);

  it(`lists ${MIN_RELATED}–${MAX_RELATED} related articles, both ends included`, () => {
    const counts = documents.map((document) => document.related.length);
    expect(Math.min(...counts)).toBe(MIN_RELATED);
    expect(Math.max(...counts)).toBe(MAX_RELATED);
  });

  it('varies hosts: many outlets, subdomains, IDN hosts', () => {
    const hosts = new Set(urls.map((url) => new URL(url).hostname));
    expect(hosts.size).toBeGreaterThan(40);
    expect([...hosts].some((host) => /^(edition|news|uk|us|eu|asia)\./.test(host))).toBe(true);
    expect([...hosts].some((host) => host.startsWith('www.'))).toBe(true);
    expect([...hosts].some((host) => host.includes('xn--'))).toBe(true);
  });

  it('has AMP and AMP-cache addresses, identifying and tracking query strings', () => {
    expect(urls.some((url) => url.includes('.cdn.ampproject.org/c/s/'))).toBe(true);
    expect(urls.some((url) => /\/amp\b|google-amp|outputType=amp/.test(url))).toBe(true);
    expect(urls.some((url) => /[?&]id=\d+/.test(url))).toBe(true);
    expect(urls.some((url) => /[?&]utm_source=/.test(url))).toBe(true);
  });

  it('has unicode titles', () => {
    expect(articles.some((article) => [...article.title].some((char) => char.charCodeAt(0) > 0x7f))).toBe(true);
  });

  it('has stories that share an article and merge', () => {
    const stories = clusterStories(PARSED.map(({ file, result }) => ({ source: file.name, document: result.seed! })));
    expect(stories.length).toBeLessThan(STORIES);
    expect(stories.length).toBeGreaterThan(STORIES / 2);
  });
});
