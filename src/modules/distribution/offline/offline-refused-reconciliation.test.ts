import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import { type CardHolder, distributionScene, type SignedIn } from '../distribution-test-kit.js';
import { offlinePoint } from './offline-point-test-kit.js';
import { offlineDevice } from './offline-test-kit.js';

/**
 * Offline receipts refused at sync are in the point's reconciliation (migration 0149): a count
 * per reason in the signed figures and a list the supervisor reads — device, times, reason, what
 * the device says it handed over, no person — and rows of the CSV, every cell safe for a
 * spreadsheet. A revoked device's batch is kept too. Before, each left only an audit entry.
 */
describe('refused offline receipts in the reconciliation', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let programId: string;
  let cycleId: string;
  let person: CardHolder;

  beforeAll(async () => {
    let people: CardHolder[];
    ({ kit, supervisor, operator, programId, cycleId, people } = await distributionScene({
      people: 1,
      program: { code: 'refusals', basket: [{ item: 'food_box', quantity: 2, unit: 'box' }] },
    }));
    [person] = people as [CardHolder];
  }, 120_000);
  afterAll(async () => kit?.close());

  it('counts each refusal by reason, lists it for the supervisor, and writes it to the CSV', async () => {
    const point = await offlinePoint({ kit, supervisor, operator, programId, cycleId }, 2, {
      food_box: 10,
    });
    const [a, b] = point.devices;
    if (a === undefined || b === undefined) throw new Error('two devices');
    // A third device whose label a careless supervisor typed like a formula.
    const key = offlineDevice(operator.operatorId);
    const labelled = await point.call(
      'POST',
      'devices',
      supervisor,
      key.registration(point.pointId, '=HYPERLINK("http://x")'),
    );
    expect(labelled.statusCode, labelled.body).toBe(201);
    const c = { key, id: labelled.json().id as string };
    const reconciliation = async () => {
      const response = await point.call('GET', `cycles/${cycleId}/reconciliation`, supervisor);
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };
    // Signed with no refusal: the figures carry none, and the sign-off is current.
    const signed = await point.call(
      'POST',
      `cycles/${cycleId}/reconciliation/sign-offs`,
      supervisor,
      {},
    );
    expect(signed.statusCode, signed.body).toBe(201);
    const before = await reconciliation();
    expect(before.figures.refusedOffline).toBeUndefined();
    expect(before.refusedReceipts).toEqual([]);
    expect(before.signOffs[0].current).toBe(true);

    // Device A: its receipt's lines changed after signing (not the device's signature).
    const fromA = await point.offline(a, person);
    const tampered = { ...fromA.receipt([{ item: 'food_box', quantity: 1 }]) };
    tampered.lines = [{ item: 'food_box', quantity: 2 }];
    expect(await fromA.sync(tampered)).toMatchObject({
      outcome: 'refused',
      code: 'AMP_OFFLINE_SIGNATURE_INVALID',
    });
    // Device C: a receipt for an entitlement its snapshot did not hold (none the server knows).
    const fromC = await point.offline(c, person);
    const unknown = c.key.receipt(point.pointId, c.id, {
      snapshotId: fromC.snapshotId,
      entitlementId: randomUUID(),
      credentialId: person.credentialId,
      qrText: person.qrText,
      lines: [{ item: 'food_box', quantity: 1 }],
      deviceTime: Date.now() - 20_000,
    });
    expect(await fromC.sync(unknown)).toMatchObject({
      outcome: 'refused',
      code: 'AMP_OFFLINE_NOT_IN_SNAPSHOT',
    });
    // Device B, revoked as stolen: its whole batch is refused, and kept.
    const fromB = await point.offline(b, person);
    const revoked = await point.call('POST', `devices/${b.id}/revoke`, supervisor, {
      reason: 'stolen',
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const stolen = fromB.receipt([{ item: 'food_box', quantity: 2 }]);
    const refusedWhole = await point.call('POST', 'offline-syncs', operator, {
      deviceId: b.id,
      deviceNow: Date.now(),
      receipts: [stolen],
    });
    expect(refusedWhole.statusCode, refusedWhole.body).toBe(403);
    // Sent again, the signature-refused receipt is refused again, and listed once.
    expect(await fromA.sync(tampered)).toMatchObject({ outcome: 'refused' });

    const after = await reconciliation();
    expect(after.figures).toMatchObject({
      redemptions: 0,
      refusedOffline: 3,
      refusedOfflineByReason: [
        { reason: 'AMP_DEVICE_REVOKED', count: 1 },
        { reason: 'AMP_OFFLINE_NOT_IN_SNAPSHOT', count: 1 },
        { reason: 'AMP_OFFLINE_SIGNATURE_INVALID', count: 1 },
      ],
    });
    const listed = new Map(
      (after.refusedReceipts as { receiptId: string }[]).map((each) => [each.receiptId, each]),
    );
    expect(listed.size).toBe(3);
    expect(listed.get(tampered.receiptId)).toEqual({
      receiptId: tampered.receiptId,
      deviceId: a.id,
      deviceLabel: expect.any(String),
      deviceTime: new Date(tampered.deviceTime).toISOString(),
      syncedAt: expect.any(String),
      reason: 'AMP_OFFLINE_SIGNATURE_INVALID',
      lines: [{ item: 'food_box', quantity: 2 }],
    });
    expect(listed.get(stolen.receiptId)).toMatchObject({
      deviceId: b.id,
      reason: 'AMP_DEVICE_REVOKED',
      lines: [{ item: 'food_box', quantity: 2 }],
    });
    expect(listed.get(unknown.receiptId)).toMatchObject({
      deviceLabel: '=HYPERLINK("http://x")',
      reason: 'AMP_OFFLINE_NOT_IN_SNAPSHOT',
    });
    // No person: neither the holder's id nor their card.
    const body = JSON.stringify(after);
    expect(body).not.toContain(person.personId);
    expect(body).not.toContain(person.credentialId);
    // The figures signed before no longer match: the supervisor sees them and signs again.
    expect(after.signOffs[0].current).toBe(false);

    const csv = await point.call('GET', `cycles/${cycleId}/reconciliation.csv`, supervisor);
    expect(csv.statusCode).toBe(200);
    const rows = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(rows[0]).toContain(
      'refused_offline_receipts,refused_receipt,refused_device,refused_device_time,refused_synced_at,refused_reason,refused_lines',
    );
    const refusalRows = rows.filter((row) => row.includes('AMP_'));
    expect(refusalRows).toHaveLength(3);
    const labelledRow = refusalRows.find((row) => row.includes(unknown.receiptId));
    // The formula-like label is text in a spreadsheet, never a formula.
    expect(labelledRow).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(labelledRow).toContain('AMP_OFFLINE_NOT_IN_SNAPSHOT,food_box:1');
  });
});
