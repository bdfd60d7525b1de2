import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { lookupAccounts } from './account-service.js';
import { openAccount, transfer } from './ledger-test-kit.js';
import { ledgerIsSound, verifyLedger } from './ledger-verifier.js';
import { transferCreator } from './transfer-creator.js';

/**
 * The hot funding account (issue #16, point 3; docs/LEDGER.md): batches read it without a
 * lock and add their aggregated debit at the end. When two batches both saw enough money and
 * only one fits, the database's CHECK refuses the second's final change, and that batch runs
 * again with the account locked: exactly one is paid, the other refused, never an overdraft.
 */
describe('the hot funding account', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.close());

  it('never overdraws when batches race for the last of the money', async () => {
    const bank = await openAccount(database.db, 'settlement');
    const funding = await openAccount(database.db, 'program_funding');
    await transferCreator(database.db, [transfer(bank, funding, 100n, { reason: 'funding' })]);
    const wallets = await Promise.all(
      Array.from({ length: 6 }, () => openAccount(database.db, 'beneficiary_wallet')),
    );
    const batches = wallets.map((wallet) => [
      transfer(funding, wallet, 30n, { reason: 'disbursement' }),
      transfer(funding, wallet, 10n, { reason: 'disbursement' }),
    ]);
    const outcomes = await Promise.all(batches.map((batch) => transferCreator(database.db, batch)));
    const paid = outcomes.flat().filter((outcome) => outcome.result === 'ok');
    const [account] = await lookupAccounts(database.db, [funding]);
    expect(account?.debitsPosted).toBeLessThanOrEqual(100n);
    expect(account?.debitsPosted).toBe(
      batches
        .flat()
        .filter((t) => paid.some((outcome) => outcome.id === t.id))
        .reduce((sum, t) => sum + t.amountMinor, 0n),
    );
    expect(paid.length).toBeGreaterThanOrEqual(3);
    expect(outcomes.flat().filter((outcome) => outcome.result === 'exceeds_credits').length).toBe(
      12 - paid.length,
    );
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('gives the same answers with the design switched off', async () => {
    const bank = await openAccount(database.db, 'settlement');
    const funding = await openAccount(database.db, 'program_funding');
    await transferCreator(database.db, [transfer(bank, funding, 50n, { reason: 'funding' })]);
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const batch = [
      transfer(funding, wallet, 30n),
      transfer(funding, wallet, 30n),
      transfer(funding, wallet, 20n),
    ];
    const results = await transferCreator(database.db, batch, { deferHotAccounts: false });
    expect(results.map((outcome) => outcome.result)).toEqual(['ok', 'exceeds_credits', 'ok']);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });
});
