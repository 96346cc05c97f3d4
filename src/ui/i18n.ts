import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type englishMessages from '../../assets/_locales/en/messages.json';

/** Every user-facing string has a key in assets/_locales/<lang>/messages.json; English is the reference. */
export type MessageKey = keyof typeof englishMessages;
export type Translate = (key: MessageKey, substitutions?: ReadonlyArray<string | number>) => string;

/**
 * Components read strings from context, so they stay pure: the popup and the content script
 * provide `browser.i18n`, tests provide a translator over the messages files.
 */
export const I18nContext = createContext<Translate>((key) => key);

export function useTranslate(): Translate {
  return useContext(I18nContext);
}

/** "Also covered by 2 other outlets": chrome.i18n has no plurals, so one and other are two keys. */
export function coverageSummary(t: Translate, count: number): string {
  return count === 1 ? t('coverageSummaryOne') : t('coverageSummaryOther', [count]);
}
