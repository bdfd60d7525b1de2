import highsDefault from 'highs';

// The package ships CommonJS declarations (`export default`) beside an ES build. Under
// `nodenext` TypeScript types this default import as the CommonJS module object, whose
// `default` is the loader; Node loads the ES build, whose default export is the loader
// itself. The cast says what Node actually hands us.
const highsLoader = highsDefault as unknown as typeof highsDefault.default;

/**
 * The attacker of issue #17, point 3, as a function: given the additivity constraints of a
 * table, the published values and which cells are withheld, how tightly can someone bound
 * each withheld cell by linear programming? They know every published cell exactly (a
 * stronger attacker than one who sees rounded figures), that counts are never negative,
 * and that the table adds up; they solve min and max of each withheld cell.
 *
 * The publisher runs this before anything is published (complementary suppression adds
 * cells until every primary cell's interval is wide enough) and the attack test runs an
 * independent copy of it against what was published.
 *
 * @example
 *   const bounds = await attackIntervals(constraints, values, withheld, [7]);
 *   bounds.get(7); // { lower: 0, upper: 19 }
 */

export type Solver = Awaited<ReturnType<typeof highsLoader>>;
let solver: Promise<Solver> | undefined;

export function loadSolver(): Promise<Solver> {
  const loading = solver ?? highsLoader();
  solver = loading;
  return loading;
}

export interface Constraint {
  readonly total: number;
  readonly parts: readonly number[];
}

export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/**
 * The cells connected to `start` through constraints that involve at least two withheld
 * cells; only they (and those constraints) matter for `start`'s interval.
 */
function component(
  start: number,
  withheld: ReadonlySet<number>,
  byCell: ReadonlyMap<number, readonly number[]>,
  constraints: readonly Constraint[],
): { cells: number[]; rows: number[] } {
  const cells = new Set([start]);
  const rows = new Set<number>();
  const queue = [start];
  while (queue.length > 0) {
    const cell = queue.pop() as number; // the loop condition says the queue is not empty
    for (const row of byCell.get(cell) ?? []) {
      if (rows.has(row)) continue;
      rows.add(row);
      const constraint = constraints[row] as Constraint; // byCell holds indexes into constraints
      for (const member of [constraint.total, ...constraint.parts]) {
        if (withheld.has(member) && !cells.has(member)) {
          cells.add(member);
          queue.push(member);
        }
      }
    }
  }
  return { cells: [...cells], rows: [...rows] };
}

function lpModel(
  cells: readonly number[],
  rows: readonly number[],
  constraints: readonly Constraint[],
  values: readonly number[],
  withheld: ReadonlySet<number>,
): (target: number, sense: 'Minimize' | 'Maximize') => string {
  const name = (cell: number): string => `x${cell}`;
  const lines: string[] = [];
  for (const row of rows) {
    const constraint = constraints[row] as Constraint; // rows are indexes into constraints
    // total − Σ parts = 0, with the published cells moved to the right-hand side.
    const terms: string[] = [];
    let rhs = 0;
    const add = (cell: number, sign: 1 | -1): void => {
      if (withheld.has(cell)) terms.push(`${sign === 1 ? '+' : '-'} ${name(cell)}`);
      else rhs -= sign * (values[cell] ?? 0);
    };
    add(constraint.total, 1);
    for (const part of constraint.parts) add(part, -1);
    lines.push(` r${row}: ${terms.join(' ')} = ${rhs}`);
  }
  const bounds = cells.map((cell) => ` ${name(cell)} >= 0`);
  return (target, sense) =>
    [sense, ` obj: ${name(target)}`, 'Subject To', ...lines, 'Bounds', ...bounds, 'End'].join('\n');
}

/** Bounds the attacker can prove for each of `targets` (all withheld). Unbounded → Infinity. */
export async function attackIntervals(
  constraints: readonly Constraint[],
  values: readonly number[],
  withheld: ReadonlySet<number>,
  targets: readonly number[],
): Promise<Map<number, Interval>> {
  const highs = await loadSolver();
  const byCell = new Map<number, number[]>();
  constraints.forEach((constraint, row) => {
    for (const cell of [constraint.total, ...constraint.parts]) {
      if (!withheld.has(cell)) continue;
      const list = byCell.get(cell) ?? [];
      list.push(row);
      byCell.set(cell, list);
    }
  });
  const result = new Map<number, Interval>();
  for (const target of targets) {
    const { cells, rows } = component(target, withheld, byCell, constraints);
    if (rows.length === 0) {
      result.set(target, { lower: 0, upper: Number.POSITIVE_INFINITY });
      continue;
    }
    const model = lpModel(cells, rows, constraints, values, withheld);
    const solve = (sense: 'Minimize' | 'Maximize'): number => {
      const answer = highs.solve(model(target, sense));
      if (answer.Status === 'Unbounded') return Number.POSITIVE_INFINITY;
      if (answer.Status !== 'Optimal') {
        throw new Error(`disclosure audit: the solver answered ${answer.Status}`);
      }
      return answer.ObjectiveValue;
    };
    result.set(target, { lower: solve('Minimize'), upper: solve('Maximize') });
  }
  return result;
}
