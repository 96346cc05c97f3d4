/**
 * The content script's first stage (issue 4), on every page it matches. It asks the background
 * nothing by itself. When the tab's page or address changes, the background asks it, through a
 * hook (`hear`), what the page says about itself (its signals, its links), if anything can be
 * known there, and answers through the same hook when something is. So a page where nothing is
 * known never touches an extension API, whose first use costs 3-5 ms of its main thread
 * (AskNotice), and a page the background does not ask (most pages on no outlet) runs nothing but
 * this file's evaluation, which touches neither the page nor the API. It holds no UI code and no
 * link-badge engine: what draws (render.ts) and the engine (links.ts) are put into this frame by
 * the background only when the page needs them (stages.ts, link-scout.ts). Only a page that has
 * something to show uses `runtime` (native-api.ts), and it registers no listener of it.
 */
import type { Coverage } from '../core/index/coverage-index';
import { ASK_WAITING, isAskNotice, isPageAnswer, isSettingsNotice, NOTICE_HOOK, type AskNotice, type PageAnswer, type PageQuestion } from '../shared/message-shapes';
import { DEFAULT_SETTINGS, isSiteHidden, pageBadgeDue, type Settings } from '../shared/settings-schema';
import { LinkScout } from './link-scout';
import { background } from './messages';
import { extension } from './native-api';
import { collectPageSignals } from './page-signals';
import { installedStage, stageLoader } from './stages';
import { removeOrphanBadges } from './tags';

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
/** Whether the background has told of a settings change, which is newer than the settings its answers carry. */
let settingsNoticed = false;
/** What the page shows, and for which address: nothing until the background answers (no address read before it asks). */
let latest: { coverage: Coverage | null; url: string } = { coverage: null, url: '' };

/** Shows what is known; `links` are the page's links if they were read just now (LinkScout.start). */
function render(links?: string[] | null): void {
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
    loadRenderer().then(() => render(), () => {
      if (orphaned()) stepAside();
    });
  }
  // Link badges follow the settings live too: stopping removes every one of them (issue 5).
  linkBadges.setTheme(settings.theme);
  if (settings.linkBadges && !hidden) linkBadges.start(links);
  else linkBadges.stop();
}

/**
 * What this page says about itself, as far as the background asks (AskNotice). Meanwhile it takes
 * it that nothing is known of its links: the background answers only when something is (PageAnswer).
 */
function answer(ask: AskNotice): PageQuestion {
  // Badges in the page are an earlier instance's only while this one has drawn none (no stage of ours is here yet).
  if (ask.sweep && !installedStage('renderer') && !installedStage('linkBadges')) removeOrphanBadges();
  if (!settingsNoticed) settings = ask.settings;
  const url = location.href;
  const signals = ask.signals ? collectPageSignals() : { url, canonical: [], ogUrl: [] };
  const links = ask.links ? linkBadges.pageHrefs() : null;
  if (links) linkBadges.assumeUnknown(links);
  const question = { signals, base: document.baseURI, links, shown: latest.coverage !== null };
  // Nothing to draw or to watch otherwise (most pages), and nothing more to pay for.
  if (ask.links || latest.coverage !== null || linkBadges.running) render(ask.links ? links : undefined);
  return question;
}

/** The background's answer about this page; an answer about an address the page has left is dropped (the next is on its way). */
function take(answer: PageAnswer): void {
  if (answer.url !== location.href) return;
  if (!settingsNoticed) settings = answer.settings;
  latest = { coverage: answer.coverage, url: answer.url };
  if (answer.links) linkBadges.remember(answer.links.urls, answer.links.verdicts);
  render();
}

/**
 * Removes every badge this script drew and stops it for good. Its hook goes too: a later instance
 * of the extension that finds no hook in the page may put its own script in (page-notices.ts).
 */
function stepAside(): void {
  retired = true;
  installedStage('renderer')?.pageBadge.remove();
  linkBadges.stop();
  stopWatching?.();
  if (scope[Symbol.for(NOTICE_HOOK)] === hear) delete scope[Symbol.for(NOTICE_HOOK)];
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
 * What the background asks and tells this script, through the notice hook
 * (src/background/page-notices.ts): only this extension can call it, since the page and other
 * extensions cannot reach this isolated world. An AskNotice is answered by the returned value.
 */
function hear(message: unknown): Promise<PageQuestion | null> | undefined {
  if (isAskNotice(message)) return whenShown().then(() => (retired ? null : answer(message)));
  if (retired) return;
  if (isPageAnswer(message)) take(message);
  // A changed setting applies to open tabs at once, without a reload.
  if (isSettingsNotice(message)) {
    settingsNoticed = true;
    settings = message.settings;
    render();
  }
}

// The hook goes in at once, even on a page that is prerendered: a question waits for the page to be shown.
const scope = globalThis as unknown as Record<symbol, unknown>;
// A second copy in the same frame stays inert, and the first answers: the background puts this
// script into pages open at install or at a new registration (page-notices.ts), where Firefox may
// put in its own as well.
if (typeof scope[Symbol.for(NOTICE_HOOK)] !== 'function') {
  scope[Symbol.for(NOTICE_HOOK)] = hear;
  const waitingQuestion = scope[Symbol.for(ASK_WAITING)];
  delete scope[Symbol.for(ASK_WAITING)];
  if (typeof waitingQuestion === 'function') waitingQuestion();
}

/** Not in TypeScript's DOM types yet: https://wicg.github.io/nav-speculation/prerendering.html */
type PrerenderingDocument = Document & { prerendering?: boolean };

let shown: Promise<void> | null = null;

/**
 * Settles once the page is shown. A page prerendered by Speculation Rules may never be: it answers
 * nothing until the reader activates it (issue 6), so it draws no badge and no count is set for a
 * page the reader is not looking at. The background asks about tabs, which a prerendered page
 * joins only when it is activated; this is the guarantee. Checked when first asked, so that a page
 * never asked is not touched (issue 4).
 */
function whenShown(): Promise<void> {
  shown ??= (document as PrerenderingDocument).prerendering
    ? new Promise((resolve) => document.addEventListener('prerenderingchange', () => resolve(), { once: true }))
    : Promise.resolve();
  return shown;
}
