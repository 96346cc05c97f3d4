import { validateSettings, type Settings } from '../shared/settings-schema';
import { extension } from './native-api';

/** The one storage.sync item that holds the settings (src/shared/settings.ts writes it). */
const SETTINGS_KEY = 'settings';

/** src/shared/settings.ts' reading half, through the browser's own API (src/content/native-api.ts). */
export async function loadSettings(): Promise<Settings> {
  const stored = await extension.storage.sync.get(SETTINGS_KEY);
  return validateSettings(stored[SETTINGS_KEY]);
}

/** Calls `listener` with the new settings whenever they change. */
export function onSettingsChanged(listener: (settings: Settings) => void): void {
  extension.storage.onChanged.addListener((changes: Record<string, { newValue?: unknown }>, area: string) => {
    if (area === 'sync' && SETTINGS_KEY in changes) listener(validateSettings(changes[SETTINGS_KEY]!.newValue));
  });
}
