import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classicHtml, withoutPages } from '../../src/build/classic-pages';
import { BROWSER_TARGETS } from '../../src/build/manifest';

const SOURCE_HTML = `<!doctype html>
<html lang="en">
  <head>
    <title>Elsewhere</title>
  </head>
  <body>
    <main id="app"></main>
    <script type="module" src="./main.tsx"></script>
  </body>
</html>
`;

describe('classicHtml', () => {
  it('swaps the module entry for a deferred classic script and the stylesheet, in the head', () => {
    const html = classicHtml(SOURCE_HTML, 'popup.js', 'popup.css');
    expect(html).not.toContain('type="module"');
    expect(html).not.toContain('main.tsx');
    expect(html).toMatch(/<link rel="stylesheet" href="popup.css">\s*<script defer src="popup.js"><\/script>\s*<\/head>/);
    expect(html).toContain('<main id="app"></main>');
  });

  it('leaves out the stylesheet when the page has no CSS', () => {
    expect(classicHtml(SOURCE_HTML, 'page.js', null)).not.toContain('<link');
  });

  it('refuses a page without a module entry, rather than ship a page that runs nothing', () => {
    expect(() => classicHtml('<html><head></head><body></body></html>', 'page.js', null)).toThrow(/no <script type="module"/);
  });
});

describe('withoutPages', () => {
  const manifest = { action: { default_popup: 'src/popup/popup.html', default_title: 'T' }, options_ui: { page: 'src/options/options.html', open_in_tab: true } };
  const pages = [
    { manifestPath: ['action', 'default_popup'], html: 'src/popup/popup.html' },
    { manifestPath: ['options_ui', 'page'], html: 'src/options/options.html' },
  ];

  it('hides the pages from crxjs and leaves the rest of the manifest, and the original, alone', () => {
    expect(withoutPages(manifest, pages)).toEqual({ action: { default_title: 'T' }, options_ui: { open_in_tab: true } });
    expect(manifest.action.default_popup).toBe('src/popup/popup.html');
  });

  it('fails when the manifest names another page than the build would emit', () => {
    expect(() => withoutPages({ action: { default_popup: 'popup.html' } }, pages.slice(0, 1))).toThrow(/action.default_popup should be src\/popup\/popup.html/);
  });
});

// The built extensions, when there are any (npm test builds them first).
const root = new URL('../../', import.meta.url);
describe.each(BROWSER_TARGETS)('the built %s pages', (target) => {
  const manifestFile = new URL(`dist/${target}/manifest.json`, root);
  it.skipIf(!existsSync(manifestFile))('are named in the manifest and each runs one classic script that exists', () => {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { action: { default_popup: string }; options_ui: { page: string } };
    for (const page of [manifest.action.default_popup, manifest.options_ui.page]) {
      const html = readFileSync(new URL(`dist/${target}/${page}`, root), 'utf8');
      expect(html, page).not.toContain('type="module"');
      const scripts = [...html.matchAll(/<script defer src="([^"]+)"><\/script>/g)].map((match) => match[1]!);
      expect(scripts, page).toHaveLength(1);
      const script = readFileSync(new URL(scripts[0]!, new URL(`dist/${target}/${page}`, root)), 'utf8');
      // A classic script cannot import or export: the page's whole code is in this one file.
      expect(script).not.toMatch(/^\s*(import|export)\b/m);
      expect(script.length).toBeGreaterThan(1000);
    }
  });
});
