import { browser, type Menus } from '../shared/browser';
import { translate } from '../shared/i18n';
import { openStoryView } from './story-view';

const MENU_ID = 'elsewhere-link-coverage';

/** Menus persist across background restarts, so they are created once per install or update. */
export function createLinkMenu(): void {
  browser.contextMenus.create({ id: MENU_ID, title: translate('linkMenuTitle'), contexts: ['link'] }, () => {
    // A duplicate id after an update is harmless; reading lastError keeps it out of the console.
    void browser.runtime.lastError;
  });
}

/** Opens Elsewhere's view of the link's story in a new tab; that view says plainly when the link is unknown. */
export async function onLinkMenuClicked(info: Menus.OnClickData): Promise<void> {
  if (info.menuItemId === MENU_ID && info.linkUrl) await openStoryView(info.linkUrl);
}
