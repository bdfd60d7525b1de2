import assert from 'node:assert/strict';
import type { LinkedTable } from './linked-table.js';
import { loadSolver, type Solver } from './solver.js';

/**
 * Disclosure control for a table of counts (issue #17, point 3; safeguard 8):
 *
 * 1. **Primary suppression.** A cell from 1 to `threshold − 1` is withheld. Zero stays zero:
 *    an empty cell says nothing about anyone.
 * 2. **Complementary suppression.** The published margins (state totals, municipality
 *    totals, the all-sexes column) would let anyone subtract their way back to a withheld
 *    cell. For every primary cell and each direction, one linear program finds the cheapest
 *    set of published cells that, once withheld too, leaves an attacker who knows every
 *    published count exactly unable to bound the cell tighter than its protection interval
 *    `[max(0, v − protectionLevel), v + protectionLevel]`.
 * 3. **Rounding.** What is published is rounded to a multiple of `roundingBase`; a count
 *    that is not zero never rounds to zero.
 *
 * The protection is computed on the true counts (an attacker who knew the unrounded margins
 * could do no better), so rounding only adds protection. The attack test
 * (`protect-table.test.ts`) checks the result with an attacker written apart from this.
 *
 * @example
 *   const published = await protectTable(table, { threshold: 10, protectionLevel: 10, roundingBase: 5 });
 *   published.cells.filter((cell) => cell.status === 'primary'); // value null
 */

export interface DisclosureRules {
  /** Cells from 1 to threshold − 1 are withheld. */
  readonly threshold: number;
  /** How far either side of a withheld primary cell's value the attacker must be unable to rule out. */
  readonly protectionLevel: number;
  /** Published counts are multiples of this. */
  readonly roundingBase: number;
}

export type CellStatus = 'published' | 'primary' | 'secondary';

export interface ProtectedCell {
  readonly key: readonly string[];
  /** Rounded count, or null when withheld. */
  readonly value: number | null;
  readonly status: CellStatus;
}

export interface ProtectedTable {
  readonly cells: readonly ProtectedCell[];
  readonly rules: DisclosureRules;
}

export function roundToBase(value: number, base: number): number {
  if (value === 0) return 0;
  return Math.max(base, Math.round(value / base) * base);
}

/**
 * The additivity rows and bounds of the complement search, written once per table: a cell
 * `i` that is not zero may rise by `u_i` or fall by `d_i ≤ value_i` (counts stay
 * non-negative); zeros stay zero, so they have no variables.
 */
function changeModel(table: LinkedTable): { rows: string[]; bounds: string[] } {
  const moving = (i: number): boolean => (table.values[i] ?? 0) > 0;
  const rows: string[] = [];
  table.constraints.forEach((constraint, row) => {
    const terms = [constraint.total, ...constraint.parts]
      .filter(moving)
      .map((member) =>
        member === constraint.total ? `+ u${member} - d${member}` : `- u${member} + d${member}`,
      );
    if (terms.length > 0) rows.push(` r${row}: ${terms.join(' ')} = 0`);
  });
  const bounds = table.values.flatMap((value, i) => (value > 0 ? [` 0 <= d${i} <= ${value}`] : []));
  return { rows, bounds };
}

/**
 * The published cells to withhold so that `cell` can move by `shift` while the table still
 * adds up: the cheapest such change (cost = the counts changed, so large totals are kept
 * when detail can be given up), by one linear program. Withheld cells move for free, so an
 * answer that changes no published cell means the attacker already cannot rule that value
 * out: the feasible tables form a convex set holding the true one, and this one too.
 * Otherwise the published cells it changes become complements, and afterwards the
 * attacker's bound in that direction is at least `shift` away.
 */
function complementsFor(
  highs: Solver,
  model: { rows: readonly string[]; bounds: readonly string[] },
  cell: number,
  shift: number,
  table: LinkedTable,
  withheld: ReadonlySet<number>,
): number[] {
  const objective: string[] = [];
  table.values.forEach((value, i) => {
    if (value > 0 && !withheld.has(i)) objective.push(`+ ${value} u${i} + ${value} d${i}`);
  });
  const answer = highs.solve(
    [
      'Minimize',
      ` obj: ${objective.length > 0 ? objective.join(' ') : `0 u${cell}`}`,
      'Subject To',
      ...model.rows,
      ` target: u${cell} - d${cell} = ${shift}`,
      'Bounds',
      ...model.bounds,
      'End',
    ].join('\n'),
  );
  assert.equal(answer.Status, 'Optimal', 'withholding every non-zero cell always protects a cell');
  const changed = new Set<number>();
  for (const [name, column] of Object.entries(answer.Columns)) {
    const member = Number(name.slice(1));
    // Columns are `{ Primal, … }` objects; the package types them loosely.
    const primal = (column as { Primal: number }).Primal;
    if (!withheld.has(member) && Math.abs(primal) > 1e-7) changed.add(member);
  }
  return [...changed];
}

