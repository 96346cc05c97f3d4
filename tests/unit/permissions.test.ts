/**
 * A permissions snapshot (issue 6): every permission of both derived manifests, each with a
 * one-line reason, in tests/permissions.snapshot.json. Adding or dropping a permission fails here
 * until the snapshot and the README's Permissions table say why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { getDomain } from 'tldts';
import { describe, expect, it } from 'vitest';
import { AMP_CACHE_HOST_PATTERNS, BROWSER_TARGETS, deriveManifest, type BrowserTarget } from '../../src/build/manifest';
import { compileSeeds } from '../../src/build/vite-plugin';

const root = new URL('../../', import.meta.url);
const SNAPSHOT_FILE = 'tests/permissions.snapshot.json';
const UPDATE_HINT =
  `Permissions changed. Update ${SNAPSHOT_FILE} (a one-line justification for each permission) ` +
  "AND the README's Permissions table, in the same change.";

/** One entry stands for every host pattern the build generates from the index. */
const OUTLET_HOSTS = '<outlet hosts from the index>';

/** Manifest keys that grant something, listed entry by entry in the snapshot. */
const GRANTS = ['permissions', 'optional_permissions', 'host_permissions', 'optional_host_permissions'] as const;
/** Manifest keys whose mere presence matters: each would let pages or other extensions reach in. */
const EXPOSURES = ['web_accessible_resources', 'externally_connectable', 'content_security_policy'] as const;

type Snapshot = Record<BrowserTarget, Record<string, Record<string, string> | boolean>>;
const snapshot = JSON.parse(readFileSync(new URL(SNAPSHOT_FILE, root), 'utf8')) as Snapshot;

// The same inputs vite.config.ts gives deriveManifest.
const baseManifest = JSON.parse(readFileSync(new URL('manifest.json', root), 'utf8')) as Record<string, unknown>;
const compiled = await compileSeeds(new URL('seeds', root).pathname);
const manifests = Object.fromEntries(
  BROWSER_TARGETS.map((target) => [target, deriveManifest(structuredClone(baseManifest), target, compiled.hostPatterns, AMP_CACHE_HOST_PATTERNS) as unknown as Record<string, unknown>]),
) as Record<BrowserTarget, Record<string, unknown>>;

const generated = new Set(compiled.hostPatterns);

/** The manifest's grants as the snapshot lists them: generated outlet patterns folded into one entry. */
function grantsOf(manifest: Record<string, unknown>): Record<string, string[]> {
  const grants: Record<string, string[]> = {};
  for (const key of GRANTS) {
    const entries = (manifest[key] as string[] | undefined) ?? [];
    const listed = entries.map((entry) => (key === 'host_permissions' && generated.has(entry) ? OUTLET_HOSTS : entry));
    if (listed.length > 0) grants[key] = [...new Set(listed)].sort();
  }
  const collection = (manifest.browser_specific_settings as { gecko?: { data_collection_permissions?: { required?: string[]; optional?: string[] } } } | undefined)?.gecko
    ?.data_collection_permissions;
  const declared = [...(collection?.required ?? []), ...(collection?.optional ?? [])];
  if (declared.length > 0) grants.data_collection_permissions = declared.sort();
  return grants;
}

function snapshotGrants(target: BrowserTarget): Record<string, string[]> {
  const grants: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(snapshot[target])) {
    if (typeof value === 'object') grants[key] = Object.keys(value).sort();
  }
  return grants;
}

describe.each(BROWSER_TARGETS)('the %s manifest', (target) => {
  const manifest = manifests[target];

  it('grants exactly the permissions in the snapshot, no more and no fewer', () => {
    expect(grantsOf(manifest), `${UPDATE_HINT} (${target})`).toEqual(snapshotGrants(target));
  });

  it('justifies every permission in one non-empty line', () => {
    for (const [key, value] of Object.entries(snapshot[target])) {
      if (typeof value !== 'object') continue;
      for (const [permission, why] of Object.entries(value)) {
        expect(typeof why === 'string' && why.trim().length >= 10 && !why.includes('\n'), `${UPDATE_HINT} ${target} ${key} "${permission}" has no justification`).toBe(true);
      }
    }
  });

  it('has no web_accessible_resources, externally_connectable or content_security_policy, as the snapshot records', () => {
    for (const key of EXPOSURES) {
      expect(snapshot[target][key], `${SNAPSHOT_FILE} must record ${key} for ${target}`).toBe(false);
      expect(key in manifest, `${target} manifest declares ${key}. ${UPDATE_HINT}`).toBe(false);
    }
  });

  it('never asks for <all_urls> or a catch-all pattern as required host access', () => {
    const hosts = (manifest.host_permissions as string[] | undefined) ?? [];
    for (const pattern of hosts) {
      expect(pattern).not.toBe('<all_urls>');
      expect(pattern, 'a pattern for every host').not.toMatch(/^(\*|https?):\/\/\*\/\*$/);
    }
    expect((manifest.permissions as string[]).some((permission) => permission.includes('://') || permission === '<all_urls>')).toBe(false);
  });

  it('runs the content script only on the outlets of the index', () => {
    const scripts = manifest.content_scripts as Array<{ matches: string[] }>;
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect([...script.matches].sort()).toEqual([...compiled.hostPatterns].sort());
  });
});

describe('the generated outlet host patterns', () => {
  it('are *://*.<host>/* for exactly the hosts in the index', () => {
    expect(compiled.hosts.length).toBeGreaterThan(0);
    expect([...compiled.hostPatterns].sort()).toEqual(compiled.hosts.map((host) => `*://*.${host}/*`).sort());
    for (const pattern of compiled.hostPatterns) {
      const host = /^\*:\/\/\*\.([a-z0-9.-]+)\/\*$/.exec(pattern)?.[1];
      expect(host, pattern).toBeDefined();
      expect(compiled.hosts).toContain(host);
    }
  });

  it('name registrable hosts, never a bare public suffix (*.com would be every .com site)', () => {
    for (const host of compiled.hosts) {
      expect(host).not.toMatch(/^www\./);
      expect(getDomain(host), host).not.toBeNull();
    }
  });

  it('include the outlets of the real seed', () => {
    expect(compiled.hostPatterns).toEqual(expect.arrayContaining(['*://*.cnet.com/*', '*://*.forbes.com/*', '*://*.datacenterknowledge.com/*']));
  });

  it('are folded into the one snapshot entry, which no literal pattern shadows', () => {
    for (const target of BROWSER_TARGETS) {
      const hostEntries = Object.keys(snapshot[target].host_permissions as Record<string, string>);
      expect(hostEntries).toContain(OUTLET_HOSTS);
      for (const entry of hostEntries) expect(generated.has(entry), `${entry} is generated; list it as ${OUTLET_HOSTS}`).toBe(false);
    }
  });
});

// The built manifests, when there are any: crxjs must not have added a way in while bundling.
describe.each(BROWSER_TARGETS)('the built %s manifest', (target) => {
  const file = new URL(`dist/${target}/manifest.json`, root);
  it.skipIf(!existsSync(file))('declares no web_accessible_resources, externally_connectable, content_security_policy or <all_urls> host access', () => {
    const built = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const key of EXPOSURES) {
      expect(key in built, `dist/${target}/manifest.json declares ${key}`).toBe(false);
    }
    expect((built.host_permissions as string[] | undefined) ?? []).not.toContain('<all_urls>');
  });
});
