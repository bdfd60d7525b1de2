import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../../../test/db.js';
import {
  accountCreator,
  accountFlags,
  ledgerIsSound,
  transferCreator,
  transferFlags,
  verifyLedger,
} from '../../ledger/index.js';
import { walletAccountId } from '../accounts/account-ids.js';
import { freezeWallets } from '../accounts/wallet-freeze.js';
import type { PaymentsDependencies } from '../payments-context.js';
import {
  adjustmentDecider,
  adjustmentLister,
  adjustmentProposer,
  estateAccountId,
  frozenBalanceProposer,
} from './adjustments.js';
import { type ControlsKit, controlsKit, operatorIdOf } from './controls-test-kit.js';
import { frozenBalanceLister } from './frozen-wallets.js';
import { fanInQuery, merchantFanInScan } from './pattern-alerts.js';

/**
 * Issue #16, point 7: manual adjustments need two finance officers; a frozen wallet's balance
 * moves by the documented process (merge → survivor, death → estate), two-person approved;
 * many wallets paying one merchant account within minutes raise an alert for auditors.
 */
describe('money controls', () => {
  let kit: ControlsKit;
  let database: TestDatabase;
  let deps: PaymentsDependencies;
  let officers: ControlsKit['officers'];
  let settlement: string;
  let walletWith: ControlsKit['walletWith'];
  let balanceOf: ControlsKit['balanceOf'];

  beforeAll(async () => {
    kit = await controlsKit();
    ({ database, deps, officers, settlement, walletWith, balanceOf } = kit);
  });
  afterAll(async () => kit?.database.close());

  it('needs a second finance officer: the proposer cannot approve, and nothing moves until approved', async () => {
    const wallet = await walletWith(randomUUID(), 100_00n);
    const proposed = await adjustmentProposer(deps, officers.ana, {
      debitAccountId: settlement,
      creditAccountId: wallet,
      currency: 'VES',
      amountMinor: 25_00n,
      reasonCode: 'correction',
      note: 'Ticket 4411: a disbursement paid short',
    });
    expect(proposed.status).toBe('proposed');
    expect(await balanceOf(wallet)).toBe(100_00n);
    await expect(
      adjustmentDecider(deps, officers.ana, proposed.id, 'approve'),
    ).rejects.toMatchObject({
      code: 'AMP_ADJUSTMENT_SAME_PERSON',
    });
    expect(await balanceOf(wallet)).toBe(100_00n);
    // The database refuses it too, whoever writes it.
    await expect(
      database.db
        .updateTable('payment_adjustment')
        .set({ status: 'approved', decided_by: proposed.proposedBy, decided_at: new Date() })
        .where('id', '=', proposed.id)
        .execute(),
    ).rejects.toThrow();

    const approved = await adjustmentDecider(deps, officers.beto, proposed.id, 'approve');
    expect(approved).toMatchObject({
      status: 'applied',
      decidedBy: officers.beto.actor?.kind === 'operator' ? officers.beto.actor.operatorId : '',
    });
    expect(await balanceOf(wallet)).toBe(125_00n);
    await expect(
      adjustmentDecider(deps, officers.beto, proposed.id, 'reject'),
    ).rejects.toMatchObject({
      code: 'AMP_ADJUSTMENT_DECIDED',
    });
    expect(await balanceOf(wallet)).toBe(125_00n);

    const rejected = await adjustmentProposer(deps, officers.beto, {
      debitAccountId: wallet,
      creditAccountId: settlement,
      currency: 'VES',
      amountMinor: 10_00n,
      reasonCode: 'reversal',
      note: 'Duplicate of ticket 4411',
    });
    expect((await adjustmentDecider(deps, officers.ana, rejected.id, 'reject')).status).toBe(
      'rejected',
    );
    expect(await balanceOf(wallet)).toBe(125_00n);
    const listed = await adjustmentLister(deps, officers.ana, undefined);
    expect(listed.map((item) => item.status).slice(0, 2)).toEqual(['rejected', 'applied']);

    const audited = await database.db
      .selectFrom('audit_entry')
      .select('entry')
      .where('action', '=', 'payment.adjust')
      .execute();
    const entries = audited.map(
      (row) => JSON.parse(row.entry) as { outcome: string; reasonCode: string | null },
    );
    expect(entries.filter((entry) => entry.outcome === 'allowed')).toHaveLength(4);
    expect(
      entries.filter((entry) => entry.reasonCode === 'AMP_ADJUSTMENT_SAME_PERSON'),
    ).toHaveLength(1);
  });

  it("moves a merged person's frozen balance to the survivor and a dead person's to the estate, each two-person approved", async () => {
    const merged = randomUUID();
    const survivor = randomUUID();
    const dead = randomUUID();
    const mergedWallet = await walletWith(merged, 70_00n);
    const deadWallet = await walletWith(dead, 40_00n);
    await database.db.transaction().execute(async (trx) => {
      await freezeWallets(trx, merged, 'merge', survivor);
      await freezeWallets(trx, dead, 'death');
    });
    const frozen = await frozenBalanceLister(deps, officers.ana);
    expect(frozen.map((item) => [item.personId, item.destination, item.balanceMinor])).toEqual([
      [merged, 'survivor', 70_00n],
      [dead, 'estate', 40_00n],
    ]);

    const toSurvivor = await frozenBalanceProposer(deps, officers.ana, {
      personId: merged,
      currency: 'VES',
      note: 'Merge reviewed in case 88',
    });
    expect(toSurvivor).toMatchObject({
      kind: 'frozen_balance',
      reasonCode: 'frozen_merge',
      amountMinor: 70_00n,
    });
    const toEstate = await frozenBalanceProposer(deps, officers.beto, {
      personId: dead,
      currency: 'VES',
      note: 'Death certificate 2026-991',
    });
    expect(toEstate.creditAccountId).toBe(estateAccountId('VES'));
    expect(
      (await frozenBalanceLister(deps, officers.ana)).map((item) => item.pendingAdjustmentId),
    ).toEqual([toSurvivor.id, toEstate.id]);
    await adjustmentDecider(deps, officers.beto, toSurvivor.id, 'approve');
    await adjustmentDecider(deps, officers.ana, toEstate.id, 'approve');
    expect(await balanceOf(mergedWallet)).toBe(0n);
    expect(await balanceOf(walletAccountId(survivor, 'VES'))).toBe(70_00n);
    expect(await balanceOf(deadWallet)).toBe(0n);
    expect(await balanceOf(estateAccountId('VES'))).toBe(40_00n);
    expect(await frozenBalanceLister(deps, officers.ana)).toEqual([]);
    await expect(
      frozenBalanceProposer(deps, officers.ana, { personId: dead, currency: 'VES', note: 'Again' }),
    ).rejects.toMatchObject({ code: 'AMP_ADJUSTMENT_INVALID' });
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('refuses a manual adjustment that debits or credits a frozen wallet — at proposal, at approval and at posting — audited as denied, nothing posted; the documented move still works', async () => {
    const dead = randomUUID();
    const wallet = await walletWith(dead, 50_00n);
    const manual = (debitAccountId: string, creditAccountId: string, note: string) =>
      adjustmentProposer(deps, officers.ana, {
        debitAccountId,
        creditAccountId,
        currency: 'VES',
        amountMinor: 10_00n,
        reasonCode: 'correction',
        note,
      });
    // Proposed while the person lived: one to approve, one whose approval is interrupted.
    const early = await manual(wallet, settlement, 'Ticket 5120: paid twice');
    const interrupted = await manual(wallet, settlement, 'Ticket 5121: paid twice');
    await database.db.transaction().execute((trx) => freezeWallets(trx, dead, 'death'));
    const refused = { code: 'AMP_ADJUSTMENT_WALLET_FROZEN' };

    // Proposed after the death: out of the wallet, and into it.
    await expect(manual(wallet, settlement, 'Out of a dead person')).rejects.toMatchObject(refused);
    await expect(manual(settlement, wallet, 'Into a dead person')).rejects.toMatchObject(refused);
    // Approved after the death: refused before it is claimed, so it can still be rejected.
    await expect(adjustmentDecider(deps, officers.beto, early.id, 'approve')).rejects.toMatchObject(
      refused,
    );
    expect(
      (await adjustmentLister(deps, officers.ana, undefined)).find((a) => a.id === early.id),
    ).toMatchObject({ status: 'proposed', transferId: null });
    // An approval claimed before the death and finished after it: refused inside the ledger's
    // transaction, the adjustment failed.
    await database.db
      .updateTable('payment_adjustment')
      .set({ status: 'approved', decided_by: operatorIdOf(officers.beto), decided_at: new Date() })
      .where('id', '=', interrupted.id)
      .execute();
    await expect(
      adjustmentDecider(deps, officers.beto, interrupted.id, 'approve'),
    ).rejects.toMatchObject(refused);
    const failed = await database.db
      .selectFrom('payment_adjustment')
      .select(['status', 'transfer_id', 'failure'])
      .where('id', '=', interrupted.id)
      .executeTakeFirstOrThrow();
    expect(failed).toEqual({
      status: 'failed',
      transfer_id: null,
      failure: 'AMP_ADJUSTMENT_WALLET_FROZEN',
    });

    expect(await balanceOf(wallet)).toBe(50_00n);
    const proposedOnWallet = await database.db
      .selectFrom('payment_adjustment')
      .select('id')
      .where((eb) =>
        eb.or([eb('debit_account_id', '=', wallet), eb('credit_account_id', '=', wallet)]),
      )
      .execute();
    expect(proposedOnWallet.map((row) => row.id).sort()).toEqual([early.id, interrupted.id].sort());
    const denied = await database.db
      .selectFrom('audit_entry')
      .select('entry')
      .where('action', '=', 'payment.adjust')
      .execute();
    expect(
      denied
        .map((row) => JSON.parse(row.entry) as { outcome: string; reasonCode: string | null })
        .filter((entry) => entry.reasonCode === 'AMP_ADJUSTMENT_WALLET_FROZEN')
        .map((entry) => entry.outcome),
    ).toEqual(['denied', 'denied', 'denied', 'denied']);

    // The documented process is not caught by the guard: the whole balance goes to the estate.
    const move = await frozenBalanceProposer(deps, officers.ana, {
      personId: dead,
      currency: 'VES',
      note: 'Death certificate 2026-1207',
    });
    expect((await adjustmentDecider(deps, officers.beto, move.id, 'approve')).status).toBe(
      'applied',
    );
    expect(await balanceOf(wallet)).toBe(0n);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('alerts auditors when many wallets pay one merchant account within minutes, once per window', async () => {
    const merchant = randomUUID();
    const quiet = randomUUID();
    await accountCreator(database.db, [
      { id: merchant, currency: 'VES', kind: 'merchant', flags: accountFlags.none },
      { id: quiet, currency: 'VES', kind: 'merchant', flags: accountFlags.none },
    ]);
    const payers = await Promise.all(
      Array.from({ length: 6 }, () => walletWith(randomUUID(), 10_00n)),
    );
    await transferCreator(
      database.db,
      payers.map((wallet, index) => ({
        id: randomUUID(),
        debitAccountId: wallet,
        creditAccountId: index < 5 ? merchant : quiet,
        amountMinor: 1_00n,
        flags: transferFlags.none,
        currency: 'VES' as const,
        reason: 'payment' as const,
      })),
    );
    const now = new Date(Date.now() + 1_000);
    const raised = await merchantFanInScan(database.db, now, { wallets: 5, windowMs: 600_000 });
    expect(raised).toEqual([
      expect.objectContaining({
        accountId: merchant,
        distinctWallets: 5,
        transfers: 5,
        amountMinor: '500',
      }),
    ]);
    expect(await merchantFanInScan(database.db, now, { wallets: 5, windowMs: 600_000 })).toEqual(
      [],
    );
    // Bounded: the window is read through the payments' time index, not the whole ledger (the
    // plan with sequential scans priced out still reads ledger_transfer by that index).
    const plan = await database.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const query = fanInQuery(new Date(now.getTime() - 600_000), now, 5);
      const { rows } = await sql`explain (format json) ${query}`.execute(trx);
      return JSON.stringify(rows[0]);
    });
    expect(plan).toContain('ledger_transfer_payment_time');
    const alerts = await database.db
      .selectFrom('security_alert')
      .select(['kind', 'details'])
      .where('kind', '=', 'payment_merchant_fan_in')
      .execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.details).toMatchObject({
      accountId: merchant,
      threshold: 5,
      windowMinutes: 10,
    });
  });
});
