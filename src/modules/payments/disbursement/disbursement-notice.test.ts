import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { buildPerson } from '../../../../test/factories.js';
import { lookupAccounts, postedBalance, type WalletCreditHook } from '../../ledger/index.js';
import { paymentNotices, personNotifier, renderText } from '../../notifications/index.js';
import { textContacts } from '../../registry/index.js';
import { walletAccountId } from '../accounts/account-ids.js';
import { programFunder } from '../funding/program-funder.js';
import { cashCycle } from '../payments-test-kit.js';
import { disbursementRunner } from './disbursement-runner.js';
import { disbursementStarter } from './disbursement-starter.js';

/**
 * Issue 14, point 6 ("payment received") through the disbursement (issue 16): the text is
 * queued in the transaction that credits the wallet. When queueing fails the credit is not
 * made either, and the run that pays later texts once; a run that finds nothing to pay texts
 * nothing.
 */

// These tests are about money and its texts; the audit of the phone reads is tested in
// notifications/person-notices.test.ts.
const contactReadsNotAudited = { appendInTransaction: async () => undefined };
describe('a disbursement credit texts "payment received" in its own transaction', () => {
  let database: TestDatabase;
  const masterKey = randomBytes(32);
  const amountMinor = 150_000n;
  let cycleId: string;
  let personIds: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const kit = { database, masterKey };
    personIds = [];
    for (const phone of ['+584125559001', '+584125559002']) {
      personIds.push((await buildPerson(kit, { phone })).id);
    }
    const cycle = await cashCycle(database.db, { code: 'bono_texto', amountMinor });
    cycleId = cycle.cycleId;
    await programFunder(database.db, {
      programId: cycle.programId,
      currency: 'VES',
      amountMinor: String(amountMinor * 2n),
      transferId: randomUUID(),
    });
  });
  afterAll(async () => database?.close());

  const texts = () =>
    database.db
      .selectFrom('notification_outbox')
      .select(['person_id', 'parameters'])
      .where('template_id', '=', 'ledger.payment_received')
      .execute();
  const balances = async () =>
    (
      await lookupAccounts(
        database.db,
        personIds.map((id) => walletAccountId(id, 'VES')),
      )
    ).map(postedBalance);

  it('rolls the credit back with the text, then credits and texts once', async () => {
    const notices = paymentNotices(
      personNotifier({ masterKey, contacts: textContacts(masterKey, contactReadsNotAudited) }),
    );
    const started = await disbursementStarter(database.db, { cycleId, operatorId: null });
    // The texts are queued, then the outbox fails: the chunk's transaction rolls back whole.
    const failing: WalletCreditHook = async (trx, credits) => {
      await notices(trx, credits);
      throw new Error('the outbox is full');
    };
    await disbursementRunner(database.db, {
      disbursementId: started.id,
      onWalletCredited: failing,
    }).catch(() => undefined);
    expect(await texts()).toEqual([]);
    expect((await balances()).every((balance) => balance === 0n)).toBe(true);

    await disbursementRunner(database.db, {
      disbursementId: started.id,
      onWalletCredited: notices,
    });
    await disbursementRunner(database.db, {
      disbursementId: started.id,
      onWalletCredited: notices,
    });
    const queued = await texts();
    expect(queued.map((row) => row.person_id).sort()).toEqual([...personIds].sort());
    expect(await balances()).toEqual([amountMinor, amountMinor]);
    // The words give the amount and date only, never why.
    expect(renderText('ledger.payment_received', 'es', queued[0]?.parameters ?? {})).toMatch(
      /1500\.00 VES/,
    );
  });
});
