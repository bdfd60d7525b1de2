import assert from 'node:assert/strict';
import { attackIntervals, type Interval, loadSolver, type Solver } from './interval-attack.js';
import type { LinkedTable } from './linked-table.js';

/**
 * Disclosure control for a table of counts (issue #17, point 3; safeguard 8):
 *
 * 1. **Primary suppression.** A cell from 1 to `threshold − 1` is withheld. Zero stays zero:
 *    an empty cell says nothing about anyone.
 * 2. **Complementary suppression.** The published margins (state totals, municipality
 *    totals, the all-sexes column) would let anyone subtract their way back to a withheld
 *    cell. Every primary cell is audited by the linear-programming attacker
 *    (`attackIntervals`); while one can be bounded tighter than its protection interval —
 *    `[max(0, v − protectionLevel), v + protectionLevel]` — the cheapest published cell in
 *    the constraints around it is withheld too, and the audit runs again.
 * 3. **Rounding.** What is published is rounded to a multiple of `roundingBase`; a count
 *    that is not zero never rounds to zero.
 *
 * The audit works on the true counts (an attacker who knew the unrounded margins could do
 * no better), so rounding only adds protection.
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

function wideEnough(value: number, interval: Interval, level: number): boolean {
  // A solver's answer carries floating-point noise; counts are integers.
  const epsilon = 1e-6;
  return (
    interval.lower <= Math.max(0, value - level) + epsilon &&
    interval.upper >= value + level - epsilon
  );
}

/**
 * The published cells to withhold so that `cell` can move by `shift` while the table still
 * adds up, every count stays non-negative and zeros stay zero: the cheapest such change
 * (cost = the counts changed, so large totals are kept), found by one linear program. The
 * cells it changes become complements; after them the attacker's bound on `cell` in that
 * direction is at least `shift` away.
 */
function complementsFor(
  highs: Solver,
  cell: number,
  shift: number,
  table: LinkedTable,
  withheld: ReadonlySet<number>,
): number[] {
  const moving = (i: number): boolean => (table.values[i] ?? 0) > 0;
  const rows: string[] = [];
  table.constraints.forEach((constraint, row) => {
    const terms = [constraint.total, ...constraint.parts]
      .map((member, k) =>
        moving(member) ? `${k === 0 ? '+' : '-'} u${member} ${k === 0 ? '-' : '+'} d${member}` : '',
      )
      .filter((text) => text !== '');
    if (terms.length > 0) rows.push(` r${row}: ${terms.join(' ')} = 0`);
  });
  const objective: string[] = [];
  const bounds: string[] = [];
  table.values.forEach((value, i) => {
    if (!moving(i)) return;
    bounds.push(` 0 <= d${i} <= ${value}`);
    if (!withheld.has(i) && i !== cell) objective.push(`+ ${value} u${i} + ${value} d${i}`);
  });
  rows.push(` target: u${cell} - d${cell} = ${shift}`);
  const model = [
    'Minimize',
    ` obj: ${objective.length > 0 ? objective.join(' ') : `0 u${cell}`}`,
    'Subject To',
    ...rows,
    'Bounds',
    ...bounds,
    'End',
  ].join('\n');
  const answer = highs.solve(model);
  assert.equal(answer.Status, 'Optimal', 'withholding every non-zero cell always protects a cell');
  const changed: number[] = [];
  for (const [name, column] of Object.entries(answer.Columns)) {
    const member = Number(name.slice(1));
    if (
      member !== cell &&
      !withheld.has(member) &&
      Math.abs((column as { Primal: number }).Primal) > 1e-7
    ) {
      changed.push(member);
    }
  }
  return changed;
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
  // Withholding a cell only adds a variable to the attacker's problem, so intervals only
  // widen: a cell that passed stays passed, and only the failures need auditing again.
  const highs = await loadSolver();
  let failing = [...primary];
  for (;;) {
    const intervals = await attackIntervals(table.constraints, table.values, withheld, failing);
    failing = failing.filter(
      (cell) =>
        !wideEnough(
          table.values[cell] ?? 0,
          intervals.get(cell) as Interval, // attackIntervals answers every target
          rules.protectionLevel,
        ),
    );
    if (failing.length === 0) break;
    const before = withheld.size;
    for (const cell of failing) {
      const value = table.values[cell] ?? 0;
      for (const shift of [rules.protectionLevel, -Math.min(value, rules.protectionLevel)]) {
        if (shift === 0) continue;
        for (const complement of complementsFor(highs, cell, shift, table, withheld)) {
          withheld.add(complement);
        }
      }
    }
    // The linear programs above guarantee each failing cell its interval, so coming back
    // without having withheld anything new would loop for ever: say so instead.
    assert.ok(withheld.size > before, 'disclosure control found no complement for a failing cell');
  }
  const cells = table.values.map((value, cell): ProtectedCell => {
    const key = table.keys[cell] ?? [];
    if (primary.has(cell)) return { key, value: null, status: 'primary' };
    if (withheld.has(cell)) return { key, value: null, status: 'secondary' };
    return { key, value: roundToBase(value, rules.roundingBase), status: 'published' };
  });
  return { cells, rules };
}
