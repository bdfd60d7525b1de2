import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../../../test/db.js';
import { buildOperator } from '../../../../test/factories.js';
import {
  ledgerIsSound,
  transferCreator,
  transferFlags,
  verifyLedger,
  zeroId,
} from '../../ledger/index.js';
import { executeErasure, insertErasureRequest } from '../../registry/erasure/repository.js';
import { RegistryEvents } from '../../registry/index.js';
import { freezeWalletsOnRegistryEvents } from '../accounts/wallet-freeze.js';
import type { PaymentsContext } from '../payments-context.js';
import { bankFileApplier } from './bank-file-applier.js';
import { type PayoutBatchInput, payoutBatchCreator } from './batch-creator.js';
import { payoutFileReader, recordBatchFile, writeBatchFile } from './batch-reader.js';
import { claimForWallets } from './entitlement-claims.js';
import { flaggedPayouts } from './flagged-payouts.js';
import { pain002For } from './iso20022/bank-files-test-kit.js';
import { validatePain001 } from './iso20022/xsd-validator.js';
import type { PayoutDependencies } from './payout-gate.js';
import { payoutPendingId, payoutPostId, payoutVoidId } from './payout-ids.js';
import { voidPayoutsOnRegistryEvents } from './payout-lifecycle.js';
import {
  approvedForTest,
  type CashPayoutScene,
  cashPayoutScene,
  testBatchInput,
} from './payout-test-kit.js';

/**
 * Issue #16, point 7, for payouts, tested as an attacker would: a person who dies, is merged
 * away or erased is paid nothing more by a payout still in Amparo (voided, claim released, left
 * out of the file), and a payout already sent is flagged and reconciled, never silently
 * dropped. A payment is never both voided and paid, whatever comes first or at once.
 */
