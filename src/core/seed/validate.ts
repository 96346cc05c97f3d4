import { canonicalise } from '../url/canonical';
import { SEED_LIMITS } from './limits';
import type { FieldPath, SeedArticle, SeedDocument, SeedProblem } from './types';

export type Locate = (path: FieldPath) => number;

export type ValidationResult = { ok: true; document: SeedDocument } | { ok: false; problems: SeedProblem[] };

/**
 * A file with more problems than this is garbage or repeats one mistake; the first ones are enough
 * to fix it. The bound keeps checking fast: locating a problem scans the file's lines, and a 256 KB
 * seed of short lines with 700 bad fields took ~6 s to report (issue 6, tests/unit/seed-fuzz.test.ts).
 */
export const MAX_PROBLEMS_LISTED = 50;

/** A UTF-16 surrogate without its pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Counts every problem, but locates and lists only the first MAX_PROBLEMS_LISTED. */
class ProblemList {
  private readonly listed: SeedProblem[] = [];
  count = 0;

  constructor(private readonly locate: Locate) {}

  add(path: FieldPath, message: string): void {
    this.count++;
    if (this.listed.length < MAX_PROBLEMS_LISTED) this.listed.push({ line: this.locate(path), message });
  }

  all(): SeedProblem[] {
    const omitted = this.count - this.listed.length;
    if (omitted === 0) return this.listed;
    return [...this.listed, { line: this.locate([]), message: `${omitted} more problem(s) not listed; fix these and check again` }];
  }
}

const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Reads an ISO 8601 date or date-time. A time without a zone is read as UTC, never in the build
 * machine's zone, so the same seeds give the same index everywhere; anything else is NaN.
 */
