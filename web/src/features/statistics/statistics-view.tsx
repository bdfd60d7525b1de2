import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StatisticsSummary, StatisticsTable } from '../../../../src/shared/api/statistics.js';
import { apiGet } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { breakdownLabel } from './cell-labels.js';
import { CellsTable } from './cells-table.js';
import { StateMap } from './state-map.js';
import { TableChart } from './table-chart.js';

/** Where the tables come from: the analysts' audited routes, or the open data for everyone. */
export type StatisticsSource = 'analyst' | 'open';

const routes = {
  analyst: { base: '/api/statistics/tables', purpose: 'purpose=eligibility_review' },
  open: { base: '/api/open-data/statistics', purpose: '' },
} as const;

function url(source: StatisticsSource, path: string, query: string[]): string {
  const all = [...query, routes[source].purpose].filter((part) => part !== '');
  return `${routes[source].base}${path}${all.length > 0 ? `?${all.join('&')}` : ''}`;
}

/**
 * The statistics tables (issue #17, point 5): pick a table and a published breakdown; see its
 * map by state, its chart and its cells, withheld ones marked; download it as CSV or JSON.
 * The dashboard and the open-data page are this view over two sources.
 */
export function StatisticsView({ source }: { source: StatisticsSource }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const [chosen, setChosen] = useState<{ code: string; by: string } | null>(null);
  const list = useQuery({
    queryKey: ['statistics-tables', source],
    queryFn: () => apiGet<{ tables: StatisticsSummary[] }>(url(source, '', [])),
  });
  const tables = list.data?.tables ?? [];
  const summary = tables.find((table) => table.code === chosen?.code) ?? tables[0];
  const by = chosen?.code === summary?.code ? chosen?.by : summary?.breakdowns[0];
  return (
    <>
      {list.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {list.error ? <ProblemNotice error={list.error} /> : null}
      {list.data && tables.length === 0 ? <p>{t('statistics.none')}</p> : null}
      {summary !== undefined && by !== undefined ? (
        <>
          <div className="two-columns">
            <div className="field">
              <label htmlFor="statistics-table">{t('statistics.table')}</label>
              <select
                id="statistics-table"
                value={summary.code}
                onChange={(event) => {
                  const next = tables.find((table) => table.code === event.target.value);
                  setChosen({ code: event.target.value, by: next?.breakdowns[0] ?? '' });
                }}
              >
                {tables.map((table) => (
                  <option key={table.code} value={table.code}>
                    {table.title[language]}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="statistics-breakdown">{t('statistics.breakdown')}</label>
              <select
                id="statistics-breakdown"
                value={by}
                onChange={(event) => setChosen({ code: summary.code, by: event.target.value })}
              >
                {summary.breakdowns.map((breakdown) => (
                  <option key={breakdown} value={breakdown}>
                    {breakdownLabel(t, breakdown)}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <p>{summary.definition[language]}</p>
          <TableAt source={source} summary={summary} by={by} />
        </>
      ) : null}
    </>
  );
}

function TableAt(props: { source: StatisticsSource; summary: StatisticsSummary; by: string }) {
  const { source, summary, by } = props;
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const answer = useQuery({
    queryKey: ['statistics-table', source, summary.code, by],
    queryFn: () => apiGet<StatisticsTable>(url(source, `/${summary.code}`, [`by=${by}`])),
  });
  const [chosenItem, setItem] = useState<string | null>(null);
  if (answer.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (answer.error) return <ProblemNotice error={answer.error} />;
  const table = answer.data;
  const withheld = table.cells.filter((cell) => cell.value === null).length;
  // Stock: units of two items do not add up, so the map shows one item at a time.
  const items = itemsOf(table);
  const item = chosenItem !== null && items.includes(chosenItem) ? chosenItem : items[0];
  const byState = stateValues(table, item);
  const mapLabel =
    item === undefined
      ? `${table.title[language]}: ${t('statistics.mapTitle')}`
      : `${table.title[language]}: ${t('statistics.mapTitle')} · ${t('statistics.mapItem', { item })}`;
  return (
    <section aria-labelledby="statistics-table-title" data-testid="statistics-answer">
      <h2 id="statistics-table-title">{table.title[language]}</h2>
      <p>
        {t('statistics.refreshedAt', { date: format.dateTime(table.refreshedAt) })} ·{' '}
        {t('statistics.withheldCount', { count: withheld })}
      </p>
      <p>
        <small>
          {t('statistics.rules', {
            below: table.rules.threshold - 1,
            base: table.rules.roundingBase,
          })}
        </small>
      </p>
      <p className="downloads">
        <a href={url(source, `/${table.code}/csv`, [`by=${by}`, `lang=${language}`])} download>
          {t('statistics.downloadCsv')}
        </a>{' '}
        <a href={url(source, `/${table.code}`, [`by=${by}`])} download={`${table.code}.json`}>
          {t('statistics.downloadJson')}
        </a>
      </p>
      {items.length > 1 ? (
        <div className="field">
          <label htmlFor="statistics-item">{t('statistics.itemChoice')}</label>
          <select
            id="statistics-item"
            value={item}
            onChange={(event) => setItem(event.target.value)}
          >
            {items.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="statistics-figures">
        {byState.size > 0 ? <StateMap values={byState} label={mapLabel} unit={table.unit} /> : null}
        <TableChart table={table} />
      </div>
      <CellsTable table={table} caption={`${table.title[language]} · ${breakdownLabel(t, by)}`} />
    </section>
  );
}

/** The items of a table of stock, in order (none for a table without an item dimension). */
function itemsOf(table: StatisticsTable): string[] {
  const d = table.dimensions.indexOf('item');
  if (d === -1) return [];
  return [...new Set(table.cells.map((cell) => cell.key[d] ?? ''))]
    .filter((code) => code !== '' && code !== 'all')
    .sort();
}

/**
 * The count per state for the whole of every other dimension (null = withheld); for a table
 * of stock, for one item.
 */
function stateValues(table: StatisticsTable, item?: string): Map<string, number | null> {
  const region = table.dimensions.indexOf('region');
  const itemAt = table.dimensions.indexOf('item');
  const values = new Map<string, number | null>();
  if (region === -1) return values;
  for (const cell of table.cells) {
    const atState = cell.depths.every((depth, d) =>
      d === region ? depth === 1 : d === itemAt ? cell.key[d] === item : depth === 0,
    );
    const code = cell.key[region] ?? '';
    if (atState && code !== 'VE-unknown') values.set(code, cell.value);
  }
  return values;
}
