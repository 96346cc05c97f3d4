/**
 * The content script's rendering stage goes only where it is asked for and due (issue 4): into the
 * sender's own tab and frame, never elsewhere, and on a page's start only when a badge will show.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Coverage } from '../../src/core/index/coverage-index';
import type { Runtime } from '../../src/shared/browser';
import { DEFAULT_SETTINGS } from '../../src/shared/settings-schema';

const executeScript = vi.hoisted(() => vi.fn(async (_details: unknown) => []));
vi.mock('../../src/shared/browser', () => ({ browser: { scripting: { executeScript } } }));
// The built files' names, which only the extension build (crxjs) gives.
vi.mock('../../src/content/render?iife', () => ({ default: 'src/content/render.js' }));
vi.mock('../../src/content/links?iife', () => ({ default: 'src/content/links.js' }));

const { injectLinkBadges, injectRenderer, injectRendererIfBadgeDue } = await import('../../src/background/renderer-injection');

const URL_ON_CNET = 'https://www.cnet.com/news/a-story/';
const sender = (frameId: number) => ({ id: 'self', url: URL_ON_CNET, frameId, tab: { id: 7 } }) as unknown as Runtime.MessageSender;
const covered = { otherOutletCount: 2 } as Coverage;
const alone = { otherOutletCount: 0 } as Coverage;

beforeEach(() => executeScript.mockClear());

describe('injectRenderer', () => {
  it('injects into the asking tab and frame only', async () => {
    await injectRenderer(sender(3));
    expect(executeScript).toHaveBeenCalledTimes(1);
    expect(executeScript.mock.calls[0]![0]).toMatchObject({ target: { tabId: 7, frameIds: [3] } });
  });

  it('injects nothing for a sender without a tab (an extension page)', async () => {
    await injectRenderer({ id: 'self', url: 'chrome-extension://self/popup.html' } as Runtime.MessageSender);
    expect(executeScript).not.toHaveBeenCalled();
  });
});

describe('injectLinkBadges', () => {
  it('injects the link-badge engine, not the rendering stage, into the asking tab and frame only', async () => {
    await injectRenderer(sender(0));
    await injectLinkBadges(sender(2));
    expect(executeScript).toHaveBeenCalledTimes(2);
    expect(executeScript.mock.calls[0]![0]).toMatchObject({ target: { tabId: 7, frameIds: [0] }, files: ['src/content/render.js'] });
    expect(executeScript.mock.calls[1]![0]).toMatchObject({ target: { tabId: 7, frameIds: [2] }, files: ['src/content/links.js'] });
  });

  it('injects nothing for a sender without a tab (an extension page)', async () => {
    await injectLinkBadges({ id: 'self', url: 'chrome-extension://self/popup.html' } as Runtime.MessageSender);
    expect(executeScript).not.toHaveBeenCalled();
  });
});

describe('injectRendererIfBadgeDue', () => {
  it('injects when the page has other coverage and the badge is on', async () => {
    await injectRendererIfBadgeDue({ tabId: 7, frameId: 0 }, URL_ON_CNET, covered, DEFAULT_SETTINGS);
    expect(executeScript).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['no coverage', null, DEFAULT_SETTINGS],
    ['no other outlet', alone, DEFAULT_SETTINGS],
    ['the in-page badge turned off', covered, { ...DEFAULT_SETTINGS, articleBadge: false }],
    ['the site hidden', covered, { ...DEFAULT_SETTINGS, hiddenSites: ['cnet.com'] }],
  ])('injects nothing with %s', async (_label, coverage, settings) => {
    await injectRendererIfBadgeDue({ tabId: 7, frameId: 0 }, URL_ON_CNET, coverage, settings);
    expect(executeScript).not.toHaveBeenCalled();
  });

  it('lets a failed injection pass: the content script loads the stage itself', async () => {
    executeScript.mockRejectedValueOnce(new Error('Frame with ID 0 was removed.'));
    await expect(injectRendererIfBadgeDue({ tabId: 7, frameId: 0 }, URL_ON_CNET, covered, DEFAULT_SETTINGS)).resolves.toBeUndefined();
  });
});
