import { beforeAll, describe, expect, it } from 'vitest';
import { uinProblem } from '../../../shared/uin/uin-rules.js';
import {
  verhoeffInverse,
  verhoeffMultiplication,
  verhoeffPermutation,
  verhoeffValidate,
} from '../../../shared/uin/verhoeff.js';
import { generateUin, hasObviousPattern, isValidUin, type RandomIntSource } from './uin.js';

/** A random source that replays fixed values and counts how often it was asked. */
function scripted(values: readonly number[]): RandomIntSource & { calls: number } {
  const source = Object.assign(
    (maxExclusive: number) => {
      const value = values[source.calls % values.length]!;
      source.calls += 1;
      if (value >= maxExclusive) throw new Error(`script value ${value} ≥ ${maxExclusive}`);
      return value;
    },
    { calls: 0 },
  );
  return source;
}

describe('hasObviousPattern', () => {
  it.each([
    ['123', true],
    ['987', true],
    ['4444', true],
    ['2764441235', true],
    ['3517028210', true], // 210 formed with the check digit
    ['444', false],
    ['890', false], // no wrap-around
    ['121', false],
    ['135', false],
    ['2764440235', false],
  ])('%s → %s', (digits, expected) => {
    expect(hasObviousPattern(digits)).toBe(expected);
  });
});

describe('generateUin with an injected random source', () => {
  it('maps draws to digits: first 2 + randomInt(8), then randomInt(10), then the check digit', () => {
    // Payload 507294618; its Verhoeff check digit 0 was computed by an independent script.
    const source = scripted([3, 0, 7, 2, 9, 4, 6, 1, 8]);
    expect(generateUin(source)).toBe('5072946180');
    expect(source.calls).toBe(9);
  });

  it('redraws a candidate whose check digit completes a pattern', () => {
    // 351702821 + check digit 0 ends in 210; the second draw is the payload above.
    const source = scripted([1, 5, 1, 7, 0, 2, 8, 2, 1, 3, 0, 7, 2, 9, 4, 6, 1, 8]);
    expect(generateUin(source)).toBe('5072946180');
    expect(source.calls).toBe(18);
  });

  it('fails loudly when the random source is broken instead of looping forever', () => {
    expect(() => generateUin(() => 0)).toThrow(/random source is broken/);
    expect(() => generateUin(() => 10)).toThrow(RangeError);
    expect(() => generateUin(() => 0.5)).toThrow(RangeError);
  });
});

describe('uinProblem (the console checks typed numbers with it)', () => {
  it.each([
    ['5072946180', null],
    ['', 'incomplete'],
    ['507294618', 'incomplete'],
    ['5072946181', 'check_digit'],
    ['2744448159', 'check_digit'], // valid check digit, refused pattern: the server refuses it too
    ['50729461800', 'format'],
    ['1507294613', 'format'],
    ['0', 'format'],
    ['507 294', 'format'],
  ])('%s → %s', (value, expected) => {
    expect(uinProblem(value)).toBe(expected);
  });

  it('agrees with isValidUin on every 10-character string it accepts', () => {
    for (let i = 0; i < 200; i++) {
      const uin = generateUin();
      expect(uinProblem(uin)).toBeNull();
      const typo = `${uin.slice(0, 9)}${(Number(uin[9]) + 1) % 10}`;
      expect(uinProblem(typo) === null).toBe(isValidUin(typo));
    }
  });
});

describe('isValidUin', () => {
  it('accepts generated UINs', () => {
    for (let i = 0; i < 1000; i++) expect(isValidUin(generateUin())).toBe(true);
  });

  it.each([
    ['507294618', 'too short'],
    ['50729461800', 'too long'],
    ['5072946181', 'wrong check digit'],
    ['0123456789', 'leading 0'],
    ['1507294613', 'leading 1'],
    ['507294618O', 'letter O'],
    [' 5072946180', 'space'],
    ['2744448159', 'four equal digits, valid check digit'],
    ['2987653105', 'descending run, valid check digit'],
    ['3517028210', 'check digit completes a run'],
    ['6596350345', 'check digit completes 345'],
  ])('rejects %s (%s)', (value) => {
    expect(isValidUin(value)).toBe(false);
  });

  it('rejects the pattern cases for the pattern, not for the check digit', () => {
    for (const value of ['2744448159', '2987653105', '3517028210', '6596350345']) {
      expect(verhoeffValidate(value)).toBe(true);
    }
  });
});

/*
 * Exact probability of each digit at each of the first nine positions when candidates are drawn
 * uniformly and those with a refused pattern are redrawn. Computed by dynamic programming over
 * (Verhoeff partial product, last three digits), written from the rules, not from uin.ts.
 * Rejection is not neutral: 0 and 9 cannot sit in the middle of a run, so they end up slightly
 * more frequent than 4–7 (10.3% against 9.9%); comparing with exact marginals instead of a flat
 * 10% lets the chi-squared bound stay tight.
 */
