/// <reference types="@crxjs/vite-plugin/client" />
import type { Coverage } from '../core/index/coverage-index';
import type { Runtime } from '../shared/browser';
import { browser } from '../shared/browser';
import { pageBadgeDue, type Settings } from '../shared/settings-schema';
// The built files' names, not their code: crxjs builds each of the content script's injected stages
// as its own self-contained IIFE (declared in no manifest list, so no page can load it) and gives us its path.
// eslint-disable-next-line no-restricted-imports
import linkBadgesFile from '../content/links?iife';
// eslint-disable-next-line no-restricted-imports
import rendererFile from '../content/render?iife';

/**
 * Puts the content script's rendering stage into the frame that asked (`loadRenderer`, issue 4).
 * Only into the sender's own tab and frame, where our first stage runs already (and so where we
 * have host access); the stage draws nothing by itself and a second injection changes nothing, so
 * a page that forges the request gains nothing but our own code in its frame's isolated world.
 */
export function injectRenderer(sender: Runtime.MessageSender): Promise<null> {
  return injectStage(senderFrame(sender), rendererFile);
}

/** Puts the link-badge engine into the frame that asked (`loadLinkBadges`), on the same terms. */
export function injectLinkBadges(sender: Runtime.MessageSender): Promise<null> {
  return injectStage(senderFrame(sender), linkBadgesFile);
}

/** One frame of one tab. */
export interface Frame {
  tabId: number;
  frameId: number;
}

function senderFrame(sender: Runtime.MessageSender): Frame | null {
  return sender.tab?.id === undefined ? null : { tabId: sender.tab.id, frameId: sender.frameId ?? 0 };
}

async function injectStage(frame: Frame | null, file: string): Promise<null> {
  if (!frame) return null;
  await browser.scripting.executeScript({ target: { tabId: frame.tabId, frameIds: [frame.frameId] }, files: [file] });
  return null;
}

/**
 * A page that starts with an in-page badge to show gets the rendering stage before its answer
 * (navigation.ts): no round trip of its own, so an activated prerendered page shows its badge in
 * time (issue 6: 300 ms). The content script decides by the same rule (`pageBadgeDue`) and finds it there.
 */
export async function injectRendererIfBadgeDue(frame: Frame, url: string, coverage: Coverage | null, settings: Settings): Promise<void> {
  if (!coverage || !URL.canParse(url) || !pageBadgeDue(settings, new URL(url).hostname, coverage.otherOutletCount)) return;
  // A failure here (the frame went away) is the content script's to meet: it loads the stage itself.
  await injectStage(frame, rendererFile).catch(() => undefined);
}
