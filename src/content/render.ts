/**
 * The content script's rendering stage (issue 4): Preact, the in-page badge, the link badges' look
 * and their styles. The background puts this file into a frame (`scripting.executeScript`, the
 * isolated world of the first stage, main.ts) only once that frame has something to draw; it draws
 * nothing by itself, but hands itself over to the first stage (stages.ts).
 */
import type { Translate } from '../ui/i18n';
import { PageBadge } from './badge';
import { createLinkBadgeLook } from './link-badge-look';
import { extension } from './native-api';
import { provideStage } from './stages';

provideStage('renderer', () => {
  const translate: Translate = (key, substitutions) => extension.i18n.getMessage(key, substitutions?.map(String));
  return { pageBadge: new PageBadge(translate), linkBadgeLook: createLinkBadgeLook({ translate, locale: extension.i18n.getUILanguage() }) };
});
