import { randomBytes } from 'node:crypto';
import highsDefault from 'highs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { aggregateReadModels } from '../../../statistics-read-models.js';
import type { Dimension } from '../disclosure/linked-table.js';
import { statisticsLimits } from '../limits.js';
import { coverageScene, paidCashCycle, stockScene } from '../statistics-test-kit.js';
import { publishedTables } from './catalogue.js';
import type { Cube } from './published-table.js';
import { type StoredCell, statisticsRefresher } from './table-refresher.js';

/**
 * The attack test over what a real refresh publishes (issue #17, point 3: "for every published
 * set of tables, a linear-programming attacker cannot bound any suppressed cell more tightly
 * than its protection interval"). A real registry, cycle, redemptions, appeals, a disbursement
 * through the ledger and stock movements (the scenes of the real-data tests) are refreshed;
 * then, for every stored cube of the catalogue (people, coverage with its appeals, redemption,
 * persons paid, amounts paid, stock), an attacker written here — apart from the protection —
 * reads the stored cells, knows the dimensions' trees, that every cell is the sum of its
 * children and that no cell is negative, and is given the TRUE value of every published cell
 * (stronger than the noisy, rounded figure anyone reads). By linear programming (HiGHS) it
 * bounds each withheld sensitive cell:
 *
 * - counts: a withheld cell whose true count is from 1 to threshold − 1 must keep
 *   `[max(0, v − protectionLevel), v + protectionLevel]` open;
 * - amounts and stock: a withheld cell paid to (moved by) fewer than threshold persons
 *   (movements), or whose two largest contributions leave under p % of the largest to the rest,
 *   must keep `[max(0, v − q), v + q]` open, q = max(protectionLevel, ⌈v · p / 100⌉) — the p %
 *   dominance interval.
 *
 * Coverage and the redemption table are also attacked together, with the cells they both
 * publish (redeemed, with and without the card, at the country level by program and cycle)
 * declared equal: the attacker combines linked tables across cubes too.
 */
const { threshold, protectionLevel, dominancePercent } = statisticsLimits;
const highsLoader = highsDefault as unknown as typeof highsDefault.default;

type Truth = Map<string, number>;
interface Attacked {
  readonly dimensions: readonly Dimension[];
  /** Published cells: key → true value. Absent: withheld or never published (unknown). */
  readonly known: ReadonlyMap<string, number>;
  readonly prefix: string;
}

const id = (key: readonly string[]): string => key.join('|');

/** Every combination of the dimensions' node codes. */
function everyCell(dimensions: readonly Dimension[]): string[][] {
  let cells: string[][] = [[]];
  for (const dimension of dimensions) {
    cells = cells.flatMap((prefix) => dimension.nodes.map((node) => [...prefix, node.code]));
  }
  return cells;
}

/** The true value of every cell: the sum of the leaves beneath it, walked up each tree. */
function truthOf(
  dimensions: readonly Dimension[],
  leaves: readonly { key: readonly string[]; value: number }[],
): Truth {
  const parentOf = dimensions.map((d) => new Map(d.nodes.map((node) => [node.code, node.parent])));
  const truth: Truth = new Map();
  for (const leaf of leaves) {
    const chains = leaf.key.map((code, d) => {
      const chain: string[] = [];
      for (let at: string | null | undefined = code; at != null; at = parentOf[d]?.get(at)) {
        chain.push(at);
      }
      return chain;
    });
    let keys: string[][] = [[]];
    for (const chain of chains) keys = keys.flatMap((prefix) => chain.map((c) => [...prefix, c]));
    for (const key of keys) truth.set(id(key), (truth.get(id(key)) ?? 0) + leaf.value);
  }
  return truth;
}

/** The two largest contributions beneath every cell (the p % rule's input). */
function largestOf(
  dimensions: readonly Dimension[],
  leaves: readonly { key: readonly string[]; largest: readonly number[] }[],
): Map<string, number[]> {
  const found = new Map<string, number[]>();
  for (const leaf of leaves) {
    // The cells above the leaf: those its lone count reaches.
    for (const key of truthOf(dimensions, [{ key: leaf.key, value: 1 }]).keys()) {
      const two = [...(found.get(key) ?? []), ...leaf.largest].sort((a, b) => b - a).slice(0, 2);
      found.set(key, two);
    }
  }
  return found;
}

