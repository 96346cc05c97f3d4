import { lookupKeysWithKind, traceCanonical, type LookupKeyKind, type UnwrapStep } from '../url/canonical';
import type { CoverageIndex } from './coverage-index';

/**
 * Why a lookup found what it found, for people who maintain indexes (`lookup URL --explain`).
 * It walks the addresses and keys in the same order as `CoverageIndex.match`, and a test holds
 * the two to the same answer on the whole URL corpus.
 */

export interface KeyAttempt {
  key: string;
  kind: LookupKeyKind;
  /** 'matched', 'missed', or 'skipped' when an earlier key already matched. */
  outcome: 'matched' | 'missed' | 'skipped';
  /** One line a person can read. */
  reason: string;
  /** The article found under the key, when it matched. */
  article?: { id: number; url: string; title: string };
}

export interface AddressExplanation {
  address: string;
  /** Wrappers peeled off, outermost first. */
  unwraps: UnwrapStep[];
  /** The address after unwrapping, or null when it can never match. */
  unwrapped: string | null;
  /** Why the address can never match, when it cannot. */
  refused: string | null;
  attempts: KeyAttempt[];
}

export interface LookupExplanation {
  addresses: AddressExplanation[];
  /** The first key that matched, as `CoverageIndex.match` reports it. */
  match: { address: string; key: string; articleId: number } | null;
}

const REASONS: Record<LookupKeyKind, { matched: string; missed: string }> = {
  full: {
    matched: 'full key: the index holds this address',
    missed: 'full key: not in the index',
  },
  'path-only': {
    matched: 'path-only fallback: indexed without query, so any query matches',
    missed: 'path-only fallback: no article is indexed at this path without a query',
  },
};

/** Explains how `index.match(addresses)` reaches its answer, key by key. Pure; never throws. */
export function explainLookup(index: CoverageIndex, addresses: readonly string[]): LookupExplanation {
  let match: LookupExplanation['match'] = null;
  const explained = addresses.map((address): AddressExplanation => {
    const trace = traceCanonical(address);
    const attempts = lookupKeysWithKind(address).map(({ key, kind }): KeyAttempt => {
      if (match) return { key, kind, outcome: 'skipped', reason: 'not tried: an earlier key matched' };
      const articleId = index.findArticle(key);
      if (articleId === -1) return { key, kind, outcome: 'missed', reason: REASONS[kind].missed };
      match = { address, key, articleId };
      const { url, title } = index.article(articleId);
      return { key, kind, outcome: 'matched', reason: REASONS[kind].matched, article: { id: articleId, url, title } };
    });
    return {
      address,
      unwraps: trace.steps,
      unwrapped: trace.ok ? trace.unwrapped : null,
      refused: trace.ok ? null : trace.reason,
      attempts,
    };
  });
  return { addresses: explained, match };
}

/** The explanation as plain text, one fact a line. */
export function formatExplanation(explanation: LookupExplanation): string {
  const lines: string[] = [];
  for (const entry of explanation.addresses) {
    lines.push(`address:   ${entry.address}`);
    for (const step of entry.unwraps) lines.push(`  unwrap (${step.rule}): ${step.address}`);
    if (entry.refused !== null) {
      lines.push(`  never matches: ${entry.refused}`);
      continue;
    }
    lines.push(`  unwrapped: ${entry.unwrapped}`);
    entry.attempts.forEach((attempt, position) => {
      const mark = attempt.outcome === 'matched' ? 'MATCH' : attempt.outcome === 'missed' ? 'miss ' : 'skip ';
      lines.push(`  key ${position + 1} [${mark}] ${attempt.key}`);
      lines.push(`        ${attempt.reason}`);
      if (attempt.article) lines.push(`        article #${attempt.article.id}: ${attempt.article.title} <${attempt.article.url}>`);
    });
  }
  lines.push(explanation.match ? `result: matched article #${explanation.match.articleId} by key ${explanation.match.key}` : 'result: no match');
  return lines.join('\n');
}
