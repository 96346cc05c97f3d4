/**
 * The background talks to the content script through its hook in the page's isolated world
 * (src/background/page-notices.ts), called by `scripting.executeScript`: the page keeps no
 * `runtime.onMessage` listener and never touches an extension API to be asked or answered (issue 4).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Injection = { func: (...args: unknown[]) => unknown; args: unknown[]; injectImmediately?: boolean; files?: string[] };
const executeScript = vi.hoisted(() => vi.fn(async (_injection: Injection): Promise<Array<{ result?: unknown }>> => []));
vi.mock('../../src/shared/browser', () => ({ browser: { scripting: { executeScript } } }));
/** The sites the content script runs on (script-sites.ts), as address prefixes. */
const scripted = vi.hoisted(() => ({ sites: [] as string[] }));
vi.mock('../../src/background/script-sites', () => ({ contentScriptRunsOn: async (url: string) => scripted.sites.some((site) => url.startsWith(site)) }));

const { askPage, injectFirstStageIfMissing, tellPage } = await import('../../src/background/page-notices');
const { ASK_WAITING, NOTICE_HOOK } = await import('../../src/shared/message-shapes');
const { DEFAULT_SETTINGS } = await import('../../src/shared/settings-schema');

const hookKey = Symbol.for(NOTICE_HOOK);
const waitingKey = Symbol.for(ASK_WAITING);
const scope = globalThis as unknown as Record<symbol, unknown>;
const ANSWER = { notice: 'answer', url: 'https://www.cnet.com/news/a/', coverage: null, settings: DEFAULT_SETTINGS, links: null } as const;
const QUESTION = { signals: { url: 'https://www.cnet.com/news/a/', canonical: [], ogUrl: [] }, base: 'https://www.cnet.com/news/a/', links: [], shown: false };
const ASK = { notice: 'ask', settings: DEFAULT_SETTINGS, signals: true, links: true, sweep: false } as const;

/** Runs an injection as the browser does in the page's isolated world: the function alone, with its arguments; a promise is awaited. */
async function run(injection: Injection): Promise<Array<{ result: unknown }>> {
  // Serialised by the browser: only its own source and its arguments travel.
  const injected = new Function(`return (${injection.func.toString()})`)() as (...args: unknown[]) => unknown;
  return [{ result: await injected(...injection.args) }];
}

afterEach(() => {
  delete scope[hookKey];
  delete scope[waitingKey];
  executeScript.mockReset();
  executeScript.mockImplementation(async () => []);
  vi.useRealTimers();
});

describe('tellPage', () => {
  it('calls the content script’s hook in the tab’s top frame, at once, with the notice', async () => {
    const hear = vi.fn();
    scope[hookKey] = hear;
    executeScript.mockImplementationOnce(run);
    await tellPage(3, ANSWER);
    expect(executeScript).toHaveBeenCalledWith(expect.objectContaining({ target: { tabId: 3, frameIds: [0] }, injectImmediately: true }));
    expect(hear).toHaveBeenCalledExactlyOnceWith(ANSWER);
  });

  it('does nothing in a frame without the content script', async () => {
    executeScript.mockImplementationOnce(run);
    await expect(tellPage(3, { notice: 'settingsChanged', settings: DEFAULT_SETTINGS })).resolves.toBeUndefined();
  });

  it('swallows the refusal of a tab it may not script', async () => {
    executeScript.mockRejectedValueOnce(new Error('Cannot access contents of the page'));
    await expect(tellPage(3, ANSWER)).resolves.toBeUndefined();
  });
});

describe('askPage', () => {
  it('asks the top frame’s hook, when the page is ready (not at once), and returns what it answered', async () => {
    const hear = vi.fn(async () => QUESTION);
    scope[hookKey] = hear;
    executeScript.mockImplementationOnce(run);
    await expect(askPage(3, ASK)).resolves.toEqual(QUESTION);
    expect(hear).toHaveBeenCalledExactlyOnceWith(ASK);
    const [injection] = executeScript.mock.calls[0]!;
    expect(injection).toMatchObject({ target: { tabId: 3, frameIds: [0] } });
    expect(injection.injectImmediately).toBeUndefined();
  });

  it('waits for a content script that runs just after it, which calls what it left (main.ts)', async () => {
    executeScript.mockImplementationOnce(run);
    const asked = askPage(3, ASK);
    await vi.waitFor(() => expect(typeof scope[waitingKey]).toBe('function'));
    scope[hookKey] = () => QUESTION;
    (scope[waitingKey] as () => void)();
    await expect(asked).resolves.toEqual(QUESTION);
  });

  it('answers null when no content script comes to the frame', async () => {
    vi.useFakeTimers();
    executeScript.mockImplementationOnce(run);
    const asked = askPage(3, ASK);
    await vi.advanceTimersByTimeAsync(2000);
    await expect(asked).resolves.toBeNull();
    // A script that comes later finds no question waiting: no one would hear its answer.
    expect(scope[waitingKey]).toBeUndefined();
  });

  it('answers null for a tab it may not script', async () => {
    executeScript.mockRejectedValueOnce(new Error('Cannot access contents of the page'));
    await expect(askPage(3, ASK)).resolves.toBeNull();
  });
});

describe('injectFirstStageIfMissing', () => {
  const FILES = ['src/content/main.js'];
  /** Runs checks as the browser would, and records what files it was asked to put in. */
  const injectedFiles: string[][] = [];
  const browserRun = async (injection: Injection) => {
    if (injection.files) {
      injectedFiles.push(injection.files);
      return [];
    }
    return run(injection);
  };
  beforeEach(() => {
    vi.stubGlobal('location', { href: 'https://www.cnet.com/news/a/' });
    scripted.sites = ['https://www.cnet.com/'];
  });
  afterEach(() => {
    injectedFiles.length = 0;
    vi.unstubAllGlobals();
  });

  it('puts the first stage into the top frame of a page that lacks it (Chromium, a tab open before install)', async () => {
    executeScript.mockImplementation(browserRun);
    await injectFirstStageIfMissing(3, FILES);
    expect(injectedFiles).toEqual([FILES]);
    expect(executeScript).toHaveBeenLastCalledWith({ target: { tabId: 3, frameIds: [0] }, files: FILES });
  });

  it('leaves a page that has it alone (Firefox puts it into open tabs itself)', async () => {
    scope[hookKey] = () => undefined;
    executeScript.mockImplementation(browserRun);
    await injectFirstStageIfMissing(3, FILES);
    expect(injectedFiles).toEqual([]);
  });

  it('puts nothing into a page that moved on to a site the script does not run on', async () => {
    vi.stubGlobal('location', { href: 'https://www-cnet-com.cdn.ampproject.org/c/s/www.cnet.com/news/a/' });
    executeScript.mockImplementation(browserRun);
    await injectFirstStageIfMissing(3, FILES);
    expect(injectedFiles).toEqual([]);
  });

  it('puts nothing into a tab it may not script, and does not throw', async () => {
    executeScript.mockRejectedValue(new Error('Cannot access contents of the page'));
    await expect(injectFirstStageIfMissing(3, FILES)).resolves.toBeUndefined();
    expect(executeScript).toHaveBeenCalledTimes(1);
  });
});
