import type { Coverage, CoverageArticle } from '../core/index/coverage-index';
import { absoluteTime, relativeTime } from './format-date';
import { useTranslate } from './i18n';
import { Monogram } from './monogram';
import { safeHref } from './safe-url';

interface ItemProps {
  article: CoverageArticle;
  isFirstReport: boolean;
  now: number;
}

function CoverageItem({ article, isFirstReport, now }: ItemProps) {
  const t = useTranslate();
  const href = safeHref(article.url);
  const body = (
    <>
      <Monogram outlet={article.outlet} domain={article.outletDomain} />
      <span class="es-body">
        <span class="es-meta">
          <span class="es-outlet">{article.outlet}</span>
          {isFirstReport && <span class="es-first">{t('firstReport')}</span>}
        </span>
        <span class="es-title">{article.title}</span>
        {article.excerpt && <span class="es-excerpt">{article.excerpt}</span>}
        {article.publishedAt !== null && (
          <time class="es-time" dateTime={new Date(article.publishedAt).toISOString()}>
            {relativeTime(article.publishedAt, now)} · {absoluteTime(article.publishedAt)}
          </time>
        )}
      </span>
    </>
  );
  return (
    <li class="es-item">
      {href ? (
        <a class="es-link" href={href} target="_blank" rel="noopener noreferrer">
          {body}
        </a>
      ) : (
        <span class="es-link">{body}</span>
      )}
    </li>
  );
}

/** The related coverage of one article: other outlets oldest first, then the reader's own outlet. */
export function CoverageList({ coverage, now = Date.now() }: { coverage: Coverage; now?: number }) {
  const t = useTranslate();
  const readingFirst = coverage.firstReportUrl === coverage.article.url;
  return (
    <div class="es-coverage">
      {readingFirst && <p class="es-note">{t('readingFirstReport')}</p>}
      {coverage.otherOutlets.length > 0 && (
        <ol class="es-list" aria-label={t('otherOutletsLabel')}>
          {coverage.otherOutlets.map((article) => (
            <CoverageItem key={article.url} article={article} isFirstReport={article.url === coverage.firstReportUrl} now={now} />
          ))}
        </ol>
      )}
      {coverage.sameOutlet.length > 0 && (
        <>
          <h3 class="es-group">{t('moreFromOutlet', [coverage.article.outlet])}</h3>
          <ol class="es-list" aria-label={t('moreFromOutlet', [coverage.article.outlet])}>
            {coverage.sameOutlet.map((article) => (
              <CoverageItem key={article.url} article={article} isFirstReport={article.url === coverage.firstReportUrl} now={now} />
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
