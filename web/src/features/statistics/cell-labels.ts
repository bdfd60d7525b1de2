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
  if (dimension === 'region') {
    if (code === 'VE') return t('statistics.code.VE');
    if (code === 'VE-unknown') return t('statistics.code.unknownArea');
    if (code.endsWith('-unknown')) {
      return t('statistics.code.unknownWithin', { area: divisionName(code.slice(0, -8)) });
    }
    return divisionName(code);
  }
  if (code === 'all') return t(`statistics.code.all.${dimension}`, { defaultValue: code });
  if (code === 'unknown') return t('statistics.code.unknown');
  if (dimension === 'sex') return t(`statistics.code.sex.${code}`, { defaultValue: code });
  if (dimension === 'age_band') return t('statistics.code.years', { band: code });
  if (dimension === 'program_cycle') {
    const [program, date] = code.split('/');
    return date === undefined ? (program ?? code) : `${program} · ${date}`;
  }
  return code;
}

/** A breakdown (`region.state,age_band,sex`) in words: "State × Age group × Sex". */
export function breakdownLabel(t: TFunction, by: string): string {
  return by
    .split(',')
    .map((level) => t(`statistics.level.${level.replaceAll('.', '_')}`, { defaultValue: level }))
    .join(' × ');
}
