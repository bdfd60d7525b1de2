import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { buildPerson } from '../../../../test/factories.js';
import { aggregateReadModels } from '../../../statistics-read-models.js';
import { paymentsByProgramMonth } from '../../payments/statistics-read-model.js';
import { expectNoisyCount, paidCashCycle } from '../statistics-test-kit.js';
import { findTable, readTable } from './table-reader.js';
import { statisticsRefresher } from './table-refresher.js';

/**
 * The money tables (issue #17, point 3, the p % rule) from real disbursements: two cash
 * programs pay the same 11 persons in the same month through the ledger, in chunks of 3. One
 * pays 250.00 each; the other pays one person 1,000,000.00 and the rest 250.00, so the
 * second-largest payee could estimate the largest payment to within 10 %. The payments module's
 * read model gives each disbursement's two largest credits (kept per chunk, migration 0045),
 * and the refreshed amounts table withholds the dominated cells although 11 persons were paid.
 */
describe('amounts paid, from real disbursements, under the p % rule', () => {
  let database: TestDatabase;
  const masterKey = randomBytes(32);
  const programs: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    for (let i = 0; i < 11; i++) await buildPerson({ database, masterKey });
    programs.bono = (await paidCashCycle(database, 'bono', null)).programId;
    programs.beca = (await paidCashCycle(database, 'beca', 1_000_000_00n)).programId;
  }, 120_000);
  afterAll(async () => database?.close());

  it('gives each disbursement its two largest credits, the largest of its chunks', async () => {
    const groups = await paymentsByProgramMonth(database.db);
    const of = (code: string) => groups.find((group) => group.programId === programs[code]);
    expect(of('bono')).toMatchObject({ payees: 11, amountMinor: 2_750_00n });
    expect(of('bono')?.largestMinor).toEqual([250_00n, 250_00n]);
    expect(of('beca')).toMatchObject({ payees: 11, amountMinor: 1_000_000_00n + 10n * 250_00n });
    expect(of('beca')?.largestMinor).toEqual([1_000_000_00n, 250_00n]);
  });

  it('withholds the dominated amounts and publishes the others, rounded to 1,000', async () => {
    await statisticsRefresher({ db: database.db, models: aggregateReadModels() });
    const answer = await readTable(database.db, findTable('paid_ves_by_program_month', true), [
      'program',
      'month',
    ]);
    const month = new Date().toISOString().slice(0, 7);
    const value = (key: string[]) =>
      answer.cells.find((cell) => cell.key.join('|') === key.join('|'))?.value;
    expect(value(['bono', month])).toBe(3_000); // 2,750.00 → 3,000
    expect(value(['beca', month])).toBeNull(); // 11 persons, but one payment is 99.75 % of it
    expect(value(['all', month])).toBeNull(); // the same payment dominates the month
    // The persons paid are counts, not amounts: 11 in each program, published.
    const payees = await readTable(database.db, findTable('payees_by_program_month', true), [
      'program',
      'month',
    ]);
    const paid = payees.cells.find((cell) => cell.key.join('|') === `beca|${month}`);
    expectNoisyCount(paid?.value, 11);
  });
});
