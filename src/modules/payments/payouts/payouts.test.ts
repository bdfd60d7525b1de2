import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../../../test/db.js';
import {
  accountCreator,
  accountFlags,
  ledgerIsSound,
  lookupAccounts,
  transferCreator,
  transferFlags,
  verifyLedger,
} from '../../ledger/index.js';
import { publishedCycle } from '../../programs/programs-test-kit.js';
import { fundingAccountId, settlementAccountId, walletAccountId } from '../accounts/account-ids.js';
import { freezeWallets } from '../accounts/wallet-freeze.js';
import { disbursementRunner } from '../disbursement/disbursement-runner.js';
import { disbursementStarter } from '../disbursement/disbursement-starter.js';
import { programFunder } from '../funding/program-funder.js';
import type { PaymentsContext } from '../payments-context.js';
import { cashCycle, openCashEntitlements } from '../payments-test-kit.js';
import { bankFileApplier } from './bank-file-applier.js';
import { type PayoutBatchInput, payoutBatchCreator } from './batch-creator.js';
import { payoutFileReader } from './batch-reader.js';
import { claimForWallets, releaseWalletClaims } from './entitlement-claims.js';
import { camt053For, camt054For, mt940For, pain002For } from './iso20022/bank-files-test-kit.js';
import { validatePain001 } from './iso20022/xsd-validator.js';
import type { PayoutDependencies } from './payout-gate.js';
import { suspenseAccountId } from './payout-ids.js';
import {
  approvedForTest,
  type CashPayoutScene,
  cashPayoutScene,
  testBatchInput,
  testDebtor,
} from './payout-test-kit.js';
import { suspenseReport } from './suspense-report.js';

/**
 * Issue #16, point 4, the bank side: a batch reserves each payment in the ledger and gives a
 * schema-valid pain.001; pain.002 posts and voids, statements settle and return, unmatched
 * money goes to suspense with a report, each exactly once however often a file comes.
 * Issue #13, point 5: each payment is an open cash entitlement of the program, for its amount,
 * paid once; anything else is refused before anything is written.
 */
