import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliArgs } from './cli-command';
import { buildIndex } from '../../src/build/build-index';
import { readSeeds } from '../../src/build/read-seeds';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { explainLookup, formatExplanation } from '../../src/core/index/explain-lookup';

/** `lookup URL --explain` (issue 3): which keys were tried, which matched and why. */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEEDS_DIR = 'tests/fixtures/seeds-urls';
/** tsx compiles the CLI before it runs; on a busy 2-core machine that takes a few seconds. */
const CLI_TIMEOUT_MS = 60_000;

const CNET = 'https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
const CNET_KEY = 'cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai';
const CNET_AMP_KEY = 'cnet.com/google-amp/news/microsoft-builds-massive-supercomputer-for-smarter-ai';
const CNET_CDN = 'https://www-cnet-com.cdn.ampproject.org/c/s/www.cnet.com/google-amp/news/microsoft-builds-massive-supercomputer-for-smarter-ai/';
const ID_ARTICLE = 'https://www.example-news.com/article.php?id=123';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, cliArgs(['lookup', '--seeds', SEEDS_DIR, ...args]), { cwd: ROOT, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('explainLookup', () => {
  let index: CoverageIndex;
  beforeAll(() => {
    index = CoverageIndex.decode(buildIndex(readSeeds(`${ROOT}${SEEDS_DIR}`).seeds).bytes);
  });

  it('names the full key when the address is indexed as it is', () => {
    const { addresses, match } = explainLookup(index, [CNET]);
    expect(addresses[0]!.unwraps).toEqual([]);
    expect(addresses[0]!.attempts).toEqual([
      { key: CNET_KEY, kind: 'full', outcome: 'matched', reason: 'full key: the index holds this address', article: expect.objectContaining({ url: CNET }) },
    ]);
    expect(match).toEqual({ address: CNET, key: CNET_KEY, articleId: index.match([CNET])!.articleId });
  });

  it('tries the full key, then falls back to the path when the article was indexed without a query', () => {
    const { addresses } = explainLookup(index, [`${CNET}?page=2&utm_source=x`]);
    expect(addresses[0]!.attempts.map(({ key, kind, outcome, reason }) => ({ key, kind, outcome, reason }))).toEqual([
      { key: `${CNET_KEY}?page=2`, kind: 'full', outcome: 'missed', reason: 'full key: not in the index' },
      { key: CNET_KEY, kind: 'path-only', outcome: 'matched', reason: 'path-only fallback: indexed without query, so any query matches' },
    ]);
  });

  it('says why the path fallback fails for an article indexed with a query', () => {
    const { addresses, match } = explainLookup(index, [`${ID_ARTICLE}&page=2`]);
    expect(match).toBeNull();
    expect(addresses[0]!.attempts.map((attempt) => [attempt.kind, attempt.outcome, attempt.reason])).toEqual([
      ['full', 'missed', 'full key: not in the index'],
      ['path-only', 'missed', 'path-only fallback: no article is indexed at this path without a query'],
    ]);
  });

  it('lists the wrappers it peeled, outermost first', () => {
    const wrapped = `https://www.google.com/url?q=${encodeURIComponent(CNET_CDN)}&sa=D`;
    const { addresses } = explainLookup(index, [wrapped]);
    expect(addresses[0]!.unwraps.map((step) => step.rule)).toEqual(['Google redirect', 'AMP cache']);
    expect(addresses[0]!.unwrapped).toBe('https://www.cnet.com/google-amp/news/microsoft-builds-massive-supercomputer-for-smarter-ai');
    expect(addresses[0]!.attempts[0]).toMatchObject({ key: CNET_AMP_KEY, outcome: 'matched' });
  });

  it('says why an address can never match', () => {
    expect(explainLookup(index, ['ftp://www.cnet.com/news/x']).addresses[0]).toMatchObject({ refused: 'ftp: addresses never match; only http and https do', attempts: [], unwrapped: null });
    expect(explainLookup(index, ['www.cnet.com/news/x']).addresses[0]!.refused).toBe('not an absolute address');
  });

  it('follows the page-signal order, and skips what comes after a match', () => {
    const { addresses, match } = explainLookup(index, ['https://www.cnet.com/some/print/view', CNET, ID_ARTICLE]);
    expect(addresses.map((entry) => entry.attempts.map((attempt) => attempt.outcome))).toEqual([['missed'], ['matched'], ['skipped', 'skipped']]);
    expect(match?.address).toBe(CNET);
  });

  it('formats one fact a line', () => {
    const text = formatExplanation(explainLookup(index, [`${CNET_CDN}?usqp=mq331AQ`]));
    expect(text).toContain('unwrap (AMP cache): https://www.cnet.com/google-amp/news/');
    expect(text).toMatch(/key 1 \[MATCH\] cnet\.com\/google-amp\/news\/microsoft-builds-massive-supercomputer-for-smarter-ai\n\s+full key: the index holds this address/);
    expect(text).toMatch(/result: matched article #\d+ by key cnet\.com\/google-amp\//);
    expect(formatExplanation(explainLookup(index, ['https://notcnet.com/news/x']))).toMatch(/\[miss \] notcnet\.com\/news\/x[\s\S]*result: no match$/);
  });
});

describe('lookup --explain (the CLI as a process)', () => {
  it(
    'prints the unwrapped address, each key tried, and why it matched',
    () => {
      const run = cli(`https://out.reddit.com/t3_x?url=${encodeURIComponent(`${CNET}?page=2`)}&token=a`, '--explain');
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('unwrap (Reddit outbound link): https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/?page=2');
      expect(run.stdout).toContain(`key 1 [miss ] ${CNET_KEY}?page=2`);
      expect(run.stdout).toContain(`key 2 [MATCH] ${CNET_KEY}`);
      expect(run.stdout).toContain('path-only fallback: indexed without query, so any query matches');
      expect(run.stdout).toMatch(/result: matched article #\d+ by key cnet\.com\/news\//);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'prints the explanation as JSON with --json',
    () => {
      const run = cli(`${ID_ARTICLE}&utm_source=x`, '--explain', '--json');
      expect(run.status).toBe(0);
      const explanation = JSON.parse(run.stdout) as ReturnType<typeof explainLookup>;
      expect(explanation.match?.key).toBe('example-news.com/article.php?id=123');
      expect(explanation.addresses[0]!.attempts[0]).toMatchObject({ kind: 'full', outcome: 'matched' });
    },
    CLI_TIMEOUT_MS,
  );
});
