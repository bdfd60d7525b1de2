import type { TFunction } from 'i18next';
import { divisionName } from '../../geography/divisions.js';

/**
 * Words for the codes a statistics cell is keyed by: an area code as its name, an age band,
 * a sex, a program and cycle; the total of each dimension ("all", "VE") as its own words.
 *
 * @example
 *   codeLabel(t, 'region', 'VE-A'); // 'Distrito Capital'
 *   codeLabel(t, 'program_cycle', 'food_box/2026-11-01/0a1b2c3d'); // 'food_box · 2026-11-01'
 */
export function codeLabel(t: TFunction, dimension: string, code: string): string {
  if (dimension === 'region') return areaLabel(t, code);
  if (code === 'all') return t(`statistics.code.all.${dimension}`, { defaultValue: code });
  if (code === 'unknown') return t('statistics.code.unknown');
  if (['sex', 'measure', 'mode', 'kind'].includes(dimension)) {
    return t(`statistics.code.${dimension}.${code}`, { defaultValue: code });
  }
  if (dimension === 'age_band') return t('statistics.code.years', { band: code });
  if (dimension === 'program_cycle') {
    const [program, date] = code.split('/');
    return date === undefined ? (program ?? code) : `${program} · ${date}`;
  }
  return code;
}

/**
 * An area: the country, a state, municipality or parish by name, a distribution point
 * (`VE-A/caracas-01`, keyed under its state) by its code and state, or an area not recorded.
 */
function areaLabel(t: TFunction, code: string): string {
  if (code === 'VE') return t('statistics.code.VE');
  if (code === 'VE-unknown') return t('statistics.code.unknownArea');
  const point = code.indexOf('/');
  if (point !== -1) {
    const state = code.slice(0, point);
    const within = state === 'VE-unknown' ? t('statistics.code.unknownArea') : divisionName(state);
    return `${t('statistics.code.point', { point: code.slice(point + 1) })} · ${within}`;
  }
  if (code.endsWith('-unknown')) {
    const area = code.slice(0, -'-unknown'.length);
    // A state's code has two parts (VE-A), a municipality's three (VE-A-01).
    const key = area.split('-').length > 2 ? 'unknownWithinMunicipality' : 'unknownWithin';
    return t(`statistics.code.${key}`, { area: divisionName(area) });
  }
  return divisionName(code);
}

/** The state an area or point code lies in (`VE-A-01-02` and `VE-A/caracas-01` → `VE-A`). */
export function stateOf(code: string): string | null {
  return /^VE-[A-Z](?=$|[-/])/.exec(code)?.[0] ?? null;
}

/** A breakdown (`region.state,age_band,sex`) in words: "State × Age group × Sex". */
export function breakdownLabel(t: TFunction, by: string): string {
  return by
    .split(',')
    .map((level) => t(`statistics.level.${level.replaceAll('.', '_')}`, { defaultValue: level }))
    .join(' × ');
}
