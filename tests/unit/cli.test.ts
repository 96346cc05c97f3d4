import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgs, ROOT } from './cli-command';
import { listSeedFiles, readSeeds, readSeedText } from '../../src/build/read-seeds';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { encodeIndex } from '../../src/core/index/encode';
import { clusterStories } from '../../src/core/story/cluster';
import type { SeedArticle } from '../../src/core/seed/types';

/** The CLI runs as a real process, from the repository root, exactly as `npm run cli` does. */
const TIMEOUT = 30_000;

const GOOD = 'tests/fixtures/seeds-good';
const BAD = 'tests/fixtures/seeds-bad';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], input?: string): Run {
  const result = spawnSync(process.execPath, cliArgs(args), { cwd: ROOT, encoding: 'utf8', timeout: TIMEOUT - 2_000, input, env: { ...process.env, NO_COLOR: '1' } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A stack trace means an error escaped instead of being reported. */
function expectNoStackTrace(run: Run): void {
  expect(run.stderr).not.toMatch(/^\s{4}at /m);
  expect(run.stdout).not.toMatch(/^\s{4}at /m);
}

const temporary: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'elsewhere-cli-'));
  temporary.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function decodeFile(path: string): CoverageIndex {
  return CoverageIndex.decode(new Uint8Array(readFileSync(path)));
}

const REAL_TEXT = readFileSync(join(ROOT, 'seeds', '000_e29929052b0126c7.txt'), 'utf8');
const REAL = readSeedText(REAL_TEXT).seed!;
const [CNET, FORBES] = REAL.related as [SeedArticle, SeedArticle];
const DCK = REAL.article;

/** What `lookup --json` should say about the other articles, oldest first. */
function expectedRelated(...articles: SeedArticle[]): Array<{ url: string; title: string; outlet: string | null; publishedAt: string | null }> {
  return [...articles]
    .sort((a, b) => a.publishedAt! - b.publishedAt!)
    .map((a) => ({ url: a.webUrl, title: a.title, outlet: a.outletName, publishedAt: new Date(a.publishedAt!).toISOString() }));
}

describe('check', () => {
  it('accepts the real seeds and exits 0', { timeout: TIMEOUT }, () => {
    const run = cli(['check', '--seeds', 'seeds']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${listSeedFiles(join(ROOT, 'seeds')).length} seed files, 0 invalid, 0 problems`);
  });

  it('prints FILE:LINE: message for every problem of every bad file and exits 1', { timeout: TIMEOUT }, () => {
    const run = cli(['check', '--seeds', BAD]);
    expect(run.status).toBe(1);
    expectNoStackTrace(run);
    const lines = run.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^tests\/fixtures\/seeds-bad\/[\w-]+\.md:\d+: \S/);
    expect(lines).toEqual([
      `${BAD}/bad-address.md:2: title: is required`,
      `${BAD}/bad-address.md:3: webUrl: must be an absolute http(s) address, not "javascript:alert(1)"`,
      `${BAD}/bad-related.md:4: related: must be a list of articles, not a number`,
    ]);
    expect(run.stdout).not.toContain('good.md');
    expect(run.stderr).toContain('3 seed files, 2 invalid, 3 problems');
  });
});

describe('build', () => {
  it('writes an index.bin that decodes to the seeds’ stories', { timeout: TIMEOUT }, () => {
    const out = join(tempDir(), 'nested', 'out');
    const run = cli(['build', '--seeds', GOOD, '--out', out]);
    expect(run.status).toBe(0);
    expectNoStackTrace(run);
    const index = decodeFile(join(out, 'index.bin'));
    const expected = clusterStories(readSeeds(join(ROOT, GOOD)).seeds);
    expect(index.header.storyCount).toBe(expected.length);
    expect(index.header.storyCount).toBe(2);
    expect(index.header.articleCount).toBe(5);
    expect(index.coverage(['https://edition.cnn.com/2024/03/02/world/power-cut/index.html'])?.otherOutletCount).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'hosts.json'), 'utf8'))).toEqual(['bbc.co.uk', 'cnn.com', 'edition.cnn.com', 'reuters.com', 'theguardian.com']);
    expect(run.stderr).toContain(`${join(out, 'index.bin')}: 2 stories`);
  });

  it('refuses invalid seeds with their problems and no stack trace', { timeout: TIMEOUT }, () => {
    const out = tempDir();
    const run = cli(['build', '--seeds', BAD, '--out', out]);
    expect(run.status).not.toBe(0);
    expectNoStackTrace(run);
    expect(run.stderr).toContain(`${BAD}/bad-address.md:3: webUrl:`);
    expect(run.stderr).toContain(`${BAD}/bad-related.md:4: related:`);
    expect(run.stderr).toContain('--skip-invalid');
    expect(existsSync(join(out, 'index.bin'))).toBe(false);
  });

  it('with --skip-invalid, builds from the valid seeds and names each skipped file', { timeout: TIMEOUT }, () => {
    const out = tempDir();
    const run = cli(['build', '--seeds', BAD, '--out', out, '--skip-invalid']);
    expect(run.status).toBe(0);
    expectNoStackTrace(run);
    expect(run.stderr).toContain(`skipped ${BAD}/bad-address.md`);
    expect(run.stderr).toContain(`skipped ${BAD}/bad-related.md`);
    expect(run.stderr).not.toContain('skipped tests/fixtures/seeds-bad/good.md');
    const index = decodeFile(join(out, 'index.bin'));
    expect(index.header).toMatchObject({ storyCount: 1, articleCount: 2 });
    expect(index.coverage(['https://example-news.com/2024/05/01/fine'])?.otherOutlets.map((a) => a.url)).toEqual(['https://www.other-news.org/fine-too']);
  });

  it('without --out is a usage error', { timeout: TIMEOUT }, () => {
    const run = cli(['build', '--seeds', GOOD]);
    expect(run.status).toBe(2);
    expectNoStackTrace(run);
    expect(run.stderr).toContain('--out');
  });
});

describe('lookup', () => {
  it('--json prints exactly matched and the other articles, oldest first', { timeout: TIMEOUT }, () => {
    const run = cli(['lookup', `${FORBES.webUrl}?utm_source=newsletter`, '--json']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${JSON.stringify({ matched: true, related: expectedRelated(CNET, DCK) })}\n`);
  });

  it('--json finds an article by its AMP cache address', { timeout: TIMEOUT }, () => {
    const run = cli(['lookup', CNET.alternateUrls[1]!, '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ matched: true, related: expectedRelated(FORBES, DCK) });
  });

  it('--json says matched false for an unknown address', { timeout: TIMEOUT }, () => {
    const run = cli(['lookup', 'https://www.example.com/not-indexed', '--json']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('{"matched":false,"related":[]}\n');
  });

  it('--stdin --json answers one line per address, in order', { timeout: TIMEOUT }, () => {
    const run = cli(['lookup', '--stdin', '--json'], `${DCK.webUrl}\nhttps://unknown.example.org/x\n\n   ${CNET.alternateUrls[0]!}  \n`);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { matched: true, related: expectedRelated(CNET, FORBES) },
      { matched: false, related: [] },
      { matched: true, related: expectedRelated(FORBES, DCK) },
    ]);
  });

  it('without --json describes the coverage for people', { timeout: TIMEOUT }, () => {
    const run = cli(['lookup', DCK.webUrl]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('2 other outlet(s)');
    expect(run.stdout).toContain(`CNET: ${CNET.title}`);
    expect(run.stdout).toContain(`Forbes: ${FORBES.title}`);
  });

  it('lists other articles of the same outlet too, in time order', { timeout: TIMEOUT }, () => {
    const run = cli(['lookup', '--seeds', GOOD, '--json', 'https://www.cnn.com/2024/03/02/world/power-returns/index.html']);
    expect(run.status).toBe(0);
    const answer = JSON.parse(run.stdout) as { related: Array<{ url: string; outlet: string }> };
    expect(answer.related.map((a) => a.url)).toEqual(['https://www.bbc.co.uk/news/world-68000001', 'https://edition.cnn.com/2024/03/02/world/power-cut/index.html']);
  });

  it('without an address is a usage error', { timeout: TIMEOUT }, () => {
    const run = cli(['lookup']);
    expect(run.status).toBe(2);
    expectNoStackTrace(run);
    expect(run.stderr).toContain('lookup needs exactly one URL');
  });
});

describe('stats', () => {
  it('prints stories, articles, outlets and index bytes', { timeout: TIMEOUT }, () => {
    const run = cli(['stats']);
    expect(run.status).toBe(0);
    const stories = clusterStories(readSeeds(join(ROOT, 'seeds')).seeds);
    const stats = Object.fromEntries(run.stdout.trimEnd().split('\n').map((line) => line.split(': ') as [string, string]));
    expect(stats).toMatchObject({
      stories: String(stories.length),
      articles: String(stories.reduce((sum, s) => sum + s.articles.length, 0)),
      outlets: String(new Set(stories.flatMap((s) => s.articles.map((a) => a.outletDomain))).size),
      indexBytes: String(encodeIndex(stories).byteLength),
    });
    expect(stats).toMatchObject({ stories: '1', articles: '3', outlets: '3' });
  });

  it('--json prints the same numbers as JSON', { timeout: TIMEOUT }, () => {
    const run = cli(['stats', '--seeds', GOOD, '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ stories: 2, articles: 5, outlets: 4 });
  });
});

describe('usage', () => {
  it('an unknown command exits 2 with a usage hint and no stack trace', { timeout: TIMEOUT }, () => {
    const run = cli(['frobnicate']);
    expect(run.status).toBe(2);
    expectNoStackTrace(run);
    expect(run.stderr).toContain('unknown command "frobnicate"');
    expect(run.stderr).toContain('--help');
  });

  it('an unknown option exits 2 with a usage hint and no stack trace', { timeout: TIMEOUT }, () => {
    const run = cli(['check', '--frobnicate']);
    expect(run.status).toBe(2);
    expectNoStackTrace(run);
    expect(run.stderr).toContain('--help');
  });

  it('no command prints the usage and exits 2', { timeout: TIMEOUT }, () => {
    const run = cli([]);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/^Usage: /);
  });

  it('--help prints the usage and exits 0', { timeout: TIMEOUT }, () => {
    const run = cli(['--help']);
    expect(run.status).toBe(0);
    for (const command of ['check', 'build', 'lookup', 'stats']) expect(run.stdout).toContain(`  ${command} `);
  });
});
