import type { Coverage } from '../core/index/coverage-index';
import type { Theme } from '../shared/settings-schema';
import type { LinkBadgeLook } from './link-badges';

/**
 * The content script runs in two stages (issue 4). The first (main.ts) runs on every page: it
 * reads the page's signals and the settings, asks the background, scans links and watches for
 * orphaning, with no UI code at all. The second (render.ts: Preact, the in-page badge, the link
 * badges' look, their styles) is put into the same frame's isolated world by the background
 * (`scripting.executeScript`) only when there is something to draw, and hands itself over here.
 * Both stages share the isolated world's global object, which the page cannot see.
 */
export interface Renderer {
  pageBadge: { show(coverage: Coverage | null, url: string, theme: Theme): void; remove(): void };
  linkBadgeLook: LinkBadgeLook;
}

const RENDERER = Symbol.for('elsewhere.renderer');
type Holder = { [RENDERER]?: { make: () => Renderer; made: Renderer | null } };

/**
 * Called by the rendering stage; a second injection into the same frame changes nothing. The parts
 * are made on first use, so merely evaluating the file (as a unit test of the background does,
 * which imports it for its built name) touches no extension API.
 */
export function provideRenderer(make: () => Renderer): void {
  (globalThis as Holder)[RENDERER] ??= { make, made: null };
}

/** The rendering stage, if this frame has it already. */
export function installedRenderer(): Renderer | null {
  const slot = (globalThis as Holder)[RENDERER];
  return slot ? (slot.made ??= slot.make()) : null;
}

/** Loads the rendering stage once per frame, through `inject`; a failed load may be tried again. */
export function rendererLoader(inject: () => Promise<unknown>): () => Promise<Renderer> {
  let loading: Promise<Renderer> | null = null;
  return () =>
    (loading ??= (async () => {
      if (!installedRenderer()) await inject();
      const renderer = installedRenderer();
      if (!renderer) throw new Error('Elsewhere: the rendering stage did not load');
      return renderer;
    })().catch((error: unknown) => {
      loading = null;
      throw error;
    }));
}
