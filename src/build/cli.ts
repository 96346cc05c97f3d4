import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CoverageIndex, type Coverage } from '../core/index/coverage-index';
import { buildIndex } from './build-index';
import { formatProblem, readSeeds } from './read-seeds';

const USAGE = `Usage: npm run -s cli -- <command> [options]

Commands:
  check  [--seeds DIR]                         validate seeds; prints FILE:LINE: message for each problem
  build  [--seeds DIR] --out DIR [--skip-invalid]  build the index into DIR/index.bin
  lookup URL [--seeds DIR] [--json]            the coverage Elsewhere shows for URL
  lookup --stdin [--seeds DIR] [--json]        one URL a line in, one result a line out
  stats  [--seeds DIR]                         stories, articles, outlets and index bytes

--seeds defaults to seeds/.`;

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

function loadIndex(seedsDir: string, skipInvalid: boolean): { index: CoverageIndex; bytes: Uint8Array; built: ReturnType<typeof buildIndex> } {
  const read = readSeeds(seedsDir);
  if (read.problems.length > 0) {
    for (const problem of read.problems) process.stderr.write(`${formatProblem(problem)}\n`);
    if (!skipInvalid) fail(`${read.invalidFiles.length} of ${read.fileCount} seed files are invalid; fix them or pass --skip-invalid`);
    for (const file of read.invalidFiles) process.stderr.write(`skipped ${file}\n`);
  }
  const built = buildIndex(read.seeds);
  return { index: CoverageIndex.decode(built.bytes), bytes: built.bytes, built };
}

function lookupResult(coverage: Coverage | null): object {
  if (!coverage) return { matched: false, related: [] };
  const related = [...coverage.otherOutlets, ...coverage.sameOutlet]
    .sort((a, b) => (a.publishedAt ?? Infinity) - (b.publishedAt ?? Infinity))
    .map((article) => ({
      url: article.url,
      title: article.title,
      outlet: article.outlet,
      publishedAt: article.publishedAt === null ? null : new Date(article.publishedAt).toISOString(),
    }));
  return { matched: true, related };
}

function describeCoverage(url: string, coverage: Coverage | null): string {
  if (!coverage) return `${url}\n  no other coverage known`;
  const lines = [`${url}\n  ${coverage.article.outlet}: ${coverage.article.title}`, `  ${coverage.otherOutletCount} other outlet(s):`];
  for (const other of coverage.otherOutlets) lines.push(`  - ${other.outlet}: ${other.title}\n    ${other.url}`);
  if (coverage.sameOutlet.length > 0) lines.push(`  also from ${coverage.article.outlet}:`);
  for (const same of coverage.sameOutlet) lines.push(`  - ${same.title}\n    ${same.url}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      seeds: { type: 'string', default: 'seeds' },
      out: { type: 'string' },
      'skip-invalid': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      stdin: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const seedsDir = values.seeds!;
  switch (command) {
    case 'check': {
      const read = readSeeds(seedsDir);
      for (const problem of read.problems) process.stdout.write(`${formatProblem(problem)}\n`);
      process.stderr.write(`${read.fileCount} seed files, ${read.invalidFiles.length} invalid, ${read.problems.length} problems\n`);
      return read.problems.length > 0 ? 1 : 0;
    }
    case 'build': {
      if (!values.out) fail('build needs --out DIR');
      const { bytes, built } = loadIndex(seedsDir, values['skip-invalid']!);
      mkdirSync(values.out, { recursive: true });
      writeFileSync(join(values.out, 'index.bin'), bytes);
      writeFileSync(join(values.out, 'hosts.json'), `${JSON.stringify(built.hosts, null, 2)}\n`);
      process.stderr.write(`wrote ${join(values.out, 'index.bin')}: ${built.stories.length} stories, ${bytes.length} bytes\n`);
      return 0;
    }
    case 'lookup': {
      const { index } = loadIndex(seedsDir, values['skip-invalid']!);
      const answer = (url: string): string => {
        const coverage = index.coverage([url]);
        return values.json ? JSON.stringify(lookupResult(coverage)) : describeCoverage(url, coverage);
      };
      if (values.stdin) {
        for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
          const url = line.trim();
          if (url) process.stdout.write(`${answer(url)}\n`);
        }
        return 0;
      }
      if (rest.length !== 1) fail('lookup needs exactly one URL, or --stdin');
      process.stdout.write(`${answer(rest[0]!)}\n`);
      return 0;
    }
    case 'stats': {
      const { built, bytes } = loadIndex(seedsDir, values['skip-invalid']!);
      const articles = built.stories.reduce((sum, story) => sum + story.articles.length, 0);
      const outlets = new Set(built.stories.flatMap((story) => story.articles.map((article) => article.outletDomain)));
      const stats = { stories: built.stories.length, articles, outlets: outlets.size, addresses: CoverageIndex.decode(bytes).header.keyCount, indexBytes: bytes.length };
      process.stdout.write(values.json ? `${JSON.stringify(stats)}\n` : `${Object.entries(stats).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
      return 0;
    }
    default:
      fail(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`elsewhere: ${(error as Error).message ?? String(error)}\n`);
    if (usage) process.stderr.write('Run with --help for usage.\n');
    process.exitCode = usage ? 2 : 1;
  },
);

