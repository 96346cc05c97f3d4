/**
 * The reader's settings: their shape, defaults, migrations and repair. Pure, so that it is
 * tested in node; src/shared/settings.ts stores them in storage.sync.
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export interface Settings {
  /** Bumped with every migration below. */
  version: number;
  /** The "Also covered by…" badge on known articles. */
  articleBadge: boolean;
  /** "+3" badges next to links to known stories. */
  linkBadges: boolean;
  /** Run on every website (needs the optional <all_urls> permission), not only the index's outlets. */
  allWebsites: boolean;
  theme: Theme;
  /** Registrable domains where Elsewhere shows nothing on the page. */
  hiddenSites: string[];
}

export const SETTINGS_VERSION = 2;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  version: SETTINGS_VERSION,
  articleBadge: true,
  linkBadges: true,
  allWebsites: false,
  theme: 'system',
  hiddenSites: [],
});

/** storage.sync allows 8 KB per item; a few hundred domains stay well inside it. */
export const MAX_HIDDEN_SITES = 500;
const MAX_DOMAIN_LENGTH = 253;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9-]+\.)*[a-z0-9-]+$/;

type Stored = Record<string, unknown>;

/**
 * Migrations from each version to the next, applied in order. Version 1 stored the hidden-site
 * list as `blockedSites` and the theme as a `darkMode` boolean.
 */
const MIGRATIONS: ReadonlyArray<(stored: Stored) => Stored> = [
  // 0 → 1: nothing stored yet; version 0 means "no version field".
  (stored) => ({ ...stored, version: 1 }),
  // 1 → 2
  ({ blockedSites, darkMode, ...rest }) => ({
    ...rest,
    hiddenSites: rest.hiddenSites ?? blockedSites,
    theme: rest.theme ?? (darkMode === true ? 'dark' : darkMode === false ? 'light' : undefined),
    version: 2,
  }),
];

export function migrateSettings(stored: Stored): Stored {
  let current = stored;
  const from = typeof stored.version === 'number' && Number.isInteger(stored.version) ? stored.version : 0;
  for (let version = Math.max(0, from); version < SETTINGS_VERSION; version++) current = MIGRATIONS[version]!(current);
  return current;
}

function cleanSites(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const sites = value
    .filter((site): site is string => typeof site === 'string' && site.length <= MAX_DOMAIN_LENGTH)
    .map((site) => site.trim().toLowerCase())
    .filter((site) => DOMAIN.test(site));
  return [...new Set(sites)].slice(0, MAX_HIDDEN_SITES);
}

/** Repairs whatever is stored into valid settings: each bad or missing field falls back to its default. */
export function validateSettings(raw: unknown): Settings {
  const stored = migrateSettings(typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Stored) : {});
  const flag = (key: 'articleBadge' | 'linkBadges' | 'allWebsites'): boolean =>
    typeof stored[key] === 'boolean' ? (stored[key] as boolean) : DEFAULT_SETTINGS[key];
  return {
    version: SETTINGS_VERSION,
    articleBadge: flag('articleBadge'),
    linkBadges: flag('linkBadges'),
    allWebsites: flag('allWebsites'),
    theme: THEMES.includes(stored.theme as Theme) ? (stored.theme as Theme) : DEFAULT_SETTINGS.theme,
    hiddenSites: cleanSites(stored.hiddenSites),
  };
}

/** Whether `hostname` is on a hidden site: the site itself or any of its subdomains. */
export function isSiteHidden(hiddenSites: readonly string[], hostname: string): boolean {
  if (hiddenSites.length === 0) return false;
  // No regular expression: the content script calls this on pages, where compiling one costs time (issue 4).
  const lower = hostname.toLowerCase();
  const host = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  return hiddenSites.some((site) => host === site || host.endsWith(`.${site}`));
}

/**
 * Whether a page shows the in-page badge: the one rule for the content script, which draws it, and
 * for the background, which injects the rendering stage ahead of the answer when it will be drawn.
 */
export function pageBadgeDue(settings: Settings, hostname: string, otherOutletCount: number): boolean {
  return settings.articleBadge && otherOutletCount > 0 && !isSiteHidden(settings.hiddenSites, hostname);
}
