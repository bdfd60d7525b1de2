import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  auditedAs,
  type CardHolder,
  createPoint,
  distributionScene,
  pointCall,
  type SignedIn,
  signIn,
} from '../distribution-test-kit.js';
import { handedOverAt } from '../reconciliation/own-hand-overs.js';
import { stockDelivered } from '../stock/stock-test-kit.js';
import { cardHashOf, entitlementIdOfEntry, offlineDevice } from './offline-test-kit.js';

/**
 * The operator in every offline receipt (review finding F5; format v4, migration 0144), on
 * PostgreSQL and PGlite alike. The device is unlocked by an operator's passphrase and signs
 * their account id into each receipt; the sync counts a receipt only if that operator was an
 * active distribution operator assigned to the point at the receipt's time. A receipt naming an
 * operator never assigned there, one removed from the point or disabled before it, one without
 * an operator (an app from before the unlock) or with the operator swapped after signing is
 * refused, audited on the person, and nothing of it is counted; the assigned operator's counts,
 * kept as that operator's hand-over whoever's snapshot the device held (migration 0159).
 */
describe('the operator of an offline receipt', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let people: CardHolder[];
  let point: string;
  /** Assigned to the point, then their account disabled ten minutes ago. */
  let disabled: SignedIn;
  /** Assigned to the point an hour ago, removed ten minutes ago. */
  let removed: SignedIn;
  /** A distribution operator of another point only. */
  let stranger: SignedIn;
  /** Assigned to the point: hands over on the device whose snapshot was issued to `operator`. */
  let colleague: SignedIn;
  let cycleId: string;

  beforeAll(async () => {
    let programId: string;
    ({ kit, supervisor, operator, programId, cycleId, people } = await distributionScene({
      people: 6,
      program: { code: 'served', basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
    }));
    disabled = await signIn(kit, ['distribution_operator'], ['VE-A']);
    removed = await signIn(kit, ['distribution_operator'], ['VE-A']);
    stranger = await signIn(kit, ['distribution_operator'], ['VE-A']);
    colleague = await signIn(kit, ['distribution_operator'], ['VE-A']);
    point = await createPoint(kit, supervisor, {
      operators: [
        operator.operatorId,
        disabled.operatorId,
        removed.operatorId,
        colleague.operatorId,
      ],
      programs: [programId],
    });
    await createPoint(kit, supervisor, { operators: [stranger.operatorId], programs: [programId] });
    await stockDelivered(kit, supervisor, point, { item: 'food_box', quantity: 10 });
    const removal = await pointCall(kit)('POST', `${point}/changes`, supervisor, {
      removeOperators: [removed.operatorId],
    });
    expect(removal.statusCode, removal.body).toBe(200);
    await kit.database.asAdmin(async (admin) => {
      await sql`update operator set disabled_at = now() - interval '10 minutes'
                 where id = ${disabled.operatorId}`.execute(admin);
      // The history as if the removal had been ten minutes ago, after an hour assigned.
      await sql`update distribution_point_operator_change
                   set changed_at = now() - case when active then interval '1 hour'
                                                 else interval '10 minutes' end
                 where point_id = ${point} and operator_id = ${removed.operatorId}`.execute(admin);
    });
  }, 120_000);
  afterAll(async () => kit?.close());

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    pointCall(kit)(method, `${point}/${url}`, operator, payload);

  it('counts the assigned operator’s receipt and refuses, audited, every other one', async () => {
    const key = offlineDevice(operator.operatorId);
    const registered = await pointCall(kit)(
      'POST',
      `${point}/devices`,
      supervisor,
      key.registration(point),
    );
    expect(registered.statusCode, registered.body).toBe(201);
    const deviceId = registered.json().id as string;
    const snapshot = (await call('GET', `devices/${deviceId}/snapshot`)).json().payload as {
      snapshotId: string;
      salt: string;
      entries: [string, string][];
    };
    const receiptFor = (holder: CardHolder, servedBy?: string | null) => {
      const hash = cardHashOf(snapshot, holder.credentialId);
      const entry = snapshot.entries.find((each) => each[0] === hash);
      if (entry === undefined) throw new Error('the holder is not in the snapshot');
      return key.receipt(point, deviceId, {
        snapshotId: snapshot.snapshotId,
        entitlementId: entitlementIdOfEntry(entry[1]),
        credentialId: holder.credentialId,
        qrText: holder.qrText,
        lines: [{ item: 'food_box', quantity: 1 }],
        deviceTime: Date.now() - 30_000,
        ...(servedBy === undefined ? {} : { servedBy }),
      });
    };
    const [ana, beto, caro, dani, eva, fito] = people as [
      CardHolder,
      CardHolder,
      CardHolder,
      CardHolder,
      CardHolder,
      CardHolder,
    ];
    // Signed naming the assigned operator, then the operator swapped for a stranger's id.
    const swapped = { ...receiptFor(fito), servedBy: stranger.operatorId };
    const synced = await call('POST', 'offline-syncs', {
      deviceId,
      deviceNow: Date.now(),
      receipts: [
        receiptFor(ana, colleague.operatorId),
        receiptFor(beto, stranger.operatorId),
        receiptFor(caro, disabled.operatorId),
        receiptFor(dani, removed.operatorId),
        receiptFor(eva, null),
        swapped,
      ],
    });
    expect(synced.statusCode, synced.body).toBe(200);
    const results = synced.json().results as { outcome: string; code: string | null }[];
    expect(results.map((result) => [result.outcome, result.code])).toEqual([
      ['counted', null],
      ['refused', 'AMP_OFFLINE_OPERATOR_NOT_ASSIGNED'],
      ['refused', 'AMP_OFFLINE_OPERATOR_NOT_ASSIGNED'],
      ['refused', 'AMP_OFFLINE_OPERATOR_NOT_ASSIGNED'],
      ['refused', 'AMP_OFFLINE_OPERATOR_MISSING'],
      ['refused', 'AMP_OFFLINE_SIGNATURE_INVALID'],
    ]);
    const audited = await auditedAs(kit, String(synced.headers['x-request-id']));
    for (const code of [
      'AMP_OFFLINE_OPERATOR_NOT_ASSIGNED',
      'AMP_OFFLINE_OPERATOR_MISSING',
      'AMP_OFFLINE_SIGNATURE_INVALID',
    ]) {
      expect(audited).toContainEqual({
        action: 'distribution.redeem',
        outcome: 'denied',
        reasonCode: code,
      });
    }
    // Only Ana's box left: one redemption at the point, and the others still hold theirs.
    const redemptions = await kit.database.asAdmin((admin) =>
      sql<{ count: string }>`select count(*)::text as count from redemption
                             where point_id = ${point}`.execute(admin),
    );
    expect(redemptions.rows[0]?.count).toBe('1');
    // Ana's box was handed over by the colleague the receipt names (migration 0159), not by the
    // operator the device's snapshot was issued to: separation of duties reads it so.
    const handedOver = (who: SignedIn) =>
      kit.database.asAdmin((admin) => handedOverAt(admin, point, cycleId, who.operatorId));
    expect([await handedOver(colleague), await handedOver(operator)]).toEqual([true, false]);
    for (const holder of [beto, caro, dani, eva, fito]) {
      const lookup = await call('POST', 'entitlement-lookups', { qrText: holder.qrText });
      expect(lookup.statusCode, lookup.body).toBe(200);
      expect(lookup.json().entitlements[0].items).toEqual([
        expect.objectContaining({ item: 'food_box', remaining: 1 }),
      ]);
    }
  });
});
