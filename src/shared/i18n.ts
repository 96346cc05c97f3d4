import type { Translate } from '../ui/i18n';
import { browser } from './browser';

/** Strings from the browser's i18n, in the reader's UI language. */
export const translate: Translate = (key, substitutions) => browser.i18n.getMessage(key, substitutions?.map(String));
