/**
 * Disjoint sets over row numbers, with path halving and union by size: accepted pairs
 * become clusters (one person) in near-linear time.
 *
 * @example
 * const sets = new UnionFind(3);
 * sets.union(0, 2);
 * sets.find(0) === sets.find(2) // true
 */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly setSize: Int32Array;

  constructor(size: number) {
    this.parent = new Int32Array(size);
    this.setSize = new Int32Array(size).fill(1);
    for (let i = 0; i < size; i += 1) this.parent[i] = i;
  }

  find(element: number): number {
    let current = element;
    while (this.parent[current] !== current) {
      const grandparent = this.parent[this.parent[current] ?? current] ?? current;
      this.parent[current] = grandparent;
      current = grandparent;
    }
    return current;
  }

  union(a: number, b: number): void {
    let rootA = this.find(a);
    let rootB = this.find(b);
    if (rootA === rootB) return;
    if ((this.setSize[rootA] ?? 0) < (this.setSize[rootB] ?? 0)) [rootA, rootB] = [rootB, rootA];
    this.parent[rootB] = rootA;
    this.setSize[rootA] = (this.setSize[rootA] ?? 0) + (this.setSize[rootB] ?? 0);
  }

  /** Sets of two or more elements, each sorted, in order of their smallest element. */
  groups(): number[][] {
    const byRoot = new Map<number, number[]>();
    for (let i = 0; i < this.parent.length; i += 1) {
      const root = this.find(i);
      const group = byRoot.get(root);
      if (group === undefined) byRoot.set(root, [i]);
      else group.push(i);
    }
    return [...byRoot.values()].filter((group) => group.length > 1);
  }
}