interface DigitState {
  readonly q: number; // Verhoeff product of the digits so far
  readonly a: number; // last three digits, oldest first; 10 = none yet
  readonly b: number;
  readonly c: number;
}
type Layer = Map<number, { state: DigitState; count: number }>;
const none = 10;
const stateKey = (s: DigitState) => ((s.q * 11 + s.a) * 11 + s.b) * 11 + s.c;
const digitsAt = (position: number) =>
  position === 0 ? [2, 3, 4, 5, 6, 7, 8, 9] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

function refused(s: DigitState, v: number): boolean {
  const ascending = s.b !== none && s.c - s.b === 1 && v - s.c === 1;
  const descending = s.b !== none && s.b - s.c === 1 && s.c - v === 1;
  return ascending || descending || (s.a === v && s.b === v && s.c === v);
}

function step(s: DigitState, position: number, v: number): DigitState {
  // Payload digit j sits at Verhoeff position 9 − j once the check digit takes position 0.
  const q = verhoeffMultiplication[verhoeffPermutation[(9 - position) % 8]![v]!]![s.q]!;
  return { q, a: s.b, b: s.c, c: v };
}

/** layers[j]: every reachable state after j payload digits, with how many prefixes reach it. */
function forwardLayers(): Layer[] {
  const start: DigitState = { q: 0, a: none, b: none, c: none };
  const layers: Layer[] = [new Map([[stateKey(start), { state: start, count: 1 }]])];
  for (let position = 0; position < 9; position++) {
    const next: Layer = new Map();
    for (const { state, count } of layers[position]!.values()) {
      for (const v of digitsAt(position)) {
        if (refused(state, v)) continue;
        const s = step(state, position, v);
        const entry = next.get(stateKey(s)) ?? { state: s, count: 0 };
        entry.count += count;
        next.set(stateKey(s), entry);
      }
    }
    layers.push(next);
  }
  return layers;
}

/** completions[j]: for each state after j digits, how many accepted UINs extend it. */
function completionCounts(layers: Layer[]): Map<number, number>[] {
  const completions: Map<number, number>[] = Array.from({ length: 10 }, () => new Map());
  for (const [key, { state }] of layers[9]!) {
    completions[9]!.set(key, refused(state, verhoeffInverse[state.q]!) ? 0 : 1);
  }
  for (let position = 8; position >= 0; position--) {
    for (const [key, { state }] of layers[position]!) {
      let total = 0;
      for (const v of digitsAt(position)) {
        if (!refused(state, v))
          total += completions[position + 1]!.get(stateKey(step(state, position, v)))!;
      }
      completions[position]!.set(key, total);
    }
  }
  return completions;
}

function exactDigitProbabilities(): number[][] {
  const layers = forwardLayers();
  const completions = completionCounts(layers);
  const accepted = [...completions[0]!.values()][0]!;
  return Array.from({ length: 9 }, (_, position) => {
    const counts = new Array<number>(10).fill(0);
    for (const { state, count } of layers[position]!.values()) {
      for (const v of digitsAt(position)) {
        if (refused(state, v)) continue;
        counts[v]! += count * completions[position + 1]!.get(stateKey(step(state, position, v)))!;
      }
    }
    return counts.map((count) => count / accepted);
  });
}

describe('UIN digit distribution (200,000 draws with crypto.randomInt)', () => {
  const draws = 200_000;
  const observed = Array.from({ length: 9 }, () => new Array<number>(10).fill(0));
  let expected: number[][] = [];
  beforeAll(() => {
    for (let i = 0; i < draws; i++) {
      const uin = generateUin();
      for (let position = 0; position < 9; position++) {
        observed[position]![uin.charCodeAt(position) - 48]! += 1;
      }
    }
    expected = exactDigitProbabilities();
  });

  it('never starts with 0 or 1', () => {
    expect(observed[0]![0]).toBe(0);
    expect(observed[0]![1]).toBe(0);
  });

  it('matches the exact distribution at every position (chi-squared, p ≈ 2·10^-6 bound)', () => {
    for (let position = 0; position < 9; position++) {
      let chiSquared = 0;
      for (let digit = position === 0 ? 2 : 0; digit < 10; digit++) {
        const expectedCount = draws * expected[position]![digit]!;
        chiSquared += (observed[position]![digit]! - expectedCount) ** 2 / expectedCount;
      }
      // Critical values at p ≈ 2·10^-6: 7 degrees of freedom 38.9 (first digit), 9 d.o.f. 42.9.
      expect(chiSquared, `position ${position}`).toBeLessThan(position === 0 ? 38.9 : 42.9);
    }
  });

  it('is near uniform: the exact share of every digit is within 4% of an even share', () => {
    for (let position = 0; position < 9; position++) {
      const share = position === 0 ? 1 / 8 : 1 / 10;
      for (let digit = position === 0 ? 2 : 0; digit < 10; digit++) {
        // The observed shares follow from this and the chi-squared test above.
        expect(Math.abs(expected[position]![digit]! / share - 1)).toBeLessThan(0.04);
      }
    }
  });
});
