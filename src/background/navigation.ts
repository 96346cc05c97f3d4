import { browser } from '../shared/browser';
import { parsePageQuestion } from '../shared/protocol';
import { staticContentScript } from './all-websites';
import { lookupCoverage } from './lists/list-sources';
import { answerQuestion, askFor, forgetAnswers, pageAnswered, settingsOf } from './page-answers';
import { askPage, injectFirstStageIfMissing, tellPage } from './page-notices';
import { contentScriptRunsOn } from './script-sites';
import { readTab, setTab } from './tab-state';

/**
 * A tab's address changed: a new page, a page restored from the back/forward cache, or a
 * history-API navigation in a single-page app. The address alone decides the count at once, while
 * the page's content script is asked for its signals (answerPage): an SPA keeps the same script
 * across navigations, and a restored page runs none again. `sweep`: see AskNotice. The page is
 * asked once `scriptReady` settles (answerOpenTabs puts the script in first); the count does not wait.
 */
export async function onTabAddressChanged(tabId: number, url: string, sweep = false, scriptReady: Promise<void> = Promise.resolve()): Promise<void> {
  const byAddress = async () => {
    if ((await readTab(tabId))?.url === url) return;
    const coverage = await lookupCoverage([url]);
    // The page answered meanwhile (its signals can find what its address does not): its count stands.
    if (!pageAnswered(tabId, url)) await setTab(tabId, url, coverage);
  };
  await Promise.all([byAddress(), scriptReady.then(() => answerPage(tabId, url, sweep))]);
}

/** The address each tab's page was last handled at (answerPage), in this worker's memory. */
const handled = new Map<number, string>();

/**
 * A tab's page finished loading. Its address change has been handled already, unless this worker
 * missed it (an event lost as the extension was installed or updated, or a worker stopped since):
 * then the page is handled now, late rather than never.
 */
export async function onTabLoaded(tabId: number, url: string): Promise<void> {
  if (handled.get(tabId) !== url) await answerPage(tabId, url);
}

/** A tab went away. */
export function forgetTabPages(tabId: number): void {
  handled.delete(tabId);
  forgetAnswers(tabId);
}

/**
 * Asks the tab's page what it says about itself (issue 4: a page does not ask, see AskNotice), if
 * anything can be known or shown there, and answers it through its notice hook when something is
 * known or it must clear what it shows. A page with no content script, or that did not answer, is
 * left as its address made it. `sweep`: see AskNotice.
 */
export async function answerPage(tabId: number, address?: string, sweep = false): Promise<void> {
  const url = address ?? (await browser.tabs.get(tabId).catch(() => null))?.url;
  if (url === undefined) return;
  handled.set(tabId, url);
  const settings = settingsOf(url);
  const [ask, scripted] = await Promise.all([askFor(url, settings, sweep), contentScriptRunsOn(url)]);
  // Nothing to read there (most pages on no outlet), or no script to ask: the page is not asked, and pays nothing.
  if (!scripted || (!ask.signals && !ask.links && !ask.sweep)) return;
  const question = parsePageQuestion(await askPage(tabId, ask));
  // No answer (the script came too late, or not at all): the page is asked again once it has loaded.
  if (!question) {
    if (handled.get(tabId) === url) handled.delete(tabId);
    return;
  }
  // An answer about another address than the tab's is stale: the page moved on, or the outgoing
  // page answered (Firefox runs a question sent as a page is being replaced in the old one).
  const current = address ?? (await browser.tabs.get(tabId).catch(() => null))?.url;
  if (current !== question.signals.url) return;
  const answer = await answerQuestion(tabId, question, settings);
  if (answer.coverage || answer.links?.verdicts.some(Boolean) || question.shown) await tellPage(tabId, answer);
}

/**
 * For every open tab, as if it had just navigated: its count from its address at once (no
 * navigation announces these tabs, and the reader may be on a known article), and its page asked,
 * sweeping what an earlier instance left. Once the extension is installed or updated, and once a
 * grant or a setting makes a dynamic registration anew.
 *
 * A browser puts a newly registered content script only into pages loaded later, but for one case:
 * Firefox puts the manifest's into open tabs when it installs, updates or enables an extension. So
 * with `putScriptIn` (a first install, a grant's new registration) the first stage goes into the
 * open pages it runs on that lack it, and the page the reader is on shows its badge at once,
 * without a reload. Not after an update: the earlier instance's script may still be in those
 * pages, orphaned, and removes its own badges (main.ts); those pages answer again once reloaded.
 */
export async function answerOpenTabs(putScriptIn = false): Promise<void> {
  const tabs = await browser.tabs.query({});
  const firstStage = putScriptIn ? staticContentScript()?.js : undefined;
  await Promise.all(
    tabs.map(({ id, url }) => {
      if (id === undefined || url === undefined) return undefined;
      const scriptReady = firstStage ? contentScriptRunsOn(url).then((runs) => (runs ? injectFirstStageIfMissing(id, firstStage) : undefined)) : undefined;
      return onTabAddressChanged(id, url, true, scriptReady);
    }),
  );
}
