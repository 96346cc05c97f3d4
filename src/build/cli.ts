import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CoverageIndex } from '../core/index/coverage-index';
import { explainLookup, formatExplanation } from '../core/index/explain-lookup';
import { LIST_MANIFEST_FILE, MAX_LIST_SHARDS } from '../core/list/list-manifest';
import { writeCorpus } from './generate-corpus';
import { INDEX_FILE, openIndexFile } from './index-file';
import { loadSeedIndex, prefetchLastBuild, type SeedLoadOptions } from './load-seeds';
import { BufferedOutput, describeCoverage, lookupResult } from './lookup-output';
import { publishList } from './publish-list';
import { formatProblem, readSeeds } from './read-seeds';
import { DEFAULT_CACHE_DIR } from './seed-cache';
import { startListServer } from './serve-list';
import { fail, positiveInteger, UsageError } from './usage-error';
import { watchSeeds } from './watch-seeds';

const USAGE = `Usage: npm run -s cli -- <command> [options]

Commands:
  check  [--seeds DIR]                         validate seeds; prints FILE:LINE: message for each problem
  build  [--seeds DIR] --out DIR [--skip-invalid] [--no-cache] [--workers N] [--watch]
                                               build the index into DIR/index.bin, parsing on every core
                                               and reusing unchanged seeds from ${DEFAULT_CACHE_DIR};
                                               --watch builds again whenever a seed changes, until stopped
  lookup URL [--seeds DIR] [--json]            the coverage Elsewhere shows for URL
  lookup --stdin [--seeds DIR] [--json]        one URL a line in, one result a line out
  lookup URL --explain [--seeds DIR] [--json]  the address after unwrapping, each key tried, what matched and why
  stats  [--seeds DIR]                         stories, articles, outlets and index bytes
  generate --stories N --out DIR [--seed S]    write a deterministic synthetic corpus of N seed files
  publish [--seeds DIR] --out DIR [--name NAME] [--homepage URL] [--shards N] [--skip-invalid] [--no-cache] [--workers N]
                                               write a list for subscribers: DIR/list.json and DIR/shards/<sha256>.bin;
                                               republishing rewrites only the shards whose stories changed.
                                               --shards (a power of two up to ${MAX_LIST_SHARDS}) defaults to the
                                               existing list's count, else to about 1000 stories a shard
  serve DIR [--port N]                         serve a published list on 127.0.0.1 (port 0, the default, picks
                                               a free one) and print the address of its list.json

lookup and stats take --index DIR (a directory written by build) instead of --seeds, to query a
built index without its seeds.

--seeds defaults to seeds/.`;

type BuildOptions = SeedLoadOptions;

async function loadIndex(seedsDir: string, options: BuildOptions): Promise<{ index: CoverageIndex; bytes: Uint8Array }> {
  const built = await loadSeedIndex(seedsDir, options);
  await built.saved;
  const bytes = built.bytes();
  return { index: CoverageIndex.decode(bytes, { verify: 'lazy' }), bytes };
}

/** What `stats` prints, the same whether the index was built now or read from --index. */
function indexStats(index: CoverageIndex, byteLength: number): Record<string, number> {
  const { storyCount, articleCount, keyCount } = index.header;
  const outlets = new Set<string>();
  for (let id = 0; id < articleCount; id++) outlets.add(index.article(id).outletDomain);
  return { stories: storyCount, articles: articleCount, outlets: outlets.size, addresses: keyCount, indexBytes: byteLength };
}

/** The index to query: a built one (`--index DIR`, read lazily) or one built from `--seeds` now. */
async function queryIndex(indexDir: string | undefined, seedsDir: string, options: BuildOptions): Promise<CoverageIndex> {
  if (indexDir) return openIndexFile(join(indexDir, INDEX_FILE)).index;
  return (await loadIndex(seedsDir, options)).index;
}

