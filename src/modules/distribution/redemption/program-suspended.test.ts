import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import { programStatusChanger } from '../../programs/index.js';
import {
  auditedAs,
  type DistributionScene,
  holderCalls,
  redemptionWrites,
} from '../distribution-test-kit.js';
import {
  boxAndRiceScene,
  type OfflinePoint,
  offlinePoint,
} from '../offline/offline-point-test-kit.js';

/**
 * A suspended program hands nothing over (docs/DISTRIBUTION.md, "Voucher states"): online its
 * entitlements answer `suspended` and a redemption is refused with AMP_PROGRAM_SUSPENDED,
 * nothing written; a new snapshot carries none of them; an offline receipt made before the
 * suspension is counted (the goods left while the program was in force), one made after it is
 * refused. Resumed, the program's entitlements are redeemable again as they were.
 */
describe('a suspended program', () => {
  let scene: DistributionScene;
  let kit: AccessTestApp;
  let point: OfflinePoint;

  beforeAll(async () => {
    scene = await boxAndRiceScene('paused', 3);
    kit = scene.kit;
    point = await offlinePoint(scene, 1, { food_box: 10, rice: 50 });
  }, 120_000);
  afterAll(async () => kit?.close());

  const {
    holder,
    firstEntitlement: lookup,
    redeem,
  } = holderCalls(() => ({ scene, call: point.call }));
  const setStatus = (to: 'suspended' | 'published') =>
    programStatusChanger(kit.database.db, {
      programId: scene.programId,
      to,
      operatorId: scene.supervisor.operatorId,
    });

  it('refuses online and offline-after, counts offline-before, and redeems again once resumed', async () => {
    const device = point.devices[0];
    if (device === undefined) throw new Error('no device');
    // The device took its snapshot while the program was in force.
    const before = await point.offline(device, holder(1));
    const after = await point.offline(device, holder(2));
    const madeBefore = before.receipt([{ item: 'food_box', quantity: 1 }], Date.now() - 30_000);

    await setStatus('suspended');
    const madeAfter = after.receipt([{ item: 'food_box', quantity: 1 }], Date.now());
    const { entitlementId, state } = await lookup(0);
    expect(state).toBe('suspended');
    const clientId = randomUUID();
    const refused = await redeem(0, entitlementId, clientId);
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'AMP_PROGRAM_SUSPENDED']);
    expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_PROGRAM_SUSPENDED',
    });
    const written = await redemptionWrites(kit, {
      entitlementId,
      clientId,
      pointId: point.pointId,
    });
    expect(written).toEqual({ redemptions: [], answers: [], movements: [] });
    expect(await point.onHand('food_box')).toBe(10);

    expect(await before.sync(madeBefore)).toMatchObject({ outcome: 'counted' });
    expect(await after.sync(madeAfter)).toMatchObject({
      outcome: 'refused',
      code: 'AMP_PROGRAM_SUSPENDED',
    });
    expect(await point.onHand('food_box')).toBe(9);
    // A snapshot taken now carries nothing of the suspended program.
    const snapshot = await point.call('GET', `devices/${device.id}/snapshot`, scene.operator);
    expect(snapshot.statusCode, snapshot.body).toBe(200);
    expect(snapshot.json().payload.entries).toEqual([]);

    await setStatus('published');
    expect((await lookup(0)).state).toBe('activated');
    const redeemed = await redeem(0, entitlementId);
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    expect(await point.onHand('food_box')).toBe(8);
  });
});
