/**
 * A tab's count is written in the order it was asked for (src/background/tab-state.ts): the
 * address's own count, then the content script's answer from the page's signals, even when the
 * first write is the slower one (navigation.ts relies on it).
 */
import { describe, expect, it, vi } from 'vitest';
import type { Coverage } from '../../src/core/index/coverage-index';

const written: string[] = [];
/** The first storage write is slow, as a busy worker's can be. */
let firstWrite = true;
const later = () => new Promise((resolve) => setTimeout(resolve, 30));
vi.mock('../../src/shared/browser', () => ({
  browser: {
    storage: {
      session: {
        set: vi.fn(async () => {
          if (firstWrite) {
            firstWrite = false;
            await later();
          }
        }),
        remove: vi.fn(async () => {
          if (firstWrite) {
            firstWrite = false;
            await later();
          }
        }),
      },
    },
    action: {
      setBadgeText: vi.fn(async ({ text }: { text: string }) => void written.push(text)),
      setTitle: vi.fn(async () => undefined),
    },
    i18n: { getMessage: (key: string) => key },
  },
}));
vi.stubGlobal('chrome', { action: { setIcon: (_details: unknown, callback: () => void) => callback() }, runtime: {} });

const { setTab } = await import('../../src/background/tab-state');

describe('setTab', () => {
  it('writes one tab’s counts in the order they were asked for', async () => {
    const covered = { otherOutletCount: 3, otherOutlets: [] } as unknown as Coverage;
    await Promise.all([setTab(1, 'https://www.cnet.com/a/', null), setTab(1, 'https://www.cnet.com/a/', covered)]);
    expect(written).toEqual(['', '3']);
  });
});
