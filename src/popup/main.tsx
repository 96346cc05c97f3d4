import { render } from 'preact';
import { browser } from '../shared/browser';
import { background } from '../shared/protocol';
import { PopupView } from './popup-view';
import '../ui/theme.css';
import '../ui/coverage-list.css';
import './popup.css';

/** `popup.html?tab=ID` shows tab ID, so the view also works opened in a tab (and in tests). */
async function targetTabId(): Promise<number | null> {
  const requested = new URLSearchParams(location.search).get('tab');
  if (requested !== null) return /^\d+$/.test(requested) ? Number(requested) : null;
  const [active] = await browser.tabs.query({ active: true, currentWindow: true });
  return active?.id ?? null;
}

async function start(root: HTMLElement): Promise<void> {
  render(<PopupView state={{ status: 'loading' }} />, root);
  try {
    const tabId = await targetTabId();
    const coverage = tabId === null ? null : await background.getTabCoverage(tabId);
    render(<PopupView state={{ status: 'ready', coverage }} />, root);
  } catch {
    render(<PopupView state={{ status: 'error', message: 'Elsewhere could not read this tab. Reload the page and try again.' }} />, root);
  }
}

void start(document.getElementById('app')!);