describe('payouts of a person who dies, is merged or erased', () => {
  let database: TestDatabase;
  let deps: PayoutDependencies;
  const masterKey = randomBytes(32);
  const amount = 40_00n;
  let programId: string;
  let entitlements: CashPayoutScene['entitlements'];
  let reserved: CashPayoutScene['reserved'];
  let instructions: CashPayoutScene['instructions'];
  let next = 0;
  const events = new RegistryEvents();
  const context: PaymentsContext = {
    actor: { kind: 'system', job: 'payout-lifecycle-test' },
    purpose: 'distribution',
    requestId: 'lifecycle-test',
  };
  let administrators: [string, string];

  beforeAll(async () => {
    ({ database, deps, programId, entitlements, reserved, instructions } = await cashPayoutScene({
      masterKey,
      persons: 11,
      code: 'bono_vida',
      amountMinor: amount,
      fundedMinor: 1_000_00n,
    }));
    freezeWalletsOnRegistryEvents(events);
    voidPayoutsOnRegistryEvents(events);
    const asks = await buildOperator(
      { database, masterKey },
      { username: 'erasure.pide', roles: ['administrator'] },
    );
    const approves = await buildOperator(
      { database, masterKey },
      { username: 'erasure.aprueba', roles: ['administrator'] },
    );
    administrators = [asks.id, approves.id];
  });
  afterAll(async () => database?.close());

  const take = (count: number) => {
    next += count;
    return entitlements.slice(next - count, next);
  };
  const batch = (paid: ReadonlyArray<{ entitlementId: string }>): PayoutBatchInput =>
    testBatchInput(
      programId,
      paid.map(({ entitlementId }) => ({ entitlementId, amountMinor: amount })),
    );
  /** The registry's erasure as `erasureApprover` runs it: the key destroyed, the event told. */
  const erase = async (personId: string) => {
    const id = randomUUID();
    await database.db.transaction().execute(async (trx) => {
      await insertErasureRequest(trx, {
        id,
        personId,
        requestedBy: administrators[0],
        reasonCode: 'person_request',
        reference: null,
        requestedAt: new Date(),
      });
    });
    await database.db.transaction().execute(async (trx) => {
      const erased = await executeErasure(trx, {
        id,
        approvedBy: administrators[1],
        at: new Date(),
      });
      for (const record of erased?.records ?? [])
        await events.publish(trx, 'personErased', { personId: record });
    });
  };
  const died = (personId: string) =>
    database.db.transaction().execute((trx) => events.publish(trx, 'personDied', { personId }));
  const transferResult = async (id: string) =>
    (
      await database.db
        .selectFrom('ledger_transfer')
        .select('result')
        .where('id', '=', id)
        .executeTakeFirst()
    )?.result;

  it('cancels an erased person’s payout not yet sent: reservation voided, claim released, left out of the file; a forged acceptance posts nothing', async () => {
    const paid = take(3);
    const summary = await payoutBatchCreator(deps, context, batch(paid));
    await approvedForTest(deps.db, summary.id);
    const before = await reserved();
    const [a, b, c] = await instructions(summary.id);
    await erase(paid[0]?.personId ?? '');

    const after = await instructions(summary.id);
    expect(after.map((row) => row.status)).toEqual(['cancelled', 'pending', 'pending']);
    expect(await reserved()).toBe(before - amount);
    expect(await transferResult(payoutVoidId(a?.id ?? ''))).toBe('ok');
    // The claim is released: someone else's wallet claim (had the entitlement been theirs) takes it.
    const taken = await database.db
      .transaction()
      .execute((trx) =>
        claimForWallets(trx, [{ entitlementId: a?.reference_id ?? '', personId: randomUUID() }]),
      );
    expect(taken.has(a?.reference_id ?? '')).toBe(true);

    const file = await payoutFileReader(deps, context, summary.id);
    expect(file.xml).not.toContain(a?.end_to_end_id);
    expect(file.xml).toContain(b?.end_to_end_id);
    expect(file.xml).toContain('<CtrlSum>80.00</CtrlSum>');
    expect((await validatePain001(file.xml)).valid).toBe(true);
    // The same file again: the hash kept at the first download holds.
    expect((await payoutFileReader(deps, context, summary.id)).xml).toBe(file.xml);

    // An insider forges the bank's acceptance of every payment, the cancelled one too.
    const forged = pain002For(summary.messageId, [
      { endToEndId: a?.end_to_end_id ?? '', status: 'ACSC' },
      { endToEndId: b?.end_to_end_id ?? '', status: 'ACSC' },
      { endToEndId: c?.end_to_end_id ?? '', status: 'ACSC' },
    ]);
    const applied = await bankFileApplier(deps, context, { format: 'pain.002', content: forged });
    expect(applied.summary).toMatchObject({ accepted: 2, unchanged: 1, refused: 0 });
    expect((await instructions(summary.id)).map((row) => row.status)).toEqual([
      'cancelled',
      'accepted',
      'accepted',
    ]);
    expect(await transferResult(payoutPostId(a?.id ?? ''))).toBeUndefined();
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('flags a payout already sent to the bank, voids nothing, and lists it until the bank’s answer settles it', async () => {
    const paid = take(2);
    const summary = await payoutBatchCreator(deps, context, batch(paid));
    await approvedForTest(deps.db, summary.id);
    const file = await payoutFileReader(deps, context, summary.id);
    const [d, e] = await instructions(summary.id);
    const before = await reserved();
    await died(paid[0]?.personId ?? '');
    expect((await instructions(summary.id)).map((row) => row.status)).toEqual([
      'pending',
      'pending',
    ]);
    expect(await reserved()).toBe(before);
    expect(await transferResult(payoutVoidId(d?.id ?? ''))).toBeUndefined();
    expect(await flaggedPayouts(deps, context)).toEqual([
      expect.objectContaining({
        instructionId: d?.id,
        endToEndId: d?.end_to_end_id,
        messageId: summary.messageId,
        amountMinor: amount,
        status: 'pending',
        reason: 'death',
        statusWhenFlagged: 'pending',
      }),
    ]);
    // Told twice (a merge after the death): listed once.
    await died(paid[0]?.personId ?? '');
    expect(await flaggedPayouts(deps, context)).toHaveLength(1);
    // The bank paid it: the acceptance posts it, and the list shows it accepted.
    const accepted = pain002For(summary.messageId, [
      { endToEndId: d?.end_to_end_id ?? '', status: 'ACSC' },
      { endToEndId: e?.end_to_end_id ?? '', status: 'ACSC' },
    ]);
    expect(file.xml).toContain(d?.end_to_end_id);
    await bankFileApplier(deps, context, { format: 'pain.002', content: accepted });
    expect(await flaggedPayouts(deps, context)).toEqual([
      expect.objectContaining({ instructionId: d?.id, status: 'accepted' }),
    ]);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('flags, never voids, a payout the ledger already posted though its status was not yet written', async () => {
    const paid = take(1);
    const summary = await payoutBatchCreator(deps, context, batch(paid));
    await approvedForTest(deps.db, summary.id);
    const [f] = await instructions(summary.id);
    // A bank file's post written, the process killed before the status: the row says pending.
    const [post] = await transferCreator(database.db, [
      {
        id: payoutPostId(f?.id ?? ''),
        debitAccountId: zeroId,
        creditAccountId: zeroId,
        amountMinor: 0n,
        pendingId: payoutPendingId(f?.id ?? ''),
        flags: transferFlags.postPendingTransfer,
        currency: 'VES',
        reason: 'disbursement',
        referenceKind: 'payout',
        referenceId: f?.id ?? '',
      },
    ]);
    expect(post?.result).toBe('ok');
    await died(paid[0]?.personId ?? '');
    expect((await instructions(summary.id)).map((row) => row.status)).toEqual(['pending']);
    expect(await transferResult(payoutVoidId(f?.id ?? ''))).not.toBe('ok');
    expect(await flaggedPayouts(deps, context)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ instructionId: f?.id, statusWhenFlagged: 'posted' }),
      ]),
    );
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('a file written just before a cancellation is not recorded as sent: written again, it leaves the payment out', async () => {
    const paid = take(2);
    const summary = await payoutBatchCreator(deps, context, batch(paid));
    await approvedForTest(deps.db, summary.id);
    const [h] = await instructions(summary.id);
    // The download's window: the file is written, then the person dies before it is recorded.
    const stale = await writeBatchFile(deps, summary.id);
    expect(stale?.xml).toContain(h?.end_to_end_id);
    await died(paid[0]?.personId ?? '');
    expect(
      await recordBatchFile(database.db, summary.id, stale as NonNullable<typeof stale>, {
        sent: true,
      }),
    ).toBe(false);
    const sent = await database.db
      .selectFrom('payout_batch')
      .select('sent_at')
      .where('id', '=', summary.id)
      .executeTakeFirstOrThrow();
    expect(sent.sent_at).toBeNull();
    const file = await payoutFileReader(deps, context, summary.id);
    expect(file.xml).not.toContain(h?.end_to_end_id);
    expect((await instructions(summary.id))[0]?.status).toBe('cancelled');
  });

  it('a merge cancels the merged-away record’s payout not yet sent, as a death or an erasure does', async () => {
    const paid = take(1);
    const summary = await payoutBatchCreator(deps, context, batch(paid));
    await approvedForTest(deps.db, summary.id);
    const [m] = await instructions(summary.id);
    await database.db.transaction().execute((trx) =>
      events.publish(trx, 'personsMerged', {
        mergedId: paid[0]?.personId ?? '',
        survivorId: randomUUID(),
      }),
    );
    const row = await database.db
      .selectFrom('payout_instruction')
      .select(['status', 'status_reason'])
      .where('id', '=', m?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'cancelled', status_reason: 'person_merge' });
    expect(await transferResult(payoutVoidId(m?.id ?? ''))).toBe('ok');
    // Nothing left to pay: the batch has no file any more.
    await expect(payoutFileReader(deps, context, summary.id)).rejects.toMatchObject({
      code: 'AMP_CONFLICT',
    });
  });

  it('a download and an erasure at once: each payment is in the file and flagged, or cancelled and out of it — never both', async () => {
    const paid = take(2);
    const summary = await payoutBatchCreator(deps, context, batch(paid));
    await approvedForTest(deps.db, summary.id);
    const [g] = await instructions(summary.id);
    const download = async () => {
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        try {
          return await payoutFileReader(deps, context, summary.id);
        } catch (error) {
          // Written while the erasure committed: the file is refused whole, and written again.
          const code = (error as { code?: string }).code;
          if (code !== 'AMP_CONFLICT' && code !== 'AMP_PAYOUT_CREDITOR_ERASED') throw error;
        }
      }
      throw new Error('the file was never downloaded');
    };
    const [file] = await Promise.all([download(), erase(paid[0]?.personId ?? '')]);
    const [status] = (await instructions(summary.id)).map((row) => row.status);
    const flagged = (await flaggedPayouts(deps, context)).some(
      (row) => row.instructionId === g?.id,
    );
    const voided = (await transferResult(payoutVoidId(g?.id ?? ''))) === 'ok';
    if (file.xml.includes(g?.end_to_end_id ?? '-')) {
      expect([status, flagged, voided]).toEqual(['pending', true, false]);
    } else {
      expect([status, flagged, voided]).toEqual(['cancelled', false, true]);
    }
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });
});
