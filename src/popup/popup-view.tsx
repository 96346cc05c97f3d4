import type { Coverage } from '../core/index/coverage-index';
import { CoverageList } from '../ui/coverage-list';
import { CoverageTimeline } from '../ui/coverage-timeline';
import { coverageSummary, useTranslate } from '../ui/i18n';

export type PopupState =
  | { status: 'loading' }
  | { status: 'ready'; coverage: Coverage | null; site: string | null; siteHidden: boolean; subject?: 'page' | 'link' }
  | { status: 'error' };

interface PopupViewProps {
  state: PopupState;
  now?: number;
  /** Hides Elsewhere on the tab's site, or shows it again. */
  onToggleSite?: (site: string, hide: boolean) => void;
}

export function PopupView({ state, now, onToggleSite }: PopupViewProps) {
  const t = useTranslate();
  const coverage = state.status === 'ready' ? state.coverage : null;
  return (
    <div class="popup" aria-busy={state.status === 'loading'}>
      <header class="popup-header">
        <h1>{coverage ? coverageSummary(t, coverage.otherOutletCount) : t('extName')}</h1>
      </header>
      {coverage && (
        <>
          <p class="popup-reading">{t('readingArticle', [coverage.article.outlet, coverage.article.title])}</p>
          {coverage.lists && <p class="popup-lists">{t('popupFromLists', [coverage.lists.join(', ')])}</p>}
          <CoverageTimeline coverage={coverage} />
          <CoverageList coverage={coverage} now={now} />
        </>
      )}
      {state.status === 'ready' && !coverage && <p class="popup-empty">{t(state.subject === 'link' ? 'noCoverageLink' : 'noCoverage')}</p>}
      {state.status === 'error' && (
        <p class="popup-empty" role="alert">
          {t('popupError')}
        </p>
      )}
      {state.status === 'ready' && state.site && onToggleSite && (
        <footer class="popup-footer">
          {state.siteHidden && <span class="popup-hidden">{t('siteHidden', [state.site])}</span>}
          <button type="button" class="popup-button" onClick={() => onToggleSite(state.site!, !state.siteHidden)}>
            {state.siteHidden ? t('showOnSite') : t('hideOnSite')}
          </button>
        </footer>
      )}
    </div>
  );
}
