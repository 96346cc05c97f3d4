/** Outlets are shown as monograms: loading their logos would tell image hosts what the reader reads. */
const PALETTE = ['#1d4ed8', '#047857', '#b91c1c', '#7c3aed', '#b45309', '#0e7490', '#be185d', '#4d7c0f'];

/** A stable colour per outlet, so its monogram and timeline mark match. */
export function outletColor(seed: string): string {
  let hash = 0;
  for (let i = 0; i < seed.length; i++) hash = (hash * 31 + seed.charCodeAt(i)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

export function monogramLetters(outlet: string): string {
  const words = outlet.replace(/[^\p{L}\p{N}\s]/gu, ' ').split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  if (words.length === 1) return [...words[0]!].slice(0, 2).join('').toUpperCase();
  return words.slice(0, 2).map((word) => [...word][0]!).join('').toUpperCase();
}

export function Monogram({ outlet, domain }: { outlet: string; domain: string }) {
  return (
    <span class="es-monogram" style={{ backgroundColor: outletColor(domain) }} aria-hidden="true">
      {monogramLetters(outlet)}
    </span>
  );
}
