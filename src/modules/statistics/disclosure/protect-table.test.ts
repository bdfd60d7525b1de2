import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certificateChecker } from './certificate.js';
import { proportionalCertificate } from './hypercube-search.js';
import { type Dimension, linkedTable } from './linked-table.js';
import { type ProtectedTable, protectTable, roundToBase } from './protect-table.js';
import { loadSolver } from './solver.js';

const solver = loadSolver();
const rules = { threshold: 10, protectionLevel: 10, roundingBase: 5 };

const region: Dimension = {
  name: 'region',
  nodes: [
    { code: 'VE', parent: null },
    { code: 'VE-A', parent: 'VE' },
    { code: 'VE-B', parent: 'VE' },
    { code: 'A1', parent: 'VE-A' },
    { code: 'A2', parent: 'VE-A' },
    { code: 'B1', parent: 'VE-B' },
    { code: 'B2', parent: 'VE-B' },
  ],
};
/** Two states of two municipalities of two parishes each: the three levels protection must hold across. */
const { geography, parishes } = (() => {
  const nodes = [{ code: 'VE', parent: null as string | null }];
  const leaves: string[] = [];
  for (const state of ['S0', 'S1']) {
    nodes.push({ code: state, parent: 'VE' });
    for (const municipality of ['M0', 'M1']) {
      nodes.push({ code: `${state}${municipality}`, parent: state });
      for (const parish of ['P0', 'P1']) {
        nodes.push({ code: `${state}${municipality}${parish}`, parent: `${state}${municipality}` });
        leaves.push(`${state}${municipality}${parish}`);
      }
    }
  }
  const dimension: Dimension = { name: 'region', nodes };
  return { geography: dimension, parishes: leaves };
})();

/** A dimension of one total over its parts: `oneLevel('sex', 'all', ['F', 'M'])`. */
function oneLevel(name: string, total: string, parts: readonly string[]): Dimension {
  return {
    name,
    nodes: [{ code: total, parent: null }, ...parts.map((code) => ({ code, parent: total }))],
  };
}

/** The same codes with no tree: what an attacker who ignores additivity reads. */
function withoutTree(dimension: Dimension): Dimension {
  return {
    name: dimension.name,
    nodes: dimension.nodes.map((node) => ({ code: node.code, parent: null })),
  };
}

const program = oneLevel('program', 'all', ['food', 'fuel']);
const sex = oneLevel('sex', 'all', ['F', 'M']);

/**
 * The attacker, written apart from the publisher: it reads the additivity of the table
 * from the cells' keys and the dimensions' trees, knows every published cell's true count
 * (more than the rounded figure anyone sees), and bounds each withheld cell by linear
 * programming over the whole table at once.
 */
/** `smaller ≤ larger` between two codes of dimension `dimension`, the other coordinates equal. */
interface Relation {
  readonly dimension: number;
  readonly smaller: string;
  readonly larger: string;
}