/** The largest TCP port. */
const MAX_PORT = 65535;

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
      explain: { type: 'boolean', default: false },
      index: { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      workers: { type: 'string' },
      stories: { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' },
      homepage: { type: 'string' },
      shards: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const seedsDir = values.seeds!;
  const buildOptions: BuildOptions = { skipInvalid: values['skip-invalid']!, cache: !values['no-cache'], workers: positiveInteger(values.workers, '--workers') };
  switch (command) {
    case 'check': {
      const read = readSeeds(seedsDir);
      for (const problem of read.problems) process.stdout.write(`${formatProblem(problem)}\n`);
      process.stderr.write(`${read.fileCount} seed files, ${read.invalidFiles.length} invalid, ${read.problems.length} problems\n`);
      return read.problems.length > 0 ? 1 : 0;
    }
    case 'build': {
      const out = values.out;
      if (!out) fail('build needs --out DIR');
      /** Watching, the last build is read while the watch waits for a change (prefetchLastBuild). */
      let lastBuild: ReturnType<typeof prefetchLastBuild>;
      const build = async (mayHaveChanged: ReadonlySet<string> | null = null): Promise<void> => {
        const startedAt = performance.now();
        const previous = lastBuild;
        lastBuild = undefined;
        const built = await loadSeedIndex(seedsDir, buildOptions, { mayHaveChanged, previous });
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, 'hosts.json'), `${JSON.stringify(built.hosts, null, 2)}\n`);
        // Both copies of the index at once, on libuv's thread pool: ours, and the cache's (index-cache.ts).
        await Promise.all([built.writeTo(join(out, INDEX_FILE)), built.saved]);
        if (values.watch) lastBuild = prefetchLastBuild(buildOptions);
        const took = values.watch ? ` in ${Math.round(performance.now() - startedAt)} ms` : '';
        process.stderr.write(`wrote ${join(out, 'index.bin')}: ${built.storyCount} stories, ${built.byteLength} bytes${took}\n`);
      };
      if (!values.watch) {
        await build();
        return 0;
      }
      // Watching, a failed build (invalid seeds, say: their problems are printed) leaves the last
      // index where it was, and the next change builds again.
      const buildAndReport = async (mayHaveChanged: ReadonlySet<string> | null = null): Promise<boolean> => {
        try {
          await build(mayHaveChanged);
          return true;
        } catch (error) {
          process.stderr.write(`elsewhere: ${(error as Error).message}; ${join(out, 'index.bin')} is left as it was\n`);
          return false;
        }
      };
      await buildAndReport();
      const watcher = watchSeeds(seedsDir, buildAndReport, () => process.stderr.write(`${seedsDir} is gone; waiting for it to come back\n`));
      process.stderr.write(`watching ${seedsDir} for changes to seeds (Ctrl-C to stop)\n`);
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          watcher.close();
          process.exit(0);
        });
      }
      return 0;
    }
    case 'lookup': {
      const index = await queryIndex(values.index, seedsDir, buildOptions);
      const answer = (url: string): string => {
        if (values.explain) {
          const explanation = explainLookup(index, [url]);
          return values.json ? JSON.stringify(explanation) : formatExplanation(explanation);
        }
        const coverage = index.coverage([url]);
        return values.json ? JSON.stringify(lookupResult(coverage)) : describeCoverage(url, coverage);
      };
      if (values.stdin) {
        const output = new BufferedOutput(process.stdout);
        for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
          const url = line.trim();
          if (url) await output.write(`${answer(url)}\n`);
        }
        await output.flush();
        return 0;
      }
      if (rest.length !== 1) fail('lookup needs exactly one URL, or --stdin');
      process.stdout.write(`${answer(rest[0]!)}\n`);
      return 0;
    }
    case 'stats': {
      let stats: Record<string, number>;
      if (values.index) {
        const { index, bytes } = openIndexFile(join(values.index, INDEX_FILE));
        stats = indexStats(index, bytes);
      } else {
        const { index, bytes } = await loadIndex(seedsDir, buildOptions);
        stats = indexStats(index, bytes.length);
      }
      process.stdout.write(values.json ? `${JSON.stringify(stats)}\n` : `${Object.entries(stats).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
      return 0;
    }
    case 'generate': {
      const stories = positiveInteger(values.stories, '--stories');
      if (stories === undefined || !values.out) fail('generate needs --stories N and --out DIR');
      const written = writeCorpus(values.out, { stories, seed: positiveInteger(values.seed, '--seed') ?? 1 });
      process.stderr.write(`wrote ${written.files} seed files (${written.bytes} bytes) to ${values.out}\n`);
      return 0;
    }
    case 'publish': {
      if (!values.out) fail('publish needs --out DIR');
      const started = performance.now();
      const result = await publishList({ ...buildOptions, seedsDir, outDir: values.out, name: values.name, homepage: values.homepage, shards: positiveInteger(values.shards, '--shards') });
      for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
      const { manifest, written, unchanged, removed, bytes, writtenBytes } = result;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stderr.write(`published ${join(values.out, LIST_MANIFEST_FILE)}: ${manifest.storyCount} stories, ${manifest.shards.length} shards (${written} written, ${unchanged} unchanged, ${removed} removed), ${bytes} bytes (${writtenBytes} written) in ${seconds} s\n`);
      return 0;
    }
    case 'serve': {
      if (rest.length !== 1) fail('serve needs exactly one directory: the --out of publish');
      const port = positiveInteger(values.port, '--port') ?? 0;
      if (port > MAX_PORT) fail(`--port must be at most ${MAX_PORT}`);
      const server = await startListServer(rest[0]!, port, { log: (line) => process.stderr.write(`${line}\n`) });
      process.stdout.write(`${server.url}\n`);
      if (!existsSync(join(rest[0]!, LIST_MANIFEST_FILE))) process.stderr.write(`note: ${rest[0]} has no ${LIST_MANIFEST_FILE} yet; publish --out ${rest[0]} writes one\n`);
      // Runs until killed; the listening socket keeps the process alive once main returns.
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close().finally(() => process.exit(0)));
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

