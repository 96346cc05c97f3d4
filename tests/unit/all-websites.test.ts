import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A fake of the few extension APIs syncAllWebsites touches, with state the tests can set. */
const fake = vi.hoisted(() => {
  const state = {
    stored: {} as Record<string, unknown>,
    /** `<all_urls>` and `scripting` both granted. */
    granted: false,
    /** `scripting` granted: the settings page's toggle gives it back with `<all_urls>`, the browser's site access UI does not. */
    scriptingGranted: true,
    registered: [] as Array<{ id: string; matches: string[]; excludeMatches?: string[]; js: string[]; runAt?: string }>,
  };
  /** As in Chrome, the API object outlives a revocation; every call then throws. */
  const checked = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    if (!state.scriptingGranted) throw new Error("'scripting' is not available in this context.");
    return call(...args);
  };
  const scripting = {
    getRegisteredContentScripts: checked(async ({ ids }: { ids: string[] }) => state.registered.filter((script) => ids.includes(script.id))),
    registerContentScripts: checked(async (scripts: typeof state.registered) => {
      // A real await between the check and the write, as in the browser, so overlapping calls interleave.
      await new Promise((resolve) => setTimeout(resolve, 1));
      for (const script of scripts) {
        if (state.registered.some((existing) => existing.id === script.id)) throw new Error(`Duplicate script ID '${script.id}'`);
        state.registered.push(script);
      }
    }),
    unregisterContentScripts: checked(async ({ ids }: { ids: string[] }) => {
      state.registered = state.registered.filter((script) => !ids.includes(script.id));
    }),
  };
  const browser = {
    runtime: { getManifest: () => ({ content_scripts: [{ js: ['src/content/main.js'], matches: ['*://*.cnet.com/*'] }] }) },
    permissions: { contains: async (wanted: { origins?: string[] }) => (wanted.origins ? state.granted : state.scriptingGranted) },
    storage: {
      sync: {
        get: async (key: string) => (key in state.stored ? { [key]: state.stored[key] } : {}),
        set: async (items: Record<string, unknown>) => Object.assign(state.stored, items),
      },
    },
    scripting,
  };
  return { state, browser };
});
vi.mock('webextension-polyfill', () => ({ default: fake.browser }));

const { syncAllWebsites } = await import('../../src/background/all-websites');
const { loadSettings, updateSettings } = await import('../../src/shared/settings');

beforeEach(() => {
  Object.assign(fake.state, { stored: {}, granted: false, scriptingGranted: true, registered: [] });
});

describe('syncAllWebsites', () => {
  it('registers the content script everywhere except the outlets it already runs on, once', async () => {
    fake.state.granted = true;
    await updateSettings(() => ({ allWebsites: true }));
    // Registered anew the first time (the background then puts the script into open pages), kept the second.
    expect(await syncAllWebsites()).toBe(true);
    expect(await syncAllWebsites()).toBe(false);
    expect(fake.state.registered).toEqual([
      expect.objectContaining({ js: ['src/content/main.js'], matches: ['<all_urls>'], excludeMatches: ['*://*.cnet.com/*'] }),
    ]);
  });

  it('replaces a registration an earlier version made, which ran at document_idle', async () => {
    fake.state.granted = true;
    fake.state.registered = [{ id: 'elsewhere-all-websites', js: ['src/content/main.js'], matches: ['<all_urls>'], excludeMatches: ['*://*.cnet.com/*'], runAt: 'document_idle' }];
    await updateSettings(() => ({ allWebsites: true }));
    await syncAllWebsites();
    expect(fake.state.registered).toEqual([expect.objectContaining({ id: 'elsewhere-all-websites', matches: ['<all_urls>'], runAt: 'document_end' })]);
  });

  it('unregisters when the setting is turned off', async () => {
    fake.state.granted = true;
    await updateSettings(() => ({ allWebsites: true }));
    await syncAllWebsites();
    await updateSettings(() => ({ allWebsites: false }));
    await syncAllWebsites();
    expect(fake.state.registered).toEqual([]);
  });

  it('returns to the default quietly when the reader revokes the permission in the browser', async () => {
    fake.state.granted = true;
    await updateSettings(() => ({ allWebsites: true }));
    await syncAllWebsites();
    fake.state.granted = false;
    await expect(syncAllWebsites()).resolves.toBe(false);
    expect((await loadSettings()).allWebsites).toBe(false);
    // The settings change brings another sync (storage.onChanged); `scripting` is still granted.
    await syncAllWebsites();
    expect(fake.state.registered).toEqual([]);
  });

  it('leaves the scripting API alone once the settings page has given `scripting` back', async () => {
    fake.state.granted = true;
    await updateSettings(() => ({ allWebsites: true }));
    await syncAllWebsites();
    fake.state.granted = false;
    fake.state.scriptingGranted = false;
    await updateSettings(() => ({ allWebsites: false }));
    // Calling it would reject inside the service worker (seen in tests/e2e/all-websites.e2e.test.ts).
    await expect(syncAllWebsites()).resolves.toBe(false);
    // The next grant's sync removes what could not be removed then.
    fake.state.scriptingGranted = true;
    await syncAllWebsites();
    expect(fake.state.registered).toEqual([]);
  });

  it('registers once when a grant and a settings change sync at the same time', async () => {
    fake.state.granted = true;
    await updateSettings(() => ({ allWebsites: true }));
    await expect(Promise.all([syncAllWebsites(), syncAllWebsites()])).resolves.toBeDefined();
    expect(fake.state.registered).toHaveLength(1);
  });

  it('registers nothing while the permission is missing, whatever the setting says', async () => {
    fake.state.stored.settings = { version: 2, allWebsites: true };
    await syncAllWebsites();
    expect(fake.state.registered).toEqual([]);
    expect((await loadSettings()).allWebsites).toBe(false);
  });
});
