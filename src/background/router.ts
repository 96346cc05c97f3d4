import type { Coverage } from '../core/index/coverage-index';
import { canonicalise } from '../core/url/canonical';
import { outletDomain } from '../core/url/outlet';
import { pageAddresses } from '../core/url/page-signals';
import { browser, type Runtime } from '../shared/browser';
import { parseRequest, UNPRIVILEGED_METHODS, type LinkVerdict, type PageSignals, type PageStart, type RejectedReply, type TabView } from '../shared/protocol';
import { loadSettings } from '../shared/settings';
import { DEFAULT_SETTINGS } from '../shared/settings-schema';
import { lookupCoverage } from './lists/list-sources';
import { listStatuses, subscribe, unsubscribe, updateLists } from './lists/subscriptions';
import { noteReportedAddress } from './navigation';
import { settingsForPage } from './outlet-sites';
import { injectLinkBadges, injectRenderer, injectRendererIfBadgeDue } from './renderer-injection';
import { openStoryView } from './story-view';
import { readTab, setTab, siteOf } from './tab-state';

async function lookupPage(signals: PageSignals, sender: Runtime.MessageSender): Promise<Coverage | null> {
  // Only the top frame speaks for the tab; frames would otherwise overwrite its count.
  const tabId = sender.frameId === 0 ? sender.tab?.id : undefined;
  if (tabId !== undefined) noteReportedAddress(tabId, signals.url);
  const coverage = await lookupCoverage(pageAddresses(signals));
  if (tabId !== undefined) await setTab(tabId, signals.url, coverage);
  return coverage;
}

async function startPage(signals: PageSignals, sender: Runtime.MessageSender): Promise<PageStart> {
  const [coverage, settings] = await Promise.all([
    lookupPage(signals, sender),
    loadSettings()
      .catch(() => DEFAULT_SETTINGS)
      .then((stored) => settingsForPage(stored, signals.url)),
  ]);
  await injectRendererIfBadgeDue(sender, signals.url, coverage, settings);
  return { coverage, settings };
}

async function getTabView(tabId: number): Promise<TabView> {
  const record = await readTab(tabId);
  if (record) return { coverage: record.coverage, site: record.site };
  // Nothing recorded (no known article there, or not looked up yet): fall back to the tab's address.
  const url = (await browser.tabs.get(tabId).catch(() => null))?.url ?? null;
  return url === null ? { coverage: null, site: null } : { coverage: await lookupCoverage([url]), site: siteOf(url) };
}

async function lookupLinks(urls: readonly string[]): Promise<Array<LinkVerdict | null>> {
  const verdicts: Array<LinkVerdict | null> = [];
  // One at a time: a known link may need a details chunk (~256 KiB) of its own, and a batch of
  // them fetched at once would hold them all in memory; unknown links need none.
  for (const url of urls) {
    const coverage = await lookupCoverage([url]);
    verdicts.push(!coverage || coverage.otherOutletCount === 0 ? null : { otherOutletCount: coverage.otherOutletCount, outlets: [...new Set(coverage.otherOutlets.map((other) => other.outlet))] });
  }
  return verdicts;
}

async function getUrlView(url: string): Promise<TabView> {
  const page = canonicalise(url);
  return { coverage: page ? await lookupCoverage([url]) : null, site: page ? outletDomain(page.hostname) : null };
}

function isExtensionPage(sender: Runtime.MessageSender): boolean {
  return sender.tab === undefined || (sender.url?.startsWith(browser.runtime.getURL('')) ?? false);
}

/**
 * The one entry point for messages. It rejects anything not from this extension, anything
 * malformed, and any privileged method asked by a content script. Rejections resolve to an error
 * object rather than throwing, so nothing noisy reaches the sender's console.
 */
export function routeMessage(message: unknown, sender: Runtime.MessageSender): Promise<unknown> | undefined {
  if (sender.id !== browser.runtime.id) return undefined;
  const request = parseRequest(message);
  if (!request) return Promise.resolve<RejectedReply>({ error: 'malformed request' });
  if (!UNPRIVILEGED_METHODS.has(request.method) && !isExtensionPage(sender)) {
    return Promise.resolve<RejectedReply>({ error: `${request.method} is not available to pages` });
  }
  switch (request.method) {
    case 'lookupPage':
      return lookupPage(request.params, sender);
    case 'startPage':
      return startPage(request.params, sender);
    case 'lookupLinks':
      return lookupLinks(request.params.urls);
    case 'openCoverage':
      return openStoryView(request.params.url);
    case 'loadRenderer':
      return injectRenderer(sender);
    case 'loadLinkBadges':
      return injectLinkBadges(sender);
    case 'getTabView':
      return getTabView(request.params.tabId);
    case 'getUrlView':
      return getUrlView(request.params.url);
    case 'listSubscriptions':
      return listStatuses();
    case 'subscribeList':
      return subscribe(request.params.url);
    case 'unsubscribeList':
      return unsubscribe(request.params.url);
    case 'updateLists':
      return updateLists(request.params.url);
  }
}
