import { describe, expect, it } from 'vitest';
import { localDate, localDayStart } from './notice-values.js';

describe('localDayStart', () => {
  it("is the instant of the local day's midnight (America/Caracas, UTC-4), which localDate names", () => {
    for (const at of ['2026-12-14T02:30:00Z', '2026-12-13T04:00:00Z', '2026-12-14T03:59:59.999Z']) {
      const start = localDayStart(new Date(at));
      expect(start.toISOString()).toBe('2026-12-13T04:00:00.000Z');
      expect(localDate(start)).toBe(localDate(new Date(at)));
      expect(localDate(new Date(start.getTime() - 1))).toBe('2026-12-12');
    }
  });
});
