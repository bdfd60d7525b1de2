import assert from 'node:assert/strict';
import { type Certificate, certificateChecker } from './certificate.js';
import { hypercubeCertificate, proportionalCertificate } from './hypercube-search.js';
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
  /** σ² of the keyed discrete Gaussian noise on published counts (`cell-noise.ts`); absent: none. */
  readonly noiseVariance?: number;
}

export type CellStatus = 'published' | 'primary' | 'secondary' | 'unpublished';

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
): Certificate {
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
  const change = new Map<number, number>();
  for (const [name, column] of Object.entries(answer.Columns)) {
    const member = Number(name.slice(1));
    // Columns are `{ Primal, … }` objects; the package types them loosely.
    const primal = (column as { Primal: number }).Primal;
    if (Math.abs(primal) <= 1e-9) continue;
    const signed = name.startsWith('u') ? primal : -primal;
    change.set(member, (change.get(member) ?? 0) + signed);
  }
  return { cell, shift, change };
}

export interface ProtectOptions {
  /**
   * Cells no published table shows (linked tables are views of one cube): the attacker does
   * not see them, so they move for free and are never suppressed themselves. Default: none.
   */
  readonly unpublished?: ReadonlySet<number>;
  /**
   * Cells sensitive for a reason the values do not show (an amount a dominant contributor
   * could estimate: the p % rule), withheld as primary cells besides the threshold rule.
   */
  readonly primary?: ReadonlySet<number>;
  /**
   * Whether a non-zero cell falls under the threshold rule. Default: its true count is below
   * `rules.threshold`. Counts with noise pass their noisy reading's verdict (`cell-noise.ts`),
   * so the pattern of withheld cells is decided by the same draw as the published values.
   */
  readonly underThreshold?: (cell: number) => boolean;
  /**
   * The protection distance of a primary cell, when it is not `rules.protectionLevel` (for
   * amounts: a share of the cell's value, so a large amount is not pinned down to 10 units).
   */
  readonly protectionOf?: (cell: number) => number;
}

export interface ProtectStatistics {
  readonly primary: number;
  readonly secondary: number;
  /** Certificates found by the hypercube search, and by a linear program when it found none. */
  readonly byHypercube: number;
  readonly byLinearProgram: number;
  /** …and, on a large table, by scaling the cell's detail (hides its ancestors). */
  readonly byProportion: number;
}

/** Above this many cells one linear program over the table takes seconds: not used. */
const linearProgramCellsMax = 5_000;

export async function protectTable(
  table: LinkedTable,
  rules: DisclosureRules,
  options: ProtectOptions = {},
): Promise<ProtectedTable & { readonly statistics: ProtectStatistics }> {
  const unpublished = options.unpublished ?? new Set<number>();
  const primary: number[] = [];
  table.values.forEach((value, cell) => {
    if (unpublished.has(cell) || value <= 0) return;
    const under = options.underThreshold?.(cell) ?? value < rules.threshold;
    if (under || options.primary?.has(cell)) primary.push(cell);
  });
  // Totals before detail, as τ-Argus's HiTaS does: complements chosen for a state's cell
  // are then free for the municipalities' cells beneath it.
  primary.sort((a, b) => (table.depths[a] ?? 0) - (table.depths[b] ?? 0) || a - b);
  const hidden = new Set<number>([...unpublished, ...primary]);
  const certificates: Certificate[] = [];
  let byLinearProgram = 0;
  let byProportion = 0;
  let model: { rows: string[]; bounds: string[] } | undefined;
  for (const cell of primary) {
    const value = table.values[cell] ?? 0;
    const level = options.protectionOf?.(cell) ?? rules.protectionLevel;
    for (const shift of [level, -Math.min(value, level)]) {
      let certificate = hypercubeCertificate({ table, hidden, cell, shift });
      if (certificate === null && table.values.length <= linearProgramCellsMax) {
        // Rare: no product change fits (sparse detail under a withheld total). The linear
        // program over the whole table finds the cheapest change; on a small table it is quick.
        model ??= changeModel(table);
        certificate = complementsFor(await loadSolver(), model, cell, shift, table, hidden);
        byLinearProgram++;
      }
      if (certificate === null) {
        certificate = proportionalCertificate({ table, hidden, cell, shift });
        byProportion++;
      }
      for (const [member, amount] of certificate.change) {
        if (amount !== 0) hidden.add(member);
      }
      certificates.push(certificate);
    }
  }
  // Hiding more only adds freedom, so a certificate found earlier still holds; checked anyway,
  // because a wrong certificate would publish a derivable cell.
  const check = certificateChecker(table);
  for (const certificate of certificates) {
    const reason = check(certificate, hidden);
    assert.equal(reason, null, `protection certificate of cell ${certificate.cell}: ${reason}`);
  }
  const primarySet = new Set(primary);
  let secondary = 0;
  const cells = table.values.map((value, cell): ProtectedCell => {
    const key = table.keys[cell] ?? [];
    if (primarySet.has(cell)) return { key, value: null, status: 'primary' };
    if (unpublished.has(cell)) return { key, value: null, status: 'unpublished' };
    if (hidden.has(cell)) {
      secondary++;
      return { key, value: null, status: 'secondary' };
    }
    return { key, value: roundToBase(value, rules.roundingBase), status: 'published' };
  });
  return {
    cells,
    rules,
    statistics: {
      primary: primary.length,
      secondary,
      byHypercube: certificates.length - byLinearProgram - byProportion,
      byLinearProgram,
      byProportion,
    },
  };
}
