import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PageBadge } from '../../src/content/badge';
import { coverageOnDck } from './coverage-fixture';
import { translatorFor } from './translate';

const english = translatorFor('en');

const PAGE = 'https://www.datacenterknowledge.com/microsoft/article';
let roots: ShadowRoot[];

beforeEach(() => {
  // The badge's root is closed; keep a handle on it the way only a test can.
  roots = [];
  const original = Element.prototype.attachShadow;
  vi.spyOn(Element.prototype, 'attachShadow').mockImplementation(function (this: Element, init: ShadowRootInit) {
    const root = original.call(this, init);
    roots.push(root);
    return root;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  document.querySelectorAll('elsewhere-badge').forEach((host) => host.remove());
});

const click = (element: Element | null | undefined) => (element as HTMLElement).click();
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PageBadge', () => {
  it('attaches one host with a closed shadow root and says how many other outlets covered the story', () => {
    new PageBadge(english).show(coverageOnDck, PAGE);
    expect(document.querySelectorAll('elsewhere-badge')).toHaveLength(1);
    expect(Element.prototype.attachShadow).toHaveBeenCalledWith({ mode: 'closed' });
    expect(document.querySelector('elsewhere-badge')!.shadowRoot).toBeNull();
    expect(roots[0]!.querySelector('.es-toggle')!.textContent).toContain('Also covered by 2 other outlets');
    expect(roots[0]!.querySelector('.es-item')).toBeNull();
  });

  it('expands into the list and collapses again', async () => {
    new PageBadge(english).show(coverageOnDck, PAGE);
    const toggle = roots[0]!.querySelector('.es-toggle');
    click(toggle);
    await settle();
    expect(toggle!.getAttribute('aria-expanded')).toBe('true');
    expect([...roots[0]!.querySelectorAll('.es-outlet')].map((el) => el.textContent)).toEqual(['CNET', 'Forbes']);
    click(toggle);
    await settle();
    expect(roots[0]!.querySelector('.es-item')).toBeNull();
  });

  it('stays dismissed for the page, and comes back on another page', () => {
    const badge = new PageBadge(english);
    badge.show(coverageOnDck, PAGE);
    click(roots[0]!.querySelector('.es-dismiss'));
    expect(document.querySelector('elsewhere-badge')).toBeNull();
    badge.show(coverageOnDck, PAGE);
    expect(document.querySelector('elsewhere-badge')).toBeNull();
    badge.show(coverageOnDck, `${PAGE}-2`);
    expect(document.querySelector('elsewhere-badge')).not.toBeNull();
  });

  it('shows nothing without other outlets, and never duplicates itself', () => {
    const badge = new PageBadge(english);
    badge.show(null, PAGE);
    badge.show({ ...coverageOnDck, otherOutlets: [], otherOutletCount: 0 }, PAGE);
    expect(document.querySelector('elsewhere-badge')).toBeNull();
    badge.show(coverageOnDck, PAGE);
    badge.show(coverageOnDck, PAGE);
    expect(document.querySelectorAll('elsewhere-badge')).toHaveLength(1);
  });
});
