import type { Coverage } from '../core/index/coverage-index';
import { CoverageList, coverageSummary, NO_COVERAGE_TEXT } from '../ui/coverage-list';

export type PopupState = { status: 'loading' } | { status: 'ready'; coverage: Coverage | null } | { status: 'error'; message: string };

export function PopupView({ state, now }: { state: PopupState; now?: number }) {
  return (
    <div class="popup" aria-busy={state.status === 'loading'}>
      <header class="popup-header">
        <h1>{state.status === 'ready' && state.coverage ? coverageSummary(state.coverage) : 'Elsewhere'}</h1>
      </header>
      {state.status === 'ready' && state.coverage && (
        <>
          <p class="popup-reading">
            You are reading {state.coverage.article.outlet}: “{state.coverage.article.title}”
          </p>
          <CoverageList coverage={state.coverage} now={now} />
        </>
      )}
      {state.status === 'ready' && !state.coverage && <p class="popup-empty">{NO_COVERAGE_TEXT}</p>}
      {state.status === 'error' && <p class="popup-empty" role="alert">{state.message}</p>}
    </div>
  );
}
