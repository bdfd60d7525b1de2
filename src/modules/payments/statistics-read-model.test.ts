import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { paymentsByProgramMonth } from './statistics-read-model.js';

/**
 * The aggregate payments publishes for statistics (issue #17): per cycle's disbursement, the
 * persons credited and the amount, by the month it started; a disbursement that credited no
 * one is left out. Rows are written as the owner would (the disbursement runner's own tests
 * cover how they are made).
 */
describe('payments by program and month', () => {
  let database: TestDatabase;
  const cycles = [randomUUID(), randomUUID()];
  const programId = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.asAdmin((admin) =>
      admin
        .insertInto('payment_disbursement')
        .values(
          cycles.map((cycleId, i) => ({
            id: randomUUID(),
            cycle_id: cycleId,
            program_id: programId,
            currency: 'VES' as const,
            funding_account_id: randomUUID(),
            chunks_total: 1,
            entitlements_total: 3n,
            amount_total_minor: 390_000_00n,
            credited_count: i === 0 ? 3n : 0n,
            credited_minor: i === 0 ? 390_000_00n : 0n,
            started_at: new Date('2026-11-30T23:30:00Z'),
          })),
        )
        .execute(),
    );
  }, 60_000);
  afterAll(async () => database?.close());

  it('answers credited persons and amount per disbursement, in minor units, with the month', async () => {
    expect(await paymentsByProgramMonth(database.db)).toEqual([
      {
        programId,
        cycleId: cycles[0],
        currency: 'VES',
        month: '2026-11',
        payees: 3,
        amountMinor: 390_000_00n,
      },
    ]);
  });
});