/**
 * A quick way to know a cell is already protected, without a linear program: a hypercube of
 * withheld cells around it. Pick, in every dimension where the cell is not the total, a
 * sibling; moving the cell by +δ and each corner by ±δ (− where an odd number of
 * coordinates were switched) keeps every margin, so if the "−" corners hold at least the
 * protection level and the "+" corners at least the downward shift, the attacker cannot rule
 * out either end of the interval. Only for cells that are a leaf or the total in each
 * dimension (an inner node's own children would have to move too).
 */
function hypercubeProtects(
  cell: number,
  table: LinkedTable,
  withheld: ReadonlySet<number>,
  rules: DisclosureRules,
): boolean {
  const coordinate = table.coordinates[cell] ?? [];
  const varied: { dimension: number; siblings: number[] }[] = [];
  for (const [dimension, node] of coordinate.entries()) {
    const parent = table.parents[dimension]?.[node] ?? -1;
    if (parent === -1) continue;
    if ((table.children[dimension]?.[node]?.length ?? 0) > 0) return false;
    const siblings = (table.children[dimension]?.[parent] ?? []).filter((other) => other !== node);
    if (siblings.length === 0) return false;
    varied.push({ dimension, siblings });
  }
  if (varied.length === 0) return false;
  const value = table.values[cell] ?? 0;
  const down = Math.min(value, rules.protectionLevel);
  const search = (depth: number, switched: number[]): boolean => {
    if (depth === varied.length) {
      // Every corner but the cell itself: those with an odd number of switches fall as the cell rises.
      for (let mask = 1; mask < 1 << varied.length; mask++) {
        let corner = cell;
        let odd = false;
        varied.forEach((axis, k) => {
          if ((mask >> k) & 1) {
            corner += switched[k] ?? 0;
            odd = !odd;
          }
        });
        const cornerValue = table.values[corner] ?? 0;
        if (!withheld.has(corner) || cornerValue < (odd ? rules.protectionLevel : down))
          return false;
      }
      return true;
    }
    const axis = varied[depth] as (typeof varied)[number]; // depth < varied.length here
    const node = coordinate[axis.dimension] ?? 0;
    const stride = table.strides[axis.dimension] ?? 1;
    for (const sibling of axis.siblings) {
      // The corner that switches only this coordinate falls as the cell rises.
      const step = (sibling - node) * stride;
      const lone = cell + step;
      if ((table.values[lone] ?? 0) < rules.protectionLevel || !withheld.has(lone)) continue;
      if (search(depth + 1, [...switched, step])) return true;
    }
    return false;
  };
  return search(0, []);
}

export async function protectTable(
  table: LinkedTable,
  rules: DisclosureRules,
): Promise<ProtectedTable> {
  const primary = new Set<number>();
  table.values.forEach((value, cell) => {
    if (value > 0 && value < rules.threshold) primary.add(cell);
  });
  const withheld = new Set(primary);
  const highs = await loadSolver();
  const model = changeModel(table);
  // Withholding a cell only adds a variable to the attacker's problem, so a cell once
  // protected stays protected: one pass, two directions per primary cell.
  for (const cell of primary) {
    if (hypercubeProtects(cell, table, withheld, rules)) continue;
    const value = table.values[cell] ?? 0;
    for (const shift of [rules.protectionLevel, -Math.min(value, rules.protectionLevel)]) {
      for (const complement of complementsFor(highs, model, cell, shift, table, withheld)) {
        withheld.add(complement);
      }
    }
  }
  const cells = table.values.map((value, cell): ProtectedCell => {
    const key = table.keys[cell] ?? [];
    if (primary.has(cell)) return { key, value: null, status: 'primary' };
    if (withheld.has(cell)) return { key, value: null, status: 'secondary' };
    return { key, value: roundToBase(value, rules.roundingBase), status: 'published' };
  });
  return { cells, rules };
}
