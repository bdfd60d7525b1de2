import type { Certificate } from './certificate.js';
import type { LinkedTable } from './linked-table.js';

/**
 * The fast way to protect one withheld cell (issue #17): a hierarchical hypercube, found
 * without a linear program. Every additivity row holds for any change that is the
 * aggregation of a change of the leaf cells, so a change built as a product, one factor
 * per dimension, keeps the whole table — every margin, every level of state →
 * municipality → parish — adding up by construction:
 *
 * - in a dimension where the cell's node `n` is varied against a sibling `s`, the factor
 *   is `+1` on a path from `n` down to a leaf and `−1` on a path from `s` down to a leaf
 *   (their parent, where the two cancel, does not move);
 * - one level higher, against a sibling of `n`'s parent (the parent moves with `n`);
 * - or not against anything: `+1` on the path from the root through `n` to a leaf (every
 *   ancestor moves with the cell).
 *
 * The change moves the cell by `shift`; the other cells in the product move by ±shift.
 * Among the combinations that keep every count non-negative and touch no zero, the one
 * whose cells not yet hidden have the smallest total count wins (those become
 * complementary suppressions). Its change is the cell's protection certificate.
 */

export interface SearchInput {
  readonly table: LinkedTable;
  /** Cells the attacker does not see: withheld so far, and cells no published table shows. */
  readonly hidden: ReadonlySet<number>;
  readonly cell: number;
  readonly shift: number;
}

interface Factor {
  /** True when nothing opposes the cell in this dimension (its ancestors move with it). */
  readonly alone: boolean;
  /** Node index → its share of the change: positive on the cell's side, negative opposite. */
  readonly signs: ReadonlyMap<number, number>;
}

/** Enough fitting factors in one dimension to stop looking a level higher. */
const optionsEnough = 4;

/** How many combinations of factors one search may price, at most. */
const combinationsMax = 512;

export function hypercubeCertificate(input: SearchInput): Certificate | null {
  const { table, cell } = input;
  const coordinate = table.coordinates[cell] ?? [];
  const factors = coordinate.map((node, dimension) => factorsFor(input, dimension, node));
  const perDimension = Math.max(
    1,
    Math.floor(combinationsMax ** (1 / Math.max(1, coordinate.length))),
  );
  // The cheapest-looking few per dimension, and always the one against nothing, which fits
  // whenever the cell's own detail does.
  const candidates = factors.map((options) => {
    const kept = options.slice(0, perDimension);
    const alone = options.find((option) => option.alone);
    return alone === undefined || kept.includes(alone) ? kept : [...kept, alone];
  });
  let best: { cost: number; factors: Factor[] } | null = null;
  const chosen: Factor[] = [];
  const choose = (dimension: number): void => {
    if (dimension === candidates.length) {
      const cost = price(input, chosen, best?.cost ?? Number.POSITIVE_INFINITY);
      if (cost !== null) best = { cost, factors: [...chosen] };
      return;
    }
    for (const factor of candidates[dimension] ?? []) {
      chosen[dimension] = factor;
      choose(dimension + 1);
    }
  };
  choose(0);
  if (best === null) return null;
  // `best` is assigned inside the closure, which TypeScript's narrowing cannot see.
  const winner = best as { cost: number; factors: Factor[] };
  return { cell, shift: input.shift, change: changeOf(input, winner.factors) };
}

/**
 * The total count of the cells a combination would newly hide, or null when it would take
 * a count below zero, touch a zero or cost at least `costMax` (priced without allocating:
 * most combinations lose).
 */
function price(input: SearchInput, factors: readonly Factor[], costMax: number): number | null {
  const { table, hidden, shift } = input;
  let cost = 0;
  const walk = (dimension: number, index: number, sign: number): boolean => {
    if (dimension === factors.length) {
      const value = table.values[index] ?? 0;
      if (value === 0 || value + shift * sign < -1e-9) return false;
      if (!hidden.has(index)) cost += value;
      return cost < costMax;
    }
    const stride = table.strides[dimension] ?? 1;
    for (const [node, nodeSign] of factors[dimension]?.signs ?? []) {
      if (!walk(dimension + 1, index + node * stride, sign * nodeSign)) return false;
    }
    return true;
  };
  return walk(0, 0, 1) ? cost : null;
}

/** The change a combination makes: cell index → amount. */
function changeOf(input: SearchInput, factors: readonly Factor[]): Map<number, number> {
  const { table, shift } = input;
  const change = new Map<number, number>();
  const walk = (dimension: number, index: number, sign: number): void => {
    if (dimension === factors.length) {
      change.set(index, shift * sign);
      return;
    }
    const stride = table.strides[dimension] ?? 1;
    for (const [node, nodeSign] of factors[dimension]?.signs ?? []) {
      walk(dimension + 1, index + node * stride, sign * nodeSign);
    }
  };
  walk(0, 0, 1);
  return change;
}

/** The cell with one coordinate replaced. */
function moved(table: LinkedTable, cell: number, dimension: number, node: number): number {
  const stride = table.strides[dimension] ?? 1;
  const current = table.coordinates[cell]?.[dimension] ?? 0;
  return cell + (node - current) * stride;
}

/**
 * Two ways from `node` down to the leaves, as weights on its subtree that add up (a node's
 * weight is the sum of its children's): a single path (at each level the child whose cell,
 * the other coordinates as the withheld cell's, is already hidden and large enough, else
 * the largest), and a split in proportion to those cells' counts, which never asks a cell
 * to give more than it holds along that line.
 */
