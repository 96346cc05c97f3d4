/**
 * The content script's first stage (issue 4), on every page it matches: it reads the page's
 * signals and the settings, asks the background, scans links and watches for orphaning. It holds
 * no UI code: what draws (render.ts) is put into this frame by the background only when there is
 * something to draw (renderer.ts), so a page with nothing known pays for none of it.
 */
import type { Coverage } from '../core/index/coverage-index';
import { isContentNotice } from '../shared/message-shapes';
import { DEFAULT_SETTINGS, isSiteHidden, type Settings } from '../shared/settings-schema';
import { LinkBadges } from './link-badges';
import { background } from './messages';
import { extension } from './native-api';
import { collectPageSignals } from './page-signals';
import { loadSettings, onSettingsChanged } from './page-settings';
import { installedRenderer, rendererLoader } from './renderer';
import { removeOrphanBadges } from './tags';

removeOrphanBadges();
const loadRenderer = rendererLoader(background.loadRenderer);
const linkBadges = new LinkBadges({
  lookup: background.lookupLinks,
  open: background.openCoverage,
  look: () => loadRenderer().then((renderer) => renderer.linkBadgeLook),
});
/** Aborts when this script is orphaned: its extension was reloaded, updated or removed under the page. */
const lifetime = new AbortController();
/**
 * How often an open page checks that its extension is still there. Chromium tells an orphaned
 * content script nothing and injects the new instance into no open tab, so without this check the
 * old badges would stay until the reader reloads each page (issue 6). A check is one property read.
 */
const ORPHAN_CHECK_MS = 2000;
let settings: Settings = DEFAULT_SETTINGS;
let latest: { coverage: Coverage | null; url: string } = { coverage: null, url: location.href };
/** Resolves once the stored settings are in `settings`; set by start(). */
let settingsLoaded: Promise<void> = Promise.resolve();

function render(): void {
  if (lifetime.signal.aborted) return;
  const hidden = isSiteHidden(settings.hiddenSites, location.hostname);
  const wanted = settings.articleBadge && !hidden && (latest.coverage?.otherOutletCount ?? 0) > 0;
  const renderer = installedRenderer();
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
  if (settings.linkBadges && !hidden) linkBadges.start(lifetime.signal);
  else linkBadges.stop();
}

/** Asks the background about this page (which also sets the toolbar count) and renders the answer. */
async function refresh(): Promise<void> {
  const signals = collectPageSignals();
  try {
    const [coverage] = await Promise.all([background.lookupPage(signals), settingsLoaded]);
    latest = { coverage, url: signals.url };
    render();
  } catch {
    // The extension was reloaded or updated under this page: this script is orphaned.
    stepAside();
  }
}

/** Removes every badge this script drew and stops it (link badges stop with `lifetime`). */
function stepAside(): void {
  installedRenderer()?.pageBadge.remove();
  lifetime.abort();
}

/** Once the extension is gone, `runtime.id` is undefined (Chromium) or reading it throws. */
function orphaned(): boolean {
  try {
    return !extension.runtime?.id;
  } catch {
    return true;
  }
}

function watchForOrphaning(): void {
  const check = (): void => {
    if (orphaned()) stepAside();
  };
  const timer = setInterval(check, ORPHAN_CHECK_MS);
  // A reader who reloaded the extension elsewhere and comes back to this tab sees no stale badge.
  document.addEventListener('visibilitychange', check, { signal: lifetime.signal });
  lifetime.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}

async function start(): Promise<void> {
  watchForOrphaning();
  // The settings and the first lookup are two round trips to the background, asked at once: an
  // activated prerendered page has 300 ms to show its count and badge (issue 6).
  settingsLoaded = loadSettings()
    .catch(() => DEFAULT_SETTINGS)
    .then((loaded) => {
      settings = loaded;
      // A changed setting applies to open tabs at once, without a reload. The listener is never
      // removed: once the extension is gone no change can arrive, and removing it would throw.
      onSettingsChanged((next) => {
        settings = next;
        render();
      });
    });
  // The background says the address changed under this script (a single-page-app navigation).
  extension.runtime.onMessage.addListener((message: unknown, sender: { id?: string }) => {
    if (sender.id === extension.runtime.id && isContentNotice(message)) void refresh();
    return undefined;
  });
  await refresh();
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
