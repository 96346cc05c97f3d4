import type { Coverage } from '../core/index/coverage-index';
import type { Theme } from '../shared/settings-schema';
import type { LinkBadgeLook, LinkBadges, LinkBadgesOptions } from './link-badges';

/**
 * The content script runs in stages (issue 4). The first (main.ts) runs on every page: it tells
 * the background, when asked, the page's signals and links, and watches for orphaning once it
 * draws, with no UI code and no link-badge engine. The others are put into the same frame's isolated
 * world by the background (`scripting.executeScript`) only when a page needs them, and hand
 * themselves over here:
 *
 * - the rendering stage (render.ts: Preact, the in-page badge, the link badges' look, their
 *   styles), once there is something to draw;
 * - the link-badge engine (links.ts), once the page has a known link, more links than the first
 *   stage looks at, or adds links later (link-scout.ts).
 *
 * All stages share the isolated world's global object, which the page cannot see.
 */
export interface Renderer {
  pageBadge: { show(coverage: Coverage | null, url: string, theme: Theme): void; remove(): void };
  linkBadgeLook: LinkBadgeLook;
}

export interface LinkBadgesStage {
  create(options: LinkBadgesOptions): LinkBadges;
}

interface Stages {
  renderer: Renderer;
  linkBadges: LinkBadgesStage;
}

const KEYS: { readonly [K in keyof Stages]: symbol } = {
  renderer: Symbol.for('elsewhere.renderer'),
  linkBadges: Symbol.for('elsewhere.link-badges'),
};

interface Slot<T> {
  make: () => T;
  made: T | null;
}
type Holder = Record<symbol, Slot<unknown> | undefined>;

/**
 * Called by a stage; a second injection into the same frame changes nothing. The parts are made on
 * first use, so merely evaluating the file (as a unit test of the background does, which imports
 * it for its built name) touches no extension API.
 */
export function provideStage<K extends keyof Stages>(name: K, make: () => Stages[K]): void {
  (globalThis as unknown as Holder)[KEYS[name]] ??= { make, made: null };
}

/** The stage, if this frame has it already. */
export function installedStage<K extends keyof Stages>(name: K): Stages[K] | null {
  const slot = (globalThis as unknown as Holder)[KEYS[name]] as Slot<Stages[K]> | undefined;
  return slot ? (slot.made ??= slot.make()) : null;
}

/** Loads a stage once per frame, through `inject`; a failed load may be tried again. */
export function stageLoader<K extends keyof Stages>(name: K, inject: () => Promise<unknown>): () => Promise<Stages[K]> {
  let loading: Promise<Stages[K]> | null = null;
  return () =>
    (loading ??= (async () => {
      if (!installedStage(name)) await inject();
      const stage = installedStage(name);
      if (!stage) throw new Error(`Elsewhere: the ${name} stage did not load`);
      return stage;
    })().catch((error: unknown) => {
      loading = null;
      throw error;
    }));
}
