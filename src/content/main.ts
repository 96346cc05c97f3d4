/**
 * The content script's first stage (issue 4), on every page it matches: it reads the page's
 * signals, asks the background (which answers with the settings too, and tells it of changes
 * through a hook: `hear`), asks about the page's links and watches for orphaning. It holds no UI
 * code and no link-badge engine: what draws (render.ts) and the engine (links.ts) are put into
 * this frame by the background only when the page needs them (stages.ts, link-scout.ts), so a
 * page with nothing known pays for neither. It uses one extension API, `runtime` (native-api.ts),
 * and registers no listener of it.
 */
import type { Coverage } from '../core/index/coverage-index';
import { isContentNotice, isSettingsNotice, NOTICE_HOOK } from '../shared/message-shapes';
import { DEFAULT_SETTINGS, isSiteHidden, pageBadgeDue, type Settings } from '../shared/settings-schema';
import { LinkScout } from './link-scout';
import { background } from './messages';
import { extension } from './native-api';
import { collectPageSignals } from './page-signals';
import { installedStage, stageLoader } from './stages';
import { removeOrphanBadges } from './tags';

removeOrphanBadges();
const loadRenderer = stageLoader('renderer', background.loadRenderer);
const loadLinkBadges = stageLoader('linkBadges', background.loadLinkBadges);
const linkBadges = new LinkScout({
  lookup: background.lookupLinks,
  engine: async (seed) => {
    const engine = (await loadLinkBadges()).create({
      ...seed,
      lookup: background.lookupLinks,
      open: background.openCoverage,
      look: () => loadRenderer().then((renderer) => renderer.linkBadgeLook),
    });
    // The engine may put badges in: from now on they must go if the extension does.
    watchForOrphaning();
    return engine;
  },
});
/** Set once this script is orphaned (its extension was reloaded, updated or removed under the page): it does nothing more. */
let retired = false;
/**
 * How often an open page with badges checks that its extension is still there. Chromium tells an
 * orphaned content script nothing and injects the new instance into no open tab, so without this
 * check the old badges would stay until the reader reloads each page (issue 6). A check is one
 * property read; a page where nothing was drawn has nothing to remove, and runs none (issue 4).
 */
const ORPHAN_CHECK_MS = 2000;
/** Stops the orphan checks; null until something is drawn. */
let stopWatching: (() => void) | null = null;
let settings: Settings = DEFAULT_SETTINGS;
/** Whether the background has told of a settings change, which is newer than what `startPage` answered. */
let settingsNoticed = false;
let latest: { coverage: Coverage | null; url: string } = { coverage: null, url: location.href };
/** The address of the question to the background still out, if any. */
let asking: string | null = null;

function render(): void {
  if (retired) return;
  const hidden = isSiteHidden(settings.hiddenSites, location.hostname);
  const wanted = pageBadgeDue(settings, location.hostname, latest.coverage?.otherOutletCount ?? 0);
  const renderer = installedStage('renderer');
  if (wanted) watchForOrphaning();
  if (renderer) {
    if (wanted) renderer.pageBadge.show(latest.coverage, latest.url, settings.theme);
    else renderer.pageBadge.remove();
  } else if (wanted) {
    // Drawn once the rendering stage is here, from the state as it is then.
    loadRenderer().then(render, () => {
      if (orphaned()) stepAside();
    });
  }
  // Link badges follow the settings live too: stopping removes every one of them (issue 5).
  linkBadges.setTheme(settings.theme);
  if (settings.linkBadges && !hidden) linkBadges.start();
  else linkBadges.stop();
}

/**
 * Asks the background about this page (which also sets the toolbar count) and renders the answer;
 * the first time, the settings come with it.
 */
async function refresh(first = false): Promise<void> {
  const signals = collectPageSignals();
  asking = signals.url;
  try {
    if (first) {
      const start = await background.startPage(signals);
      if (!settingsNoticed) settings = start.settings;
      latest = { coverage: start.coverage, url: signals.url };
    } else {
      latest = { coverage: await background.lookupPage(signals), url: signals.url };
    }
    render();
  } catch {
    // Orphaned (the extension was reloaded or updated under this page): step aside. Any other
    // failure (the background could not answer this time) leaves the page as it is, and the next
    // navigation or settings change asks again.
    if (orphaned()) stepAside();
  } finally {
    if (asking === signals.url) asking = null;
  }
}

/** Removes every badge this script drew and stops it for good. */
function stepAside(): void {
  retired = true;
  installedStage('renderer')?.pageBadge.remove();
  linkBadges.stop();
  stopWatching?.();
}

/** Once the extension is gone, `runtime.id` is undefined (Chromium) or reading it throws. */
function orphaned(): boolean {
  try {
    return !extension.runtime?.id;
  } catch {
    return true;
  }
}

/** Starts the orphan checks, once: when this script first draws something or loads the link-badge engine. */
function watchForOrphaning(): void {
  if (stopWatching || retired) return;
  const check = (): void => {
    if (orphaned()) stepAside();
  };
  const timer = setInterval(check, ORPHAN_CHECK_MS);
  // A reader who reloaded the extension elsewhere and comes back to this tab sees no stale badge.
  document.addEventListener('visibilitychange', check);
  stopWatching = () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', check);
  };
}

/**
 * What the background tells this script, through the notice hook (src/background/page-notices.ts):
 * only this extension can call it, since the page and other extensions cannot reach this isolated
 * world.
 */
function hear(message: unknown): void {
  if (retired) return;
  // The address changed under this script (a single-page-app navigation). A question about this
  // very address still out answers it already: the background tells a page that loads as its
  // script asks, and writes the script's answer after its own (navigation.ts).
  if (isContentNotice(message) && asking !== location.href) void refresh();
  // A changed setting applies to open tabs at once, without a reload.
  if (isSettingsNotice(message)) {
    settingsNoticed = true;
    settings = message.settings;
    render();
  }
}

async function start(): Promise<void> {
  // A hook, not a runtime.onMessage listener, whose set-up would cost every page (issue 4).
  (globalThis as unknown as Record<symbol, unknown>)[Symbol.for(NOTICE_HOOK)] = hear;
  // The settings come with the first lookup, in one round trip: an activated prerendered page has
  // 300 ms to show its count and badge (issue 6).
  await refresh(true);
}

/** Not in TypeScript's DOM types yet: https://wicg.github.io/nav-speculation/prerendering.html */
type PrerenderingDocument = Document & { prerendering?: boolean };

/**
 * A page prerendered by Speculation Rules may never be shown. Its script waits until the reader
 * activates it (issue 6): until then it costs nothing, draws no badge and asks nothing of the
 * background, so no count is ever set for a page the reader is not looking at.
 */
if ((document as PrerenderingDocument).prerendering) document.addEventListener('prerenderingchange', () => void start(), { once: true });
else void start();
