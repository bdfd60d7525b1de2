import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { lookupAccounts } from './account-service.js';
import { newId, openAccount, transfer } from './ledger-test-kit.js';
import { ledgerIsSound, verifyLedger } from './ledger-verifier.js';
import { transferCreator, transferCreatorInTransaction } from './transfer-creator.js';

/**
 * `transferCreatorInTransaction`: a batch inside a transaction the caller holds (a registry
 * lifecycle event's). It commits or rolls back with the caller's writes; an error of its own
 * rolls back only what it wrote; a conflict with another batch runs it again under its savepoint.
 */
describe('transfers inside the caller’s transaction', () => {
  let database: TestDatabase;
  let bank: string;
  let wallet: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    bank = await openAccount(database.db, 'settlement');
    wallet = await openAccount(database.db, 'beneficiary_wallet');
  });
  afterAll(async () => database?.close());

  const posted = async (id: string) => {
    const [account] = await lookupAccounts(database.db, [id]);
    return (account?.creditsPosted ?? 0n) - (account?.debitsPosted ?? 0n);
  };
  const written = async (id: string) =>
    (await database.db.selectFrom('ledger_transfer').select('id').where('id', '=', id).execute())
      .length;

  it('commits with the caller’s transaction and rolls back with it', async () => {
    const kept = transfer(bank, wallet, 100n);
    await database.db.transaction().execute(async (trx) => {
      const [outcome] = await transferCreatorInTransaction(trx, [kept]);
      expect(outcome?.result).toBe('ok');
    });
    expect(await posted(wallet)).toBe(100n);
    const undone = transfer(bank, wallet, 50n);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await transferCreatorInTransaction(trx, [undone]);
        throw new Error('the caller fails after the batch');
      }),
    ).rejects.toThrow('the caller fails');
    expect(await written(undone.id)).toBe(0);
    expect(await posted(wallet)).toBe(100n);
  });

  it('rolls back only its own writes when its hook fails: the caller’s transaction goes on', async () => {
    const failed = transfer(bank, wallet, 7n);
    const after = transfer(bank, wallet, 3n);
    await database.db.transaction().execute(async (trx) => {
      await expect(
        transferCreatorInTransaction(trx, [failed], {
          onApplied: async () => {
            throw new Error('refused by the caller');
          },
        }),
      ).rejects.toThrow('refused by the caller');
      await transferCreatorInTransaction(trx, [after]);
    });
    expect(await written(failed.id)).toBe(0);
    expect(await written(after.id)).toBe(1);
    expect(await posted(wallet)).toBe(103n);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('meets another batch writing the same id at once: one applies it, the other answers it replayed', async () => {
    const shared = transfer(bank, wallet, 11n, { id: newId() });
    const before = await posted(wallet);
    const [inside, outside] = await Promise.all([
      database.db.transaction().execute(async (trx) => transferCreatorInTransaction(trx, [shared])),
      transferCreator(database.db, [shared]),
    ]);
    expect([inside?.[0]?.result, outside?.[0]?.result]).toEqual(['ok', 'ok']);
    expect([inside?.[0]?.replayed, outside?.[0]?.replayed].sort()).toEqual([false, true]);
    expect(await posted(wallet)).toBe(before + 11n);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });
});
