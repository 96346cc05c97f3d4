/**
 * A tab's address changes (src/background/navigation.ts): the count follows the address at once,
 * and the page's content script is told to ask again, unless it has asked about that address
 * already (a page's first load: issue 4, one round trip is all a page pays for).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const executeScript = vi.hoisted(() => vi.fn(async (..._args: unknown[]) => []));
const setTab = vi.hoisted(() => vi.fn(async (..._args: unknown[]) => undefined));
const readTab = vi.hoisted(() => vi.fn(async (_tabId: number): Promise<{ url: string } | null> => null));
/** Resolves the address lookup when the test says so, to order it against the script's own question. */
const lookups = vi.hoisted(() => ({ release: [] as Array<() => void> }));
vi.mock('../../src/shared/browser', () => ({ browser: { scripting: { executeScript } } }));
vi.mock('../../src/background/tab-state', () => ({ readTab, setTab }));
vi.mock('../../src/background/lists/list-sources', () => ({
  lookupCoverage: () => new Promise((resolve) => lookups.release.push(() => resolve(null))),
}));

const { forgetReportedAddress, noteReportedAddress, onTabAddressChanged } = await import('../../src/background/navigation');
const { NOTICE_HOOK } = await import('../../src/shared/message-shapes');

const TAB = 4;
const PAGE = 'https://www.cnet.com/news/a-story/';
const OTHER = 'https://www.cnet.com/news/another-story/';

/** Runs onTabAddressChanged, doing `meanwhile` while its address lookup is out. */
async function addressChange(url: string, meanwhile: () => void = () => undefined): Promise<void> {
  const done = onTabAddressChanged(TAB, url);
  await vi.waitFor(() => expect(lookups.release).toHaveLength(1));
  meanwhile();
  lookups.release.shift()!();
  await done;
}

beforeEach(() => {
  executeScript.mockClear();
  setTab.mockClear();
  lookups.release = [];
  forgetReportedAddress(TAB);
});

describe('onTabAddressChanged', () => {
  it('sets the count and tells the page to ask again when its script has not asked about the address (a single-page-app navigation)', async () => {
    noteReportedAddress(TAB, OTHER);
    await addressChange(PAGE);
    expect(setTab).toHaveBeenCalledWith(TAB, PAGE, null);
    expect(executeScript).toHaveBeenCalledTimes(1);
    expect(executeScript.mock.calls[0]![0]).toMatchObject({ target: { tabId: TAB, frameIds: [0] }, args: [NOTICE_HOOK, { notice: 'pageChanged' }] });
  });

  it('neither sets the count nor tells the page when its script asked about the address meanwhile (a page’s first load)', async () => {
    await addressChange(PAGE, () => noteReportedAddress(TAB, PAGE));
    expect(setTab).not.toHaveBeenCalled();
    expect(executeScript).not.toHaveBeenCalled();
  });

  it('does not tell the page when its script asked while the count was being set', async () => {
    setTab.mockImplementationOnce(async () => {
      noteReportedAddress(TAB, PAGE);
      return undefined;
    });
    await addressChange(PAGE);
    expect(setTab).toHaveBeenCalledTimes(1);
    expect(executeScript).not.toHaveBeenCalled();
  });

  it('tells a page restored from the back/forward cache, whose script asked about it before the tab went elsewhere', async () => {
    noteReportedAddress(TAB, PAGE);
    await addressChange(OTHER);
    executeScript.mockClear();
    await addressChange(PAGE);
    expect(executeScript).toHaveBeenCalledTimes(1);
  });

  it('tells nothing to a tab whose record says it shows the address already', async () => {
    readTab.mockResolvedValueOnce({ url: PAGE });
    await onTabAddressChanged(TAB, PAGE);
    expect(setTab).not.toHaveBeenCalled();
    expect(executeScript).not.toHaveBeenCalled();
  });
});
