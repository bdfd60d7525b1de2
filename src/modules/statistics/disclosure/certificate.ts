import type { LinkedTable } from './linked-table.js';

/**
 * A protection certificate: a change of the table (cell index → amount) that keeps every
 * additivity row, keeps every count non-negative, changes only cells the attacker does not
 * see, and moves one withheld cell by its whole protection distance. Its existence proves
 * that the table `truth + change` is as consistent with everything published as the truth
 * itself, so no attacker — linear programming or otherwise — can rule out that value.
 * Checking one is a walk over the rows it touches: no solver.
 *
 * @example
 *   const check = certificateChecker(table);
 *   check({ cell: 7, shift: 10, change: new Map([[7, 10], [8, -10], …]) }, withheld); // null when valid
 */
export interface Certificate {
  readonly cell: number;
  readonly shift: number;
  readonly change: ReadonlyMap<number, number>;
}

const tolerance = 1e-7;

/** The rows each cell appears in, built once per table. */
function rowsByCell(table: LinkedTable): number[][] {
  const rows: number[][] = table.values.map(() => []);
  table.constraints.forEach((constraint, row) => {
    rows[constraint.total]?.push(row);
    for (const part of constraint.parts) rows[part]?.push(row);
  });
  return rows;
}

/** Returns a checker; the checker answers null for a valid certificate, else the reason. */
export function certificateChecker(
  table: LinkedTable,
): (certificate: Certificate, hidden: ReadonlySet<number>) => string | null {
  const rows = rowsByCell(table);
  return (certificate, hidden) => {
    const moved = certificate.change.get(certificate.cell) ?? 0;
    if (Math.abs(moved - certificate.shift) > tolerance)
      return 'the cell does not move by its shift';
    const touched = new Set<number>();
    for (const [cell, amount] of certificate.change) {
      if (Math.abs(amount) <= tolerance) continue;
      if (!hidden.has(cell)) return `cell ${cell} is published but changes`;
      if ((table.values[cell] ?? 0) + amount < -tolerance) return `cell ${cell} would be negative`;
      for (const row of rows[cell] ?? []) touched.add(row);
    }
    for (const row of touched) {
      const constraint = table.constraints[row];
      if (constraint === undefined) continue;
      const parts = constraint.parts.reduce(
        (sum, part) => sum + (certificate.change.get(part) ?? 0),
        0,
      );
      const total = certificate.change.get(constraint.total) ?? 0;
      if (Math.abs(parts - total) > tolerance * (1 + constraint.parts.length)) {
        return `row ${row} no longer adds up`;
      }
    }
    return null;
  };
}
