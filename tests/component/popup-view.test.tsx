import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { Coverage } from '../../src/core/index/coverage-index';
import { PopupView, type PopupState } from '../../src/popup/popup-view';
import { I18nContext } from '../../src/ui/i18n';
import { absoluteTime } from '../../src/ui/format-date';
import { cnet, coverageOnDck, dck, forbes, NOW } from './coverage-fixture';
import { translatorFor } from './translate';

let container: HTMLElement;
const ready = (coverage: Coverage | null, siteHidden = false): PopupState => ({ status: 'ready', coverage, site: 'datacenterknowledge.com', siteHidden });
function show(node: preact.ComponentChild): HTMLElement {
  container = document.createElement('div');
  document.body.append(container);
  render(<I18nContext.Provider value={translatorFor('en')}>{node}</I18nContext.Provider>, container);
  return container;
}
afterEach(() => {
  render(null, container);
  container.remove();
});

describe('PopupView', () => {
  it('lists the other outlets in order, each linking to its article in a new tab', () => {
    const view = show(<PopupView state={ready(coverageOnDck)} now={NOW} />);
    expect(view.querySelector('h1')!.textContent).toBe('Also covered by 2 other outlets');
    const items = [...view.querySelectorAll('.es-item')];
    expect(items.map((item) => item.querySelector('.es-outlet')!.textContent)).toEqual(['CNET', 'Forbes']);
    const links = [...view.querySelectorAll<HTMLAnchorElement>('a.es-link')];
    expect(links.map((link) => link.getAttribute('href'))).toEqual([cnet.url, forbes.url]);
    expect(links.every((link) => link.target === '_blank' && link.rel.includes('noopener'))).toBe(true);
  });

  it('marks only the first report', () => {
    const view = show(<PopupView state={ready(coverageOnDck)} now={NOW} />);
    const marks = [...view.querySelectorAll('.es-item')].map((item) => item.querySelector('.es-first') !== null);
    expect(marks).toEqual([true, false]);
  });

  it('shows title, excerpt only when there is one, and relative plus absolute dates', () => {
    const view = show(<PopupView state={ready(coverageOnDck)} now={NOW} />);
    const [first, second] = [...view.querySelectorAll('.es-item')];
    expect(first!.querySelector('.es-title')!.textContent).toBe(cnet.title);
    expect(first!.querySelector('.es-excerpt')!.textContent).toBe(cnet.excerpt);
    expect(second!.querySelector('.es-excerpt')).toBeNull();
    const time = first!.querySelector('time')!;
    expect(time.getAttribute('datetime')).toBe('2020-05-19T21:00:00.000Z');
    expect(time.textContent).toContain('3 days ago');
    expect(time.textContent).toContain(absoluteTime(cnet.publishedAt!));
  });

  it('shows outlets as monograms, never as remote images', () => {
    const view = show(<PopupView state={ready(coverageOnDck)} now={NOW} />);
    expect([...view.querySelectorAll('.es-monogram')].map((mark) => mark.textContent)).toEqual(['CN', 'FO']);
    expect(view.querySelector('img')).toBeNull();
  });

  it('says plainly when it knows no other coverage', () => {
    const view = show(<PopupView state={ready(null)} />);
    expect(view.querySelector('.popup-empty')!.textContent).toBe('Elsewhere knows no other coverage of this page.');
    expect(view.querySelector('.es-item')).toBeNull();
  });

  it('lists articles from the reader’s own outlet apart, and says when the page is the first report', () => {
    const sameOutletStory = { ...coverageOnDck, article: cnet, otherOutlets: [dck], sameOutlet: [{ ...forbes, outlet: 'CNET', outletDomain: 'cnet.com' }], otherOutletCount: 1 };
    const view = show(<PopupView state={ready(sameOutletStory)} now={NOW} />);
    expect(view.querySelector('h1')!.textContent).toBe('Also covered by 1 other outlet');
    expect(view.querySelector('.es-group')!.textContent).toBe('More from CNET');
    expect(view.querySelector('.es-note')!.textContent).toContain('first report');
  });

  it('renders markup in titles as text and drops non-http links', () => {
    const hostile = { ...forbes, title: '<img src=x onerror=alert(1)>', url: 'javascript:alert(1)' };
    const view = show(<PopupView state={ready({ ...coverageOnDck, otherOutlets: [hostile] })} now={NOW} />);
    expect(view.querySelector('img')).toBeNull();
    expect(view.querySelector('.es-title')!.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(view.querySelector('a')).toBeNull();
  });
});

describe('PopupView site controls', () => {
  it('offers to hide Elsewhere on the tab’s site, and to undo it', () => {
    const calls: Array<[string, boolean]> = [];
    const view = show(<PopupView state={ready(coverageOnDck)} now={NOW} onToggleSite={(site, hide) => calls.push([site, hide])} />);
    const button = view.querySelector<HTMLButtonElement>('.popup-button')!;
    expect(button.textContent).toBe('Hide on this site');
    button.click();
    expect(calls).toEqual([['datacenterknowledge.com', true]]);
    render(<I18nContext.Provider value={translatorFor('en')}><PopupView state={ready(coverageOnDck, true)} onToggleSite={(site, hide) => calls.push([site, hide])} /></I18nContext.Provider>, view);
    expect(view.querySelector('.popup-hidden')!.textContent).toBe('Hidden on datacenterknowledge.com');
    view.querySelector<HTMLButtonElement>('.popup-button')!.click();
    expect(calls[1]).toEqual(['datacenterknowledge.com', false]);
  });
});

describe('PopupView in German', () => {
  it('takes every string from the German locale', () => {
    const view = document.createElement('div');
    document.body.append(view);
    render(
      <I18nContext.Provider value={translatorFor('de')}>
        <PopupView state={ready(coverageOnDck)} now={NOW} />
      </I18nContext.Provider>,
      view,
    );
    expect(view.querySelector('h1')!.textContent).toBe('Auch berichtet von 2 weiteren Medien');
    expect(view.querySelector('.es-first')!.textContent).toBe('Erster Bericht');
    expect(view.querySelector('.popup-reading')!.textContent).toBe(`Sie lesen Data Center Knowledge: „${dck.title}“`);
    render(null, view);
    view.remove();
  });
});

describe('Coverage timeline', () => {
  it('draws one mark per dated article in time order, ringing the page being read', () => {
    const view = show(<PopupView state={ready(coverageOnDck)} now={NOW} />);
    const marks = [...view.querySelectorAll('circle')];
    expect(marks.map((mark) => mark.querySelector('title')!.textContent!.split(' · ')[0])).toEqual(['CNET', 'Forbes', 'Data Center Knowledge']);
    const xs = marks.map((mark) => Number(mark.getAttribute('cx')));
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(marks.map((mark) => mark.classList.contains('es-current'))).toEqual([false, false, true]);
    expect(view.querySelector('svg')!.getAttribute('aria-label')).toMatch(/^Coverage timeline: CNET reported first, on .*2020.*; 3 reports in all$/);
  });
});
