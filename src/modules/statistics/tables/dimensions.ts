import { listStates } from '../../geography/index.js';
import type { Dimension } from '../disclosure/linked-table.js';

/**
 * The dimensions the published tables are cut by, as trees whose root is the total.
 *
 * @example
 *   regionDimension('municipality').nodes.length; // 1 + 25 states + their municipalities
 */

export type RegionLevel = 'state' | 'municipality' | 'parish';

const regionDepth: Record<RegionLevel, number> = { state: 1, municipality: 2, parish: 3 };

/** VE → states → municipalities → parishes, down to `level`. */
export function regionDimension(level: RegionLevel): Dimension {
  const depth = regionDepth[level];
  const nodes: { code: string; parent: string | null }[] = [{ code: 'VE', parent: null }];
  for (const state of listStates()) {
    nodes.push({ code: state.code, parent: 'VE' });
    if (depth < 2) continue;
    for (const municipality of state.municipalities) {
      nodes.push({ code: municipality.code, parent: state.code });
      if (depth < 3) continue;
      for (const parish of municipality.parishes) {
        nodes.push({ code: parish.code, parent: municipality.code });
      }
    }
  }
  return { name: 'region', nodes };
}

/** Five-year age bands, the last open: `0-4`, `5-9`, …, `95+`. */
export const ageBands: readonly string[] = Array.from({ length: 20 }, (_, i) =>
  i === 19 ? '95+' : `${i * 5}-${i * 5 + 4}`,
);

export function ageBandOf(ageYears: number): string {
  const band = Math.min(19, Math.max(0, Math.floor(ageYears / 5)));
  return ageBands[band] ?? '95+';
}

export const ageBandDimension: Dimension = {
  name: 'age_band',
  nodes: [
    { code: 'all', parent: null },
    ...ageBands.map((band) => ({ code: band, parent: 'all' })),
  ],
};

export const sexDimension: Dimension = {
  name: 'sex',
  nodes: [
    { code: 'all', parent: null },
    { code: 'F', parent: 'all' },
    { code: 'M', parent: 'all' },
  ],
};

/** A flat dimension: a total over the given codes. */
export function flatDimension(name: string, codes: readonly string[]): Dimension {
  return nestedDimension(name, 'all', codes);
}

/**
 * A measure and the measures nested in it, as a tree (issue #17, point 3): `total` → `parts`,
 * where the parts split the total (entitled and eligible without an entitlement split the
 * eligible). A relation such as entitled ≤ eligible is then an additivity row whose other part
 * is a count, never negative, so the complementary suppression and an attacker's linear program
 * both hold it.
 *
 * @example
 *   nestedDimension('measure', 'eligible', ['entitled', 'not_entitled']);
 */
export function nestedDimension(name: string, total: string, parts: readonly string[]): Dimension {
  return {
    name,
    nodes: [{ code: total, parent: null }, ...parts.map((code) => ({ code, parent: total }))],
  };
}
