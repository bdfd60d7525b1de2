import { expect } from 'vitest';
import { countBase, type PreviewCount, smallCountMin } from './rule-preview.js';

/**
 * Asserts that a preview's count is the exact one protected (rule-preview.ts): "fewer than 10"
 * for 0 to 9; otherwise a multiple of `countBase` less than one step from it.
 *
 * @example
 *   expectProtected(preview.byState[0].entering, 42); // { count: 40 } or { count: 45 }
 */
export function expectProtected(shown: PreviewCount | null, exact: number): void {
  if (exact < smallCountMin) {
    expect(shown).toEqual({ fewerThan: smallCountMin });
    return;
  }
  expect(shown).toHaveProperty('count');
  const count = (shown as { count: number }).count;
  expect(count % countBase).toBe(0);
  expect(Math.abs(count - exact)).toBeLessThan(countBase);
}