/**
 * The attacker's linear program over one or more cubes: a variable per cell it does not know
 * (≥ 0), a row per additivity relation with the known cells moved to the right-hand side, and
 * the given equalities between cells of two cubes. Returns min and max of each target.
 */
async function attack(
  cubes: readonly Attacked[],
  targets: readonly { cube: number; key: string }[],
  equal: readonly { a: [number, string]; b: [number, string] }[] = [],
): Promise<Map<string, { lower: number; upper: number }>> {
  const highs = await highsLoader();
  const variables = new Map<string, string>();
  /** Σ coefficient · variable = rhs. */
  const rows: { terms: Map<string, number>; rhs: number }[] = [];
  const term = (cube: number, key: string): { name?: string; known: number } => {
    const attacked = cubes[cube] as Attacked;
    const known = attacked.known.get(key);
    if (known !== undefined) return { known };
    const full = `${attacked.prefix}${key}`;
    let name = variables.get(full);
    if (name === undefined) {
      name = `x${variables.size}`;
      variables.set(full, name);
    }
    return { name, known: 0 };
  };
  const row = (plus: { name?: string; known: number }[], minus: typeof plus) => {
    const terms = new Map<string, number>();
    for (const [side, sign] of [
      [plus, 1],
      [minus, -1],
    ] as const) {
      for (const t of side) if (t.name) terms.set(t.name, (terms.get(t.name) ?? 0) + sign);
    }
    const rhs = minus.reduce((s, t) => s + t.known, 0) - plus.reduce((s, t) => s + t.known, 0);
    if (terms.size > 0) rows.push({ terms, rhs });
    else expect(rhs, 'the published cells add up').toBe(0);
  };
  cubes.forEach((cube, c) => {
    const children = cube.dimensions.map((dimension) => {
      const kids = new Map<string, string[]>();
      for (const node of dimension.nodes) {
        if (node.parent !== null)
          kids.set(node.parent, [...(kids.get(node.parent) ?? []), node.code]);
      }
      return kids;
    });
    for (const key of everyCell(cube.dimensions)) {
      key.forEach((code, d) => {
        const kids = children[d]?.get(code);
        if (kids === undefined) return;
        const parts = kids.map((kid) => term(c, id(key.map((k, i) => (i === d ? kid : k)))));
        row([term(c, id(key))], parts);
      });
    }
  });
  for (const { a, b } of equal) row([term(a[0], a[1])], [term(b[0], b[1])]);
  // The attacker's first step: a row left with one unknown fixes it; substitute, repeat.
  const fixed = new Map<string, number>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of rows) {
      for (const [name, coefficient] of r.terms) {
        const value = fixed.get(name);
        if (value === undefined) continue;
        r.rhs -= coefficient * value;
        r.terms.delete(name);
      }
      const only = r.terms.size === 1 ? [...r.terms][0] : undefined;
      if (only !== undefined) {
        fixed.set(only[0], r.rhs / only[1]);
        r.terms.clear();
        changed = true;
      }
    }
  }
  // Rows that share no unknown are separate problems: each target needs only its own.
  const group = new Map<string, string>();
  const root = (name: string): string => {
    let at = name;
    while (group.has(at) && group.get(at) !== at) at = group.get(at) as string;
    return at;
  };
  for (const r of rows) {
    const [first, ...rest] = [...r.terms.keys()];
    if (first === undefined) continue;
    for (const name of rest) if (root(name) !== root(first)) group.set(root(name), root(first));
  }
  const problems = new Map<string, { text: string[]; bounds: Set<string> }>();
  rows.forEach((r, i) => {
    const [first] = r.terms.keys();
    if (first === undefined) return;
    const problem = problems.get(root(first)) ?? { text: [], bounds: new Set<string>() };
    problems.set(root(first), problem);
    const sum = [...r.terms].map(([n, c]) => `${c >= 0 ? '+' : '-'} ${Math.abs(c)} ${n}`);
    problem.text.push(` r${i}: ${sum.join(' ')} = ${r.rhs}`);
    for (const name of r.terms.keys()) problem.bounds.add(` ${name} >= 0`);
  });
  const result = new Map<string, { lower: number; upper: number }>();
  for (const target of targets) {
    const name = term(target.cube, target.key).name;
    expect(name, `${target.key} is withheld`).toBeDefined();
    const exact = fixed.get(name ?? '');
    const solve = (sense: 'Minimize' | 'Maximize'): number => {
      if (exact !== undefined) return exact;
      const problem = problems.get(root(name ?? ''));
      // In no row: nothing bounds it above.
      if (problem === undefined) return sense === 'Minimize' ? 0 : Number.POSITIVE_INFINITY;
      const lp = [sense, ` obj: ${name}`, 'Subject To', ...problem.text, 'Bounds'];
      lp.push(...problem.bounds, 'End');
      const answer = highs.solve(lp.join('\n'));
      if (answer.Status === 'Unbounded') return Number.POSITIVE_INFINITY;
      expect(answer.Status).toBe('Optimal');
      return answer.ObjectiveValue;
    };
    result.set(`${target.cube}:${target.key}`, {
      lower: solve('Minimize'),
      upper: solve('Maximize'),
    });
  }
  return result;
}

