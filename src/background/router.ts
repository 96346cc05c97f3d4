import type { Coverage } from '../core/index/coverage-index';
import { pageAddresses } from '../core/url/page-signals';
import { browser, type Runtime } from '../shared/browser';
import { parseRequest, UNPRIVILEGED_METHODS, type PageSignals, type RejectedReply } from '../shared/protocol';
import { bundledIndex } from './index-source';
import { readTab, setTab } from './tab-state';

async function lookupPage(signals: PageSignals, sender: Runtime.MessageSender): Promise<Coverage | null> {
  const index = await bundledIndex();
  const coverage = index.coverage(pageAddresses(signals));
  // Only the top frame speaks for the tab; frames would otherwise overwrite its count.
  if (sender.tab?.id !== undefined && sender.frameId === 0) await setTab(sender.tab.id, signals.url, coverage);
  return coverage;
}

async function getTabCoverage(tabId: number): Promise<Coverage | null> {
  const record = await readTab(tabId);
  if (record) return record.coverage;
  // Nothing recorded (no content script there, or it has not reported yet): fall back to the address.
  const tab = await browser.tabs.get(tabId).catch(() => null);
  if (!tab?.url) return null;
  return (await bundledIndex()).coverage([tab.url]);
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
    case 'getTabCoverage':
      return getTabCoverage(request.params.tabId);
  }
}
