import { describe, expect, it } from 'vitest';
import type { StoredCell } from './published-table.js';
import { publishedRate, redemptionRates } from './rate-tables.js';

/** A stored coverage cell: region × program_cycle × measure, as the refresher writes it. */
function cell(place: string, cycle: string, measure: string, value: number | null): StoredCell {
  const placeDepth = place === 'VE' ? 0 : place.split('-').length - 1;
  const cycleDepth = cycle === 'all' ? 0 : cycle.includes('/') ? 2 : 1;
  return { views: [0], key: [place, cycle, measure], depths: [placeDepth, cycleDepth, 3], value };
}

describe('the redemption rate, from published coverage', () => {
  it('divides the published redeemed by the published entitled, in per cent with one decimal', () => {
    expect(publishedRate(35, 40)).toBe(87.5);
    expect(publishedRate(10, 30)).toBe(33.3);
    expect(publishedRate(0, 25)).toBe(0);
    // Noise may put redeemed above entitled: capped.
    expect(publishedRate(45, 40)).toBe(100);
    expect(publishedRate(null, 40)).toBeNull();
    expect(publishedRate(20, null)).toBeNull();
    expect(publishedRate(0, 0)).toBeUndefined();
  });

  it('pairs cells of the same place and cycle, withholds with either figure, stops at states', () => {
    const rates = redemptionRates([
      cell('VE', 'bono/2026-12-01', 'entitled', 60),
      cell('VE', 'bono/2026-12-01', 'redeemed', 45),
      cell('VE-B', 'bono/2026-12-01', 'entitled', 40),
      cell('VE-B', 'bono/2026-12-01', 'redeemed', null),
      cell('VE-C', 'bono/2026-12-01', 'entitled', null),
      cell('VE-C', 'bono/2026-12-01', 'redeemed', 15),
      cell('VE-D', 'bono/2026-12-01', 'entitled', 0),
      cell('VE-D', 'bono/2026-12-01', 'redeemed', 0),
      cell('VE-B', 'bono', 'entitled', 40),
      cell('VE-B', 'bono', 'redeemed', 20),
      // A municipality and other measures are not part of the rate table.
      cell('VE-B-01', 'bono/2026-12-01', 'entitled', 25),
      cell('VE-B-01', 'bono/2026-12-01', 'redeemed', 20),
      cell('VE-B', 'bono/2026-12-01', 'eligible', 50),
    ]);
    const of = (place: string, cycle: string) =>
      rates.find((rate) => rate.key[0] === place && rate.key[1] === cycle);
    expect(of('VE', 'bono/2026-12-01')).toEqual({
      views: [0],
      key: ['VE', 'bono/2026-12-01'],
      depths: [0, 2],
      value: 75,
    });
    expect(of('VE-B', 'bono/2026-12-01')?.value).toBeNull();
    expect(of('VE-C', 'bono/2026-12-01')?.value).toBeNull();
    expect(of('VE-D', 'bono/2026-12-01')).toBeUndefined();
    expect(of('VE-B', 'bono')?.value).toBe(50);
    expect(of('VE-B-01', 'bono/2026-12-01')).toBeUndefined();
    expect(rates).toHaveLength(4);
  });
});
