import { browser } from './browser';
import { validateSettings, type Settings } from './settings-schema';

/** All settings live under one storage.sync item, so a change is one atomic write. */
const SETTINGS_KEY = 'settings';

export async function loadSettings(): Promise<Settings> {
  const stored = await browser.storage.sync.get(SETTINGS_KEY);
  return validateSettings(stored[SETTINGS_KEY]);
}

/** Applies a change to the current settings and stores the repaired result. */
export async function updateSettings(change: (current: Settings) => Partial<Settings>): Promise<Settings> {
  const current = await loadSettings();
  const next = validateSettings({ ...current, ...change(current) });
  await browser.storage.sync.set({ [SETTINGS_KEY]: next });
  return next;
}

/** Calls `listener` with the new settings whenever they change, until `signal` aborts. */
export function onSettingsChanged(listener: (settings: Settings) => void, signal: AbortSignal): void {
  const handle = (changes: Record<string, { newValue?: unknown }>, area: string): void => {
    if (area === 'sync' && SETTINGS_KEY in changes) listener(validateSettings(changes[SETTINGS_KEY]!.newValue));
  };
  browser.storage.onChanged.addListener(handle);
  signal.addEventListener('abort', () => browser.storage.onChanged.removeListener(handle), { once: true });
}

export type { Settings };