async function attackerBounds(
  dimensions: readonly Dimension[],
  table: ProtectedTable,
  truth: ReadonlyMap<string, number>,
  relations: readonly Relation[] = [],
): Promise<Map<string, { lower: number; upper: number }>> {
  const highs = await solver;
  const id = (key: readonly string[]): string => key.join('|');
  const variable = new Map<string, string>();
  table.cells.forEach((cell, i) => {
    if (cell.value === null) variable.set(id(cell.key), `v${i}`);
  });
  const term = (key: readonly string[]): { name?: string; known: number } => {
    const name = variable.get(id(key));
    return name === undefined ? { known: truth.get(id(key)) ?? 0 } : { name, known: 0 };
  };
  const equations: string[] = [];
  for (const cell of table.cells) {
    dimensions.forEach((dimension, d) => {
      const children = dimension.nodes.filter((node) => node.parent === cell.key[d]);
      if (children.length === 0) return;
      const parts = children.map((child) =>
        term(cell.key.map((c, i) => (i === d ? child.code : c))),
      );
      const whole = term(cell.key);
      const names = [
        whole.name ? `+ ${whole.name}` : '',
        ...parts.map((p) => (p.name ? `- ${p.name}` : '')),
      ]
        .filter((text) => text !== '')
        .join(' ');
      const rhs = parts.reduce((sum, p) => sum + p.known, 0) - whole.known;
      if (names !== '') equations.push(` e${equations.length}: ${names} = ${rhs}`);
    });
  }
  // What the attacker knows besides additivity: one measure never exceeds another.
  for (const cell of table.cells) {
    for (const relation of relations) {
      if (cell.key[relation.dimension] !== relation.smaller) continue;
      const small = term(cell.key);
      const large = term(cell.key.map((c, i) => (i === relation.dimension ? relation.larger : c)));
      const names = [small.name ? `+ ${small.name}` : '', large.name ? `- ${large.name}` : '']
        .filter((text) => text !== '')
        .join(' ');
      if (names !== '') {
        equations.push(` e${equations.length}: ${names} <= ${large.known - small.known}`);
      }
    }
  }
  const bounds = [...variable.values()].map((name) => ` ${name} >= 0`);
  const result = new Map<string, { lower: number; upper: number }>();
  // Only withheld primary cells have a protection interval to check.
  const targets = new Set(
    table.cells.filter((cell) => cell.status === 'primary').map((cell) => id(cell.key)),
  );
  for (const [key, name] of variable) {
    if (!targets.has(key)) continue;
    const solve = (sense: string): number => {
      const model = [
        sense,
        ` obj: ${name}`,
        'Subject To',
        ...equations,
        'Bounds',
        ...bounds,
        'End',
      ];
      const answer = highs.solve(model.join('\n'));
      if (answer.Status === 'Unbounded') return Number.POSITIVE_INFINITY;
      expect(answer.Status).toBe('Optimal');
      return answer.ObjectiveValue;
    };
    result.set(key, { lower: solve('Minimize'), upper: solve('Maximize') });
  }
  return result;
}

function truthOf(dimensions: readonly Dimension[], counts: { key: string[]; count: number }[]) {
  const table = linkedTable(dimensions, counts);
  return {
    table,
    truth: new Map(table.keys.map((key, i) => [key.join('|'), table.values[i] ?? 0])),
  };
}

