/** One article as a seed describes it, after validation. Only these fields are ever shipped. */
export interface SeedArticle {
  title: string;
  excerpt: string;
  /** Milliseconds since the epoch, or null when the seed gives no date. */
  publishedAt: number | null;
  webUrl: string;
  /** Other addresses of the same article (its AMP page, its AMP-cache address). */
  alternateUrls: string[];
  outletName: string | null;
}

/** A seed document: an article and the related coverage it lists. */
export interface SeedDocument {
  article: SeedArticle;
  related: SeedArticle[];
}

/** A problem in a seed, located at a line of its file (1-based). */
export interface SeedProblem {
  line: number;
  message: string;
}

export type FieldPath = ReadonlyArray<string | number>;