function parseIsoDate(text: string): number {
  const match = ISO_DATE_TIME.exec(text.trim());
  if (!match) return Number.NaN;
  const [, date, time, zone] = match;
  return Date.parse(time ? `${date}T${time}${zone ?? 'Z'}` : `${date}T00:00:00Z`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

/** What JSON.stringify leaves raw but a terminal or editor may act on: DEL, C1 controls (U+009B is CSI), line separators. */
const RAW_AFTER_JSON = /[\u007f-\u009f\u2028\u2029]/g;

/** Seed text quoted for a one-line message: every control character escaped (issue 6, tests/unit/seed-fuzz.test.ts). */
function quoteText(text: string): string {
  return JSON.stringify(text).replace(RAW_AFTER_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A short quotation of a scalar for a message. Lists and mappings are not quoted: String() of a
 * YAML alias bomb (a list of aliases of lists…) joins exponentially many items, and of a mapping
 * with a `toString` key it throws (issue 6, tests/unit/seed-fuzz.test.ts).
 */
function quote(value: unknown): string {
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) return '';
  return ` ${quoteText(String(value).slice(0, 40))}`;
}

function pathText(path: FieldPath): string {
  return path.reduce<string>((text, step) => (typeof step === 'number' ? `${text}[${step}]` : text ? `${text}.${step}` : step), '');
}

/** Fields that hold other addresses of an article, in the order its alternateUrls keep. */
const ALTERNATE_URL_KEYS = ['ampWebUrl', 'cdnAmpWebUrl'] as const;

/** Validates one article of a seed (the top level or an entry of `related`). */
class ArticleReader {
  constructor(
    private readonly problems: ProblemList,
    private readonly canonicaliseUrl: typeof canonicalise,
  ) {}

  private report(path: FieldPath, message: string): void {
    this.problems.add(path, `${pathText(path)}: ${message}`);
  }

  /** A problem with field `key` of the record at `path`: the field's path is built only here, as most seeds have no problem. */
  private reportField(path: FieldPath, key: string, message: string): void {
    this.report([...path, key], message);
  }

  private text(record: Record<string, unknown>, path: FieldPath, key: string, limit: number, required: boolean): string | null {
    const value = record[key];
    if (value === undefined || value === null) {
      if (required) this.reportField(path, key, 'is required');
      return null;
    }
    if (typeof value !== 'string') {
      this.reportField(path, key, `must be text, not ${describe(value)}`);
      return null;
    }
    const trimmed = value.trim();
    if (required && trimmed === '') {
      this.reportField(path, key, 'must not be empty');
      return null;
    }
    if (trimmed.length > limit) {
      this.reportField(path, key, `is ${trimmed.length} characters long; the limit is ${limit}`);
      return null;
    }
    return trimmed;
  }

  private address(record: Record<string, unknown>, path: FieldPath, key: string, required: boolean): string | null {
    const value = this.text(record, path, key, SEED_LIMITS.urlChars, required);
    if (value === null) return null;
    // A lone surrogate has no UTF-8 form: the index would store U+FFFD in its place, and the
    // address read back would not be the seed's (the build orders articles by it: columnar-index.ts).
    if (LONE_SURROGATE.test(value)) {
      this.reportField(path, key, 'must be well-formed Unicode: it has a lone surrogate (an unpaired \\uD800-\\uDFFF escape)');
      return null;
    }
    if (!this.canonicaliseUrl(value)) {
      this.reportField(path, key, `must be an absolute http(s) address, not ${quoteText(value.slice(0, 80))}`);
      return null;
    }
    return value;
  }

  private date(record: Record<string, unknown>, path: FieldPath): number | null {
    const value = record.publishedDateTime;
    if (value === undefined || value === null) return null;
    // js-yaml turns unquoted ISO timestamps into Dates; quoted ones stay text and must be ISO too.
    const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? parseIsoDate(value) : Number.NaN;
    if (Number.isNaN(time)) {
      this.reportField(path, 'publishedDateTime', `must be an ISO 8601 date and time, not ${describe(value)}${quote(value)}`);
      return null;
    }
    return time;
  }

  private outletName(record: Record<string, unknown>, path: FieldPath): string | null {
    const provider = record.provider;
    if (provider === undefined || provider === null) return null;
    if (!isRecord(provider)) {
      this.reportField(path, 'provider', `must be a mapping with name and domain, not ${describe(provider)}`);
      return null;
    }
    const providerPath = [...path, 'provider'];
    this.text(provider, providerPath, 'domain', SEED_LIMITS.domainChars, false);
    return this.text(provider, providerPath, 'name', SEED_LIMITS.outletNameChars, false);
  }

  read(value: unknown, path: FieldPath): SeedArticle | null {
    if (!isRecord(value)) {
      this.report(path, `must be a mapping of article fields, not ${describe(value)}`);
      return null;
    }
    const before = this.problems.count;
    const title = this.text(value, path, 'title', SEED_LIMITS.titleChars, true);
    const excerpt = this.text(value, path, 'excerpt', SEED_LIMITS.excerptChars, false) ?? '';
    const publishedAt = this.date(value, path);
    const webUrl = this.address(value, path, 'webUrl', true);
    const alternateUrls: string[] = [];
    for (const key of ALTERNATE_URL_KEYS) {
      const url = this.address(value, path, key, false);
      if (url !== null) alternateUrls.push(url);
    }
    const outletName = this.outletName(value, path);
    if (this.problems.count > before || title === null || webUrl === null) return null;
    return { title, excerpt, publishedAt, webUrl, alternateUrls, outletName };
  }
}

/**
 * Validates parsed front matter. Collects every problem rather than stopping at the first, so a
 * maintainer fixes a file in one pass. Unknown fields (topics, images, secured, …) are ignored and
 * never shipped. `canonicaliseUrl` checks each address; the build passes a memoised one, because it
 * canonicalises the same addresses again right after (canonicaliseSeedWith).
 */
export function validateSeed(data: unknown, locate: Locate, canonicaliseUrl: typeof canonicalise = canonicalise): ValidationResult {
  if (!isRecord(data) || Object.keys(data).length === 0) {
    return { ok: false, problems: [{ line: locate([]), message: 'has no front matter: expected a --- block with title and webUrl' }] };
  }
  const problems = new ProblemList(locate);
  const reader = new ArticleReader(problems, canonicaliseUrl);
  const article = reader.read(data, []);
  const related: SeedArticle[] = [];
  const list = data.related;
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) {
      problems.add(['related'], `related: must be a list of articles, not ${describe(list)}`);
    } else if (list.length > SEED_LIMITS.relatedItems) {
      problems.add(['related'], `related: has ${list.length} articles; the limit is ${SEED_LIMITS.relatedItems}`);
    } else {
      list.forEach((item, index) => {
        const entry = reader.read(item, ['related', index]);
        if (entry) related.push(entry);
      });
    }
  }
  if (problems.count > 0 || !article) return { ok: false, problems: problems.all() };
  return { ok: true, document: { article, related } };
}
