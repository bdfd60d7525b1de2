import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StatisticsTable } from '../../../../src/shared/api/statistics.js';
import { useFormat } from '../../i18n/format.js';
import { codeLabel, stateOf } from './cell-labels.js';

const pageSize = 50;

/** A published value in words: a count, or a rate in per cent with one decimal. */
export function valueText(
  format: ReturnType<typeof useFormat>,
  unit: StatisticsTable['unit'],
  value: number,
): string {
  return unit === 'percent' ? `${format.number(value, 1)} %` : format.number(value);
}

/**
 * The protected cells of one table, a page at a time: one column per dimension in words, and
 * the count, or "withheld" (marked, never 0) where the protection hid it.
 */
export function CellsTable({ table, caption }: { table: StatisticsTable; caption: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [page, setPage] = useState(0);
  const [area, setArea] = useState('');
  const region = table.dimensions.indexOf('region');
  const areas = [
    ...new Set(table.cells.map((cell) => stateOf(cell.key[region] ?? '') ?? '')),
  ].filter((code) => code !== '');
  const rows =
    area === ''
      ? table.cells
      : table.cells.filter((cell) => stateOf(cell.key[region] ?? '') === area);
  const total = rows.length;
  const from = Math.min(page * pageSize, Math.max(0, total - 1));
  const shown = rows.slice(from, from + pageSize);
  return (
    <>
      {region !== -1 && areas.length > 1 ? (
        <div className="field">
          <label htmlFor="statistics-area">{t('statistics.areaFilter')}</label>
          <select
            id="statistics-area"
            value={area}
            onChange={(event) => {
              setArea(event.target.value);
              setPage(0);
            }}
          >
            <option value="">{t('statistics.code.VE')}</option>
            {areas.map((code) => (
              <option key={code} value={code}>
                {codeLabel(t, 'region', code)}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {/* A table wider than a phone scrolls; the region takes focus so a keyboard can scroll it. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: axe's scrollable-region-focusable asks for it */}
      <section className="table-scroll" aria-label={caption} tabIndex={0}>
        <table data-testid="statistics-table">
          <caption>{caption}</caption>
          <thead>
            <tr>
              {table.dimensions.map((dimension) => (
                <th key={dimension} scope="col">
                  {t(`statistics.dimension.${dimension}`, { defaultValue: dimension })}
                </th>
              ))}
              <th scope="col" className="number">
                {table.unit === 'percent'
                  ? t('statistics.percent')
                  : table.dimensions.includes('item')
                    ? t('statistics.units')
                    : t('statistics.value')}
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((cell) => (
              <tr key={cell.key.join('|')}>
                {cell.key.map((code, d) => (
                  <td key={table.dimensions[d] ?? d}>
                    {codeLabel(t, table.dimensions[d] ?? '', code)}
                  </td>
                ))}
                <td className="number">
                  {cell.value === null ? (
                    <span className="withheld" data-withheld="true">
                      {t('statistics.withheld')}
                    </span>
                  ) : (
                    valueText(format, table.unit, cell.value)
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {total > pageSize ? (
        <div className="pager">
          <button
            type="button"
            className="button-secondary"
            disabled={page === 0}
            onClick={() => setPage(page - 1)}
          >
            {t('statistics.previous')}
          </button>
          <span aria-live="polite">
            {t('statistics.rowsShown', {
              from: from + 1,
              to: from + shown.length,
              total,
            })}
          </span>
          <button
            type="button"
            className="button-secondary"
            disabled={from + pageSize >= total}
            onClick={() => setPage(page + 1)}
          >
            {t('statistics.next')}
          </button>
        </div>
      ) : null}
    </>
  );
}