describe('disclosure control of a table of counts', () => {
  it('builds every margin of a hierarchy: municipality, state and national totals, by sex and for all', () => {
    const { truth } = truthOf(
      [region, sex],
      [
        { key: ['A1', 'F'], count: 3 },
        { key: ['A1', 'M'], count: 40 },
        { key: ['A2', 'F'], count: 25 },
        { key: ['B1', 'M'], count: 12 },
      ],
    );
    expect(truth.get('VE-A|F')).toBe(28);
    expect(truth.get('VE-A|all')).toBe(68);
    expect(truth.get('VE|M')).toBe(52);
    expect(truth.get('VE|all')).toBe(80);
    expect(truth.get('B2|all')).toBe(0);
  });

  it('withholds small cells, keeps zero as zero, rounds the rest to base 5 and withholds enough margins that subtraction finds nothing', async () => {
    const counts = [
      { key: ['A1', 'F'], count: 3 },
      { key: ['A1', 'M'], count: 40 },
      { key: ['A2', 'F'], count: 25 },
      { key: ['A2', 'M'], count: 31 },
      { key: ['B1', 'F'], count: 18 },
      { key: ['B1', 'M'], count: 12 },
      { key: ['B2', 'F'], count: 0 },
      { key: ['B2', 'M'], count: 22 },
    ];
    const { table, truth } = truthOf([region, sex], counts);
    const published = await protectTable(table, rules);
    const byKey = new Map(published.cells.map((cell) => [cell.key.join('|'), cell]));
    expect(byKey.get('A1|F')?.status).toBe('primary');
    expect(byKey.get('B2|F')).toEqual({ key: ['B2', 'F'], value: 0, status: 'published' });
    expect(byKey.get('VE|all')?.value).toBe(150);
    // Without complements, A1|F = A1|all − A1|M. Something in each of its constraints is withheld.
    expect(
      published.cells.filter((cell) => cell.status === 'secondary').length,
    ).toBeGreaterThanOrEqual(3);
    const bounds = await attackerBounds([region, sex], published, truth);
    const interval = bounds.get('A1|F');
    expect(interval?.lower).toBeLessThanOrEqual(0);
    expect(interval?.upper).toBeGreaterThanOrEqual(3 + rules.protectionLevel);
  });

  it('a linear-programming attacker cannot bound any withheld cell tighter than its protection interval, for random hierarchical tables', async () => {
    const sizes = fc.record({
      states: fc.integer({ min: 1, max: 3 }),
      municipalities: fc.integer({ min: 1, max: 3 }),
      counts: fc.array(fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 80 })), {
        minLength: 18,
        maxLength: 18,
      }),
    });
    await fc.assert(
      fc.asyncProperty(sizes, async ({ states, municipalities, counts }) => {
        const nodes = [{ code: 'VE', parent: null as string | null }];
        const leaves: string[] = [];
        for (let s = 0; s < states; s++) {
          nodes.push({ code: `S${s}`, parent: 'VE' });
          for (let m = 0; m < municipalities; m++) {
            nodes.push({ code: `S${s}M${m}`, parent: `S${s}` });
            leaves.push(`S${s}M${m}`);
          }
        }
        const geography: Dimension = { name: 'region', nodes };
        const leafCounts = leaves.flatMap((leaf, i) => [
          { key: [leaf, 'F'], count: counts[(2 * i) % counts.length] ?? 0 },
          { key: [leaf, 'M'], count: counts[(2 * i + 1) % counts.length] ?? 0 },
        ]);
        const { table, truth } = truthOf([geography, sex], leafCounts);
        const published = await protectTable(table, rules);
        const bounds = await attackerBounds([geography, sex], published, truth);
        for (const cell of published.cells) {
          const value = truth.get(cell.key.join('|')) ?? 0;
          if (cell.status === 'published') {
            expect(cell.value).toBe(roundToBase(value, rules.roundingBase));
            expect(value === 0 || value >= rules.threshold).toBe(true);
            continue;
          }
          if (cell.status !== 'primary') continue;
          const interval = bounds.get(cell.key.join('|'));
          expect(interval?.lower ?? 0).toBeLessThanOrEqual(
            Math.max(0, value - rules.protectionLevel) + 1e-6,
          );
          expect(interval?.upper ?? 0).toBeGreaterThanOrEqual(value + rules.protectionLevel - 1e-6);
        }
      }),
      { numRuns: 12 },
    );
  });

  it('protects a state → municipality → parish hierarchy crossed with two more dimensions, where the published tables are views of one cube and the rest of the cube is hidden', async () => {
    const dimensions = [geography, sex, program];
    const counts = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 60 })),
      {
        minLength: 32,
        maxLength: 32,
      },
    );
    await fc.assert(
      fc.asyncProperty(counts, async (drawn) => {
        const leafCounts = parishes.flatMap((parish, i) =>
          ['F', 'M'].flatMap((s, j) =>
            ['food', 'fuel'].map((p, k) => ({
              key: [parish, s, p],
              count: drawn[(4 * i + 2 * j + k) % drawn.length] ?? 0,
            })),
          ),
        );
        const { table, truth } = truthOf(dimensions, leafCounts);
        // Two linked views: region (every level) × sex for all programs, and region down to
        // the municipality × program for both sexes. Nothing else of the cube is shown.
        const unpublished = new Set<number>();
        table.keys.forEach(([place, s, p], cell) => {
          const bySex = p === 'all';
          const byProgram = s === 'all' && (place ?? '').length <= 4;
          if (!bySex && !byProgram) unpublished.add(cell);
        });
        const published = await protectTable(table, rules, { unpublished });
        expect(published.statistics.byProportion).toBe(0);
        const bounds = await attackerBounds(dimensions, published, truth);
        for (const cell of published.cells) {
          if (cell.status !== 'primary') continue;
          const value = truth.get(cell.key.join('|')) ?? 0;
          const interval = bounds.get(cell.key.join('|'));
          expect(interval?.lower ?? 0).toBeLessThanOrEqual(
            Math.max(0, value - rules.protectionLevel) + 1e-6,
          );
          expect(interval?.upper ?? 0).toBeGreaterThanOrEqual(value + rules.protectionLevel - 1e-6);
        }
      }),
      { numRuns: 6 },
    );
  });

  it('an attacker who knows entitled ≤ eligible narrows a cell when the two tables are protected apart, and cannot when they are one cube', async () => {
    const area = oneLevel('region', 'VE', ['A', 'B']);
    const measures = oneLevel('measure', 'eligible', ['entitled', 'not_entitled']);
    // 5 entitled of 12 eligible in A, 30 of 40 in B.
    const leafCounts = [
      { key: ['A', 'entitled'], count: 5 },
      { key: ['A', 'not_entitled'], count: 7 },
      { key: ['B', 'entitled'], count: 30 },
      { key: ['B', 'not_entitled'], count: 10 },
    ];
    const relation: Relation = { dimension: 1, smaller: 'entitled', larger: 'eligible' };
    const flat = withoutTree(measures);
    const { table, truth } = truthOf([area, measures], leafCounts);
    // Apart: each measure its own one-dimensional table, protected alone.
    const apart: ProtectedTable['cells'][number][] = [];
    for (const measure of ['eligible', 'entitled']) {
      const alone = linkedTable(
        [area],
        leafCounts
          .filter((leaf) => measure === 'eligible' || leaf.key[1] === measure)
          .map((leaf) => ({ key: [leaf.key[0] ?? ''], count: leaf.count })),
      );
      const protectedAlone = await protectTable(alone, rules);
      apart.push(...protectedAlone.cells.map((cell) => ({ ...cell, key: [...cell.key, measure] })));
    }
    const separate = await attackerBounds([area, flat], { cells: apart, rules }, truth, [relation]);
    // The published 12 eligible in A cap its withheld 5 entitled below 5 + 10.
    expect(separate.get('A|entitled')?.upper).toBeLessThan(5 + rules.protectionLevel);
    const unpublished = new Set(
      table.keys.flatMap((key, cell) => (key[1] === 'not_entitled' ? [cell] : [])),
    );
    const joint = await protectTable(table, rules, { unpublished });
    const together = await attackerBounds([area, flat], joint, truth, [relation]);
    expect(together.get('A|entitled')?.upper).toBeGreaterThanOrEqual(5 + rules.protectionLevel);
    expect(together.get('A|entitled')?.lower).toBeLessThanOrEqual(0);
  });

  it('holds against an attacker who knows the relations between measures (redeemed ≤ entitled ≤ eligible ≤ enrolled, upheld ≤ filed) and the state → municipality → parish hierarchy', async () => {
    // The publisher's measures: trees whose children split their parent, so each relation is
    // an additivity row with a part that cannot be negative. Persons and appeals hang from a
    // total that is never published (it adds persons to appeals).
    const measures: Dimension = {
      name: 'measure',
      nodes: [
        { code: 'all', parent: null },
        { code: 'enrolled', parent: 'all' },
        { code: 'eligible', parent: 'enrolled' },
        { code: 'not_eligible', parent: 'enrolled' },
        { code: 'entitled', parent: 'eligible' },
        { code: 'not_entitled', parent: 'eligible' },
        { code: 'redeemed', parent: 'entitled' },
        { code: 'not_redeemed', parent: 'entitled' },
        { code: 'filed', parent: 'all' },
        { code: 'upheld', parent: 'filed' },
        { code: 'not_upheld', parent: 'filed' },
      ],
    };
    // The attacker's: measures with no sum between them, and the relations instead.
    const attackersMeasures = withoutTree(measures);
    const relations: Relation[] = [
      { dimension: 2, smaller: 'eligible', larger: 'enrolled' },
      { dimension: 2, smaller: 'entitled', larger: 'eligible' },
      { dimension: 2, smaller: 'redeemed', larger: 'entitled' },
      { dimension: 2, smaller: 'upheld', larger: 'filed' },
    ];
    const slack = new Set(['not_eligible', 'not_entitled', 'not_redeemed', 'not_upheld']);
    const leaves = [
      'redeemed',
      'not_redeemed',
      'not_entitled',
      'not_eligible',
      'upheld',
      'not_upheld',
    ];
    const counts = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 40 })),
      { minLength: 96, maxLength: 96 },
    );
    await fc.assert(
      fc.asyncProperty(counts, fc.boolean(), async (drawn, slackPublished) => {
        const leafCounts = parishes.flatMap((parish, i) =>
          ['food', 'fuel'].flatMap((p, j) =>
            leaves.map((m, k) => ({
              key: [parish, p, m],
              count: drawn[(12 * i + 6 * j + k) % drawn.length] ?? 0,
            })),
          ),
        );
        const dimensions = [geography, program, measures];
        const { table, truth } = truthOf(dimensions, leafCounts);
        // Published: every level of the region (parish included) × program, for every measure
        // but the total; the parts that split them are published or not, drawn.
        const unpublished = new Set<number>();
        table.keys.forEach(([, , m], cell) => {
          if (m === 'all' || (!slackPublished && slack.has(m ?? ''))) unpublished.add(cell);
        });
        const published = await protectTable(table, rules, { unpublished });
        expect(published.statistics.byProportion).toBe(0);
        const attackers = slackPublished ? dimensions : [geography, program, attackersMeasures];
        const bounds = await attackerBounds(attackers, published, truth, relations);
        let checked = 0;
        for (const cell of published.cells) {
          const value = truth.get(cell.key.join('|')) ?? 0;
          if (cell.status === 'published') {
            expect(value === 0 || value >= rules.threshold).toBe(true);
            continue;
          }
          if (cell.status !== 'primary') continue;
          const interval = bounds.get(cell.key.join('|'));
          expect(interval?.lower ?? 0).toBeLessThanOrEqual(
            Math.max(0, value - rules.protectionLevel) + 1e-6,
          );
          expect(interval?.upper ?? 0).toBeGreaterThanOrEqual(value + rules.protectionLevel - 1e-6);
          checked++;
        }
        // Small parish cells are drawn often: the property is not vacuous.
        expect(checked).toBeGreaterThan(0);
      }),
      { numRuns: 5 },
    );
  }, 240_000);

  it('checks protection certificates without a solver: the last-resort proportional change passes, a change that shows through a published cell or breaks a margin does not', () => {
    const { table } = truthOf(
      [region, sex],
      [
        { key: ['A1', 'F'], count: 3 },
        { key: ['A1', 'M'], count: 40 },
        { key: ['A2', 'F'], count: 2 },
        { key: ['A2', 'M'], count: 31 },
        { key: ['B1', 'F'], count: 18 },
        { key: ['B2', 'M'], count: 22 },
      ],
    );
    const check = certificateChecker(table);
    const cell = table.keys.findIndex((key) => key.join('|') === 'VE-A|F');
    const everything = new Set(table.values.keys());
    for (const shift of [10, -5]) {
      const certificate = proportionalCertificate({ table, hidden: everything, cell, shift });
      expect(check(certificate, everything)).toBeNull();
      const onlyDetail = new Set(
        [...certificate.change.keys()].filter((member) => table.keys[member]?.[0] !== 'VE'),
      );
      expect(check(certificate, onlyDetail)).toMatch(/is published but changes/);
      const broken = new Map(certificate.change);
      broken.set(cell, (broken.get(cell) ?? 0) + 1);
      expect(check({ cell, shift: shift + 1, change: broken }, everything)).toMatch(/adds up/);
    }
    const tooFar = proportionalCertificate({ table, hidden: everything, cell, shift: -5 });
    const scaled = new Map([...tooFar.change].map(([member, amount]) => [member, amount * 2]));
    expect(check({ cell, shift: -10, change: scaled }, everything)).toMatch(/negative/);
  });

  it('never lets a non-zero count round to zero', () => {
    expect(roundToBase(0, 5)).toBe(0);
    expect(roundToBase(1, 5)).toBe(5);
    expect(roundToBase(12, 5)).toBe(10);
    expect(roundToBase(13, 5)).toBe(15);
  });
});
