import { dominatedTotal } from '../disclosure/dominance.js';
import { type Dimension, linkedTable } from '../disclosure/linked-table.js';
import {
  type DisclosureRules,
  type ProtectedCell,
  protectTable,
} from '../disclosure/protect-table.js';

/** A cube of money: per leaf, the persons paid, the amount (major units) and its two largest. */
export interface AmountCube {
  readonly dimensions: readonly Dimension[];
  readonly leaves: readonly {
    readonly key: readonly string[];
    readonly payees: number;
    readonly amount: number;
    /** The two largest single payments (major units), when the source keeps them. */
    readonly largest?: readonly number[];
  }[];
  /** Published values are multiples of this; default `limits.statistics.amountRoundingBase`. */
  readonly roundingBase?: number;
}

/**
 * Protects a table of amounts (issue #17, point 3): a cell is withheld when fewer than
 * `threshold` persons were paid in it (frequency rule) or when its two largest payments leave
 * less than `dominancePercent` % of the largest to the rest (the p % dominance rule, applied
 * wherever the two largest are known; a margin's are the two largest of its leaves'). The
 * complements are chosen on the amounts, each withheld cell protected by that share of its
 * value either side, and the published amounts are rounded to `roundingBase`.
 *
 * @example
 *   const { cells } = await protectAmounts(cube, rules, 10, unpublished);
 */
export async function protectAmounts(
  cube: AmountCube,
  rules: DisclosureRules,
  dominancePercent: number,
  unpublished: ReadonlySet<number>,
): Promise<{ cells: readonly ProtectedCell[]; primary: number; secondary: number }> {
  const leaves = (value: (leaf: AmountCube['leaves'][number]) => number) =>
    cube.leaves.map((leaf) => ({ key: leaf.key, count: value(leaf) }));
  const payees = linkedTable(
    cube.dimensions,
    leaves((leaf) => leaf.payees),
  );
  const amounts = linkedTable(
    cube.dimensions,
    leaves((leaf) => leaf.amount),
  );
  const largest = largestPerCell(cube, amounts.keys);
  const primary = new Set<number>();
  amounts.values.forEach((amount, cell) => {
    const paid = payees.values[cell] ?? 0;
    const [first = 0, second = 0] = largest[cell] ?? [];
    const dominated = dominatedTotal(
      BigInt(Math.round(amount)),
      BigInt(Math.round(first)),
      BigInt(Math.round(second)),
      dominancePercent,
    );
    if (amount > 0 && ((paid > 0 && paid < rules.threshold) || dominated)) primary.add(cell);
  });
  const result = await protectTable(amounts, rules, {
    unpublished,
    primary,
    protectionOf: (cell) =>
      Math.max(
        rules.protectionLevel,
        Math.ceil(((amounts.values[cell] ?? 0) * dominancePercent) / 100),
      ),
  });
  return {
    cells: result.cells,
    primary: result.statistics.primary,
    secondary: result.statistics.secondary,
  };
}

/**
 * The two largest payments under each cell, from the leaves that carry them: each leaf's
 * two are offered to every cell above it (one ancestor per dimension), so the work is the
 * leaves times their ancestor combinations, not the cells times the leaves.
 */
function largestPerCell(cube: AmountCube, keys: readonly (readonly string[])[]): number[][] {
  const parents = cube.dimensions.map(
    (dimension) => new Map(dimension.nodes.map((node) => [node.code, node.parent])),
  );
  const cellOf = new Map(keys.map((key, cell) => [key.join('\u0000'), cell]));
  const found: number[][] = keys.map(() => []);
  const offer = (cell: number, amounts: readonly number[]) => {
    const two = [...(found[cell] ?? []), ...amounts].sort((a, b) => b - a).slice(0, 2);
    found[cell] = two;
  };
  for (const leaf of cube.leaves) {
    if (leaf.largest === undefined) continue;
    const chains = leaf.key.map((code, d) => {
      const chain: string[] = [];
      for (let at: string | null | undefined = code; at != null; at = parents[d]?.get(at)) {
        chain.push(at);
      }
      return chain;
    });
    const walk = (d: number, prefix: string[]): void => {
      if (d === chains.length) {
        const cell = cellOf.get(prefix.join('\u0000'));
        if (cell !== undefined) offer(cell, leaf.largest ?? []);
        return;
      }
      for (const code of chains[d] ?? []) walk(d + 1, [...prefix, code]);
    };
    walk(0, []);
  }
  return found;
}
