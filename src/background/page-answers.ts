import type { Coverage } from '../core/index/coverage-index';
import { pageAddresses } from '../core/url/page-signals';
import { linkAddresses, resolveAddress } from '../shared/link-address';
import type { AskNotice } from '../shared/message-shapes';
import type { LinkVerdict, PageAnswer, PageQuestion } from '../shared/protocol';
import { loadSettings } from '../shared/settings';
import { DEFAULT_SETTINGS, isSiteHidden, type Settings } from '../shared/settings-schema';
import { lookupCoverage } from './lists/list-sources';
import { settingsForPage, signalsMayMatch } from './outlet-sites';
import { injectRendererIfBadgeDue } from './renderer-injection';
import { setTab } from './tab-state';

/**
 * The answer to the question of a tab's page (its top frame, the one the content script runs in;
 * navigation.ts): the coverage, which also sets the tab's count; the settings; the links' verdicts
 * when link badges are due there; and the rendering stage first when an in-page badge is due.
 */
export async function answerQuestion(tabId: number, question: PageQuestion, pageSettings: Promise<Settings> = settingsOf(question.signals.url)): Promise<PageAnswer> {
  const { signals, links } = resolveQuestion(question);
  const { url } = signals;
  const [coverage, settings] = await Promise.all([lookupCoverage(pageAddresses(signals)), pageSettings]);
  const counted = countPage(tabId, url, coverage);
  const verdicts = links !== null && linkBadgesDue(settings, url) ? { urls: links, verdicts: await lookupLinks(links) } : null;
  // The rendering stage goes in before the answer, so that the page draws its badge at once (issue 6: 300 ms after a prerendered page is shown).
  await injectRendererIfBadgeDue({ tabId, frameId: 0 }, url, coverage, settings);
  await counted;
  return { notice: 'answer', url, coverage, settings, links: verdicts };
}

/**
 * The question with its addresses resolved as the page would have (PageQuestion): its canonical
 * links, and its distinct links worth asking about, in page order.
 */
function resolveQuestion({ signals, base, links }: PageQuestion): Pick<PageQuestion, 'signals' | 'links'> {
  return { signals: { ...signals, canonical: signals.canonical.map((href) => resolveAddress(href, base)) }, links: links && linkAddresses(links, base, signals.url) };
}

/** The address each tab's page last answered about, in this worker's memory (onTabAddressChanged). */
const answered = new Map<number, string>();

function countPage(tabId: number, url: string, coverage: Coverage | null): Promise<void> {
  answered.set(tabId, url);
  return setTab(tabId, url, coverage);
}

/**
 * Whether the tab's page has answered about `url` already: its answer, from the page's own
 * signals, then stands over the address's alone. Lost when the worker stops, which costs only
 * that: the address's count, written before the page's.
 */
export function pageAnswered(tabId: number, url: string): boolean {
  return answered.get(tabId) === url;
}

export function forgetAnswers(tabId: number): void {
  answered.delete(tabId);
}

/** What the background asks the page at `url` (AskNotice): only what can matter there. */
export async function askFor(url: string, pageSettings: Promise<Settings>, sweep: boolean): Promise<AskNotice> {
  // If the outlets cannot be read, the page is asked for its signals all the same.
  const [settings, signals] = await Promise.all([pageSettings, signalsMayMatch(url).catch(() => true)]);
  return { notice: 'ask', settings, signals, links: linkBadgesDue(settings, url), sweep };
}

/** The content script's rule for starting link badges (main.ts), on web pages (no content script runs on any other). */
function linkBadgesDue(settings: Settings, url: string): boolean {
  if (!settings.linkBadges || !URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  return (protocol === 'https:' || protocol === 'http:') && !isSiteHidden(settings.hiddenSites, hostname);
}

/** The reader's settings as the page at `url` gets them; the defaults if storage cannot be read. */
export function settingsOf(url: string): Promise<Settings> {
  return loadSettings()
    .catch(() => DEFAULT_SETTINGS)
    .then((stored) => settingsForPage(stored, url));
}

/** Each link's verdict, in order: what its badge shows (null: no badge). */
export async function lookupLinks(urls: readonly string[]): Promise<Array<LinkVerdict | null>> {
  const verdicts: Array<LinkVerdict | null> = [];
  // One at a time: a known link may need a details chunk (~256 KiB) of its own, and a batch of
  // them fetched at once would hold them all in memory; unknown links need none.
  for (const url of urls) {
    const coverage = await lookupCoverage([url]);
    verdicts.push(!coverage || coverage.otherOutletCount === 0 ? null : { otherOutletCount: coverage.otherOutletCount, outlets: [...new Set(coverage.otherOutlets.map((other) => other.outlet))] });
  }
  return verdicts;
}

