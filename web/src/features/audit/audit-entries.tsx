import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, withQuery } from '../../api/client.js';
import type { AuditEntry, AuditEntryPage } from '../../api/types.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { auditActions } from './audit-actions.js';
import { actionLabel, actorText, resourceText } from './entry-text.js';

/** Entries fetched per page; the server allows up to 200. */
const entriesPerPage = 25;

interface Filter {
  action: string;
  outcome: '' | 'allowed' | 'denied';
}

/**
 * The audit log's entries for auditors (`GET /api/audit/entries?purpose=audit`, itself audited):
 * newest first, a page at a time, optionally one action or one outcome. Entries name ids and
 * fields, never values.
 */
export function AuditEntries() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<Filter>({ action: '', outcome: '' });
  const entries = useInfiniteQuery({
    queryKey: ['audit-entries', filter],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) =>
      apiGet<AuditEntryPage>(
        withQuery('/api/audit/entries', {
          purpose: 'audit',
          limit: entriesPerPage,
          before: pageParam,
          action: filter.action || undefined,
          outcome: filter.outcome || undefined,
        }),
      ),
    getNextPageParam: (page) => page.nextBefore ?? undefined,
  });
  const rows = entries.data?.pages.flatMap((page) => page.entries) ?? [];
  return (
    <section aria-labelledby="entries-heading">
      <h2 id="entries-heading">{t('audit.entries.title')}</h2>
      <p className="hint">{t('audit.entries.explain')}</p>
      <EntryFilter initial={filter} onApply={setFilter} />
      {entries.error ? <ProblemNotice error={entries.error} /> : null}
      {entries.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {entries.data && rows.length === 0 ? <p>{t('audit.entries.none')}</p> : null}
      {rows.length > 0 ? <EntryTable rows={rows} /> : null}
      {entries.hasNextPage ? (
        <button
          type="button"
          onClick={() => entries.fetchNextPage()}
          disabled={entries.isFetchingNextPage}
        >
          {entries.isFetchingNextPage ? t('common.wait') : t('audit.entries.older')}
        </button>
      ) : null}
    </section>
  );
}

function EntryFilter({ initial, onApply }: { initial: Filter; onApply: (filter: Filter) => void }) {
  const { t } = useTranslation();
  const actionId = useId();
  const outcomeId = useId();
  const [draft, setDraft] = useState<Filter>(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  return (
    <form className="filters" onSubmit={submit}>
      <div className="field">
        <label htmlFor={actionId}>{t('audit.entries.action')}</label>
        <select
          id={actionId}
          value={draft.action}
          onChange={(event) => setDraft({ ...draft, action: event.currentTarget.value })}
        >
          <option value="">{t('audit.entries.any')}</option>
          {auditActions.map((action) => (
            <option key={action} value={action}>
              {actionLabel(action, t)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={outcomeId}>{t('audit.entries.outcome')}</label>
        <select
          id={outcomeId}
          value={draft.outcome}
          // Safe: the options are exactly the values of `Filter['outcome']`.
          onChange={(event) =>
            setDraft({ ...draft, outcome: event.currentTarget.value as Filter['outcome'] })
          }
        >
          <option value="">{t('audit.entries.any')}</option>
          <option value="allowed">{t('audit.entries.allowed')}</option>
          <option value="denied">{t('audit.entries.denied')}</option>
        </select>
      </div>
      <button type="submit">{t('audit.entries.apply')}</button>
    </form>
  );
}

function EntryTable({ rows }: { rows: AuditEntry[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <div className="table-scroll">
      <table data-testid="audit-entries">
        <caption>{t('audit.entries.caption', { count: rows.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('audit.entries.index')}</th>
            <th scope="col">{t('audit.entries.time')}</th>
            <th scope="col">{t('audit.entries.who')}</th>
            <th scope="col">{t('audit.entries.action')}</th>
            <th scope="col">{t('audit.entries.resource')}</th>
            <th scope="col">{t('audit.entries.purpose')}</th>
            <th scope="col">{t('audit.entries.outcome')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((entry) => (
            <tr key={entry.leafIndex} data-outcome={entry.outcome} data-action={entry.action}>
              <td>{format.number(entry.leafIndex)}</td>
              <td>{format.dateTime(entry.time)}</td>
              <td>{actorText(entry.actor, t)}</td>
              <td>{actionLabel(entry.action, t)}</td>
              <td>
                {resourceText(entry.resource, t)}
                {entry.fields.length > 0
                  ? ` (${t('audit.entries.fields', { count: entry.fields.length })})`
                  : ''}
              </td>
              <td>{entry.purpose ? t(`purpose.name.${entry.purpose}`) : '—'}</td>
              <td>
                {t(`audit.entries.${entry.outcome}`)}
                {entry.reasonCode ? <span className="mono"> {entry.reasonCode}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
