/**
 * The content script's first stage (src/content/main.ts) installs its notice hook once per frame:
 * the background may put the script into a page open at install while Firefox puts in its own
 * (src/background/page-notices.ts), and a second copy must stay inert rather than take the hook
 * from the first, which holds the page's state.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NOTICE_HOOK } from '../../src/shared/message-shapes';

const scope = globalThis as unknown as Record<symbol, unknown>;
const hookKey = Symbol.for(NOTICE_HOOK);

afterEach(() => {
  delete scope[hookKey];
  vi.resetModules();
});

describe('the first stage in a frame', () => {
  it('installs its hook when it is the first copy', async () => {
    await import('../../src/content/main');
    expect(typeof scope[hookKey]).toBe('function');
  });

  it('leaves the hook of a copy already there in place', async () => {
    await import('../../src/content/main');
    const first = scope[hookKey];
    vi.resetModules();
    await import('../../src/content/main');
    expect(scope[hookKey]).toBe(first);
  });
});
