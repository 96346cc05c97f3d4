import { browser, type Runtime } from '../shared/browser';
import { translate } from '../shared/i18n';
import { background, isContentNotice } from '../shared/protocol';
import { PageBadge } from './badge';
import { collectPageSignals } from './page-signals';

PageBadge.removeOrphans();
const badge = new PageBadge(translate);

async function refresh(): Promise<void> {
  const signals = collectPageSignals();
  try {
    badge.show(await background.lookupPage(signals), signals.url);
  } catch {
    // The extension was reloaded or updated under this page: this script is orphaned, so step aside.
    badge.remove();
  }
}

// The background says the address changed under this script (a single-page-app navigation).
browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  if (sender.id === browser.runtime.id && isContentNotice(message)) void refresh();
  return undefined;
});

void refresh();
