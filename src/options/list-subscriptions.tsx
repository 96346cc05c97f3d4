import type { ListErrorKind } from '../core/list/list-error';
import type { SubscriptionUrlProblem } from '../core/list/subscription-url';
import type { ListStatus } from '../shared/protocol';
import { relativeTime } from '../ui/format-date';
import { useTranslate, type MessageKey } from '../ui/i18n';

export interface ListSubscriptionsProps {
  lists: ListStatus[];
  /** A request to the background is running: buttons wait, the section says it is busy. */
  busy: boolean;
  problem: SubscriptionUrlProblem | 'optionListAllowRefused' | null;
  onSubscribe: (url: string) => void;
  onRemove: (url: string) => void;
  onUpdate: (url: string) => void;
  /** Asks the browser for access to these outlet hosts (a user gesture). */
  onAllowHosts: (hosts: string[]) => void;
  now?: number;
}

const ERROR_MESSAGES: Record<ListErrorKind, MessageKey> = {
  http: 'listErrorHttp',
  network: 'listErrorNetwork',
  timeout: 'listErrorTimeout',
  tooLarge: 'listErrorTooLarge',
  badList: 'listErrorBadList',
  badShard: 'listErrorBadShard',
  truncated: 'listErrorTruncated',
  hashMismatch: 'listErrorHashMismatch',
  storage: 'listErrorStorage',
};

const MEGABYTE = 1_000_000;

function formatBytes(bytes: number): string {
  const megabytes = bytes >= MEGABYTE;
  return new Intl.NumberFormat(undefined, { style: 'unit', unit: megabytes ? 'megabyte' : 'kilobyte', maximumFractionDigits: 1 }).format(bytes / (megabytes ? MEGABYTE : 1000));
}

function ListEntry({ list, busy, onRemove, onUpdate, onAllowHosts, now }: { list: ListStatus } & Pick<ListSubscriptionsProps, 'busy' | 'onRemove' | 'onUpdate' | 'onAllowHosts' | 'now'>) {
  const t = useTranslate();
  const label = list.name ?? list.url;
  return (
    <li class="list-entry">
      <div class="list-head">
        <strong>{label}</strong>
        <span class="list-actions">
          <button type="button" disabled={busy} aria-label={t('optionListUpdateNowLabel', [label])} onClick={() => onUpdate(list.url)}>
            {t('optionListUpdateNow')}
          </button>
          <button type="button" disabled={busy} aria-label={t('optionListRemoveLabel', [label])} onClick={() => onRemove(list.url)}>
            {t('optionListRemove')}
          </button>
        </span>
      </div>
      <p class="hint list-url">{list.url}</p>
      <p class="hint">
        {list.updatedAt === null
          ? t('optionListNeverUpdated')
          : `${t('optionListSummary', [new Intl.NumberFormat().format(list.storyCount), formatBytes(list.bytes)])} · ${t('optionListUpdated', [relativeTime(list.updatedAt, now ?? Date.now())])}`}
      </p>
      {list.error && (
        <p class="problem" role="status">
          {t('optionListFailed', [t(ERROR_MESSAGES[list.error.kind]), list.error.detail])}
        </p>
      )}
      {list.uncoveredHosts.length > 0 && (
        <p class="hint list-uncovered">
          {t('optionListUncovered', [list.uncoveredHosts.length])}{' '}
          <button type="button" disabled={busy} onClick={() => onAllowHosts(list.uncoveredHosts)}>
            {t('optionListAllowHosts')}
          </button>
        </p>
      )}
    </li>
  );
}

/** The "Index lists" section of the settings page (issue 7). */
export function ListSubscriptions(props: ListSubscriptionsProps) {
  const t = useTranslate();
  return (
    <section aria-labelledby="lists-heading" aria-busy={props.busy}>
      <h2 id="lists-heading">{t('optionLists')}</h2>
      <p class="hint">{t('optionListsHint')}</p>
      <form
        class="list-form"
        onSubmit={(event) => {
          event.preventDefault();
          props.onSubscribe(String(new FormData(event.currentTarget).get('url') ?? ''));
        }}
      >
        <label for="list-url">{t('optionListUrl')}</label>
        <input id="list-url" name="url" type="url" required placeholder="https://" />
        <button type="submit" disabled={props.busy}>
          {t('optionListSubscribe')}
        </button>
      </form>
      {props.problem && (
        <p class="problem" role="alert">
          {t(props.problem)}
        </p>
      )}
      {props.lists.length === 0 ? (
        <p class="hint">{t('optionListNone')}</p>
      ) : (
        <ul class="lists">
          {props.lists.map((list) => (
            <ListEntry key={list.url} list={list} busy={props.busy} onRemove={props.onRemove} onUpdate={props.onUpdate} onAllowHosts={props.onAllowHosts} now={props.now} />
          ))}
        </ul>
      )}
    </section>
  );
}
