import { useTranslation } from 'react-i18next';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { StatisticsTable } from '../../../../src/shared/api/statistics.js';
import { codeLabel } from './cell-labels.js';

const colours = ['#0b5a8c', '#b35806', '#1e6b34', '#6a3d9a'];

/**
 * A bar chart of one table (issue #17, point 5) over its first dimension other than area,
 * at its finest level, for the whole country: people by age group with a bar per sex,
 * or a count per program cycle (the trend across cycles). Withheld counts are not drawn
 * (the chart says so; the table marks them). Animation is off: nothing moves for a reader
 * who asked for less motion, and the bars are there at once.
 */
export function TableChart({ table }: { table: StatisticsTable }) {
  const { t } = useTranslation();
  const plan = chartPlan(table);
  if (plan === null) return null;
  const dimensionWord = t(`statistics.dimension.${plan.xDimension}`, {
    defaultValue: plan.xDimension,
  }).toLowerCase();
  // Age bands are short as they are ("20-24"); other codes read better in words.
  const data = plan.rows.map((row) => ({
    ...row,
    label:
      plan.xDimension === 'age_band' && row.code !== 'unknown'
        ? row.code
        : codeLabel(t, plan.xDimension, String(row.code)),
  }));
  return (
    <figure className="table-chart">
      <figcaption>
        <strong>{t('statistics.chartTitle', { dimension: dimensionWord })}</strong>{' '}
        <small>{t('statistics.chartNote')}</small>
      </figcaption>
      <div className="chart-box" data-testid="table-chart">
        <ResponsiveContainer width="100%" height={280}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" interval="preserveStartEnd" tick={{ fontSize: 11 }} />
            <YAxis tick={{ fontSize: 11 }} width={48} />
            <Tooltip />
            {plan.series.length > 1 ? <Legend /> : null}
            {plan.series.map((series, index) => (
              <Bar
                key={series.code}
                dataKey={series.code}
                name={
                  plan.seriesDimension === null
                    ? table.unit === 'percent'
                      ? t('statistics.percent')
                      : t('statistics.value')
                    : codeLabel(t, plan.seriesDimension, series.code)
                }
                fill={colours[index % colours.length]}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

interface ChartPlan {
  xDimension: string;
  seriesDimension: string | null;
  series: { code: string }[];
  rows: Record<string, string | number | null>[];
}

/** Which cells the chart draws: area at the total, x at its finest level, series at level 1. */
function chartPlan(table: StatisticsTable): ChartPlan | null {
  const dimensions = table.dimensions;
  const others = dimensions.map((name, d) => ({ name, d })).filter((x) => x.name !== 'region');
  const x = others[0];
  if (x === undefined) return null;
  const series = others[1] ?? null;
  const xDepth = Math.max(0, ...table.cells.map((cell) => cell.depths[x.d] ?? 0));
  if (xDepth === 0) return null;
  const rowsByCode = new Map<string, Record<string, string | number | null>>();
  const seriesCodes = new Set<string>();
  for (const cell of table.cells) {
    const fits = dimensions.every((_name, d) => {
      const depth = cell.depths[d] ?? 0;
      if (d === x.d) return depth === xDepth;
      if (series !== null && d === series.d) return depth === 1;
      return depth === 0;
    });
    if (!fits) continue;
    const xCode = cell.key[x.d] ?? '';
    const seriesCode = series === null ? 'value' : (cell.key[series.d] ?? '');
    if (seriesCode === 'unknown') continue;
    seriesCodes.add(seriesCode);
    const row = rowsByCode.get(xCode) ?? { code: xCode };
    row[seriesCode] = cell.value;
    rowsByCode.set(xCode, row);
  }
  return {
    xDimension: x.name,
    seriesDimension: series?.name ?? null,
    series: [...seriesCodes].map((code) => ({ code })),
    rows: [...rowsByCode.values()],
  };
}