describe('bank payouts', () => {
  let database: TestDatabase;
  let deps: PayoutDependencies;
  const amount = 150_00n;
  let programId: string;
  let entitlements: CashPayoutScene['entitlements'];
  let instructions: CashPayoutScene['instructions'];
  /** The next entitlements no batch has used yet. */
  let next = 0;
  const take = (count: number) => {
    next += count;
    return entitlements.slice(next - count, next);
  };
  const context: PaymentsContext = {
    actor: { kind: 'system', job: 'payouts-test' },
    purpose: 'distribution',
    requestId: 'test',
  };
  const debtorAccount = testDebtor.accountNumber;

  beforeAll(async () => {
    ({ database, deps, programId, entitlements, instructions } = await cashPayoutScene({
      masterKey: randomBytes(32),
      persons: 9,
      code: 'bono_banco',
      amountMinor: amount,
      fundedMinor: 1_100_00n,
    }));
  });
  afterAll(async () => database?.close());

  const batch = (
    paid: ReadonlyArray<{ entitlementId: string; amountMinor: bigint }>,
    clientId?: string,
  ): PayoutBatchInput => testBatchInput(programId, paid, clientId);

  async function balances() {
    const [funding, settlement, suspense] = await lookupAccounts(database.db, [
      fundingAccountId(programId, 'VES'),
      settlementAccountId('VES'),
      suspenseAccountId('VES'),
    ]);
    return {
      fundingPosted: (funding?.creditsPosted ?? 0n) - (funding?.debitsPosted ?? 0n),
      fundingReserved: funding?.debitsPending ?? 0n,
      suspense: (suspense?.creditsPosted ?? 0n) - (suspense?.debitsPosted ?? 0n),
      settlementPending: settlement?.creditsPending ?? 0n,
    };
  }

  const endToEndIds = async (batchId: string) =>
    (await instructions(batchId)).map(({ end_to_end_id, status }) => ({ end_to_end_id, status }));

  it('reserves a batch, writes a schema-valid file, and refuses one the funding cannot cover', async () => {
    // Every entitlement of the cycle: 1,200.00 where the funding holds 1,100.00.
    await expect(payoutBatchCreator(deps, context, batch(entitlements))).rejects.toMatchObject({
      code: 'AMP_FUNDS_INSUFFICIENT',
    });
    const input = batch(take(4));
    const summary = await payoutBatchCreator(deps, context, input);
    await approvedForTest(deps.db, summary.id);
    expect(summary).toMatchObject({ status: 'ready', paymentsCount: 4, amountTotalMinor: 600_00n });
    expect(summary.byStatus).toEqual([{ status: 'pending', count: 4, amountMinor: 600_00n }]);
    expect(await balances()).toMatchObject({ fundingPosted: 1_100_00n, fundingReserved: 600_00n });
    const paid = await database.db
      .selectFrom('payout_instruction')
      .select(['reference_id', 'person_id', 'amount_minor'])
      .where('batch_id', '=', summary.id)
      .orderBy('seq')
      .execute();
    // The person paid is the entitlement's holder.
    expect(paid.map((row) => [row.reference_id, row.person_id, BigInt(row.amount_minor)])).toEqual(
      entitlements.slice(0, 4).map((item) => [item.entitlementId, item.personId, amount]),
    );
    // The same client id answers the first batch; another batch under it is refused.
    expect((await payoutBatchCreator(deps, context, input)).id).toBe(summary.id);
    await expect(
      payoutBatchCreator(deps, context, { ...input, instructions: input.instructions.slice(1) }),
    ).rejects.toMatchObject({ code: 'AMP_IDEMPOTENCY_MISMATCH' });
    const file = await payoutFileReader(deps, context, summary.id);
    expect(await validatePain001(file.xml)).toEqual({ valid: true, errors: [] });
    expect(file.xml).toContain('<Prxy><Tp><Cd>MBNO</Cd></Tp><Id>+584120000001</Id></Prxy>');
    expect(file.xml).toContain('<CtrlSum>600.00</CtrlSum>');
  });

  it('posts and voids from pain.002, settles and returns from statements, each once', async () => {
    const summary = await payoutBatchCreator(deps, context, batch(take(3)));
    await approvedForTest(deps.db, summary.id);
    const [a, b, c] = (await endToEndIds(summary.id)).map((row) => row.end_to_end_id) as [
      string,
      string,
      string,
    ];
    const before = await balances();
    const status = pain002For(summary.messageId, [
      { endToEndId: a, status: 'ACSC' },
      { endToEndId: b, status: 'RJCT', reason: 'AC04' },
      { endToEndId: c, status: 'ACTC' },
    ]);
    const first = await bankFileApplier(deps, context, { format: 'pain.002', content: status });
    expect(first).toMatchObject({
      replayed: false,
      summary: { accepted: 1, rejected: 1, unchanged: 1, refused: 0 },
    });
    const again = await bankFileApplier(deps, context, { format: 'pain.002', content: status });
    expect(again).toMatchObject({ id: first.id, replayed: true });
    expect((await endToEndIds(summary.id)).map((row) => row.status)).toEqual([
      'accepted',
      'rejected',
      'pending',
    ]);
    const afterStatus = await balances();
    expect(afterStatus.fundingPosted).toBe(before.fundingPosted - amount);
    expect(afterStatus.fundingReserved).toBe(before.fundingReserved - 2n * amount);

    // The day's notification: c paid, a returned (closed account), someone's unknown deposit.
    const movements = [
      { amountMinor: amount, direction: 'debit' as const, endToEndId: a },
      { amountMinor: amount, direction: 'debit' as const, endToEndId: c },
      { amountMinor: amount, direction: 'credit' as const, endToEndId: a, returnReason: 'AC04' },
      { amountMinor: 7_77n, direction: 'credit' as const, bankReference: 'DEP-1' },
    ];
    const notification = await bankFileApplier(deps, context, {
      format: 'camt.054',
      content: camt054For({ account: debtorAccount, movements }),
    });
    expect(notification.summary).toMatchObject({
      accepted: 1,
      settled: 2,
      returned: 1,
      suspense: 1,
      refused: 0,
    });
    // The end-of-day camt.053 and MT940 repeat the same movements: nothing moves again.
    for (const upload of [
      {
        format: 'camt.053' as const,
        content: camt053For({ account: debtorAccount, openingMinor: 500_00n, movements }),
      },
      {
        format: 'mt940' as const,
        content: mt940For({ account: debtorAccount, openingMinor: 500_00n, movements }),
      },
    ]) {
      const outcome = await bankFileApplier(deps, context, upload);
      expect(outcome.replayed).toBe(false);
      expect(outcome.summary).toMatchObject({
        accepted: 0,
        settled: 0,
        returned: 0,
        suspense: 0,
        refused: 0,
      });
    }
    // The return waits for a second finance officer (return-confirmation.test.ts): its money is
    // in suspense, its entitlement still held.
    expect((await endToEndIds(summary.id)).map((row) => row.status)).toEqual([
      'return_pending',
      'rejected',
      'settled',
    ]);
    const after = await balances();
    expect(after.fundingPosted).toBe(before.fundingPosted - 2n * amount);
    expect(after.suspense - before.suspense).toBe(amount + 7_77n);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);

    const report = await suspenseReport(deps, context);
    const lines = report
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'recorded_at,kind,currency,amount,end_to_end_id,bank_reference,reason,booking_date,file_format,file_message_id,location,transfer_id,reversed_by_transfer_id',
    );
    expect(
      lines.filter(
        (line) =>
          line.includes(',returned,VES,150.00,') &&
          line.includes(`,${a},`) &&
          line.includes(',AC04,'),
      ),
    ).toHaveLength(1);
    expect(
      lines.filter(
        (line) => line.includes(',unmatched_credit,VES,7.77,') && line.includes(',DEP-1,'),
      ),
    ).toHaveLength(1);
    expect(lines).toHaveLength(3);
  });

  it('refuses malformed and unknown files whole, posting nothing', async () => {
    const before = await balances();
    const good = camt053For({
      account: debtorAccount,
      movements: [{ amountMinor: 1_00n, direction: 'credit', bankReference: 'X-1' }],
    });
    const cases: Array<[Parameters<typeof bankFileApplier>[2], string]> = [
      [{ format: 'camt.053', content: good.replace('</Ntry>', '') }, 'AMP_BANK_FILE_MALFORMED'],
      [
        {
          format: 'camt.053',
          content: good.replace(
            '<CdtDbtInd>CRDT</CdtDbtInd><Sts>',
            '<CdtDbtInd>CRDT</CdtDbtInd><Foo>1</Foo><Sts>',
          ),
        },
        'AMP_BANK_FILE_MALFORMED',
      ],
      [
        {
          format: 'mt940',
          content: mt940For({
            account: debtorAccount,
            movements: [{ amountMinor: 1_00n, direction: 'credit' }],
          }).replace(':62F:C', ':62F:D'),
        },
        'AMP_BANK_FILE_MALFORMED',
      ],
      [
        {
          format: 'camt.053',
          content: camt053For({ account: '01919999999999999999', movements: [] }),
        },
        'AMP_BANK_FILE_UNMATCHED',
      ],
      [
        { format: 'pain.002', content: pain002For('AMP-UNKNOWN', [], 'ACSC') },
        'AMP_BANK_FILE_UNMATCHED',
      ],
      [{ format: 'camt.054', content: good }, 'AMP_BANK_FILE_UNSUPPORTED'],
    ];
    for (const [upload, code] of cases) {
      await expect(bankFileApplier(deps, context, upload)).rejects.toMatchObject({ code });
    }
    expect(await balances()).toEqual(before);
    const files = await database.db.selectFrom('payout_bank_file').select('id').execute();
    expect(files).toHaveLength(4);
  });

  it('refuses, writing nothing, a payment that is not an open entitlement of the program paid once', async () => {
    const [unused, spare] = take(2) as [
      (typeof entitlements)[number],
      (typeof entitlements)[number],
    ];
    const [live, rejected] = [entitlements[0], entitlements[5]] as [
      (typeof entitlements)[number],
      (typeof entitlements)[number],
    ];
    // Another program's entitlement, and one of this program's that a disbursement credited.
    const other = await cashCycle(database.db, { code: 'otro_bono', amountMinor: amount });
    const [foreign] = await openCashEntitlements(database.db, other.cycleId);
    const wallet = walletAccountId(spare.personId, 'VES');
    await accountCreator(database.db, [
      {
        id: wallet,
        currency: 'VES',
        kind: 'beneficiary_wallet',
        flags: accountFlags.debitsMustNotExceedCredits,
        referenceId: spare.personId,
      },
    ]);
    await transferCreator(database.db, [
      {
        id: randomUUID(),
        debitAccountId: fundingAccountId(programId, 'VES'),
        creditAccountId: wallet,
        amountMinor: amount,
        flags: transferFlags.none,
        currency: 'VES',
        reason: 'disbursement',
        referenceKind: 'entitlement',
        referenceId: spare.entitlementId,
      },
    ]);
    const counts = async () =>
      database.asAdmin(async (admin) => ({
        batches: (await admin.selectFrom('payout_batch').select('id').execute()).length,
        instructions: (await admin.selectFrom('payout_instruction').select('id').execute()).length,
        transfers: (await admin.selectFrom('ledger_transfer').select('id').execute()).length,
      }));
    const before = await counts();
    const refusals: Array<[Array<{ entitlementId: string; amountMinor: bigint }>, string, RegExp]> =
      [
        [[{ entitlementId: randomUUID(), amountMinor: amount }], '0/referenceId', /not an open/],
        [[foreign ?? unused], '0/referenceId', /not an open cash entitlement of this program/],
        [[{ ...unused, amountMinor: amount - 1n }], '0/amountMinor', /entitlement is 15000/],
        [[unused, unused], '1/referenceId', /twice/],
        [[unused, live], '1/referenceId', /already in a payout/],
        [[spare], '0/referenceId', /already credited/],
      ];
    for (const [paid, field, reason] of refusals) {
      await expect(payoutBatchCreator(deps, context, batch(paid))).rejects.toMatchObject({
        code: 'AMP_PAYOUT_INSTRUCTION_INVALID',
        errors: [{ field: `/instructions/${field}`, reason: expect.stringMatching(reason) }],
      });
    }
    await expect(
      payoutBatchCreator(deps, context, { ...batch([unused]), currency: 'USD' }),
    ).rejects.toMatchObject({
      code: 'AMP_PAYOUT_INSTRUCTION_INVALID',
      errors: [{ field: '/instructions/0/referenceId', reason: expect.stringMatching(/in VES/) }],
    });
    const after = await counts();
    expect(after).toEqual(before);
    expect(foreign).toBeDefined();

    // A rejected payment's entitlement, and an unused one, may be paid in a new batch.
    await transferCreator(database.db, [
      {
        id: randomUUID(),
        debitAccountId: settlementAccountId('VES'),
        creditAccountId: fundingAccountId(programId, 'VES'),
        amountMinor: 1_000_00n,
        flags: transferFlags.none,
        currency: 'VES',
        reason: 'funding',
      },
    ]);
    const again = await payoutBatchCreator(deps, context, batch([rejected, unused]));
    await approvedForTest(deps.db, again.id);
    expect(again).toMatchObject({ status: 'ready', paymentsCount: 2 });
  });

  it('pays an entitlement once when two batches ask for it at the same time', async () => {
    const { cycleId } = await publishedCycle(database.db, programId, '2027-02-01');
    const fresh = (
      await openCashEntitlements(database.db, cycleId)
    )[0] as (typeof entitlements)[number];
    const both = await Promise.allSettled([
      payoutBatchCreator(deps, context, batch([fresh])),
      payoutBatchCreator(deps, context, batch([fresh])),
    ]);
    expect(both.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(both.find((outcome) => outcome.status === 'rejected')).toMatchObject({
      reason: { code: 'AMP_PAYOUT_INSTRUCTION_INVALID' },
    });
    const paying = await database.db
      .selectFrom('payout_instruction')
      .select('id')
      .where('reference_id', '=', fresh.entitlementId)
      .execute();
    expect(paying).toHaveLength(1);
  });
  it('a disbursement into wallets skips an entitlement a bank payout already pays', async () => {
    const { cycleId } = await publishedCycle(database.db, programId, '2027-03-01');
    const open = await openCashEntitlements(database.db, cycleId);
    const [byBank] = open as [(typeof entitlements)[number]];
    await programFunder(database.db, {
      programId,
      currency: 'VES',
      amountMinor: amount * BigInt(open.length),
      transferId: randomUUID(),
    });
    await payoutBatchCreator(deps, context, batch([byBank]));

    const started = await disbursementStarter(database.db, { cycleId, operatorId: null });
    const done = await disbursementRunner(database.db, { disbursementId: started.id, workers: 1 });
    expect(done).toMatchObject({ status: 'finished' });
    const credited = await database.db
      .selectFrom('ledger_transfer')
      .select('reference_id')
      .where('reference_kind', '=', 'entitlement')
      .where('reference_id', '=', sql<string>`any(${open.map((e) => e.entitlementId)}::uuid[])`)
      .where('reason', '=', 'disbursement')
      .execute();
    const creditedIds = credited.map((row) => row.reference_id);
    expect(creditedIds).not.toContain(byBank.entitlementId);
    expect(creditedIds).toHaveLength(open.length - 1);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('pays each entitlement once when a disbursement chunk and a payout batch take it at the same instant', async () => {
    for (const referenceDate of ['2027-04-01', '2027-05-01', '2027-06-01']) {
      const { cycleId } = await publishedCycle(database.db, programId, referenceDate);
      const open = await openCashEntitlements(database.db, cycleId);
      await programFunder(database.db, {
        programId,
        currency: 'VES',
        amountMinor: amount * BigInt(open.length) * 2n,
        transferId: randomUUID(),
      });
      const started = await disbursementStarter(database.db, { cycleId, operatorId: null });
      const [byBank, byWallet] = await Promise.allSettled([
        payoutBatchCreator(deps, context, batch(open.slice(0, 4))),
        disbursementRunner(database.db, { disbursementId: started.id, workers: 1 }),
      ]);
      expect(byWallet).toMatchObject({ status: 'fulfilled', value: { status: 'finished' } });
      if (byBank?.status === 'rejected')
        expect(byBank.reason).toMatchObject({ code: 'AMP_PAYOUT_INSTRUCTION_INVALID' });
      const ids = open.map((e) => e.entitlementId);
      const credited = (
        await database.db
          .selectFrom('ledger_transfer')
          .select('reference_id')
          .where('reference_id', '=', sql<string>`any(${ids}::uuid[])`)
          .where('reason', '=', 'disbursement')
          .where('result', '=', 'ok')
          .execute()
      ).map((row) => row.reference_id);
      const inPayout = (
        await database.db
          .selectFrom('payout_instruction')
          .select('reference_id')
          .where('reference_id', '=', sql<string>`any(${ids}::uuid[])`)
          .where('status', 'not in', ['refused', 'rejected', 'returned'])
          .execute()
      ).map((row) => row.reference_id);
      // Every entitlement paid one way, exactly once: the batch whole or not at all.
      expect([...credited, ...inPayout].sort()).toEqual([...ids].sort());
      expect(inPayout).toHaveLength(byBank?.status === 'fulfilled' ? 4 : 0);
    }
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  }, 120_000); // three rounds of a batch and a whole disbursement: slow on a loaded machine

  it('a payout cannot take an entitlement a wallet claim holds, nor a frozen wallet claim one', async () => {
    const { cycleId } = await publishedCycle(database.db, programId, '2027-07-01');
    const [first, second] = (await openCashEntitlements(database.db, cycleId)) as [
      (typeof entitlements)[number],
      (typeof entitlements)[number],
    ];
    // The claim a chunk takes in its batch's transaction, committed: it holds, and a run
    // that claims it again (a resumed chunk) is answered that the wallet holds it.
    const claim = (entitlement: typeof first) =>
      database.db.transaction().execute((trx) => claimForWallets(trx, [entitlement]));
    expect(await claim(first)).toEqual(new Set([first.entitlementId]));
    expect(await claim(first)).toEqual(new Set([first.entitlementId]));
    // A frozen wallet claims nothing: its entitlement stays free for a payout.
    await database.db.transaction().execute((trx) => freezeWallets(trx, second.personId, 'death'));
    expect(await claim(second)).toEqual(new Set());
    await expect(payoutBatchCreator(deps, context, batch([first]))).rejects.toMatchObject({
      code: 'AMP_PAYOUT_INSTRUCTION_INVALID',
    });
    const written = await database.db
      .selectFrom('payout_instruction')
      .select('id')
      .where('reference_id', '=', first.entitlementId)
      .execute();
    expect(written).toHaveLength(0);
    // Released (the ledger refused the credit): a payout may pay it.
    await releaseWalletClaims(database.db, [first.entitlementId]);
    await expect(payoutBatchCreator(deps, context, batch([first]))).resolves.toMatchObject({
      paymentsCount: 1,
    });
    // Now the payout holds it: the wallet cannot claim it back.
    expect(await claim(first)).toEqual(new Set());
  });
});
