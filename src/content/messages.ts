import type { BackgroundMethods, MethodName, PageSignals } from '../shared/protocol';
import { isRejectedReply } from '../shared/message-shapes';
import { extension } from './native-api';

type ContentMethod = Extract<MethodName, 'lookupPage' | 'startPage' | 'lookupLinks' | 'openCoverage' | 'loadRenderer'>;

/** The content script's side of the protocol (src/shared/protocol.ts), through the browser's own API. */
async function call<M extends ContentMethod>(method: M, params: Parameters<BackgroundMethods[M]>[0]): Promise<ReturnType<BackgroundMethods[M]>> {
  const reply: unknown = await extension.runtime.sendMessage({ method, params });
  if (isRejectedReply(reply)) throw new Error(`Elsewhere refused ${method}: ${reply.error}`);
  return reply as ReturnType<BackgroundMethods[M]>;
}

/** Typed callers for the methods a content script may use. */
export const background = {
  lookupPage: (signals: PageSignals) => call('lookupPage', signals),
  startPage: (signals: PageSignals) => call('startPage', signals),
  lookupLinks: (urls: string[]) => call('lookupLinks', { urls }),
  openCoverage: (url: string) => call('openCoverage', { url }),
  loadRenderer: () => call('loadRenderer', {}),
};
