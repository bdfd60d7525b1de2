import { describe, expect, it } from 'vitest';
import { verhoeffValidate } from '../../../shared/uin/verhoeff.js';
import { singleErrors } from '../../../shared/uin/verhoeff-test-kit.js';
import { generateUin } from './uin.js';

// The Verhoeff rules and their known answers are tested in src/shared/uin/verhoeff.test.ts;
// this checks the guarantee on what the generator actually draws.
describe('Verhoeff error detection on generated UINs', () => {
  it('catches every single-digit error and adjacent transposition in 3,000 generated UINs', () => {
    let checked = 0;
    for (let sample = 0; sample < 3000; sample++) {
      const uin = generateUin();
      const variants = singleErrors(uin);
      // 10 positions × 9 substitutions, plus one swap per pair of unequal neighbours.
      expect(variants.length).toBeGreaterThanOrEqual(90);
      for (const variant of variants) {
        if (verhoeffValidate(variant)) throw new Error(`${variant} passes as ${uin}`);
      }
      checked += variants.length;
    }
    expect(checked).toBeGreaterThan(3000 * 90);
  });
});
