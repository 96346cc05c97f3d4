import { render } from 'preact';
import { useState } from 'preact/hooks';
import type { Coverage } from '../core/index/coverage-index';
import type { Theme } from '../shared/settings-schema';
import { CoverageList } from '../ui/coverage-list';
import { coverageSummary, I18nContext, useTranslate, type Translate } from '../ui/i18n';
import listCss from '../ui/coverage-list.css?inline';
import themeCss from '../ui/theme.css?inline';
import badgeCss from './badge.css?inline';
import { PAGE_BADGE_TAG } from './tags';

function Badge({ coverage, theme, onDismiss }: { coverage: Coverage; theme: Theme; onDismiss: () => void }) {
  const [open, setOpen] = useState(false);
  const t = useTranslate();
  return (
    <section class="es-badge" data-theme={theme} aria-label={t('badgeLabel')}>
      <div class="es-bar">
        <button type="button" class="es-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span class="es-dot" aria-hidden="true" />
          {coverageSummary(t, coverage.otherOutletCount)}
        </button>
        <button type="button" class="es-dismiss" aria-label={t('hideForPage')} title={t('hideForPage')} onClick={onDismiss}>
          ×
        </button>
      </div>
      {open && (
        <div class="es-panel">
          <CoverageList coverage={coverage} />
        </div>
      )}
    </section>
  );
}

/**
 * Styles go in through a constructed stylesheet: a page's `style-src` CSP does not apply to it,
 * whereas a <style> element would be blocked on strict pages.
 */
function adoptStyles(root: ShadowRoot): void {
  const css = `${themeCss}\n${listCss}\n${badgeCss}`;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement('style');
    style.textContent = css;
    root.append(style);
  }
}

/** The in-page badge: one closed shadow root, fixed in a corner so it never shifts the page's layout. */
export class PageBadge {
  private host: HTMLElement | null = null;
  private root: ShadowRoot | null = null;
  private dismissedUrl: string | null = null;

  constructor(private readonly translate: Translate) {}

  show(coverage: Coverage | null, url: string, theme: Theme = 'system'): void {
    if (!coverage || coverage.otherOutletCount === 0 || this.dismissedUrl === url) {
      this.remove();
      return;
    }
    if (!this.host || !this.host.isConnected) {
      this.host = document.createElement(PAGE_BADGE_TAG);
      this.root = this.host.attachShadow({ mode: 'closed' });
      adoptStyles(this.root);
      document.documentElement.append(this.host);
    }
    render(
      <I18nContext.Provider value={this.translate}>
        <Badge key={url} coverage={coverage} theme={theme} onDismiss={() => this.dismiss(url)} />
      </I18nContext.Provider>,
      this.root!,
    );
  }

  private dismiss(url: string): void {
    this.dismissedUrl = url;
    this.remove();
  }

  remove(): void {
    if (this.root) render(null, this.root);
    this.host?.remove();
    this.host = null;
    this.root = null;
  }
}
