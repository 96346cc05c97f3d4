/** An article as the index ships it: what the popup and badge show, and the keys it is found by. */
export interface Article {
  /** The address to open: the seed's webUrl as written. */
  url: string;
  title: string;
  excerpt: string;
  /** Display name of the outlet. */
  outlet: string;
  /** Registrable domain of the outlet: its identity. */
  outletDomain: string;
  /** Milliseconds since the epoch, or null when unknown. */
  publishedAt: number | null;
  /** Canonical keys of every address the article is known under. */
  keys: string[];
}

/** Articles that cover the same event, ordered by publication time. */
export interface Story {
  articles: Article[];
}
