import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { buildPerson } from '../../../test/factories.js';
import { paymentNotices, personNotifier, renderText } from '../notifications/index.js';
import { textContacts } from '../registry/index.js';
import { lookupAccounts } from './account-service.js';
import { transferFlags, zeroId } from './ledger-codes.js';
import { openAccount, transfer } from './ledger-test-kit.js';
import { transferCreator } from './transfer-creator.js';

/**
 * "Payment received" (issue 14, point 6) is queued by the ledger's wallet-credit hook in the
 * transaction that posts the money: once per posted credit to a person's wallet, never for a
 * reservation, a void or money to a merchant, and not at all when the batch rolls back.
 */

// These tests are about money and its texts; the audit of the phone reads is tested in
// notifications/person-notices.test.ts.
const contactReadsNotAudited = { appendInTransaction: async () => undefined };
describe('wallet credits tell the person (transactional outbox)', () => {
  let database: TestDatabase;
  const masterKey = randomBytes(32);
  let funding: string;
  let wallet: string;
  let personId: string;
  // 23:30 in Caracas on 4 December is 03:30 UTC on the 5th: the text says the local day.
  const now = new Date('2026-12-05T03:30:00Z');
  const onWalletCredited = paymentNotices(
    personNotifier({
      masterKey,
      contacts: textContacts(masterKey, contactReadsNotAudited),
      now: () => now,
    }),
  );

  beforeAll(async () => {
    database = await createTestDatabase();
    const bank = await openAccount(database.db, 'settlement');
    funding = await openAccount(database.db, 'program_funding');
    await transferCreator(database.db, [
      transfer(bank, funding, 10_000_000n, { reason: 'funding' }),
    ]);
    personId = (await buildPerson({ database, masterKey }, { phone: '+584125550301' })).id;
    wallet = await openAccount(database.db, 'beneficiary_wallet', { referenceId: personId });
  });
  afterAll(async () => database?.close());

  const queued = () =>
    database.db
      .selectFrom('notification_outbox')
      .select(['template_id', 'parameters', 'language'])
      .where('person_id', '=', personId)
      .orderBy('created_at')
      .execute();

  it('queues one text with the amount and the local date, and nothing that names why', async () => {
    const pay = transfer(funding, wallet, 150_050n, {
      reason: 'disbursement',
      referenceKind: 'entitlement',
      referenceId: crypto.randomUUID(),
    });
    const [outcome] = await transferCreator(database.db, [pay], { now, onWalletCredited });
    expect(outcome?.result).toBe('ok');
    const rows = await queued();
    expect(rows).toEqual([
      {
        template_id: 'ledger.payment_received',
        parameters: { amount: '1500.50 VES', date: '2026-12-04' },
        language: 'es',
      },
    ]);
    expect(renderText('ledger.payment_received', 'es', rows[0]?.parameters ?? {})).toBe(
      'Amparo: recibió un pago de 1500.50 VES el 2026-12-04.',
    );
    // The same transfer again is a replay: no money moves, no second text.
    await transferCreator(database.db, [pay], { now, onWalletCredited });
    expect(await queued()).toHaveLength(1);
  });

  it('says nothing for a reservation or a void, and speaks when a reservation is posted', async () => {
    const { pending, postPendingTransfer, voidPendingTransfer } = transferFlags;
    const hold = transfer(funding, wallet, 2_000n, { flags: pending, timeoutSeconds: 600 });
    const other = transfer(funding, wallet, 3_000n, { flags: pending, timeoutSeconds: 600 });
    await transferCreator(database.db, [hold, other], { now, onWalletCredited });
    expect(await queued()).toHaveLength(1);
    const resolve = (pendingId: string, flags: number) =>
      transfer(zeroId, zeroId, 0n, { pendingId, flags });
    await transferCreator(
      database.db,
      [resolve(other.id, voidPendingTransfer), resolve(hold.id, postPendingTransfer)],
      { now, onWalletCredited },
    );
    const rows = await queued();
    expect(rows.map((row) => row.parameters.amount)).toEqual(['1500.50 VES', '20.00 VES']);
    // Money to a merchant is nobody's payment.
    const merchant = await openAccount(database.db, 'merchant');
    await transferCreator(database.db, [transfer(wallet, merchant, 100n)], {
      now,
      onWalletCredited,
    });
    expect(await queued()).toHaveLength(2);
  });

  it('rolls the money back with the text when queueing fails, and the text with the money', async () => {
    const [before] = await lookupAccounts(database.db, [wallet]);
    await expect(
      transferCreator(database.db, [transfer(funding, wallet, 700n)], {
        now,
        onWalletCredited: async (trx, credits) => {
          await onWalletCredited(trx, credits);
          throw new Error('the outbox is full');
        },
      }),
    ).rejects.toThrow(/outbox is full/);
    const [after] = await lookupAccounts(database.db, [wallet]);
    expect(after?.creditsPosted).toBe(before?.creditsPosted);
    expect(await queued()).toHaveLength(2);
  });
});
