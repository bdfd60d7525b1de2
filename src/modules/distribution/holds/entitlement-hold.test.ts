import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import { cyclePublisher } from '../../programs/index.js';
import {
  approvedCycle,
  auditedAs,
  type DistributionScene,
  distributionScene,
  holderCalls,
  redemptionWrites,
} from '../distribution-test-kit.js';
import { type OfflinePoint, offlinePoint } from '../offline/offline-point-test-kit.js';

/**
 * The voucher states `blocked` and `pre_activated` (docs/DISTRIBUTION.md, "Entitlement states"
 * and "Holds"). A supervisor's hold on one entitlement refuses it online (audited, nothing
 * written), shows it blocked at the point, leaves it out of a new snapshot, refuses an offline
 * receipt made after the hold and counts one made before; the person sees the hold and its
 * reason code, never the note; it lapses by itself at its maximum length. An entitlement of a
 * cycle not yet published is pre-activated: refused until the cycle is published.
 */
describe('entitlement holds and pre-activated entitlements', () => {
  let scene: DistributionScene;
  let kit: AccessTestApp;
  let point: OfflinePoint;

  beforeAll(async () => {
    scene = await distributionScene({
      people: 4,
      program: { code: 'held', basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
    });
    kit = scene.kit;
    point = await offlinePoint(scene, 1, { food_box: 10 });
  }, 120_000);
  afterAll(async () => kit?.close());

  const { holder, lookup, redeem } = holderCalls(() => ({ scene, call: point.call }));
  const hold = (entitlementId: string) =>
    kit.app.inject({
      method: 'POST',
      url: '/api/distribution/entitlement-holds?purpose=distribution',
      cookies: scene.supervisor.cookies,
      payload: { entitlementId, reason: 'suspected_fraud_report', note: 'Report 114, do not tell' },
    });
  const ownHolds = async (index: number) => {
    const response = await kit.app.inject({
      method: 'GET',
      // What the person is shown, read here by a program officer at an appeal (the supervisor who
      // holds reads no person's file).
      url: `/api/persons/${holder(index).personId}/entitlement-holds?purpose=appeal`,
      cookies: scene.officer.cookies,
    });
    return response;
  };

  it('refuses a held entitlement online and offline-after, counts offline-before, and lapses', async () => {
    const device = point.devices[0];
    if (device === undefined) throw new Error('no device');
    const [first] = await lookup(0);
    const [second] = await lookup(1);
    const [fourth] = await lookup(3);
    if (first === undefined || second === undefined || fourth === undefined) {
      throw new Error('no entitlement');
    }
    const before = await point.offline(device, holder(1));
    const after = await point.offline(device, holder(3));
    const madeBefore = before.receipt([{ item: 'food_box', quantity: 1 }], Date.now() - 30_000);

    const placed = await hold(first.entitlementId);
    expect(placed.statusCode, placed.body).toBe(201);
    expect(await auditedAs(kit, String(placed.headers['x-request-id']))).toContainEqual({
      action: 'distribution.entitlement_hold',
      outcome: 'allowed',
      reasonCode: null,
    });
    expect((await hold(first.entitlementId)).json().code).toBe('AMP_ENTITLEMENT_HOLD_EXISTS');
    expect((await lookup(0))[0]?.state).toBe('blocked');
    const clientId = randomUUID();
    const refused = await redeem(0, first.entitlementId, clientId);
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'AMP_ENTITLEMENT_BLOCKED']);
    expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_ENTITLEMENT_BLOCKED',
    });
    expect(
      await redemptionWrites(kit, {
        entitlementId: first.entitlementId,
        clientId,
        pointId: point.pointId,
      }),
    ).toEqual({ redemptions: [], answers: [], movements: [] });

    // Offline: one receipt made before its entitlement's hold counts, one made after is refused.
    expect((await hold(second.entitlementId)).statusCode).toBe(201);
    expect((await hold(fourth.entitlementId)).statusCode).toBe(201);
    const madeAfter = after.receipt([{ item: 'food_box', quantity: 1 }], Date.now());
    expect(await before.sync(madeBefore)).toMatchObject({ outcome: 'counted' });
    expect(await after.sync(madeAfter)).toMatchObject({
      outcome: 'refused',
      code: 'AMP_ENTITLEMENT_BLOCKED',
    });
    expect(await point.onHand('food_box')).toBe(9);
    // A snapshot taken now leaves the held entitlements out: only the third person's is in it.
    const snapshot = await point.call('GET', `devices/${device.id}/snapshot`, scene.operator);
    expect(snapshot.statusCode, snapshot.body).toBe(200);
    expect(snapshot.json().payload.entries).toHaveLength(1);

    // The person sees the hold and its reason code, never the note.
    const seen = await ownHolds(0);
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json().holds).toEqual([
      expect.objectContaining({ reason: 'suspected_fraud_report', status: 'in_force' }),
    ]);
    expect(seen.body).not.toContain('Report 114');

    // Past its maximum length the hold lapses by itself: redeemable again, no write needed.
    await kit.database.asAdmin((admin) =>
      sql`update entitlement_hold set placed_at = placed_at - interval '15 days',
            lapses_at = lapses_at - interval '15 days'
          where entitlement_id = ${first.entitlementId}`.execute(admin),
    );
    expect((await lookup(0))[0]?.state).toBe('activated');
    expect((await ownHolds(0)).json().holds[0]?.status).toBe('lapsed');
    const redeemed = await redeem(0, first.entitlementId);
    expect(redeemed.statusCode, redeemed.body).toBe(201);
  });

  it('lifts a hold: the entitlement is redeemable again, and the lift is audited', async () => {
    const [third] = await lookup(2);
    if (third === undefined) throw new Error('no entitlement');
    const placed = await hold(third.entitlementId);
    const { holdId } = placed.json() as { holdId: string };
    const listed = await kit.app.inject({
      method: 'GET',
      url: '/api/distribution/entitlement-holds?purpose=distribution',
      cookies: scene.supervisor.cookies,
    });
    expect(listed.json().holds).toContainEqual(
      expect.objectContaining({ holdId, status: 'in_force', note: 'Report 114, do not tell' }),
    );
    const lifted = await kit.app.inject({
      method: 'POST',
      url: `/api/distribution/entitlement-holds/${holdId}/lift?purpose=distribution`,
      cookies: scene.supervisor.cookies,
      payload: { note: 'Report withdrawn' },
    });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(await auditedAs(kit, String(lifted.headers['x-request-id']))).toContainEqual({
      action: 'distribution.entitlement_hold',
      outcome: 'allowed',
      reasonCode: null,
    });
    expect((await lookup(2))[0]?.state).toBe('activated');
  });

  it('refuses a pre-activated entitlement until its cycle is published', async () => {
    const { cycleId } = await approvedCycle(kit, scene.programId, '2027-01-01', {
      unpublished: true,
    });
    const next = (await lookup(1)).find((answer) => answer.state === 'pre_activated');
    if (next === undefined) throw new Error('no pre-activated entitlement answered');
    const refused = await redeem(1, next.entitlementId);
    expect([refused.statusCode, refused.json().code]).toEqual([
      409,
      'AMP_ENTITLEMENT_PRE_ACTIVATED',
    ]);
    expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_ENTITLEMENT_PRE_ACTIVATED',
    });
    await cyclePublisher(kit.database.db, { cycleId, operatorId: randomUUID() });
    const answered = (await lookup(1)).find((a) => a.entitlementId === next.entitlementId);
    expect(answered?.state).toBe('activated');
    const redeemed = await redeem(1, next.entitlementId);
    expect(redeemed.statusCode, redeemed.body).toBe(201);
  });
});
