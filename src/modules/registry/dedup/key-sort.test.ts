import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupByKey } from './key-sort.js';

describe('groupByKey', () => {
  it('puts every row in the group of its key, in the given order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.nat(1000)), { maxLength: 200 }),
        (entries) => {
          // Keys spread over the full 2^53 range, as block keys are.
          const keys = Float64Array.from(entries, ([key]) => key * 2 ** 48 + key);
          const rows = Int32Array.from(entries, ([, row]) => row);
          const groups = groupByKey(keys, rows);
          const expected = new Map<number, number[]>();
          entries.forEach(([, row], index) => {
            const key = keys[index] ?? 0;
            expected.set(key, [...(expected.get(key) ?? []), row]);
          });
          const found = new Map<number, number[]>();
          for (let g = 0; g + 1 < groups.start.length; g += 1) {
            const members = groups.rows.subarray(groups.start[g], groups.start[g + 1]);
            expect(found.has(groups.keys[g] ?? -1)).toBe(false);
            found.set(groups.keys[g] ?? -1, Array.from(members));
          }
          expect(found).toEqual(expected);
        },
      ),
    );
  });

  it('separates keys whose hashes collide', () => {
    const keys = Float64Array.of(7, 2 ** 50, 7, 3, 2 ** 50);
    const groups = groupByKey(keys, Int32Array.of(0, 1, 2, 3, 4), () => 42);
    const byKey = new Map<number, number[]>();
    for (let g = 0; g + 1 < groups.start.length; g += 1) {
      byKey.set(
        groups.keys[g] ?? -1,
        Array.from(groups.rows.subarray(groups.start[g], groups.start[g + 1])),
      );
    }
    expect(byKey).toEqual(
      new Map([
        [3, [3]],
        [7, [0, 2]],
        [2 ** 50, [1, 4]],
      ]),
    );
  });
});
