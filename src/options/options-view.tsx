import type { ComponentChildren } from 'preact';
import type { Settings, Theme } from '../shared/settings-schema';
import { THEMES } from '../shared/settings-schema';
import { useTranslate, type MessageKey } from '../ui/i18n';

export interface OptionsViewProps {
  settings: Settings;
  onChange: (change: Partial<Settings>) => void;
  /** Turning "all websites" on asks the browser for permission first, so it has its own handler. */
  onAllWebsites: (enable: boolean) => void;
  /** Shown when the browser refused the permission, or the change failed. */
  problem?: MessageKey | null;
  /** Further sections (the index lists), after the built-in ones. */
  children?: ComponentChildren;
}

const THEME_LABELS: Record<Theme, MessageKey> = { system: 'themeSystem', light: 'themeLight', dark: 'themeDark' };

function Toggle(props: { id: string; label: MessageKey; hint: MessageKey; checked: boolean; onToggle: (checked: boolean) => void }) {
  const t = useTranslate();
  return (
    <div class="option">
      <input id={props.id} type="checkbox" checked={props.checked} aria-describedby={`${props.id}-hint`} onChange={(event) => props.onToggle(event.currentTarget.checked)} />
      <label for={props.id}>{t(props.label)}</label>
      <p id={`${props.id}-hint`} class="hint">
        {t(props.hint)}
      </p>
    </div>
  );
}

export function OptionsView({ settings, onChange, onAllWebsites, problem, children }: OptionsViewProps) {
  const t = useTranslate();
  return (
    <div class="options">
      <h1>{t('optionsTitle')}</h1>
      <section aria-labelledby="badges-heading">
        <h2 id="badges-heading">{t('optionsBadges')}</h2>
        <Toggle id="article-badge" label="optionArticleBadge" hint="optionArticleBadgeHint" checked={settings.articleBadge} onToggle={(articleBadge) => onChange({ articleBadge })} />
        <Toggle id="link-badges" label="optionLinkBadges" hint="optionLinkBadgesHint" checked={settings.linkBadges} onToggle={(linkBadges) => onChange({ linkBadges })} />
        <Toggle id="all-websites" label="optionAllWebsites" hint="optionAllWebsitesHint" checked={settings.allWebsites} onToggle={onAllWebsites} />
        {problem && (
          <p class="problem" role="alert">
            {t(problem)}
          </p>
        )}
      </section>
      <section aria-labelledby="theme-heading">
        <h2 id="theme-heading">{t('optionTheme')}</h2>
        <div class="option">
          <label for="theme">{t('optionTheme')}</label>
          <select id="theme" value={settings.theme} onChange={(event) => onChange({ theme: event.currentTarget.value as Theme })}>
            {THEMES.map((theme) => (
              <option key={theme} value={theme}>
                {t(THEME_LABELS[theme])}
              </option>
            ))}
          </select>
        </div>
      </section>
      <section aria-labelledby="sites-heading">
        <h2 id="sites-heading">{t('optionHiddenSites')}</h2>
        {settings.hiddenSites.length === 0 ? (
          <p class="hint">{t('optionNoHiddenSites')}</p>
        ) : (
          <ul class="sites">
            {settings.hiddenSites.map((site) => (
              <li key={site}>
                <span>{site}</span>
                <button type="button" aria-label={t('optionShowSiteAgainLabel', [site])} onClick={() => onChange({ hiddenSites: settings.hiddenSites.filter((hidden) => hidden !== site) })}>
                  {t('optionShowSiteAgain')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      {children}
    </div>
  );
}
