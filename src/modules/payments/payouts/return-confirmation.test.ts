import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import { ledgerIsSound, lookupAccounts, postedBalance, verifyLedger } from '../../ledger/index.js';
import { settlementAccountId } from '../accounts/account-ids.js';
import { camt053For } from './iso20022/bank-files-test-kit.js';
import { payoutReturnReversalId, suspenseAccountId } from './payout-ids.js';
import {
  payableCashCycle,
  payingAccountStoredForTest,
  routeTestPayee,
  testBatchRequest,
  testDebtor,
} from './payout-test-kit.js';

/**
 * The review of session 17 (issue #16): one finance officer with `payout.reconcile` uploaded a
 * hand-made camt.053 whose booked credits carried settled payouts' end-to-end ids and amounts;
 * each turned `returned` at once, which released its entitlement, and the same officer paid
 * them again in a new batch (the approver's payee check flags nothing: same account as before).
 * Now a statement's return waits (`return_pending`, the money in suspense, the entitlement still
 * paid) until a second finance officer, never the uploader, confirms it; the database refuses
 * the uploader's confirmation and a `returned` without one.
 */
describe('a payout return read from a statement needs a second finance officer', () => {
  let kit: AccessTestApp;
  let officer: SignedIn;
  let second: SignedIn;
  let third: SignedIn;
  let programId: string;
  let cycleId: string;
  let entitlementId: string;
  /** The account the batches pay from: the statements below are of it. */
  const debtor = testDebtor;
  const amount = 12345n;

  const call = (method: 'GET' | 'POST', url: string, who: SignedIn, payload?: object) =>
    kit.app.inject({
      method,
      url: `/api/payouts${url}${url.includes('?') ? '&' : '?'}purpose=distribution`,
      cookies: who.cookies,
      ...(payload === undefined ? {} : { payload }),
    });
  const newBatch = (by: SignedIn) =>
    call(
      'POST',
      '/batches',
      by,
      testBatchRequest(programId, [{ entitlementId, amountMinor: `${amount}` }]),
    );
  const statement = (
    direction: 'debit' | 'credit',
    endToEndId: string,
    messageId: string,
    bankReference?: string,
  ) =>
    call('POST', '/bank-files', officer, {
      format: 'camt.053',
      content: camt053For({
        account: debtor.accountNumber,
        messageId,
        movements: [
          {
            amountMinor: amount,
            direction,
            endToEndId,
            ...(bankReference ? { bankReference } : {}),
          },
        ],
      }),
    });
  /** The audit entries written for one request: action, outcome, reason and the actor's id. */
  const entriesOf = async (response: { headers: Record<string, unknown> }) =>
    (
      await kit.database.asAdmin((admin) =>
        sql<{ action: string; outcome: string; reason_code: string | null; actor: string }>`
          select entry::json->>'action' as action, entry::json->>'outcome' as outcome,
                 entry::json->>'reasonCode' as reason_code, entry::json->'actor'->>'id' as actor
            from audit_entry
           where entry::json->>'requestId' = ${String(response.headers['x-request-id'])}`.execute(
          admin,
        ),
      )
    ).rows;
  const balanceOf = async (accountId: string) => {
    const [account] = await lookupAccounts(kit.database.db, [accountId]);
    return account === undefined ? 0n : postedBalance(account);
  };
  const instructionStatus = async (id: string) =>
    (
      await kit.database.db
        .selectFrom('payout_instruction')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    officer = await signIn(kit, ['finance_officer'], ['VE-A']);
    second = await signIn(kit, ['finance_officer'], ['VE-A']);
    third = await signIn(kit, ['finance_officer'], ['VE-A']);
    const personId = (await buildPerson(kit, { uin: '3000000025', phone: null })).id;
    const cycle = await payableCashCycle(kit, {
      code: 'bono_devolucion',
      amountMinor: amount,
      fundedMinor: 500_00n,
      payees: [{ personId, payee: routeTestPayee }],
    });
    ({ programId, cycleId } = cycle);
    const [entitlement] = cycle.entitlements;
    expect(entitlement?.personId).toBe(personId);
    entitlementId = entitlement?.entitlementId ?? '';
    await payingAccountStoredForTest(kit.database.db, { scope: 'program', key: programId });
  });
  afterAll(async () => kit?.close());

  it('holds a forged return until another officer confirms it, and only then pays again', async () => {
    // Paid once: made by one officer, approved by the second, settled by the day's statement.
    const made = await newBatch(officer);
    expect(made.statusCode, made.body).toBe(201);
    const batchId: string = made.json().id;
    const [payment] = (await call('GET', `/batches/${batchId}/payments`, officer)).json().payments;
    const approved = await call('POST', `/batches/${batchId}/approval`, second, {
      confirmedEndToEndIds: [payment.endToEndId],
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect((await statement('debit', payment.endToEndId, 'STMT-PAID')).statusCode).toBe(200);
    const { id: instructionId } = await kit.database.db
      .selectFrom('payout_instruction')
      .select('id')
      .where('end_to_end_id', '=', payment.endToEndId)
      .executeTakeFirstOrThrow();
    expect(await instructionStatus(instructionId)).toBe('settled');

    // The officer's hand-made statement: a booked credit with the payout's id and amount.
    const forged = await statement('credit', payment.endToEndId, 'STMT-FORGED', 'BNK-RET-4711');
    expect(forged.statusCode, forged.body).toBe(200);
    expect(forged.json().summary).toMatchObject({ returned: 1 });
    expect(await instructionStatus(instructionId)).toBe('return_pending');

    // The entitlement is still paid: the preview leaves it out, a new batch is refused.
    const preview = await call('GET', `/cycles/${cycleId}/preview`, officer);
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({ alreadyPaidCount: 1, payable: [] });
    const again = await newBatch(officer);
    expect(again.statusCode).toBe(422);
    expect(again.json().code).toBe('AMP_PAYOUT_INSTRUCTION_INVALID');

    // Listed for confirmation; its uploader is told they cannot confirm, and is refused.
    const listed = await call('GET', '/returns', officer);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().returns).toEqual([
      expect.objectContaining({
        instructionId,
        endToEndId: payment.endToEndId,
        amountMinor: `${amount}`,
        bankReference: 'BNK-RET-4711',
        reportedByYou: true,
      }),
    ]);
    const byUploader = await call('POST', `/returns/${instructionId}/confirmation`, officer, {});
    expect(byUploader.statusCode).toBe(403);
    expect(byUploader.json().code).toBe('AMP_RETURN_SAME_OPERATOR');
    expect(await entriesOf(byUploader)).toContainEqual(
      expect.objectContaining({
        action: 'payout.return_confirm',
        outcome: 'denied',
        reason_code: 'AMP_RETURN_SAME_OPERATOR',
      }),
    );
    expect(await instructionStatus(instructionId)).toBe('return_pending');

    // The database refuses both shortcuts too.
    const suspenseId = (
      await kit.database.db
        .selectFrom('payout_suspense')
        .select('id')
        .where('instruction_id', '=', instructionId)
        .executeTakeFirstOrThrow()
    ).id;
    await expect(
      kit.database.db
        .insertInto('payout_return_confirmation')
        .values({
          instruction_id: instructionId,
          suspense_id: suspenseId,
          confirmed_by: officer.operatorId,
        })
        .execute(),
    ).rejects.toThrow(/payout_return_confirmer_not_reporter/);
    await expect(
      kit.database.db
        .updateTable('payout_instruction')
        .set({ status: 'returned' })
        .where('id', '=', instructionId)
        .execute(),
    ).rejects.toThrow(/second finance officer/);
    expect((await newBatch(officer)).statusCode).toBe(422);

    // The second officer confirms: now, and only now, the entitlement is payable again.
    const confirmed = await call('POST', `/returns/${instructionId}/confirmation`, second, {});
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toEqual({ instructionId, status: 'returned' });
    expect(await entriesOf(confirmed)).toEqual([
      {
        action: 'payout.return_confirm',
        outcome: 'allowed',
        reason_code: null,
        actor: second.operatorId,
      },
    ]);
    expect(await instructionStatus(instructionId)).toBe('returned');
    expect((await call('GET', '/returns', second)).json().returns).toEqual([]);
    const repeated = await call('POST', `/returns/${instructionId}/confirmation`, second, {});
    expect(repeated.statusCode).toBe(200);

    // Once confirmed, the uploader is still refused (not "unchanged", not audited as allowed),
    // and a third officer is told it was confirmed, not recorded as confirming it.
    const uploaderAfter = await call('POST', `/returns/${instructionId}/confirmation`, officer, {});
    expect(uploaderAfter.statusCode, uploaderAfter.body).toBe(403);
    expect(uploaderAfter.json().code).toBe('AMP_RETURN_SAME_OPERATOR');
    const uploaderEntries = await entriesOf(uploaderAfter);
    expect(uploaderEntries).toContainEqual(
      expect.objectContaining({ outcome: 'denied', reason_code: 'AMP_RETURN_SAME_OPERATOR' }),
    );
    expect(uploaderEntries.filter((entry) => entry.outcome === 'allowed')).toEqual([]);
    const byThird = await call('POST', `/returns/${instructionId}/confirmation`, third, {});
    expect(byThird.statusCode, byThird.body).toBe(409);
    expect(byThird.json().code).toBe('AMP_RETURN_NOT_PENDING');
    expect((await entriesOf(byThird)).map((entry) => entry.outcome)).not.toContain('allowed');
    expect((await newBatch(officer)).statusCode).toBe(201);
  });

  it('lets a second officer reject a forged return: the payment is settled again, its money leaves suspense by a new transfer', async () => {
    // The batch the first test made once the return was confirmed: paid and settled again.
    const {
      id: instructionId,
      batch_id: batchId,
      end_to_end_id: endToEndId,
    } = await kit.database.db
      .selectFrom('payout_instruction')
      .select(['id', 'batch_id', 'end_to_end_id'])
      .where('reference_id', '=', entitlementId)
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    const approved = await call('POST', `/batches/${batchId}/approval`, second, {
      confirmedEndToEndIds: [endToEndId],
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect((await statement('debit', endToEndId, 'STMT-PAID-2')).statusCode).toBe(200);
    expect(await instructionStatus(instructionId)).toBe('settled');
    const suspenseBefore = await balanceOf(suspenseAccountId('VES'));
    const forged = await statement('credit', endToEndId, 'STMT-FORGED-2', 'BNK-FALSA-1');
    expect(forged.json().summary).toMatchObject({ returned: 1 });
    expect(await balanceOf(suspenseAccountId('VES'))).toBe(suspenseBefore + amount);
    const reject = (by: SignedIn, reason = 'El banco no conoce la referencia BNK-FALSA-1') =>
      call('POST', `/returns/${instructionId}/rejection`, by, { reason });

    // Its uploader may not reject it, nor may the database be told so, nor the status set.
    const byUploader = await reject(officer);
    expect([byUploader.statusCode, byUploader.json().code]).toEqual([
      403,
      'AMP_RETURN_SAME_OPERATOR',
    ]);
    expect(await entriesOf(byUploader)).toContainEqual(
      expect.objectContaining({ action: 'payout.return_reject', outcome: 'denied' }),
    );
    expect((await reject(second, '')).statusCode).toBe(400);
    const { id: suspenseId } = await kit.database.db
      .selectFrom('payout_suspense')
      .select('id')
      .where('instruction_id', '=', instructionId)
      .where('kind', '=', 'returned')
      .executeTakeFirstOrThrow();
    await expect(
      kit.database.db
        .insertInto('payout_return_rejection')
        .values({
          instruction_id: instructionId,
          suspense_id: suspenseId,
          rejected_by: officer.operatorId,
          reason: 'mine',
          restored_status: 'settled',
          reversal_transfer_id: randomUUID(),
        })
        .execute(),
    ).rejects.toThrow(/payout_return_rejecter_not_reporter/);
    await expect(
      kit.database.db
        .updateTable('payout_instruction')
        .set({ status: 'settled' })
        .where('id', '=', instructionId)
        .execute(),
    ).rejects.toThrow(/confirmation or rejection/);
    expect(await instructionStatus(instructionId)).toBe('return_pending');

    // The second officer rejects it: settled again, the money back out of suspense by a new
    // transfer (the return's is kept), one allowed entry, the entitlement still paid.
    const rejected = await reject(second);
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json()).toEqual({ instructionId, status: 'settled' });
    expect(await entriesOf(rejected)).toEqual([
      {
        action: 'payout.return_reject',
        outcome: 'allowed',
        reason_code: null,
        actor: second.operatorId,
      },
    ]);
    expect(await instructionStatus(instructionId)).toBe('settled');
    expect(await balanceOf(suspenseAccountId('VES'))).toBe(suspenseBefore);
    const moves = await kit.database.db
      .selectFrom('ledger_transfer')
      .select(['reason', 'debit_account_id', 'credit_account_id', 'amount'])
      .where('reference_id', '=', instructionId)
      .where('reason', '=', 'return')
      .orderBy('seq')
      .execute();
    expect(moves.map((move) => [move.debit_account_id, move.credit_account_id])).toEqual([
      [settlementAccountId('VES'), suspenseAccountId('VES')],
      [suspenseAccountId('VES'), settlementAccountId('VES')],
    ]);
    expect((await call('GET', '/returns', second)).json().returns).toEqual([]);
    expect((await newBatch(officer)).statusCode).toBe(422);
    // The suspense report keeps the return's row and names the transfer that reversed it.
    const report = await call('GET', '/suspense.csv', second);
    expect(report.body.split('\r\n').find((line) => line.includes(`,${suspenseId},`))).toMatch(
      new RegExp(`,returned,VES,.*,${suspenseId},${payoutReturnReversalId(instructionId)}$`),
    );
    expect((await reject(second)).statusCode).toBe(200);
    const late = await call('POST', `/returns/${instructionId}/confirmation`, third, {});
    expect([late.statusCode, late.json().code]).toEqual([409, 'AMP_RETURN_NOT_PENDING']);
    expect((await reject(third)).json().code).toBe('AMP_RETURN_NOT_PENDING');

    // The same credit read again is not a return any more: money of no payout, in suspense.
    const again = await statement('credit', endToEndId, 'STMT-FORGED-3', 'BNK-FALSA-2');
    expect(again.json().summary).toMatchObject({ returned: 0, suspense: 1 });
    expect(await instructionStatus(instructionId)).toBe('settled');
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it('refuses to confirm a payment no statement reported returned', async () => {
    const unknown = await call('POST', `/returns/${randomUUID()}/confirmation`, second, {});
    expect(unknown.statusCode).toBe(404);
  });
});
