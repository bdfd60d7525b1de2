import { geoMercator, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import topology from '../../../../src/shared/geography/venezuela-states.topo.json';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';
import { valueText } from './cells-table.js';

/**
 * A choropleth of Venezuela's 25 first-level divisions (issue #17, point 5): each state
 * shaded by its protected count in five classes, a withheld state hatched (never shaded as
 * 0), a state without a cell left blank. Boundaries: Natural Earth admin-1, public domain
 * (src/shared/geography/STATES-MAP-LICENSE.md). Each state carries its name and value as a
 * title, and the same values are in the table below the map.
 *
 * @example
 *   <StateMap values={new Map([['VE-A', 120], ['VE-B', null]])} label="Enrolled persons" />
 */
const width = 480;
const height = 360;
const shades = ['#deebf7', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];

// Safe: the file is TopoJSON written by scripts/venezuela-states-map.mjs, one object "states".
const states = feature(
  topology as unknown as Topology<{ states: GeometryCollection }>,
  (topology as unknown as Topology<{ states: GeometryCollection }>).objects.states,
) as FeatureCollection<Geometry>;
const projection = geoMercator().fitSize([width, height], states);
const drawn = states.features.map((state: Feature<Geometry>) => ({
  code: String(state.id),
  path: geoPath(projection)(state) ?? '',
}));

export function StateMap({
  values,
  label,
  unit,
}: {
  /** State code → protected count, or null when withheld; absent = no cell. */
  values: ReadonlyMap<string, number | null>;
  label: string;
  /** `percent`: the values are rates (shown with one decimal and %). */
  unit?: 'percent' | undefined;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const text = (value: number) => valueText(format, unit, value);
  const hatch = `hatch-${useId().replaceAll(':', '')}`;
  const breaks = useMemo(() => classBreaks(values), [values]);
  const fillOf = (value: number | null | undefined) => {
    if (value === undefined) return '#ffffff';
    if (value === null) return `url(#${hatch})`;
    const index = breaks.findIndex((upper) => value <= upper);
    return shades[index === -1 ? shades.length - 1 : index] ?? '#ffffff';
  };
  return (
    <figure className="state-map">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} data-testid="state-map">
        <defs>
          <pattern id={hatch} width="6" height="6" patternUnits="userSpaceOnUse">
            <rect width="6" height="6" fill="#f3f5f7" />
            <path d="M0,6 L6,0" stroke="#4a5360" strokeWidth="1.2" />
          </pattern>
        </defs>
        {drawn.map((state) => {
          const value = values.get(state.code);
          const shown =
            value === undefined
              ? t('statistics.mapLegendNone')
              : value === null
                ? t('statistics.withheld')
                : text(value);
          return (
            <path
              key={state.code}
              d={state.path}
              data-code={state.code}
              data-withheld={value === null ? 'true' : undefined}
              fill={fillOf(value)}
              stroke="#1b1f24"
              strokeWidth="0.6"
            >
              <title>{`${divisionName(state.code)}: ${shown}`}</title>
            </path>
          );
        })}
      </svg>
      <figcaption>
        <ul className="map-legend">
          {breaks.map((upper, index) => (
            <li key={upper}>
              <span className="swatch" style={{ background: shades[index] }} aria-hidden="true" />
              {`≤ ${text(upper)}`}
            </li>
          ))}
          <li>
            <svg width="14" height="14" aria-hidden="true" className="swatch">
              <rect width="14" height="14" fill={`url(#${hatch})`} />
            </svg>
            {t('statistics.mapLegendWithheld')}
          </li>
        </ul>
        <small>{t('statistics.mapNote')}</small>
      </figcaption>
    </figure>
  );
}

/** Upper bounds of up to five classes of equal count over the shown values. */
function classBreaks(values: ReadonlyMap<string, number | null>): number[] {
  const sorted = [...values.values()]
    .filter((value): value is number => value !== null)
    .sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const uppers = new Set<number>();
  for (let i = 1; i <= shades.length; i++) {
    const upper = sorted[Math.ceil((i * sorted.length) / shades.length) - 1];
    if (upper !== undefined) uppers.add(upper);
  }
  return [...uppers];
}
