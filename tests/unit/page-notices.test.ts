/**
 * The background's notices reach the content script through its hook in the page's isolated world
 * (src/background/page-notices.ts), called by `scripting.executeScript`: the page keeps no
 * `runtime.onMessage` listener (issue 4).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const executeScript = vi.hoisted(() => vi.fn(async (_injection: { func: (...args: unknown[]) => void; args: unknown[] }): Promise<unknown[]> => []));
vi.mock('../../src/shared/browser', () => ({ browser: { scripting: { executeScript } } }));

const { tellPage } = await import('../../src/background/page-notices');
const { NOTICE_HOOK } = await import('../../src/shared/message-shapes');
const { DEFAULT_SETTINGS } = await import('../../src/shared/settings-schema');

const hookKey = Symbol.for(NOTICE_HOOK);
const scope = globalThis as unknown as Record<symbol, unknown>;

/** Runs what tellPage injected, as the browser does in the page's isolated world: the function alone, with its arguments. */
function runInjection(): void {
  const [injection] = executeScript.mock.calls.at(-1)!;
  // Serialised by the browser: only its own source and its arguments travel.
  const injected = new Function(`return (${injection.func.toString()})`)() as (...args: unknown[]) => void;
  injected(...injection.args);
}

afterEach(() => {
  delete scope[hookKey];
  executeScript.mockClear();
});

describe('tellPage', () => {
  it('calls the content script’s hook in the tab’s top frame, at once, with the notice', async () => {
    const hear = vi.fn();
    scope[hookKey] = hear;
    await tellPage(3, { notice: 'pageChanged' });
    expect(executeScript).toHaveBeenCalledWith(expect.objectContaining({ target: { tabId: 3, frameIds: [0] }, injectImmediately: true }));
    runInjection();
    expect(hear).toHaveBeenCalledExactlyOnceWith({ notice: 'pageChanged' });
  });

  it('does nothing in a frame without the content script', async () => {
    await tellPage(3, { notice: 'settingsChanged', settings: DEFAULT_SETTINGS });
    expect(() => runInjection()).not.toThrow();
  });

  it('swallows the refusal of a tab it may not script', async () => {
    executeScript.mockRejectedValueOnce(new Error('Cannot access contents of the page'));
    await expect(tellPage(3, { notice: 'pageChanged' })).resolves.toBeUndefined();
  });
});
