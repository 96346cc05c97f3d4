import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A fake of the few extension APIs syncAllWebsites touches, with state the tests can set. */
const fake = vi.hoisted(() => {
  const state = {
    stored: {} as Record<string, unknown>,
    granted: false,
    scriptingAvailable: true,
    registered: [] as Array<{ id: string; matches: string[]; excludeMatches?: string[]; js: string[] }>,
  };
  const scripting = {
    getRegisteredContentScripts: async ({ ids }: { ids: string[] }) => state.registered.filter((script) => ids.includes(script.id)),
    registerContentScripts: async (scripts: typeof state.registered) => {
      for (const script of scripts) {
        if (state.registered.some((existing) => existing.id === script.id)) throw new Error(`Duplicate script ID '${script.id}'`);
        state.registered.push(script);
      }
    },
    unregisterContentScripts: async ({ ids }: { ids: string[] }) => {
      state.registered = state.registered.filter((script) => !ids.includes(script.id));
    },
  };
  const browser = {
    runtime: { getManifest: () => ({ content_scripts: [{ js: ['src/content/main.js'], matches: ['*://*.cnet.com/*'] }] }) },
    permissions: { contains: async () => state.granted },
    storage: {
      sync: {
        get: async (key: string) => (key in state.stored ? { [key]: state.stored[key] } : {}),
        set: async (items: Record<string, unknown>) => Object.assign(state.stored, items),
      },
    },
    get scripting() {
      return state.scriptingAvailable ? scripting : undefined;
    },
  };
  return { state, browser };
});
vi.mock('webextension-polyfill', () => ({ default: fake.browser }));

const { syncAllWebsites } = await import('../../src/background/all-websites');
const { loadSettings, updateSettings } = await import('../../src/shared/settings');

beforeEach(() => {
  Object.assign(fake.state, { stored: {}, granted: false, scriptingAvailable: true, registered: [] });
});

describe('syncAllWebsites', () => {
  it('registers the content script everywhere except the outlets it already runs on, once', async () => {
    fake.state.granted = true;
    await updateSettings(() => ({ allWebsites: true }));
    await syncAllWebsites();
    await syncAllWebsites();
    expect(fake.state.registered).toEqual([
      expect.objectContaining({ js: ['src/content/main.js'], matches: ['<all_urls>'], excludeMatches: ['*://*.cnet.com/*'] }),
    ]);
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
    fake.state.scriptingAvailable = false;
    await expect(syncAllWebsites()).resolves.toBeUndefined();
    expect((await loadSettings()).allWebsites).toBe(false);
  });

  it('registers nothing while the permission is missing, whatever the setting says', async () => {
    fake.state.stored.settings = { version: 2, allWebsites: true };
    await syncAllWebsites();
    expect(fake.state.registered).toEqual([]);
    expect((await loadSettings()).allWebsites).toBe(false);
  });
});
