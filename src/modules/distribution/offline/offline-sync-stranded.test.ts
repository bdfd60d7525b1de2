import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  auditedAs,
  type CardHolder,
  distributionScene,
  onHandAt,
  type SignedIn,
  signInSupervisor,
} from '../distribution-test-kit.js';
import { offlinePoint } from './offline-point-test-kit.js';
import { offlineDevice } from './offline-test-kit.js';

/**
 * Receipts a device made offline must not be stranded on it (review of session 19, possync): a
 * point closed since is no reason to refuse their sync (the goods left while it was open), and
 * when the device's operator was removed from the point (`AMP_POINT_NOT_ASSIGNED` at their sync)
 * the supervisor syncs the registered device's receipts (`distribution.offline_sync`), each one
 * still checked as the operator's sync checks it: signed by the device, from its snapshot.
 */
describe('offline receipts synced at a closed point and by the supervisor', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let programId: string;
  let cycleId: string;
  let people: CardHolder[];

  beforeAll(async () => {
    ({ kit, supervisor, operator, programId, cycleId, people } = await distributionScene({
      people: 4,
      program: { code: 'stranded', basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
    }));
  }, 120_000);
  afterAll(async () => kit?.close());

  const scene = () => ({ kit, supervisor, operator, programId, cycleId });
  const sync = (
    point: Awaited<ReturnType<typeof offlinePoint>>,
    route: 'offline-syncs' | 'supervised-offline-syncs',
    who: SignedIn,
    deviceId: string,
    receipts: object[],
  ) => point.call('POST', route, who, { deviceId, deviceNow: Date.now(), receipts });

  it('counts the receipts of a point closed since they were made', async () => {
    const point = await offlinePoint(scene(), 1, { food_box: 5 });
    const [device] = point.devices;
    if (device === undefined) throw new Error('one device');
    const [first] = people;
    if (first === undefined) throw new Error('one person');
    const made = await point.offline(device, first);
    const receipt = made.receipt([{ item: 'food_box', quantity: 1 }]);
    const closed = await point.call('POST', 'changes', supervisor, { status: 'closed' });
    expect(closed.statusCode, closed.body).toBe(200);

    const synced = await sync(point, 'offline-syncs', operator, device.id, [receipt]);
    expect(synced.statusCode, synced.body).toBe(200);
    expect(synced.json().results).toMatchObject([{ outcome: 'counted', code: null }]);
    expect(await point.onHand('food_box')).toBe(4);
    expect((await point.figures()).redemptions).toBe(1);
  });

  it("lets the supervisor sync a removed operator's device, checking each receipt as usual", async () => {
    const point = await offlinePoint(scene(), 1, { food_box: 5 });
    const [device] = point.devices;
    const [, first, second] = people;
    if (device === undefined || first === undefined || second === undefined) {
      throw new Error('one device, two persons');
    }
    const good = (await point.offline(device, first)).receipt([{ item: 'food_box', quantity: 1 }]);
    const fromSecond = await point.offline(device, second);
    // Signed by a key that is not the device's: the supervisor's sync refuses it as the operator's would.
    const forged = offlineDevice().receipt(point.pointId, device.id, {
      snapshotId: fromSecond.snapshotId,
      entitlementId: fromSecond.entitlementId,
      credentialId: second.credentialId,
      qrText: second.qrText,
      lines: [{ item: 'food_box', quantity: 1 }],
    });
    const removed = await point.call('POST', 'changes', supervisor, {
      removeOperators: [operator.operatorId],
    });
    expect(removed.statusCode, removed.body).toBe(200);

    const stranded = await sync(point, 'offline-syncs', operator, device.id, [good]);
    expect(stranded.statusCode).toBe(403);
    expect(stranded.json().code).toBe('AMP_POINT_NOT_ASSIGNED');
    // The supervisor's sync is not a way for an operator around their point.
    const asOperator = await sync(point, 'supervised-offline-syncs', operator, device.id, [good]);
    expect(asOperator.statusCode).toBe(403);
    const unknownDevice = await sync(
      point,
      'supervised-offline-syncs',
      supervisor,
      '00000000-0000-4000-8000-000000000000',
      [good],
    );
    expect(unknownDevice.statusCode).toBe(404);
    expect(unknownDevice.json().code).toBe('AMP_NOT_FOUND');

    const synced = await sync(point, 'supervised-offline-syncs', supervisor, device.id, [
      good,
      forged,
    ]);
    expect(synced.statusCode, synced.body).toBe(200);
    expect(synced.json().results).toMatchObject([
      { receiptId: good.receiptId, outcome: 'counted', code: null },
      { receiptId: forged.receiptId, outcome: 'refused', code: 'AMP_OFFLINE_SIGNATURE_INVALID' },
    ]);
    expect(await onHandAt(kit, supervisor, point.pointId, 'food_box')).toBe(4);
    expect((await point.figures()).redemptions).toBe(1);
    const audit = await auditedAs(kit, String(synced.headers['x-request-id']));
    expect(audit).toContainEqual({
      action: 'distribution.offline_sync',
      outcome: 'allowed',
      reasonCode: null,
    });
    expect(audit).toContainEqual({
      action: 'distribution.offline_sync',
      outcome: 'denied',
      reasonCode: 'AMP_OFFLINE_SIGNATURE_INVALID',
    });
    // Sent again, by either route, the counted receipt is answered, not counted twice.
    const again = await sync(point, 'supervised-offline-syncs', supervisor, device.id, [good]);
    expect(again.json().results).toMatchObject([{ outcome: 'counted', replayed: true }]);
    expect(await onHandAt(kit, supervisor, point.pointId, 'food_box')).toBe(4);
  });

  it("refuses the supervisor's sync of a revoked device", async () => {
    const point = await offlinePoint(scene(), 1, { food_box: 5 });
    const [device] = point.devices;
    const first = people[3];
    if (device === undefined || first === undefined) throw new Error('one device, one person');
    const receipt = (await point.offline(device, first)).receipt([
      { item: 'food_box', quantity: 1 },
    ]);
    const revoked = await point.call('POST', `devices/${device.id}/revoke`, supervisor, {
      reason: 'lost',
    });
    expect(revoked.statusCode, revoked.body).toBeLessThan(300);
    const synced = await sync(point, 'supervised-offline-syncs', supervisor, device.id, [receipt]);
    expect(synced.json().code).toBe('AMP_DEVICE_REVOKED');
    expect(await point.onHand('food_box')).toBe(5);
  });

  it('refuses the supervisor of another state', async () => {
    const point = await offlinePoint(scene(), 1, { food_box: 5 });
    const [device] = point.devices;
    const person = people[3];
    if (device === undefined || person === undefined) throw new Error('one device, one person');
    const receipt = (await point.offline(device, person)).receipt([
      { item: 'food_box', quantity: 1 },
    ]);
    const elsewhere = await signInSupervisor(kit, ['VE-Z']);
    const synced = await sync(point, 'supervised-offline-syncs', elsewhere, device.id, [receipt]);
    expect(synced.statusCode).toBe(404);
    expect(synced.json().code).toBe('AMP_NOT_FOUND');
    // Their own state's supervisor syncs it.
    const own = await sync(point, 'supervised-offline-syncs', supervisor, device.id, [receipt]);
    expect(own.json().results).toMatchObject([{ outcome: 'counted' }]);
  });
});
