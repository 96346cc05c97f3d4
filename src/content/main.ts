import type { Coverage } from '../core/index/coverage-index';
import { browser, type Runtime } from '../shared/browser';
import { translate } from '../shared/i18n';
import { background, isContentNotice } from '../shared/protocol';
import { loadSettings, onSettingsChanged } from '../shared/settings';
import { DEFAULT_SETTINGS, isSiteHidden, type Settings } from '../shared/settings-schema';
import { PageBadge } from './badge';
import { LinkBadges } from './link-badges';
import { collectPageSignals } from './page-signals';

PageBadge.removeOrphans();
LinkBadges.removeOrphans();
const badge = new PageBadge(translate);
const linkBadges = new LinkBadges({
  lookup: background.lookupLinks,
  open: background.openCoverage,
  translate,
  locale: browser.i18n.getUILanguage(),
});
const lifetime = new AbortController();
let settings: Settings = DEFAULT_SETTINGS;
let latest: { coverage: Coverage | null; url: string } = { coverage: null, url: location.href };

function render(): void {
  const hidden = isSiteHidden(settings.hiddenSites, location.hostname);
  if (settings.articleBadge && !hidden) badge.show(latest.coverage, latest.url, settings.theme);
  else badge.remove();
  // Link badges follow the settings live too: stopping removes every one of them (issue 5).
  linkBadges.setTheme(settings.theme);
  if (settings.linkBadges && !hidden) linkBadges.start(lifetime.signal);
  else linkBadges.stop();
}

/** Asks the background about this page (which also sets the toolbar count) and renders the answer. */
async function refresh(): Promise<void> {
  const signals = collectPageSignals();
  try {
    latest = { coverage: await background.lookupPage(signals), url: signals.url };
    render();
  } catch {
    // The extension was reloaded or updated under this page: this script is orphaned, so step aside.
    badge.remove();
    lifetime.abort();
  }
}

async function start(): Promise<void> {
  settings = await loadSettings().catch(() => DEFAULT_SETTINGS);
  // A changed setting applies to open tabs at once, without a reload.
  onSettingsChanged((next) => {
    settings = next;
    render();
  }, lifetime.signal);
  // The background says the address changed under this script (a single-page-app navigation).
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    if (sender.id === browser.runtime.id && isContentNotice(message)) void refresh();
    return undefined;
  });
  await refresh();
}

void start();
