import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerIsSound, verifyLedger } from '../../ledger/index.js';
import { walletAccountId } from '../accounts/account-ids.js';
import { freezeWallets } from '../accounts/wallet-freeze.js';
import type { WalletFreezeReason } from '../tables.js';
import { adjustmentDecider, estateAccountId, frozenBalanceProposer } from './adjustments.js';
import { type ControlsKit, controlsKit, operatorIdOf } from './controls-test-kit.js';
import { frozenBalanceLister } from './frozen-wallets.js';

/**
 * Issue #16, point 7 (the review of session 17): a merged-away person's balance moves to the
 * survivor's wallet by the documented process — but the survivor may die (or be merged away in
 * turn) between the merge and the move. A merge says the two records are one person, so the
 * money is the survivor's and goes where the survivor's own frozen balance goes: the estate
 * account after a death or an erasure, the next survivor's wallet after a merge. A move
 * proposed while the survivor lived is not carried out into the wallet frozen since: refused
 * when approved (409 AMP_ADJUSTMENT_DESTINATION_FROZEN, audited as denied, the proposal left to
 * be rejected) and, when the freeze lands between the approval and the transfer, failed with
 * that code inside the ledger's transaction; nothing posted either way.
 */
describe("a merged person's frozen balance whose survivor is frozen since", () => {
  let kit: ControlsKit;
  beforeAll(async () => {
    kit = await controlsKit();
  });
  afterAll(async () => kit?.database.close());

  const freeze = (personId: string, reason: WalletFreezeReason, survivorId?: string) =>
    kit.database.db
      .transaction()
      .execute((trx) => freezeWallets(trx, personId, reason, survivorId));
  const move = (personId: string, note: string) =>
    frozenBalanceProposer(kit.deps, kit.officers.ana, { personId, currency: 'VES', note });
  const refused = { code: 'AMP_ADJUSTMENT_DESTINATION_FROZEN' };

  it('is not moved into the survivor frozen since: refused at approval and at posting, nothing posted', async () => {
    const merged = randomUUID();
    const survivor = randomUUID();
    const mergedWallet = await kit.walletWith(merged, 30_00n);
    const survivorWallet = await kit.walletWith(survivor, 5_00n);
    await freeze(merged, 'merge', survivor);
    // Proposed while the survivor lived: one to approve, one whose approval is interrupted.
    const early = await move(merged, 'Merge case 301');
    const interrupted = await move(merged, 'Merge case 301, again');
    expect(early.creditAccountId).toBe(survivorWallet);
    await freeze(survivor, 'death');

    await expect(
      adjustmentDecider(kit.deps, kit.officers.beto, early.id, 'approve'),
    ).rejects.toMatchObject(refused);
    await kit.database.db
      .updateTable('payment_adjustment')
      .set({
        status: 'approved',
        decided_by: operatorIdOf(kit.officers.beto),
        decided_at: new Date(),
      })
      .where('id', '=', interrupted.id)
      .execute();
    await expect(
      adjustmentDecider(kit.deps, kit.officers.beto, interrupted.id, 'approve'),
    ).rejects.toMatchObject(refused);
    const rows = await kit.database.db
      .selectFrom('payment_adjustment')
      .select(['id', 'status', 'transfer_id', 'failure'])
      .where('id', 'in', [early.id, interrupted.id])
      .execute();
    expect(rows.find((row) => row.id === early.id)).toMatchObject({
      status: 'proposed',
      transfer_id: null,
    });
    expect(rows.find((row) => row.id === interrupted.id)).toMatchObject({
      status: 'failed',
      transfer_id: null,
      failure: 'AMP_ADJUSTMENT_DESTINATION_FROZEN',
    });
    expect(await kit.balanceOf(mergedWallet)).toBe(30_00n);
    expect(await kit.balanceOf(survivorWallet)).toBe(5_00n);
    const denials = await kit.database.db
      .selectFrom('audit_entry')
      .select('entry')
      .where('action', '=', 'payment.adjust')
      .execute();
    expect(
      denials
        .map((row) => JSON.parse(row.entry) as { outcome: string; reasonCode: string | null })
        .filter((entry) => entry.reasonCode === 'AMP_ADJUSTMENT_DESTINATION_FROZEN')
        .map((entry) => entry.outcome),
    ).toEqual(['denied', 'denied']);

    // Rejected, and proposed again: it now goes where the dead survivor's money goes.
    await adjustmentDecider(kit.deps, kit.officers.beto, early.id, 'reject');
    const listed = await frozenBalanceLister(kit.deps, kit.officers.ana);
    expect(listed.find((item) => item.personId === merged)?.destination).toBe('estate');
    const estateBefore = await kit.balanceOf(estateAccountId('VES'));
    const again = await move(merged, 'Merge case 301: the survivor died');
    expect(again.creditAccountId).toBe(estateAccountId('VES'));
    expect((await adjustmentDecider(kit.deps, kit.officers.beto, again.id, 'approve')).status).toBe(
      'applied',
    );
    expect(await kit.balanceOf(mergedWallet)).toBe(0n);
    expect(await kit.balanceOf(estateAccountId('VES'))).toBe(estateBefore + 30_00n);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it('follows a survivor merged away in turn to the record that survives', async () => {
    const [first, second, last] = [randomUUID(), randomUUID(), randomUUID()];
    const firstWallet = await kit.walletWith(first, 12_00n);
    await freeze(first, 'merge', second);
    await freeze(second, 'merge', last);
    const proposed = await move(first, 'Merge cases 302 and 303');
    expect(proposed.creditAccountId).toBe(walletAccountId(last, 'VES'));
    expect(
      (await frozenBalanceLister(kit.deps, kit.officers.ana)).find(
        (item) => item.personId === first,
      )?.destination,
    ).toBe('survivor');
    expect(
      (await adjustmentDecider(kit.deps, kit.officers.beto, proposed.id, 'approve')).status,
    ).toBe('applied');
    expect(await kit.balanceOf(firstWallet)).toBe(0n);
    expect(await kit.balanceOf(walletAccountId(last, 'VES'))).toBe(12_00n);
    expect(await kit.balanceOf(walletAccountId(second, 'VES'))).toBe(0n);
  });
});