describe('the LP attacker against every cube a real refresh publishes', () => {
  let database: TestDatabase;
  const stored = new Map<string, StoredCell[]>();
  const cubes = new Map<string, Cube>();

  beforeAll(async () => {
    database = await createTestDatabase();
    await coverageScene(database, randomBytes(32));
    await paidCashCycle(database, 'beca', 1_000_000_00n);
    await stockScene(database);
    const models = aggregateReadModels();
    await statisticsRefresher({ db: database.db, models });
    const rows = await database.db
      .selectFrom('statistics_table')
      .select(['code', 'cells'])
      .execute();
    for (const row of rows) {
      // The column holds the StoredCell[] the refresher wrote (JSON).
      const cells = (
        typeof row.cells === 'string' ? JSON.parse(row.cells) : row.cells
      ) as StoredCell[];
      stored.set(row.code, cells);
    }
    for (const table of publishedTables) {
      const cube = await table.build(models, database.db, new Date());
      if (cube !== null) cubes.set(table.code, cube);
    }
  }, 180_000);
  afterAll(async () => database?.close());

  /** What the attacker reads of a stored cube: the published cells, at their true values. */
  function attacked(code: string, truth: Truth, prefix: string): Attacked {
    const cube = cubes.get(code);
    const cells = stored.get(code);
    expect(cube, code).toBeDefined();
    expect(cells, code).toBeDefined();
    const known = new Map<string, number>();
    for (const cell of cells ?? []) {
      if (cell.value !== null) known.set(id(cell.key), truth.get(id(cell.key)) ?? 0);
    }
    return { dimensions: cube?.dimensions ?? [], known, prefix };
  }

  function withheld(code: string): string[] {
    return (stored.get(code) ?? []).filter((cell) => cell.value === null).map((c) => id(c.key));
  }

  function expectProtected(
    bounds: Map<string, { lower: number; upper: number }>,
    truth: Truth,
    cube: number,
    keys: readonly string[],
    distance: (value: number) => number,
  ): void {
    for (const key of keys) {
      const value = truth.get(key) ?? 0;
      const bound = bounds.get(`${cube}:${key}`);
      const level = distance(value);
      expect(bound?.lower, `${key} (${value}) lower`).toBeLessThanOrEqual(
        Math.max(0, value - level) + 1e-6,
      );
      expect(bound?.upper, `${key} (${value}) upper`).toBeGreaterThanOrEqual(value + level - 1e-6);
    }
  }

  const countTruth = (code: string): Truth => {
    const cube = cubes.get(code) as Cube;
    return truthOf(
      cube.dimensions,
      cube.leafCounts.map((leaf) => ({ key: leaf.key, value: leaf.count })),
    );
  };
  /** The primary cells of a table of counts: withheld, from 1 to threshold − 1. */
  const sensitiveCounts = (code: string, truth: Truth) =>
    withheld(code).filter((key) => {
      const count = truth.get(key) ?? 0;
      return count > 0 && count < threshold;
    });

  it.each(['people_by_age_sex_region', 'payees_by_program_month'])(
    'cannot narrow a withheld count of %s',
    async (code) => {
      const truth = countTruth(code);
      const targets = sensitiveCounts(code, truth);
      const bounds = await attack(
        [attacked(code, truth, 'a')],
        targets.map((key) => ({ cube: 0, key })),
      );
      expectProtected(bounds, truth, 0, targets, () => protectionLevel);
      if (code === 'people_by_age_sex_region') expect(targets).toContain('VE-B-02-01|all|all'); // 3
    },
  );

  it('cannot narrow a withheld count of coverage, appeals or redemption, even combining them', async () => {
    const coverage = countTruth('coverage_by_program_cycle_area');
    const redeemed = countTruth('redeemed_by_program_cycle_state');
    const cubesAttacked = [
      attacked('coverage_by_program_cycle_area', coverage, 'c'),
      attacked('redeemed_by_program_cycle_state', redeemed, 'r'),
    ];
    // The cells both publish: redeemed persons at the country level, by program and cycle.
    const programCycles =
      cubes.get('redeemed_by_program_cycle_state')?.dimensions[1]?.nodes.map((n) => n.code) ?? [];
    const equal = programCycles.flatMap((p) =>
      (
        [
          ['redeemed', 'redeemed'],
          ['redeemed_with_card', 'card'],
          ['redeemed_without_card', 'without_card'],
        ] as const
      ).map(([c, r]) => ({
        a: [0, `VE|${p}|${c}`] as [number, string],
        b: [1, `VE|${p}|${r}|all`] as [number, string],
      })),
    );
    for (const { a, b } of equal) expect(coverage.get(a[1]) ?? 0).toBe(redeemed.get(b[1]) ?? 0);
    const coverageTargets = sensitiveCounts('coverage_by_program_cycle_area', coverage);
    const redeemedTargets = sensitiveCounts('redeemed_by_program_cycle_state', redeemed);
    // The scene's small cells (3 in VE-B-02, 2 redeemed without the card, 4 appeals upheld…)
    // are withheld unless their noisy reading reached the threshold: most are.
    expect(coverageTargets.length).toBeGreaterThan(3);
    const bounds = await attack(
      cubesAttacked,
      [
        ...coverageTargets.map((key) => ({ cube: 0, key })),
        ...redeemedTargets.map((key) => ({ cube: 1, key })),
      ],
      equal,
    );
    expectProtected(bounds, coverage, 0, coverageTargets, () => protectionLevel);
    expectProtected(bounds, redeemed, 1, redeemedTargets, () => protectionLevel);
    // The attacker has teeth: with the complements published (every withheld cell of 10 or
    // more), it pins some withheld cell exactly (e.g. 20 redeemed − 18 with the card = 2).
    const [first] = cubesAttacked;
    const opened = new Map(first?.known);
    for (const key of withheld('coverage_by_program_cycle_area')) {
      if ((coverage.get(key) ?? 0) >= threshold) opened.set(key, coverage.get(key) ?? 0);
    }
    const narrowed = await attack(
      [{ ...(first as Attacked), known: opened }],
      coverageTargets.filter((key) => !opened.has(key)).map((key) => ({ cube: 0, key })),
    );
    const pinned = coverageTargets.filter((key) => {
      const bound = narrowed.get(`0:${key}`);
      return bound !== undefined && bound.upper - bound.lower < 1e-6;
    });
    expect(pinned.length).toBeGreaterThan(0);
  }, 60_000);

  it.each(['paid_ves_by_program_month', 'stock_moved_by_point_month'])(
    'cannot narrow a withheld amount of %s tighter than its dominance interval',
    async (code) => {
      const cube = cubes.get(code) as Cube;
      const leaves = cube.amounts?.leaves ?? [];
      const amounts = truthOf(
        cube.dimensions,
        leaves.map((leaf) => ({ key: leaf.key, value: leaf.amount })),
      );
      const persons = truthOf(
        cube.dimensions,
        leaves.map((leaf) => ({ key: leaf.key, value: leaf.payees })),
      );
      const largest = largestOf(
        cube.dimensions,
        leaves.map((leaf) => ({ key: leaf.key, largest: leaf.largest ?? [] })),
      );
      const sensitive = withheld(code).filter((key) => {
        const amount = amounts.get(key) ?? 0;
        const few = (persons.get(key) ?? 0) > 0 && (persons.get(key) ?? 0) < threshold;
        const [first = 0, second = 0] = largest.get(key) ?? [];
        const dominated = first > 0 && (amount - first - second) * 100 < dominancePercent * first;
        return amount > 0 && (few || dominated);
      });
      // The scenes: one payment of 1,000,000.00 among 250.00s; a delivery of 900 among 50s, and a
      // point with 3 hand-overs.
      expect(sensitive.length).toBeGreaterThan(0);
      const bounds = await attack(
        [attacked(code, amounts, 'm')],
        sensitive.map((key) => ({ cube: 0, key })),
      );
      expectProtected(bounds, amounts, 0, sensitive, (value) =>
        Math.max(protectionLevel, Math.ceil((value * dominancePercent) / 100)),
      );
    },
  );
});
