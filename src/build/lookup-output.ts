import type { Writable } from 'node:stream';
import type { Coverage } from '../core/index/coverage-index';

/** What `lookup --json` prints for one address: the related articles, oldest first, without the matched one. */
export function lookupResult(coverage: Coverage | null): object {
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

/** What `lookup` prints for one address without --json. */
export function describeCoverage(url: string, coverage: Coverage | null): string {
  if (!coverage) return `${url}\n  no other coverage known`;
  const lines = [`${url}\n  ${coverage.article.outlet}: ${coverage.article.title}`, `  ${coverage.otherOutletCount} other outlet(s):`];
  for (const other of coverage.otherOutlets) lines.push(`  - ${other.outlet}: ${other.title}\n    ${other.url}`);
  if (coverage.sameOutlet.length > 0) lines.push(`  also from ${coverage.article.outlet}:`);
  for (const same of coverage.sameOutlet) lines.push(`  - ${same.title}\n    ${same.url}`);
  return lines.join('\n');
}

/** Output is flushed in chunks this big: a write per line would make bulk lookups bound by syscalls. */
const OUTPUT_CHUNK_CHARS = 1 << 16;

/** Buffers writes to a stream (stdout for the CLI), waiting for it to drain when it pushes back. */
export class BufferedOutput {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly stream: Writable) {}

  async write(text: string): Promise<void> {
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= OUTPUT_CHUNK_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const text = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    if (!this.stream.write(text)) await new Promise((resolve) => this.stream.once('drain', resolve));
  }
}
