/**
 * Renders the toolbar and store icons into assets/icons from one SVG design, in real Chromium.
 * Run by hand after changing the design (`npm run -s icons`); the PNGs are committed.
 * The design sits on a 16-unit grid so every size Chrome and Firefox ask for (16, 32, 48, 96,
 * 128) is an integer multiple and stays crisp.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, CHROMIUM_FLAGS } from '../../tests/e2e/browsers';

export const ICON_SIZES = [16, 32, 48, 96, 128] as const;

const VARIANTS = {
  // Grey: Elsewhere knows nothing about this tab.
  idle: { tile: '#5b6472', back: '#c9ced6', front: '#ffffff', line: '#5b6472' },
  // Blue: this tab's story is known.
  known: { tile: '#1d4ed8', back: '#93b4f5', front: '#ffffff', line: '#1d4ed8' },
} as const;

function svg(variant: keyof typeof VARIANTS, size: number): string {
  const c = VARIANTS[variant];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 16 16" shape-rendering="crispEdges">
  <rect x="0" y="0" width="16" height="16" rx="3" fill="${c.tile}" shape-rendering="geometricPrecision"/>
  <rect x="2" y="2" width="8" height="9" fill="${c.back}"/>
  <rect x="6" y="5" width="8" height="9" fill="${c.front}"/>
  <rect x="7" y="7" width="6" height="1" fill="${c.line}"/>
  <rect x="7" y="9" width="6" height="1" fill="${c.line}"/>
  <rect x="7" y="11" width="4" height="1" fill="${c.line}"/>
</svg>`;
}

async function main(): Promise<void> {
  mkdirSync('assets/icons', { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const variant of Object.keys(VARIANTS) as Array<keyof typeof VARIANTS>) {
    for (const size of ICON_SIZES) {
      await page.setContent(`<html><body style="margin:0;background:transparent">${svg(variant, size)}</body></html>`);
      await page.locator('svg').screenshot({ path: `assets/icons/${variant}-${size}.png`, omitBackground: true });
    }
  }
  await browser.close();
}

await main();
