import { lookupKeys } from '../url/canonical';
import { checksum, hashKey } from './hash';
import { HEADER_WORDS, INDEX_MAGIC, INDEX_VERSION, type ArticleDetails, type IndexHeader } from './format';

/** An article as lookups return it: display fields only. */
export interface CoverageArticle {
  url: string;
  title: string;
  excerpt: string;
  outlet: string;
  outletDomain: string;
  publishedAt: number | null;
}

/** What Elsewhere knows about a page: the article it is, and the rest of its story. */
export interface Coverage {
  article: CoverageArticle;
  /** Articles by other outlets, oldest first. */
  otherOutlets: CoverageArticle[];
  /** Other articles by the reader's own outlet: listed apart, not counted as other coverage. */
  sameOutlet: CoverageArticle[];
  /** Distinct other outlets: the number on the toolbar and badge. */
  otherOutletCount: number;
  /** The earliest report of the whole story, if its time is known. */
  firstReportUrl: string | null;
}

export class IndexFormatError extends Error {}

/** A decoded compact index. Decoding only creates views; article details are parsed on demand. */
export class CoverageIndex {
  readonly header: IndexHeader;
  private readonly keyHi: Uint32Array;
  private readonly keyLo: Uint32Array;
  private readonly keyArticle: Uint32Array;
  private readonly articleStory: Uint32Array;
  private readonly storyStart: Uint32Array;
  private readonly detailStart: Uint32Array;
  private readonly details: Uint8Array;
  private readonly decoder = new TextDecoder();
  private readonly detailCache = new Map<number, CoverageArticle & { keys: string[] }>();

  private constructor(bytes: Uint8Array, header: IndexHeader) {
    this.header = header;
    const { keyCount, articleCount, storyCount } = header;
    let at = bytes.byteOffset + HEADER_WORDS * 4;
    const take = (count: number): Uint32Array => {
      const view = new Uint32Array(bytes.buffer, at, count);
      at += count * 4;
      return view;
    };
    this.keyHi = take(keyCount);
    this.keyLo = take(keyCount);
    this.keyArticle = take(keyCount);
    this.articleStory = take(articleCount);
    this.storyStart = take(storyCount + 1);
    this.detailStart = take(articleCount + 1);
    this.details = new Uint8Array(bytes.buffer, at, header.detailBytes);
  }

  /** Validates the header and checksum, then wraps the bytes. Throws IndexFormatError on bad input. */
  static decode(bytes: Uint8Array): CoverageIndex {
    if (bytes.byteLength < HEADER_WORDS * 4 || bytes.byteOffset % 4 !== 0) throw new IndexFormatError('index is truncated or misaligned');
    const header = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_WORDS);
    if (header[0] !== INDEX_MAGIC) throw new IndexFormatError('not an Elsewhere index (bad magic number)');
    if (header[1] !== INDEX_VERSION) throw new IndexFormatError(`index format version ${header[1]} is not supported (expected ${INDEX_VERSION})`);
    const [, version, keyCount, articleCount, storyCount, detailBytes, sum] = header as unknown as number[];
    const words = HEADER_WORDS + 3 * keyCount! + articleCount! + storyCount! + 1 + articleCount! + 1;
    if (bytes.byteLength !== words * 4 + detailBytes!) throw new IndexFormatError('index size does not match its header');
    if (checksum(bytes.subarray(HEADER_WORDS * 4)) !== sum) throw new IndexFormatError('index checksum mismatch');
    return new CoverageIndex(bytes, { version: version!, keyCount: keyCount!, articleCount: articleCount!, storyCount: storyCount!, detailBytes: detailBytes!, checksum: sum! });
  }

  /** The article stored under a canonical key, or -1. */
  findArticle(key: string): number {
    const [hi, lo] = hashKey(key);
    let low = 0;
    let high = this.keyHi.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const midHi = this.keyHi[mid]!;
      const midLo = this.keyLo[mid]!;
      if (midHi < hi || (midHi === hi && midLo < lo)) low = mid + 1;
      else if (midHi > hi || midLo > lo) high = mid - 1;
      else {
        const article = this.keyArticle[mid]!;
        return this.article(article).keys.includes(key) ? article : -1;
      }
    }
    return -1;
  }

  article(id: number): CoverageArticle & { keys: string[] } {
    const cached = this.detailCache.get(id);
    if (cached) return cached;
    const raw = this.decoder.decode(this.details.subarray(this.detailStart[id]!, this.detailStart[id + 1]!));
    const record = JSON.parse(raw) as ArticleDetails;
    const article = { url: record.u, title: record.t, excerpt: record.e, outlet: record.o, outletDomain: record.d, publishedAt: record.p, keys: record.k };
    this.detailCache.set(id, article);
    return article;
  }

  /** Ids of every article in the story of `articleId`, oldest first. */
  storyArticles(articleId: number): number[] {
    const story = this.articleStory[articleId]!;
    const ids: number[] = [];
    for (let id = this.storyStart[story]!; id < this.storyStart[story + 1]!; id++) ids.push(id);
    return ids;
  }

  /** Finds the first address (in priority order) that the index knows, with the key that matched. */
  match(addresses: readonly string[]): { articleId: number; key: string } | null {
    for (const address of addresses) {
      for (const key of lookupKeys(address)) {
        const articleId = this.findArticle(key);
        if (articleId !== -1) return { articleId, key };
      }
    }
    return null;
  }

  /** The coverage of the first known address, or null when none is known. */
  coverage(addresses: readonly string[]): Coverage | null {
    const hit = this.match(addresses);
    return hit ? this.coverageOf(hit.articleId) : null;
  }

  coverageOf(articleId: number): Coverage {
    const { keys: _keys, ...article } = this.article(articleId);
    const others = this.storyArticles(articleId).filter((id) => id !== articleId).map((id) => {
      const { keys: _ignored, ...rest } = this.article(id);
      return rest;
    });
    const otherOutlets = others.filter((other) => other.outletDomain !== article.outletDomain);
    const sameOutlet = others.filter((other) => other.outletDomain === article.outletDomain);
    const first = this.article(this.storyArticles(articleId)[0]!);
    return {
      article,
      otherOutlets,
      sameOutlet,
      otherOutletCount: new Set(otherOutlets.map((other) => other.outletDomain)).size,
      firstReportUrl: first.publishedAt === null ? null : first.url,
    };
  }
}
