import { render } from 'preact';
import type { LinkVerdict } from '../shared/protocol';
import type { Theme } from '../shared/settings-schema';
import { coverageSummary, type Translate } from '../ui/i18n';
import darkCss from './link-badge-dark.css?inline';
import linkBadgeCss from './link-badge.css?inline';
import type { LinkBadgeLook } from './link-badges';

/** The label and the tooltip name this many outlets, then "and N more". */
const MAX_NAMED_OUTLETS = 8;

/**
 * How a list of names ends, per language of Elsewhere's messages (assets/_locales: English, the
 * default, and German): CLDR's "long conjunction" patterns, which Intl.ListFormat would give.
 * Not Intl.ListFormat itself: the first Intl object a page's renderer makes loads ICU's data,
 * 50-110 ms of one uninterruptible call on this machine (measured in a blank page), the longest
 * task the content script had on a 10,000-link page. American English has the serial comma,
 * other English does not; any other UI language reads the English messages, so English it is.
 */
const LIST_ENDINGS: ReadonlyArray<{ language: RegExp; two: string; last: string }> = [
  { language: /^de\b/i, two: ' und ', last: ' und ' },
  { language: /^en(?:-US)?$/i, two: ' and ', last: ', and ' },
  { language: /^en\b/i, two: ' and ', last: ' and ' },
];
const DEFAULT_LIST_ENDING = LIST_ENDINGS[1]!;

/** "CNET, Forbes, and Wired" (or "CNET, Forbes und Wired"). */
export function joinNames(names: readonly string[], locale: string | undefined): string {
  if (names.length <= 1) return names[0] ?? '';
  const ending = LIST_ENDINGS.find(({ language }) => language.test(locale ?? '')) ?? DEFAULT_LIST_ENDING;
  if (names.length === 2) return `${names[0]}${ending.two}${names[1]}`;
  return `${names.slice(0, -1).join(', ')}${ending.last}${names.at(-1)}`;
}

function TooltipContent({ title, outlets, hint }: { title: string; outlets: string; hint: string }) {
  return (
    <>
      <span class="es-lb-tip-title">{title}</span>
      <span class="es-lb-tip-outlets">{outlets}</span>
      <span class="es-lb-tip-hint">{hint}</span>
    </>
  );
}

/** The reader's theme, pinned on every badge at once by replacing one shared sheet. */
function themeCss(theme: Theme): string {
  if (theme === 'light') return '';
  if (theme === 'dark') return `:host { color-scheme: dark !important; }\n${darkCss}`;
  return `@media (prefers-color-scheme: dark) {\n:host { color-scheme: dark !important; }\n${darkCss}\n}`;
}

export interface LinkBadgeLookOptions {
  translate?: Translate;
  /** For joining outlet names ("CNET, Forbes and 3 more"); the reader's UI language. */
  locale?: string;
  theme?: Theme;
  document?: Document;
}

/** What link badges look like and say, in the rendering stage: styles, labels, the tooltip. */
export function createLinkBadgeLook(options: LinkBadgeLookOptions = {}): LinkBadgeLook {
  const doc = options.document ?? document;
  const translate: Translate = options.translate ?? ((key) => key);
  const { locale } = options;
  const labels = new WeakMap<LinkVerdict, string>();
  let theme: Theme = options.theme ?? 'system';
  /** Shared by every badge's root: adopting one constructed sheet is cheap, and strict CSPs allow it. */
  let sheets: CSSStyleSheet[] | null = null;
  let sheetsFailed = false;

  /** "CNET, Forbes and 3 more". */
  const outletList = (verdict: LinkVerdict): string => {
    const names = verdict.outlets.slice(0, MAX_NAMED_OUTLETS);
    const more = verdict.otherOutletCount - names.length;
    return joinNames(more > 0 ? [...names, translate('linkBadgeMore', [more])] : names, locale);
  };

  return {
    adoptStyles(root) {
      if (!sheets && !sheetsFailed) {
        try {
          const base = new CSSStyleSheet();
          base.replaceSync(linkBadgeCss);
          const themed = new CSSStyleSheet();
          themed.replaceSync(themeCss(theme));
          sheets = [base, themed];
        } catch {
          sheetsFailed = true;
        }
      }
      if (sheets) {
        try {
          root.adoptedStyleSheets = sheets;
          return;
        } catch {
          sheetsFailed = true;
          sheets = null;
        }
      }
      // Engines without constructed stylesheets: a <style> element (which a strict CSP may block).
      const style = doc.createElement('style');
      style.textContent = `${linkBadgeCss}\n${themeCss(theme)}`;
      root.append(style);
    },

    setTheme(next) {
      if (next === theme) return;
      theme = next;
      sheets?.[1]?.replaceSync(themeCss(next));
    },

    label(verdict) {
      let label = labels.get(verdict);
      if (label === undefined) {
        const outlets = outletList(verdict);
        label =
          verdict.otherOutletCount === 1
            ? translate('linkBadgeLabelOne', [outlets])
            : translate('linkBadgeLabelOther', [verdict.otherOutletCount, outlets]);
        labels.set(verdict, label);
      }
      return label;
    },

    renderTooltip(tip, verdict) {
      render(<TooltipContent title={coverageSummary(translate, verdict.otherOutletCount)} outlets={outletList(verdict)} hint={translate('linkBadgeHint')} />, tip);
    },

    clearTooltip(tip) {
      render(null, tip);
    },
  };
}
