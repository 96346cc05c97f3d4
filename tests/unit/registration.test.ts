import { beforeEach, describe, expect, it, vi } from 'vitest';

/** The browser's registered content scripts, as getRegisteredContentScripts reports them (defaults filled in, as Chromium does). */
const fake = vi.hoisted(() => {
  const state = { registered: [] as Array<Record<string, unknown> & { id: string }>, calls: [] as string[] };
  const browser = {
    scripting: {
      getRegisteredContentScripts: async ({ ids }: { ids: string[] }) => state.registered.filter((script) => ids.includes(script.id)),
      registerContentScripts: async (scripts: Array<Record<string, unknown> & { id: string }>) => {
        for (const script of scripts) {
          if (state.registered.some((existing) => existing.id === script.id)) throw new Error(`Duplicate script ID '${script.id}'`);
          state.calls.push(`register ${script.id}`);
          state.registered.push({ allFrames: false, runAt: 'document_idle', ...script });
        }
      },
      unregisterContentScripts: async ({ ids }: { ids: string[] }) => {
        state.calls.push(`unregister ${ids.join()}`);
        state.registered = state.registered.filter((script) => !ids.includes(script.id));
      },
    },
  };
  return { state, browser };
});
vi.mock('webextension-polyfill', () => ({ default: fake.browser }));

const { keepRegistered } = await import('../../src/background/registration');

const SITES = { js: ['src/content/main.js'], matches: ['*://*.example.org/*', '*://*.example.com/*'] };

beforeEach(() => {
  fake.state.registered = [];
  fake.state.calls = [];
});

describe('keepRegistered', () => {
  it('registers the first stage at document_end, and leaves a current registration alone', async () => {
    // It says it registered anew: pages open on those sites have no script of it yet.
    expect(await keepRegistered('s', SITES)).toBe(true);
    // The same sites in another order, and the file named from the root: still the same registration.
    expect(await keepRegistered('s', { js: ['/src/content/main.js'], matches: [...SITES.matches].reverse() })).toBe(false);
    expect(fake.state.calls).toEqual(['register s']);
    expect(fake.state.registered).toEqual([expect.objectContaining({ id: 's', ...SITES, runAt: 'document_end', persistAcrossSessions: true })]);
  });

  it.each([
    ['runs at document_idle (made before issue 4)', { runAt: 'document_idle' }],
    ['names another file (an earlier build)', { js: ['assets/main.ts-loader-0ld.js'] }],
    ['covers other sites', { matches: ['*://*.example.org/*'] }],
    ['excludes sites', { excludeMatches: ['*://*.example.com/*'] }],
    ['runs in every frame', { allFrames: true }],
    ['adds a stylesheet', { css: ['badge.css'] }],
  ])('replaces a registration that %s', async (_what, difference) => {
    fake.state.registered = [{ id: 's', allFrames: false, ...SITES, runAt: 'document_end', ...difference }];
    expect(await keepRegistered('s', SITES)).toBe(true);
    expect(fake.state.calls).toEqual(['unregister s', 'register s']);
    expect(fake.state.registered).toEqual([{ id: 's', allFrames: false, ...SITES, runAt: 'document_end', persistAcrossSessions: true }]);
  });

  it('removes the registration when none is wanted, and does nothing when there is none', async () => {
    await keepRegistered('s', SITES);
    expect(await keepRegistered('s', null)).toBe(false);
    expect(await keepRegistered('s', null)).toBe(false);
    expect(fake.state.calls).toEqual(['register s', 'unregister s']);
    expect(fake.state.registered).toEqual([]);
  });
});
