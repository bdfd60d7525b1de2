import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { buildPerson } from '../../../../test/factories.js';
import {
  accountCreator,
  ledgerIsSound,
  lookupAccounts,
  postedBalance,
  transferCreator,
  verifyLedger,
} from '../../ledger/index.js';
import { paymentNotices, personNotifier } from '../../notifications/index.js';
import { cashEntitlementsInRange, cyclePublisher } from '../../programs/index.js';
import { RegistryEvents, textContacts } from '../../registry/index.js';
import { disbursementTransferId, walletAccountId } from '../accounts/account-ids.js';
import { freezeWalletsOnRegistryEvents } from '../accounts/wallet-freeze.js';
import { programFunder } from '../funding/program-funder.js';
import { cashCycle } from '../payments-test-kit.js';
import { disbursementRunner } from './disbursement-runner.js';
import { disbursementStarter } from './disbursement-starter.js';

/**
 * Issue #16, point 4: a published cash cycle (not one approved only) becomes wallet credits, each transfer linked to its
 * entitlement and paid exactly once, resumable; a frozen wallet is skipped; "payment received"
 * is queued in the credit's transaction.
 */

// These tests are about money and its texts; the audit of the phone reads is tested in
// notifications/person-notices.test.ts.
const contactReadsNotAudited = { appendInTransaction: async () => undefined };
describe('disbursement of a cash cycle', () => {
  let database: TestDatabase;
  const masterKey = randomBytes(32);
  const amountMinor = 25_000n;
  let programId: string;
  let cycleId: string;
  let personIds: string[];
  let phoned: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const kit = { database, masterKey };
    personIds = [];
    phoned = [];
    for (let index = 0; index < 11; index += 1) {
      const phone = index < 3 ? `+58412555${String(index).padStart(4, '0')}` : null;
      const person = await buildPerson(kit, { phone });
      personIds.push(person.id);
      if (phone) phoned.push(person.id);
    }
    ({ programId, cycleId } = await cashCycle(database.db, {
      code: 'bono',
      amountMinor,
      unpublished: true,
    }));
  });
  afterAll(async () => database?.close());

  it('refuses to start, writing nothing, while the cycle is approved but not published', async () => {
    await expect(
      disbursementStarter(database.db, { cycleId, operatorId: null }),
    ).rejects.toMatchObject({ code: 'AMP_CYCLE_NOT_PUBLISHED' });
    expect(await database.db.selectFrom('payment_disbursement').selectAll().execute()).toEqual([]);
    // Published: paid from here on (the tests below).
    await cyclePublisher(database.db, { cycleId, operatorId: randomUUID() });
  });

  it('refuses to start, writing nothing, when the funding account cannot cover the cycle', async () => {
    await expect(
      disbursementStarter(database.db, { cycleId, operatorId: null }),
    ).rejects.toMatchObject({ code: 'AMP_FUNDS_INSUFFICIENT' });
    const rows = await database.db.selectFrom('payment_disbursement').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('pays every open entitlement once, skips a frozen wallet, resumes a killed run, texts in the same commit', async () => {
    await programFunder(database.db, {
      programId,
      currency: 'VES',
      amountMinor: String(amountMinor * 11n + 1n),
      transferId: randomUUID(),
    });
    // The first person died: the registry's event freezes the wallet in its transaction.
    const events = new RegistryEvents();
    freezeWalletsOnRegistryEvents(events);
    const dead = personIds[0] as string;
    await database.db
      .transaction()
      .execute((trx) => events.publish(trx, 'personDied', { personId: dead }));

    const started = await disbursementStarter(database.db, {
      cycleId,
      operatorId: null,
      chunkEntitlements: 3,
    });
    expect(started).toMatchObject({
      chunksTotal: 4,
      entitlementsTotal: 11n,
      amountTotalMinor: amountMinor * 11n,
    });
    // Starting again answers the same disbursement.
    expect((await disbursementStarter(database.db, { cycleId, operatorId: null })).id).toBe(
      started.id,
    );

    const onWalletCredited = paymentNotices(
      personNotifier({ masterKey, contacts: textContacts(masterKey, contactReadsNotAudited) }),
    );
    // A run stopped after one chunk ...
    const partial = await disbursementRunner(database.db, {
      disbursementId: started.id,
      workers: 1,
      chunksMax: 1,
      onWalletCredited,
    });
    expect(partial).toMatchObject({ status: 'running', chunksDone: 1 });
    // ... and a run killed after the ledger committed chunk 2's transfers but before it was
    // counted (the same derived transfers, sent the way the runner sends them).
    const chunk = await database.db
      .selectFrom('payment_disbursement_chunk')
      .selectAll()
      .where('disbursement_id', '=', started.id)
      .where('chunk', '=', 2)
      .executeTakeFirstOrThrow();
    const inRange = await cashEntitlementsInRange(database.db, {
      programId,
      cycleId,
      firstPersonId: chunk.first_person_id,
      lastPersonId: chunk.last_person_id,
    });
    const alive = inRange.filter((entitlement) => entitlement.personId !== dead);
    await accountCreator(
      database.db,
      alive.map((e) => ({
        id: walletAccountId(e.personId, 'VES'),
        currency: 'VES',
        kind: 'beneficiary_wallet',
        flags: 2,
        referenceId: e.personId,
      })),
    );
    await transferCreator(
      database.db,
      alive.map((e) => ({
        id: disbursementTransferId(e.entitlementId),
        debitAccountId: started.fundingAccountId,
        creditAccountId: walletAccountId(e.personId, 'VES'),
        amountMinor: e.amountMinor,
        flags: 0,
        currency: 'VES' as const,
        reason: 'disbursement' as const,
        referenceKind: 'entitlement' as const,
        referenceId: e.entitlementId,
      })),
      { onWalletCredited },
    );

    const done = await disbursementRunner(database.db, {
      disbursementId: started.id,
      workers: 3,
      onWalletCredited,
    });
    expect(done).toMatchObject({
      status: 'finished',
      chunksDone: 4,
      creditedCount: 10n,
      creditedMinor: amountMinor * 10n,
      skippedCount: 1n,
      refusedCount: 0n,
    });
    // Running it again changes nothing.
    await disbursementRunner(database.db, { disbursementId: started.id, onWalletCredited });

    const transfers = await database.db
      .selectFrom('ledger_transfer')
      .select(['reference_id', 'credit_account_id', 'amount'])
      .where('reason', '=', 'disbursement')
      .where('result', '=', 'ok')
      .execute();
    expect(transfers).toHaveLength(10);
    expect(new Set(transfers.map((t) => t.reference_id)).size).toBe(10);
    const wallets = await lookupAccounts(
      database.db,
      personIds.map((id) => walletAccountId(id, 'VES')),
    );
    expect(wallets).toHaveLength(10);
    expect(wallets.map((wallet) => wallet.id).sort()).toEqual(
      personIds
        .filter((id) => id !== dead)
        .map((id) => walletAccountId(id, 'VES'))
        .sort(),
    );
    for (const wallet of wallets) expect(postedBalance(wallet)).toBe(amountMinor);
    const [funding] = await lookupAccounts(database.db, [started.fundingAccountId]);
    expect(funding && postedBalance(funding)).toBe(amountMinor + 1n);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);

    // One "payment received" per living person with a phone, whichever run paid them.
    const texts = await database.db
      .selectFrom('notification_outbox')
      .select(['person_id'])
      .where('template_id', '=', 'ledger.payment_received')
      .execute();
    expect(texts.map((text) => text.person_id).sort()).toEqual(
      phoned.filter((id) => id !== dead).sort(),
    );
  });
});
