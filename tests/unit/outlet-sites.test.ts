import { describe, expect, it } from 'vitest';
import { AMP_CACHE_HOST_PATTERNS, deriveManifest, MAX_LISTED_OUTLETS } from '../../src/build/manifest';
import { EVERY_SITE_MATCH, isOutletHost, pageSettings, parseOutletHosts } from '../../src/shared/outlet-sites';
import { DEFAULT_SETTINGS } from '../../src/shared/settings-schema';

const HOSTS = parseOutletHosts('cnet.com\nedition.cnn.com\nforbes.com\n');

describe('isOutletHost', () => {
  it('matches an outlet and its subdomains, as the manifest pattern *://*.HOST/* does', () => {
    expect(isOutletHost(HOSTS, 'cnet.com')).toBe(true);
    expect(isOutletHost(HOSTS, 'www.cnet.com')).toBe(true);
    expect(isOutletHost(HOSTS, 'WWW.CNET.COM.')).toBe(true);
    expect(isOutletHost(HOSTS, 'a.b.edition.cnn.com')).toBe(true);
  });

  it('does not match a parent, a lookalike or another site', () => {
    expect(isOutletHost(HOSTS, 'cnn.com')).toBe(false);
    expect(isOutletHost(HOSTS, 'notcnet.com')).toBe(false);
    expect(isOutletHost(HOSTS, 'cnet.com.evil.example')).toBe(false);
    expect(isOutletHost(HOSTS, 'com')).toBe(false);
    expect(isOutletHost(HOSTS, '')).toBe(false);
  });
});

describe('pageSettings', () => {
  it('turns link badges off outside the outlets, unless the reader chose all websites', () => {
    expect(pageSettings(DEFAULT_SETTINGS, false)).toEqual({ ...DEFAULT_SETTINGS, linkBadges: false });
    expect(pageSettings({ ...DEFAULT_SETTINGS, allWebsites: true }, false)).toEqual({ ...DEFAULT_SETTINGS, allWebsites: true });
  });

  it('leaves an outlet page, and every page of a listing build, as the reader set it', () => {
    expect(pageSettings(DEFAULT_SETTINGS, true)).toBe(DEFAULT_SETTINGS);
    expect(pageSettings(DEFAULT_SETTINGS, null)).toBe(DEFAULT_SETTINGS);
  });
});

describe('a manifest for more outlets than it lists', () => {
  const base = {
    manifest_version: 3,
    name: 'Elsewhere',
    version: '1',
    background: { service_worker: 'src/background.ts' },
    host_permissions: [],
    optional_host_permissions: ['<all_urls>'],
    content_scripts: [{ js: ['src/content/main.ts'], matches: [] as string[] }],
  };
  const patterns = (count: number): string[] => Array.from({ length: count }, (_, i) => `*://*.outlet${i}.example/*`);
  type Derived = { host_permissions: string[]; optional_host_permissions?: string[]; content_scripts: Array<{ matches: string[] }> };

  it('lists every outlet up to the cap', () => {
    const manifest = deriveManifest(base, 'chrome', patterns(MAX_LISTED_OUTLETS), AMP_CACHE_HOST_PATTERNS) as unknown as Derived;
    expect(manifest.host_permissions).toHaveLength(MAX_LISTED_OUTLETS + AMP_CACHE_HOST_PATTERNS.length);
    expect(manifest.content_scripts[0]!.matches).toHaveLength(MAX_LISTED_OUTLETS);
    expect(manifest.optional_host_permissions).toEqual(['<all_urls>']);
  });

  for (const target of ['chrome', 'firefox'] as const) {
    it(`asks for every site above it, with one pattern per list (${target})`, () => {
      const manifest = deriveManifest(base, target, patterns(MAX_LISTED_OUTLETS + 1), AMP_CACHE_HOST_PATTERNS) as unknown as Derived;
      expect(manifest.host_permissions).toEqual(['<all_urls>']);
      expect(manifest.content_scripts[0]!.matches).toEqual([EVERY_SITE_MATCH]);
      // Required now, so not optional too: "All websites" then needs no prompt.
      expect(manifest.optional_host_permissions).toBeUndefined();
    });
  }

  it('takes a lower cap, as the end-to-end tests build it', () => {
    const manifest = deriveManifest(base, 'chrome', patterns(3), [], 2) as unknown as Derived;
    expect(manifest.content_scripts[0]!.matches).toEqual([EVERY_SITE_MATCH]);
  });
});
