/**
 * A table of counts over hierarchical dimensions with every margin published (issue #17,
 * point 3). Each dimension is a tree whose root is the total ("VE" → states →
 * municipalities → parishes; "all" → female, male). The table has one cell for every
 * combination of nodes, so a state's cell and the sum of its municipalities' cells are
 * both in it — the linked tables an attacker combines. The additivity constraints
 * (a node's cell equals the sum of its children's cells, the other coordinates fixed) are
 * what the disclosure audit hands to the linear-programming attacker.
 *
 * @example
 *   const table = linkedTable(
 *     [region, sex],
 *     [{ key: ['VE-A-01', 'F'], count: 3 }, { key: ['VE-A-01', 'M'], count: 14 }],
 *   );
 *   table.cells.length; // every node of region × every node of sex
 */

/** One dimension: a tree given by each node's parent (the root's parent is `null`). */
export interface Dimension {
  readonly name: string;
  readonly nodes: readonly { readonly code: string; readonly parent: string | null }[];
}

export interface LinkedTable {
  readonly dimensions: readonly Dimension[];
  /** Cell i's coordinates, one node code per dimension. */
  readonly keys: readonly (readonly string[])[];
  /** Cell i's true count. */
  readonly values: readonly number[];
  /** `cells[total] = Σ cells[parts]`, one row per internal node × other coordinates. */
  readonly constraints: readonly { readonly total: number; readonly parts: readonly number[] }[];
  /** Depth of each cell: the sum over dimensions of its node's depth (0 = grand total). */
  readonly depths: readonly number[];
  /** Cell i's coordinates as node indexes, one per dimension. */
  readonly coordinates: readonly (readonly number[])[];
  /** Cell index = Σ coordinate × stride. */
  readonly strides: readonly number[];
  /** Per dimension, each node's parent index (−1 for the root) and children. */
  readonly parents: readonly (readonly number[])[];
  readonly children: readonly (readonly (readonly number[])[])[];
}

interface IndexedDimension {
  readonly codes: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
  readonly children: readonly (readonly number[])[];
  readonly depth: readonly number[];
  /** Nodes in an order where every child comes before its parent. */
  readonly bottomUp: readonly number[];
}

function indexDimension(dimension: Dimension): IndexedDimension {
  const codes = dimension.nodes.map((node) => node.code);
  const indexOf = new Map(codes.map((code, i) => [code, i]));
  if (indexOf.size !== codes.length) {
    throw new Error(`dimension ${dimension.name} repeats a node code`);
  }
  const children: number[][] = codes.map(() => []);
  const roots: number[] = [];
  dimension.nodes.forEach((node, i) => {
    if (node.parent === null) {
      roots.push(i);
      return;
    }
    const parent = indexOf.get(node.parent);
    if (parent === undefined) throw new Error(`${dimension.name}: unknown parent ${node.parent}`);
    children[parent]?.push(i);
  });
  if (roots.length !== 1) throw new Error(`dimension ${dimension.name} needs exactly one root`);
  const depth: number[] = codes.map(() => 0);
  const topDown: number[] = [];
  const queue = [...roots];
  while (queue.length > 0) {
    const node = queue.shift() as number; // the loop condition says the queue is not empty
    topDown.push(node);
    for (const child of children[node] ?? []) {
      depth[child] = (depth[node] ?? 0) + 1;
      queue.push(child);
    }
  }
  if (topDown.length !== codes.length) throw new Error(`dimension ${dimension.name} has a cycle`);
  return { codes, indexOf, children, depth, bottomUp: topDown.reverse() };
}

/** Mixed-radix cell numbering: coordinates (one node index per dimension) ↔ cell index. */
function strides(dimensions: readonly IndexedDimension[]): number[] {
  const result: number[] = [];
  let stride = 1;
  for (let d = dimensions.length - 1; d >= 0; d--) {
    result[d] = stride;
    stride *= dimensions[d]?.codes.length ?? 1;
  }
  return result;
}

export function linkedTable(
  dimensions: readonly Dimension[],
  leafCounts: readonly { readonly key: readonly string[]; readonly count: number }[],
): LinkedTable {
  const indexed = dimensions.map(indexDimension);
  const stride = strides(indexed);
  const cellCount = indexed.reduce((product, d) => product * d.codes.length, 1);
  const coordinates = (cell: number): number[] =>
    indexed.map((d, i) => Math.floor(cell / (stride[i] ?? 1)) % d.codes.length);
  const values = new Array<number>(cellCount).fill(0);
  for (const { key, count } of leafCounts) {
    let cell = 0;
    indexed.forEach((d, i) => {
      const node = d.indexOf.get(key[i] ?? '');
      if (node === undefined || (d.children[node]?.length ?? 0) > 0) {
        throw new Error(`${dimensions[i]?.name}: ${key[i]} is not a leaf of the dimension`);
      }
      cell += node * (stride[i] ?? 1);
    });
    values[cell] = (values[cell] ?? 0) + count;
  }
  const constraints: { total: number; parts: number[] }[] = [];
  // Aggregate one dimension at a time, children before parents, so each cell ends up as the
  // sum of the leaves beneath it; the same walk yields the additivity constraints.
  indexed.forEach((d, i) => {
    const step = stride[i] ?? 1;
    const size = d.codes.length;
    for (let cell = 0; cell < cellCount; cell++) {
      // Visit each line along dimension i once (without building the cell's coordinates).
      if (Math.floor(cell / step) % size !== 0) continue;
      for (const node of d.bottomUp) {
        const kids = d.children[node] ?? [];
        if (kids.length === 0) continue;
        const total = cell + node * step;
        const parts = kids.map((kid) => cell + kid * step);
        values[total] = parts.reduce((sum, part) => sum + (values[part] ?? 0), 0);
        constraints.push({ total, parts });
      }
    }
  });
  const keys: string[][] = [];
  const depths: number[] = [];
  const cellCoordinates: number[][] = [];
  for (let cell = 0; cell < cellCount; cell++) {
    const coordinate = coordinates(cell);
    cellCoordinates.push(coordinate);
    keys.push(coordinate.map((node, i) => indexed[i]?.codes[node] ?? ''));
    depths.push(coordinate.reduce((sum, node, i) => sum + (indexed[i]?.depth[node] ?? 0), 0));
  }
  const parents = indexed.map((d) => {
    const parent = d.codes.map(() => -1);
    d.children.forEach((kids, node) => {
      for (const kid of kids) parent[kid] = node;
    });
    return parent;
  });
  return {
    dimensions,
    keys,
    values,
    constraints,
    depths,
    coordinates: cellCoordinates,
    strides: stride,
    parents,
    children: indexed.map((d) => d.children),
  };
}
