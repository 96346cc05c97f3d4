import { backgroundCall } from '../shared/message-shapes';
import { extension } from './native-api';

/** The content script's side of the protocol (src/shared/protocol.ts), through the browser's own API. */
const call = backgroundCall((message) => extension.runtime.sendMessage(message));

/** Typed callers for the methods a content script may use. */
export const background = {
  lookupLinks: (urls: string[]) => call('lookupLinks', { urls }),
  openCoverage: (url: string) => call('openCoverage', { url }),
  loadRenderer: () => call('loadRenderer', {}),
  loadLinkBadges: () => call('loadLinkBadges', {}),
};
