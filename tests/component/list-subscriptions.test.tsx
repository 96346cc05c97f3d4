import { render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ListSubscriptions, type ListSubscriptionsProps } from '../../src/options/list-subscriptions';
import type { ListStatus } from '../../src/shared/protocol';
import { I18nContext } from '../../src/ui/i18n';
import { translatorFor } from './translate';

const NOW = Date.UTC(2026, 10, 25, 12);
const GOOD: ListStatus = {
  url: 'https://lists.example/news/list.json',
  name: 'Example newsroom',
  homepage: null,
  storyCount: 1234,
  bytes: 2_150_000,
  updatedAt: NOW - 3 * 3_600_000,
  checkedAt: NOW - 3 * 3_600_000,
  error: null,
  uncoveredHosts: [],
};

let container: HTMLElement;
function show(props: Partial<ListSubscriptionsProps>, locale = 'en'): HTMLElement {
  container = document.createElement('div');
  document.body.append(container);
  const all: ListSubscriptionsProps = { lists: [], busy: false, problem: null, onSubscribe: vi.fn(), onRemove: vi.fn(), onUpdate: vi.fn(), onAllowHosts: vi.fn(), now: NOW, ...props };
  render(
    <I18nContext.Provider value={translatorFor(locale)}>
      <ListSubscriptions {...all} />
    </I18nContext.Provider>,
    container,
  );
  return container;
}
afterEach(() => {
  render(null, container);
  container.remove();
});

describe('ListSubscriptions', () => {
  it('says so when there is no list', () => {
    expect(show({}).textContent).toContain('No lists yet.');
  });

  it('shows a list’s name, stories, size and last update', () => {
    const text = show({ lists: [GOOD] }).querySelector('.list-entry')!.textContent!;
    expect(text).toContain('Example newsroom');
    expect(text).toContain('1,234 stories, 2.2 MB');
    expect(text).toContain('Updated 3 hours ago');
  });

  it('explains the last failure in the reader’s language, with the technical detail', () => {
    const failing = { ...GOOD, error: { kind: 'timeout' as const, detail: 'no complete answer within 30 s' } };
    expect(show({ lists: [failing] }).querySelector('.problem')!.textContent).toBe(
      'The last update failed: the server did not answer within 30 seconds (no complete answer within 30 s). Elsewhere goes on using the last good copy.',
    );
    expect(show({ lists: [failing] }, 'de').querySelector('.problem')!.textContent).toContain('der Server hat nicht innerhalb von 30 Sekunden geantwortet');
  });

  it('shows the address until the first good update', () => {
    const fresh = { ...GOOD, name: null, updatedAt: null, storyCount: 0, bytes: 0 };
    const text = show({ lists: [fresh] }).querySelector('.list-entry')!.textContent!;
    expect(text).toContain('https://lists.example/news/list.json');
    expect(text).toContain('Not downloaded yet');
  });

  it('subscribes with the typed address, and updates, removes and allows per list', () => {
    const onSubscribe = vi.fn();
    const onUpdate = vi.fn();
    const onRemove = vi.fn();
    const onAllowHosts = vi.fn();
    const view = show({ lists: [{ ...GOOD, uncoveredHosts: ['theverge.com'] }], onSubscribe, onUpdate, onRemove, onAllowHosts });
    const input = view.querySelector<HTMLInputElement>('#list-url')!;
    input.value = 'https://other.example/list.json';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    view.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(onSubscribe).toHaveBeenCalledWith('https://other.example/list.json');
    view.querySelector<HTMLButtonElement>('button[aria-label="Update Example newsroom now"]')!.click();
    expect(onUpdate).toHaveBeenCalledWith(GOOD.url);
    view.querySelector<HTMLButtonElement>('button[aria-label="Remove Example newsroom"]')!.click();
    expect(onRemove).toHaveBeenCalledWith(GOOD.url);
    expect(view.querySelector('.list-uncovered')!.textContent).toContain('1 outlets of this list');
    view.querySelector<HTMLButtonElement>('.list-uncovered button')!.click();
    expect(onAllowHosts).toHaveBeenCalledWith(['theverge.com']);
  });

  it('disables the buttons while a request runs, and shows an address problem', () => {
    const view = show({ lists: [GOOD], busy: true, problem: 'listUrlNotHttps' });
    expect([...view.querySelectorAll('button')].every((button) => button.disabled)).toBe(true);
    expect(view.querySelector('[role="alert"]')!.textContent).toBe('Lists must come over HTTPS (plain HTTP only on this computer, for testing).');
  });
});
