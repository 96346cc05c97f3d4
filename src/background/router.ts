import { canonicalise } from '../core/url/canonical';
import { outletDomain } from '../core/url/outlet';
import { browser, type Runtime } from '../shared/browser';
import { parseRequest, UNPRIVILEGED_METHODS, type RejectedReply, type TabView } from '../shared/protocol';
import { lookupCoverage } from './lists/list-sources';
import { listStatuses, subscribe, unsubscribe, updateLists } from './lists/subscriptions';
import { injectLinkBadges, injectRenderer } from './renderer-injection';
import { openStoryView } from './story-view';
import { readTab, siteOf } from './tab-state';
import { lookupLinks } from './page-answers';

async function getTabView(tabId: number): Promise<TabView> {
  const record = await readTab(tabId);
  if (record) return { coverage: record.coverage, site: record.site };
  // Nothing recorded (no known article there, or not looked up yet): fall back to the tab's address.
  const url = (await browser.tabs.get(tabId).catch(() => null))?.url ?? null;
  return url === null ? { coverage: null, site: null } : { coverage: await lookupCoverage([url]), site: siteOf(url) };
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
