import { canonicalise } from '../url/canonical';
import { SEED_LIMITS } from './limits';
import type { FieldPath, SeedArticle, SeedDocument, SeedProblem } from './types';

export type Locate = (path: FieldPath) => number;

export type ValidationResult = { ok: true; document: SeedDocument } | { ok: false; problems: SeedProblem[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

function pathText(path: FieldPath): string {
  return path.reduce<string>((text, step) => (typeof step === 'number' ? `${text}[${step}]` : text ? `${text}.${step}` : step), '');
}

/** Validates one article of a seed (the top level or an entry of `related`). */
class ArticleReader {
  constructor(
    private readonly problems: SeedProblem[],
    private readonly locate: Locate,
  ) {}

  private report(path: FieldPath, message: string): void {
    this.problems.push({ line: this.locate(path), message: `${pathText(path)}: ${message}` });
  }

  private text(record: Record<string, unknown>, path: FieldPath, key: string, limit: number, required: boolean): string | null {
    const value = record[key];
    const at = [...path, key];
    if (value === undefined || value === null) {
      if (required) this.report(at, 'is required');
      return null;
    }
    if (typeof value !== 'string') {
      this.report(at, `must be text, not ${describe(value)}`);
      return null;
    }
    const trimmed = value.trim();
    if (required && trimmed === '') {
      this.report(at, 'must not be empty');
      return null;
    }
    if (trimmed.length > limit) {
      this.report(at, `is ${trimmed.length} characters long; the limit is ${limit}`);
      return null;
    }
    return trimmed;
  }

  private address(record: Record<string, unknown>, path: FieldPath, key: string, required: boolean): string | null {
    const value = this.text(record, path, key, SEED_LIMITS.urlChars, required);
    if (value === null) return null;
    if (!canonicalise(value)) {
      this.report([...path, key], `must be an absolute http(s) address, not ${JSON.stringify(value.slice(0, 80))}`);
      return null;
    }
    return value;
  }

  private date(record: Record<string, unknown>, path: FieldPath): number | null {
    const value = record.publishedDateTime;
    if (value === undefined || value === null) return null;
    // js-yaml turns unquoted ISO timestamps into Dates; quoted ones stay text.
    const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(time)) {
      this.report([...path, 'publishedDateTime'], `must be an ISO 8601 date and time, not ${describe(value)} ${JSON.stringify(String(value).slice(0, 40))}`);
      return null;
    }
    return time;
  }

  private outletName(record: Record<string, unknown>, path: FieldPath): string | null {
    const provider = record.provider;
    if (provider === undefined || provider === null) return null;
    if (!isRecord(provider)) {
      this.report([...path, 'provider'], `must be a mapping with name and domain, not ${describe(provider)}`);
      return null;
    }
    this.text(provider, [...path, 'provider'], 'domain', SEED_LIMITS.domainChars, false);
    return this.text(provider, [...path, 'provider'], 'name', SEED_LIMITS.outletNameChars, false);
  }

  read(value: unknown, path: FieldPath): SeedArticle | null {
    if (!isRecord(value)) {
      this.report(path, `must be a mapping of article fields, not ${describe(value)}`);
      return null;
    }
    const before = this.problems.length;
    const title = this.text(value, path, 'title', SEED_LIMITS.titleChars, true);
    const excerpt = this.text(value, path, 'excerpt', SEED_LIMITS.excerptChars, false) ?? '';
    const publishedAt = this.date(value, path);
    const webUrl = this.address(value, path, 'webUrl', true);
    const alternateUrls = (['ampWebUrl', 'cdnAmpWebUrl'] as const)
      .map((key) => this.address(value, path, key, false))
      .filter((url): url is string => url !== null);
    const outletName = this.outletName(value, path);
    if (this.problems.length > before || title === null || webUrl === null) return null;
    return { title, excerpt, publishedAt, webUrl, alternateUrls, outletName };
  }
}

/**
 * Validates parsed front matter. Collects every problem rather than stopping at the first, so a
 * maintainer fixes a file in one pass. Unknown fields (topics, images, secured, …) are ignored and
 * never shipped.
 */
export function validateSeed(data: unknown, locate: Locate): ValidationResult {
  const problems: SeedProblem[] = [];
  if (!isRecord(data) || Object.keys(data).length === 0) {
    return { ok: false, problems: [{ line: locate([]), message: 'has no front matter: expected a --- block with title and webUrl' }] };
  }
  const reader = new ArticleReader(problems, locate);
  const article = reader.read(data, []);
  const related: SeedArticle[] = [];
  const list = data.related;
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) {
      problems.push({ line: locate(['related']), message: `related: must be a list of articles, not ${describe(list)}` });
    } else if (list.length > SEED_LIMITS.relatedItems) {
      problems.push({ line: locate(['related']), message: `related: has ${list.length} articles; the limit is ${SEED_LIMITS.relatedItems}` });
    } else {
      list.forEach((item, index) => {
        const entry = reader.read(item, ['related', index]);
        if (entry) related.push(entry);
      });
    }
  }
  if (problems.length > 0 || !article) return { ok: false, problems };
  return { ok: true, document: { article, related } };
}
