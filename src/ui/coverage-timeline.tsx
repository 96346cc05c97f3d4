import type { Coverage, CoverageArticle } from '../core/index/coverage-index';
import { absoluteTime } from './format-date';
import { useTranslate } from './i18n';
import { outletColor } from './monogram';

/** Drawing units of the SVG's viewBox; it scales to the popup's width. */
const WIDTH = 360;
const HEIGHT = 44;
const PAD = 10;
const AXIS_Y = 22;
/** Marks closer than this (in viewBox units) are stacked so each stays visible. */
const MIN_GAP = 7;

interface Mark {
  article: CoverageArticle;
  x: number;
  y: number;
  current: boolean;
}

function layout(articles: CoverageArticle[], currentUrl: string): Mark[] {
  const dated = articles.filter((article) => article.publishedAt !== null).sort((a, b) => a.publishedAt! - b.publishedAt!);
  if (dated.length === 0) return [];
  const first = dated[0]!.publishedAt!;
  const span = Math.max(dated[dated.length - 1]!.publishedAt! - first, 1);
  const marks: Mark[] = [];
  for (const article of dated) {
    const x = dated.length === 1 ? WIDTH / 2 : PAD + ((article.publishedAt! - first) / span) * (WIDTH - 2 * PAD);
    const crowded = marks.filter((mark) => Math.abs(mark.x - x) < MIN_GAP).length;
    marks.push({ article, x, y: AXIS_Y + (crowded % 2 === 0 ? -1 : 1) * Math.ceil(crowded / 2) * 8, current: article.url === currentUrl });
  }
  return marks;
}

/**
 * Who reported when: time runs left to right, one mark per article in its outlet's colour, the
 * page being read ringed. Drawn in SVG: no chart library for a dozen dots.
 */
export function CoverageTimeline({ coverage }: { coverage: Coverage }) {
  const t = useTranslate();
  const marks = layout([coverage.article, ...coverage.otherOutlets, ...coverage.sameOutlet], coverage.article.url);
  if (marks.length < 2) return null;
  const first = marks[0]!;
  const last = marks[marks.length - 1]!;
  const label = t('timelineLabel', [first.article.outlet, absoluteTime(first.article.publishedAt!), marks.length]);
  return (
    <figure class="es-timeline">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label} preserveAspectRatio="none">
        <line x1={PAD} x2={WIDTH - PAD} y1={AXIS_Y} y2={AXIS_Y} class="es-axis" />
        {marks.map((mark) => (
          <circle key={mark.article.url} cx={mark.x} cy={mark.y} r={mark.current ? 5 : 4} fill={outletColor(mark.article.outletDomain)} class={mark.current ? 'es-mark es-current' : 'es-mark'}>
            <title>{`${mark.article.outlet} · ${absoluteTime(mark.article.publishedAt!)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption class="es-timeline-axis" aria-hidden="true">
        <span>{absoluteTime(first.article.publishedAt!)}</span>
        <span>{absoluteTime(last.article.publishedAt!)}</span>
      </figcaption>
    </figure>
  );
}
