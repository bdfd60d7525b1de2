import type { Dimension } from '../disclosure/linked-table.js';
import type { CoverageGroup } from '../read-models.js';
import { regionDimension } from '../tables/dimensions.js';

/**
 * Dimensions the published cubes share: areas with an "unknown" leaf for records that name
 * none, and programs → cycles keyed the same way in every table, so linked tables line up.
 */
/**
 * A region tree down to municipalities or parishes, with an "unknown" leaf under every node
 * that has children, for records that name the state but not the municipality (or the
 * municipality but not the parish).
 */
export function regionWithUnknown(depth: 1 | 2 | 3): Dimension {
  const base = regionDimension(depth === 1 ? 'state' : depth === 2 ? 'municipality' : 'parish');
  const parents = new Set(base.nodes.map((node) => node.parent));
  const nodes = [...base.nodes];
  for (const node of base.nodes) {
    if (parents.has(node.code)) nodes.push({ code: `${node.code}-unknown`, parent: node.code });
  }
  return { name: 'region', nodes };
}

/**
 * The leaf of a record's place: the deepest of its state, municipality and parish that the
 * tree knows and that lies under the one above, else the "unknown" leaf of the last known.
 */
export function placeLeaf(
  region: Dimension,
  place: readonly (string | null | undefined)[],
): string {
  const parentOf = new Map(region.nodes.map((node) => [node.code, node.parent]));
  const parents = new Set(region.nodes.map((node) => node.parent));
  let at = 'VE';
  for (const code of place) {
    if (code === null || code === undefined || parentOf.get(code) !== at) break;
    at = code;
  }
  return parents.has(at) ? `${at}-unknown` : at;
}

/**
 * The tree without the areas below a state where nobody is counted: their cells are all zero,
 * which adds nothing to any margin, and a parish cube of every area would be 160,000 cells
 * even for a registry of a few persons. States are always kept (the map shows all 25).
 */
export function prunedTo(dimension: Dimension, leaves: ReadonlySet<string>): Dimension {
  const parentOf = new Map(dimension.nodes.map((node) => [node.code, node.parent]));
  const kept = new Set<string>();
  for (const node of dimension.nodes) {
    if (node.parent === null || parentOf.get(node.parent) === null) kept.add(node.code);
  }
  for (const leaf of leaves) {
    for (let at: string | null | undefined = leaf; at != null; at = parentOf.get(at)) kept.add(at);
  }
  return { name: dimension.name, nodes: dimension.nodes.filter((node) => kept.has(node.code)) };
}

export function leafOf(dimension: Dimension, wanted: string | null, fallback: string): string {
  const known = wanted !== null && dimension.nodes.some((node) => node.code === wanted);
  if (!known) return fallback;
  const isLeaf = !dimension.nodes.some((node) => node.parent === wanted);
  return isLeaf ? (wanted as string) : fallback; // `known` says wanted is not null
}

export const regionLevels = {
  'region.state': { dimension: 'region', depth: 1 },
  'region.municipality': { dimension: 'region', depth: 2 },
  'region.parish': { dimension: 'region', depth: 3 },
} as const;

/** The key of a cycle in the program → cycle tree: `program/reference date/id prefix`. */
export function cycleKey(group: { programCode: string; referenceDate: string; cycleId: string }) {
  return `${group.programCode}/${group.referenceDate}/${group.cycleId.slice(0, 8)}`;
}

/** A program → cycle tree from the cycles present (cycles ordered by reference date). */
export function programCycleDimension(groups: readonly CoverageGroup[]): Dimension {
  const nodes: { code: string; parent: string | null }[] = [{ code: 'all', parent: null }];
  const seen = new Set<string>();
  const ordered = [...groups].sort((a, b) => a.referenceDate.localeCompare(b.referenceDate));
  for (const group of ordered) {
    if (!seen.has(group.programCode)) {
      seen.add(group.programCode);
      nodes.push({ code: group.programCode, parent: 'all' });
    }
    const cycle = cycleKey(group);
    if (!seen.has(cycle)) {
      seen.add(cycle);
      nodes.push({ code: cycle, parent: group.programCode });
    }
  }
  return { name: 'program_cycle', nodes };
}

/**
 * The canonical quantity of the persons who redeemed an entitlement of a program → cycle node
 * anywhere in the country, by mode (`redeemed` in all, with the `card`, `without_card`):
 * coverage counts them by where they live and the redemption table by the point's state, and
 * at the country's total both count the same persons, so both show one keyed draw
 * (`PublishedTable.quantityOf`, `cell-noise.ts`).
 */
export function countryRedeemedQuantity(
  programCycle: string,
  mode: 'redeemed' | 'card' | 'without_card',
): string {
  return JSON.stringify(['redeemed_in_country', programCycle, mode]);
}
