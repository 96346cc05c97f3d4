/**
 * The content script's link-badge stage (issue 4, issue 5): the engine that scans a page's links in
 * idle time, watches for links the page adds and puts badges in. The background puts this file
 * into a frame (`scripting.executeScript`, the isolated world of the first stage, main.ts) only
 * when the first stage asks for it (link-scout.ts); it does nothing by itself, but hands itself
 * over to the first stage (stages.ts), which starts it with its own callbacks and settings.
 */
import { LinkBadges } from './link-badges';
import { provideStage } from './stages';

provideStage('linkBadges', () => ({ create: (options) => new LinkBadges(options) }));
