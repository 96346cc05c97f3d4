import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildIndex, hostMatchPatterns } from '../../src/build/build-index';
import { deriveManifest, GECKO_ID } from '../../src/build/manifest';
import { readSeeds } from '../../src/build/read-seeds';

type Base = Parameters<typeof deriveManifest>[0];

/** The parts of a derived manifest these tests read. */
interface Derived {
  manifest_version: number;
  name: string;
  background: { service_worker?: string; scripts?: string[]; type?: string };
  host_permissions: string[];
  content_scripts: Array<{ matches: string[]; js: string[] }>;
  minimum_chrome_version?: string;
  browser_specific_settings?: { gecko: { id: string; strict_min_version: string; data_collection_permissions: { required: string[] } } };
}

const MANIFEST_TEXT = readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8');
const base = (): Base => JSON.parse(MANIFEST_TEXT) as Base;
const PATTERNS = hostMatchPatterns(buildIndex(readSeeds(fileURLToPath(new URL('../../seeds', import.meta.url))).seeds).hosts);

const derive = (target: 'chrome' | 'firefox', patterns: readonly string[] = PATTERNS, from: Base = base()): Derived =>
  deriveManifest(from, target, patterns) as unknown as Derived;

describe('host patterns', () => {
  it('come from the outlets of the real seeds', () => {
    expect(PATTERNS).toEqual(['*://*.cnet.com/*', '*://*.datacenterknowledge.com/*', '*://*.forbes.com/*']);
  });

  for (const target of ['chrome', 'firefox'] as const) {
    it(`fill host_permissions and every content script's matches for ${target}`, () => {
      const manifest = derive(target);
      expect(manifest.host_permissions).toEqual(PATTERNS);
      expect(manifest.content_scripts.length).toBeGreaterThan(0);
      for (const script of manifest.content_scripts) expect(script.matches).toEqual(PATTERNS);
    });
  }

  it('are copied, not shared with the caller or between scripts', () => {
    const patterns = ['*://*.example.com/*'];
    const manifest = derive('chrome', patterns);
    manifest.host_permissions.push('*://*.evil.example/*');
    expect(patterns).toEqual(['*://*.example.com/*']);
    expect(manifest.content_scripts[0]!.matches).toEqual(['*://*.example.com/*']);
  });
});

describe('chrome', () => {
  it('keeps the service worker and the Chrome minimum version', () => {
    const manifest = derive('chrome');
    const original = JSON.parse(MANIFEST_TEXT) as Derived;
    expect(manifest.background).toEqual(original.background);
    expect(manifest.background.service_worker).toBeTruthy();
    expect(manifest.minimum_chrome_version).toBe(original.minimum_chrome_version);
    expect(manifest.browser_specific_settings).toBeUndefined();
  });

  it('keeps everything else of manifest.json', () => {
    const manifest = derive('chrome') as unknown as Record<string, unknown>;
    const original = JSON.parse(MANIFEST_TEXT) as Record<string, unknown>;
    for (const key of Object.keys(original)) {
      if (key === 'host_permissions' || key === 'content_scripts') continue;
      expect(manifest[key], key).toEqual(original[key]);
    }
  });
});

describe('firefox', () => {
  const manifest = derive('firefox');
  const worker = (JSON.parse(MANIFEST_TEXT) as Derived).background.service_worker!;

  it('runs the service worker as a background script', () => {
    expect(manifest.background.scripts).toEqual([worker]);
    expect(manifest.background.service_worker).toBeUndefined();
  });

  it('has a stable gecko id', () => {
    expect(manifest.browser_specific_settings?.gecko.id).toBe(GECKO_ID);
    expect(GECKO_ID).toMatch(/^[a-z0-9-]+@[a-z0-9.-]+\.[a-z]+$/);
  });

  it('requires Firefox 140 or later, which understands data_collection_permissions', () => {
    const version = manifest.browser_specific_settings!.gecko.strict_min_version;
    expect(version).toMatch(/^\d+(\.\d+)*$/);
    expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(140);
  });

  it('declares that it collects no data', () => {
    expect(manifest.browser_specific_settings!.gecko.data_collection_permissions).toEqual({ required: ['none'] });
  });

  it('drops the Chrome-only minimum version', () => {
    expect('minimum_chrome_version' in manifest).toBe(false);
  });

  it('needs a service worker to convert', () => {
    const noWorker = base();
    delete noWorker.background;
    expect(() => deriveManifest(noWorker, 'firefox', PATTERNS)).toThrow(/service_worker/);
  });
});

describe('the base manifest', () => {
  it('is not modified by deriving', () => {
    const original = base();
    const snapshot = structuredClone(original);
    derive('firefox', PATTERNS, original);
    derive('chrome', PATTERNS, original);
    expect(original).toEqual(snapshot);
  });
});
