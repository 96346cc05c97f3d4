import { CoverageIndex, type Coverage } from '../../core/index/coverage-index';
import { combinedCoverage, type CoverageSource } from '../../core/list/combined-coverage';
import { bundledIndex } from '../index-source';
import { readListsWithShards } from './list-store';

let loading: Promise<CoverageSource[]> | null = null;

/** Decodes every shard of one list, or none: a list with a missing or damaged shard is left out whole. */
function listSources(name: string, shardCount: number, shards: ArrayBuffer[]): CoverageSource[] {
  if (shards.length !== shardCount) return [];
  try {
    return shards.map((bytes) => ({ index: CoverageIndex.decode(new Uint8Array(bytes), { verify: 'lazy' }), list: name }));
  } catch {
    return [];
  }
}

/**
 * The indexes a lookup consults: the bundled index first (its copies win), then each subscribed
 * list in the order it was added. Loaded once per background lifetime, like the bundled index, and
 * again after an update changes the lists. If IndexedDB is unavailable, lookups go on with the
 * bundled index alone rather than failing.
 */
export function coverageSources(): Promise<CoverageSource[]> {
  loading ??= (async () => {
    const [bundled, lists] = await Promise.all([bundledIndex(), readListsWithShards().catch(() => [])]);
    const sources: CoverageSource[] = [{ index: bundled.index, list: null }];
    for (const { list, shards } of lists) sources.push(...listSources(list.name ?? list.url, list.shards.length, shards));
    return sources;
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/**
 * The coverage of the first known address across the bundled index and every subscribed list: the
 * one lookup the router makes. The bundled index's details are read from chunks, which are loaded
 * for the lookup first (ChunkedIndex.lookup), including those reached only through a list's keys.
 */
export async function lookupCoverage(addresses: readonly string[]): Promise<Coverage | null> {
  const loadingSources = coverageSources();
  // Awaited below; if the bundled index fails first, its rejection is the one the caller sees.
  loadingSources.catch(() => undefined);
  const bundled = await bundledIndex();
  // On a wake, the bundled files this lookup needs are fetched while the lists are read from IndexedDB.
  const [sources] = await Promise.all([loadingSources, bundled.prepare(addresses)]);
  return bundled.lookup(addresses, () => combinedCoverage(sources, addresses));
}

/** Called after an update or unsubscription commits, so the next lookup reads the new lists. */
export function forgetLoadedLists(): void {
  loading = null;
}
