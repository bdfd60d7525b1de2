import { IntBuffer } from './int-buffer.js';

/**
 * Groups (key, row) entries by key without a hash map: entries are sorted by a 32-bit hash
 * of the key with two stable 16-bit radix passes, and runs of equal hash are split by the
 * exact key (a hash collision merges nothing). Tens of millions of numeric keys in a V8
 * Map cost a boxed double and an entry each; this costs a few typed arrays and two passes.
 *
 * @example
 * const groups = groupByKey(Float64Array.of(5, 9, 5), Int32Array.of(0, 1, 2));
 * groups.rows // Int32Array [0, 2, 1] (key 5's rows first, or key 9's, in row order)
 * groups.start // Int32Array [0, 2, 3]
 */
export interface KeyGroups {
  /** Rows of group g are rows[start[g] .. start[g + 1]), in the order they were given. */
  readonly start: Int32Array;
  readonly rows: Int32Array;
  /** The key of each group. */
  readonly keys: Float64Array;
}

/** `hash` is replaceable so that tests can force collisions. */
export function groupByKey(
  keys: Float64Array,
  rows: Int32Array,
  hash: (key: number) => number = hashKey,
): KeyGroups {
  const count = keys.length;
  const hashes = new Uint32Array(count);
  for (let i = 0; i < count; i += 1) hashes[i] = hash(keys[i] ?? 0);
  const order = radixOrder(hashes);
  const start = new IntBuffer(1024);
  const groupKeys: number[] = [];
  const sortedRows = new Int32Array(count);
  let write = 0;
  let previous = Number.NaN;
  let run = 0;
  while (run < count) {
    const hash = hashes[order[run] ?? 0] ?? 0;
    let end = run + 1;
    while (end < count && hashes[order[end] ?? 0] === hash) end += 1;
    const members = order.subarray(run, end);
    const first = keys[members[0] ?? 0] ?? 0;
    let mixed = false;
    for (const entry of members) if (keys[entry] !== first) mixed = true;
    // A hash collision: split by the exact key, keeping the given order inside each key.
    const entries = mixed
      ? Array.from(members).sort((x, y) => (keys[x] ?? 0) - (keys[y] ?? 0) || x - y)
      : members;
    for (const entry of entries) {
      const key = keys[entry] ?? 0;
      // Equal keys share a hash, so a group never spans two runs.
      if (key !== previous) {
        start.push(write);
        groupKeys.push(key);
        previous = key;
      }
      sortedRows[write] = rows[entry] ?? 0;
      write += 1;
    }
    run = end;
  }
  start.push(write);
  return { start: start.toArray(), rows: sortedRows, keys: Float64Array.from(groupKeys) };
}

/** A 32-bit mix of a key below 2^53 (its high and low parts). */
export function hashKey(key: number): number {
  const high = Math.floor(key / 2 ** 26);
  const low = key - high * 2 ** 26;
  let hash = Math.imul(high ^ (high >>> 15), 0x9e3779b1) ^ Math.imul(low + 0x7f4a7c15, 0x85ebca6b);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x7feb352d);
  hash ^= hash >>> 15;
  return hash >>> 0;
}

/** Entry indexes in increasing hash order, stable: two 16-bit counting-sort passes. */
function radixOrder(hashes: Uint32Array): Int32Array {
  const count = hashes.length;
  let order = new Int32Array(count);
  let next = new Int32Array(count);
  for (let i = 0; i < count; i += 1) order[i] = i;
  const buckets = new Int32Array(65_537);
  for (const shift of [0, 16]) {
    buckets.fill(0);
    for (let i = 0; i < count; i += 1) {
      const digit = ((hashes[i] ?? 0) >>> shift) & 0xffff;
      buckets[digit + 1] = (buckets[digit + 1] ?? 0) + 1;
    }
    for (let d = 0; d < 65_536; d += 1) buckets[d + 1] = (buckets[d + 1] ?? 0) + (buckets[d] ?? 0);
    for (let i = 0; i < count; i += 1) {
      const entry = order[i] ?? 0;
      const digit = ((hashes[entry] ?? 0) >>> shift) & 0xffff;
      const position = buckets[digit] ?? 0;
      next[position] = entry;
      buckets[digit] = position + 1;
    }
    [order, next] = [next, order];
  }
  return order;
}