function descents(
  input: SearchInput,
  dimension: number,
  node: number,
): { path: Map<number, number>; split: () => Map<number, number> | undefined } {
  const { table, hidden, shift } = input;
  const lineValue = (n: number): number =>
    table.values[moved(table, input.cell, dimension, n)] ?? 0;
  const path = new Map<number, number>([[node, 1]]);
  let current = node;
  for (;;) {
    const kids = table.children[dimension]?.[current] ?? [];
    if (kids.length === 0) break;
    let chosen = kids[0] ?? 0;
    let chosenScore = Number.NEGATIVE_INFINITY;
    for (const kid of kids) {
      const target = moved(table, input.cell, dimension, kid);
      const value = table.values[target] ?? 0;
      const score = (hidden.has(target) && value >= Math.abs(shift) ? 1e12 : 0) + value;
      if (score > chosenScore) {
        chosen = kid;
        chosenScore = score;
      }
    }
    path.set(chosen, 1);
    current = chosen;
  }
  const split = (): Map<number, number> | undefined => {
    if ((table.children[dimension]?.[node]?.length ?? 0) === 0) return undefined;
    const total = lineValue(node);
    if (total === 0) return undefined;
    const weights = new Map<number, number>();
    const stack = [node];
    while (stack.length > 0) {
      const n = stack.pop() as number; // the loop condition says the stack is not empty
      const value = lineValue(n);
      if (value === 0) continue;
      weights.set(n, value / total);
      stack.push(...(table.children[dimension]?.[n] ?? []));
    }
    return weights;
  };
  return { path, split };
}

/** The factors one dimension offers, cheapest-looking first. */
function factorsFor(input: SearchInput, dimension: number, node: number): Factor[] {
  const { table } = input;
  const parents = table.parents[dimension] ?? [];
  const own = descents(input, dimension, node);
  const ownSplit = own.split();
  const downs = ownSplit === undefined ? [own.path] : [own.path, ownSplit];
  const options: { factor: Factor; score: number }[] = [];
  const add = (
    plus: ReadonlyMap<number, number>,
    above: readonly number[],
    minus?: ReadonlyMap<number, number>,
  ): boolean => {
    const signs = new Map<number, number>(plus);
    for (const n of above) signs.set(n, 1);
    for (const [n, weight] of minus ?? []) signs.set(n, -weight);
    const score = lineCost(input, dimension, signs);
    options.push({ factor: { alone: minus === undefined, signs }, score });
    return Number.isFinite(score);
  };
  // Against a sibling of the node, then of its parent, and so on up while too few fit (a
  // higher level hides more cells, and a country has many states to try).
  const above: number[] = [];
  let child = node;
  let parent = parents[node] ?? -1;
  let fitting = 0;
  while (parent !== -1 && fitting < optionsEnough) {
    for (const sibling of table.children[dimension]?.[parent] ?? []) {
      if (sibling === child) continue;
      const opposite = descents(input, dimension, sibling);
      for (const down of downs) {
        // The proportional split of the opposite side only when its single path does not fit.
        if (add(down, above, opposite.path)) {
          fitting++;
          continue;
        }
        const split = opposite.split();
        if (split !== undefined && add(down, above, split)) fitting++;
      }
    }
    above.push(parent);
    child = parent;
    parent = parents[parent] ?? -1;
  }
  // Against nothing: every ancestor moves with the cell.
  const ancestors: number[] = [];
  for (let up = parents[node] ?? -1; up !== -1; up = parents[up] ?? -1) ancestors.push(up);
  for (const down of downs) add(down, ancestors);
  return options
    .filter((option) => Number.isFinite(option.score))
    .sort((a, b) => a.score - b.score)
    .map((option) => option.factor);
}

/** What the factor alone would newly hide along the withheld cell's line, to order options. */
function lineCost(
  input: SearchInput,
  dimension: number,
  signs: ReadonlyMap<number, number>,
): number {
  const { table, hidden, shift } = input;
  let cost = 0;
  for (const [node, sign] of signs) {
    const target = moved(table, input.cell, dimension, node);
    const value = table.values[target] ?? 0;
    if (value === 0 || value + shift * sign < -1e-9) return Number.POSITIVE_INFINITY;
    if (!hidden.has(target)) cost += value;
  }
  return cost + signs.size;
}

/**
 * The certificate that always exists: scale everything beneath the cell by the same factor
 * (a cell that shares part of its detail with the withheld one moves by that part's share),
 * so no count falls below zero. It hides every ancestor of the cell, up to the grand total,
 * so it is the last resort when no hypercube fits.
 */
export function proportionalCertificate(input: SearchInput): Certificate {
  const { table, cell, shift } = input;
  const coordinate = table.coordinates[cell] ?? [];
  const value = table.values[cell] ?? 0;
  const related = coordinate.map((node, dimension) => {
    const nodes: { node: number; meet: number }[] = [];
    for (let up = table.parents[dimension]?.[node] ?? -1; up !== -1; ) {
      nodes.push({ node: up, meet: node });
      up = table.parents[dimension]?.[up] ?? -1;
    }
    const stack = [node];
    while (stack.length > 0) {
      const n = stack.pop() as number; // the loop condition says the stack is not empty
      nodes.push({ node: n, meet: n });
      stack.push(...(table.children[dimension]?.[n] ?? []));
    }
    return nodes;
  });
  const change = new Map<number, number>();
  const walk = (dimension: number, index: number, meet: number): void => {
    if (dimension === related.length) {
      const shared = table.values[meet] ?? 0;
      if (shared > 0) change.set(index, (shift * shared) / value);
      return;
    }
    const stride = table.strides[dimension] ?? 1;
    for (const entry of related[dimension] ?? []) {
      walk(dimension + 1, index + entry.node * stride, meet + entry.meet * stride);
    }
  };
  walk(0, 0, 0);
  return { cell, shift, change };
}
