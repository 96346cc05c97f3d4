import type { Coverage } from '../core/index/coverage-index';
import { CoverageList } from '../ui/coverage-list';
import { coverageSummary, useTranslate } from '../ui/i18n';

export type PopupState = { status: 'loading' } | { status: 'ready'; coverage: Coverage | null } | { status: 'error' };

export function PopupView({ state, now }: { state: PopupState; now?: number }) {
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
          <CoverageList coverage={coverage} now={now} />
        </>
      )}
      {state.status === 'ready' && !coverage && <p class="popup-empty">{t('noCoverage')}</p>}
      {state.status === 'error' && (
        <p class="popup-empty" role="alert">
          {t('popupError')}
        </p>
      )}
    </div>
  );
}
