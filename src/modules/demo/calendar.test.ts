import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { birthDaysForAge, civilFromDays, daysFromIsoDate, formatDate } from './calendar.js';

describe('calendar', () => {
  it('agrees with Date for any day from year 1800 to 2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_000, max: 84_000 }), (days) => {
        const date = new Date(days * 86_400_000);
        expect(civilFromDays(days)).toEqual({
          year: date.getUTCFullYear(),
          month: date.getUTCMonth() + 1,
          day: date.getUTCDate(),
        });
        expect(formatDate(days)).toBe(date.toISOString().slice(0, 10));
      }),
    );
  });

  it('parses and formats YYYY-MM-DD symmetrically', () => {
    expect(formatDate(daysFromIsoDate('2024-02-29'))).toBe('2024-02-29');
    expect(daysFromIsoDate('1970-01-01')).toBe(0);
  });

  it('refuses impossible or malformed dates', () => {
    expect(() => daysFromIsoDate('2025-02-29')).toThrow();
    expect(() => daysFromIsoDate('2025-13-01')).toThrow();
    expect(() => daysFromIsoDate('2025-1-01')).toThrow();
  });

  it('never places a birth after the reference day, and gives the asked age', () => {
    const reference = daysFromIsoDate('2026-01-01');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 105 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (age, fraction) => {
          const birth = birthDaysForAge(reference, age, fraction);
          expect(birth).toBeLessThanOrEqual(reference);
          const born = civilFromDays(birth);
          const completedYears =
            2026 - born.year - 1 + (born.month === 1 && born.day === 1 ? 1 : 0);
          expect(Math.abs(completedYears - age)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
