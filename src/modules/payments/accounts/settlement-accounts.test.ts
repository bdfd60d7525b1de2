import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { ledgerIsSound, verifyLedger } from '../../ledger/index.js';
import { programFunder } from '../funding/program-funder.js';
import { cashCycle } from '../payments-test-kit.js';
import { settlementAccountIds } from './account-ids.js';
import { settlementAccountsOpener } from './settlement-accounts.js';

/**
 * A currency's settlement sub-accounts (docs/LEDGER.md) are opened together, once, by whatever
 * first needs the currency's settlement: two fundings of two programs at the same moment (each
 * debiting the sub-account its transfer id picks) and a payout's opening of the settlement race
 * on an empty ledger, and exactly the 16 exist after them; the ledger verifies clean.
 */
describe('settlement sub-accounts', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.close());

  const settlementRows = async () =>
    database.db
      .selectFrom('ledger_account')
      .select('id')
      .where('kind', '=', 'settlement')
      .where('currency', '=', 'VES')
      .execute();

  it('opens all 16 at the first use, exactly once when first uses race', async () => {
    const first = await cashCycle(database.db, { code: 'bono_sub_a', amountMinor: 10_00n });
    const second = await cashCycle(database.db, { code: 'bono_sub_b', amountMinor: 10_00n });
    expect(await settlementRows()).toEqual([]);
    const funded = await Promise.all([
      programFunder(database.db, {
        programId: first.programId,
        currency: 'VES',
        amountMinor: '50000',
        transferId: randomUUID(),
      }),
      programFunder(database.db, {
        programId: second.programId,
        currency: 'VES',
        amountMinor: '70000',
        transferId: randomUUID(),
      }),
      // Another handle on the same database, as another server process would be.
      settlementAccountsOpener(database.db.withoutPlugins(), 'VES'),
    ]);
    expect(funded.slice(0, 2)).toEqual([
      expect.objectContaining({ replayed: false, amountMinor: 50_000n }),
      expect.objectContaining({ replayed: false, amountMinor: 70_000n }),
    ]);
    const ids = (await settlementRows()).map((row) => row.id).sort();
    expect(ids).toHaveLength(16);
    expect(ids).toEqual([...settlementAccountIds('VES')].sort());
    // Again (the same handle remembers; another looks and finds them): nothing more opened.
    await settlementAccountsOpener(database.db.withoutPlugins(), 'VES');
    expect(await settlementRows()).toHaveLength(16);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });
});
