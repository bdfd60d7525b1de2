import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import { canonicalJson } from '../../credentials/index.js';
import {
  auditedAs,
  type CardHolder,
  createPoint,
  onHandAt,
  pointCall,
  type SignedIn,
} from '../distribution-test-kit.js';
import { stockDelivered } from '../stock/stock-test-kit.js';
import { boxAndRiceScene } from './offline-point-test-kit.js';
import {
  cardHashOf,
  entitlementIdOfEntry,
  type OfflineDevice,
  offlineDevice,
} from './offline-test-kit.js';

/**
 * Offline work at a point (issue #15, point 5), on PostgreSQL and PGlite alike: a registered
 * device's signed snapshot holds cards' hashes and what remains, nothing of the person; synced
 * receipts count once; the same entitlement redeemed on two devices keeps both receipts, counts
 * one and keeps the other as a conflict; bad input is refused, counted nowhere, and audited.
 */
describe('offline snapshot and sync', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let issuer: SignedIn;
  let point: string;
  let ana: CardHolder;
  let beto: CardHolder;
  let caro: CardHolder;
  let dani: CardHolder;
  let cycleId: string;
  const devices: { key: OfflineDevice; id: string }[] = [];

  beforeAll(async () => {
    const scene = await boxAndRiceScene('offline', 4);
    ({ kit, supervisor, operator, issuer, cycleId } = scene);
    // Safe: the scene made four people.
    [ana, beto, caro, dani] = scene.people as [CardHolder, CardHolder, CardHolder, CardHolder];
    point = await createPoint(kit, supervisor, {
      operators: [operator.operatorId],
      programs: [scene.programId],
    });
    await stockDelivered(kit, supervisor, point, { item: 'food_box', quantity: 10 });
    for (const label of ['Tablet A', 'Tablet B', 'Tablet C']) {
      const key = offlineDevice(operator.operatorId);
      const registered = await call('POST', 'devices', supervisor, key.registration(point, label));
      expect(registered.statusCode, registered.body).toBe(201);
      devices.push({ key, id: registered.json().id });
    }
  }, 120_000);
  afterAll(async () => kit?.close());

  const call = (method: 'GET' | 'POST', url: string, who: SignedIn, payload?: object) =>
    pointCall(kit)(method, `${point}/${url}`, who, payload);

  async function snapshotOf(device: { id: string }) {
    const response = await call('GET', `devices/${device.id}/snapshot`, operator);
    expect(response.statusCode, response.body).toBe(200);
    return { text: response.body, snapshot: response.json() };
  }

  const sync = (device: { id: string }, receipts: object[], deviceNow = Date.now()) =>
    call('POST', 'offline-syncs', operator, { deviceId: device.id, deviceNow, receipts });

  async function counted(entitlementId: string): Promise<number> {
    const rows = await kit.database.asAdmin((admin) =>
      sql<{
        n: string;
      }>`select count(*) as n from redemption where entitlement_id = ${entitlementId}`.execute(
        admin,
      ),
    );
    return Number(rows.rows[0]?.n);
  }

  const foodBoxesOnHand = () => onHandAt(kit, operator, point, 'food_box');

  it('gives a registered device a signed snapshot with cards hashed and what remains', async () => {
    const [device] = devices;
    if (device === undefined) throw new Error('no device');
    const { text, snapshot } = await snapshotOf(device);
    const key = (await kit.app.inject({ url: '/api/distribution/snapshot-key' })).json();
    const publicKey = createPublicKey({
      key: Buffer.concat([
        Buffer.from('302a300506032b6570032100', 'hex'),
        Buffer.from(key.publicKey, 'hex'),
      ]),
      format: 'der',
      type: 'spki',
    });
    const signed = Buffer.from(canonicalJson(snapshot.payload));
    expect(
      verify(null, signed, publicKey, Buffer.from(snapshot.signature.value, 'base64url')),
    ).toBe(true);
    const tampered = structuredClone(snapshot.payload);
    tampered.entries[0][3][1] = 99;
    expect(
      verify(
        null,
        Buffer.from(canonicalJson(tampered)),
        publicKey,
        Buffer.from(snapshot.signature.value, 'base64url'),
      ),
    ).toBe(false);
    const entry = snapshot.payload.entries.find(
      (each: string[]) => each[0] === cardHashOf(snapshot.payload, ana.credentialId),
    );
    expect(entry).toBeDefined();
    expect(snapshot.payload.items).toEqual([
      { item: 'food_box', unit: 'box' },
      { item: 'rice', unit: 'kg' },
    ]);
    expect(entry[3]).toEqual([0, 1, 1, 5]);
    expect(snapshot.payload.programs[entry[2]].code).toBe('offline');
    // Nothing the card does not show: no person id, no ID number, no credential id in clear.
    for (const secret of [ana.personId, ana.uin, ana.credentialId, beto.personId]) {
      expect(text).not.toContain(secret);
    }
    expect(snapshot.payload.expiresAt).toBeGreaterThan(snapshot.payload.issuedAt);
    expect(snapshot.payload.trustList.payload.keys.length).toBeGreaterThan(0);
  });

  it("counts a receipt once, keeps a second device's receipt of the same entitlement as a conflict", async () => {
    const [a, b] = devices;
    if (a === undefined || b === undefined) throw new Error('no devices');
    const snapA = (await snapshotOf(a)).snapshot.payload;
    const snapB = (await snapshotOf(b)).snapshot.payload;
    const entry = snapA.entries.find(
      (each: string[]) => each[0] === cardHashOf(snapA, ana.credentialId),
    );
    const entitlementId = entitlementIdOfEntry(entry[1]);
    const lines = [
      { item: 'food_box', quantity: 1 },
      { item: 'rice', quantity: 5 },
    ];
    const before = await foodBoxesOnHand();
    const fromA = a.key.receipt(point, a.id, {
      snapshotId: snapA.snapshotId,
      entitlementId,
      credentialId: ana.credentialId,
      qrText: ana.qrText,
      lines,
      deviceTime: Date.now() - 60_000,
    });
    const fromB = b.key.receipt(point, b.id, {
      snapshotId: snapB.snapshotId,
      entitlementId,
      credentialId: ana.credentialId,
      qrText: ana.qrText,
      lines,
      deviceTime: Date.now() - 30_000,
    });
    const first = await sync(a, [fromA]);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().results[0]).toMatchObject({ outcome: 'counted', replayed: false });
    const second = await sync(b, [fromB]);
    expect(second.json().results[0], second.body).toMatchObject({
      outcome: 'conflict',
      redemptionId: null,
    });
    // A replay answers the first result, counts nothing more, and is audited (issue #15's bad
    // input: "a replayed receipt … the attempt audited").
    const replay = await sync(a, [fromA]);
    expect(replay.json().results[0]).toMatchObject({
      outcome: 'counted',
      replayed: true,
      redemptionId: first.json().results[0].redemptionId,
    });
    expect(await auditedAs(kit, String(replay.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_OFFLINE_RECEIPT_REPLAYED',
    });
    // A replayed receipt id with other content — the same device's other lines, or the id sent
    // from another device — is refused, counted nowhere, and audited.
    const altered = a.key.receipt(point, a.id, {
      snapshotId: snapA.snapshotId,
      entitlementId,
      credentialId: ana.credentialId,
      qrText: ana.qrText,
      lines: [{ item: 'rice', quantity: 1 }],
      receiptId: fromA.receiptId,
    });
    for (const [device, receipt] of [
      [a, altered],
      [b, { ...fromB, receiptId: fromA.receiptId }],
    ] as const) {
      const mismatch = await sync(device, [receipt]);
      expect(mismatch.statusCode, mismatch.body).toBe(200);
      expect(mismatch.json().results[0]).toMatchObject({
        outcome: 'refused',
        code: 'AMP_OFFLINE_RECEIPT_MISMATCH',
        redemptionId: null,
      });
      expect(await auditedAs(kit, String(mismatch.headers['x-request-id']))).toContainEqual({
        action: 'distribution.redeem',
        outcome: 'denied',
        reasonCode: 'AMP_OFFLINE_RECEIPT_MISMATCH',
      });
    }
    expect(await counted(entitlementId)).toBe(1);
    expect(await foodBoxesOnHand()).toBe(before - 1);
    const state = await kit.database.asAdmin((admin) =>
      sql<{
        state: string;
      }>`select state from entitlement_redemption_state where entitlement_id = ${entitlementId}`.execute(
        admin,
      ),
    );
    // Nothing remained of what B hands over, so its conflict holds nothing (migration 0140):
    // the entitlement is what A's receipt left of it.
    expect(state.rows[0]?.state).toBe('consumed');
    const conflicts = await call('GET', 'offline-conflicts', supervisor);
    expect(conflicts.statusCode, conflicts.body).toBe(200);
    expect(conflicts.json().conflicts).toEqual([
      expect.objectContaining({
        receiptId: fromB.receiptId,
        deviceLabel: 'Tablet B',
        countedRedemptions: 1,
        held: [],
      }),
    ]);
    const figures = await call('GET', `cycles/${cycleId}/reconciliation`, supervisor);
    expect(figures.json().figures).toMatchObject({ conflicts: 1, entitlementsRedeemed: 1 });
  });

  it('lets the supervisor clear a conflict: the counted receipt stands, goods written off, audited once', async () => {
    const listed = (await call('GET', 'offline-conflicts', supervisor)).json().conflicts;
    const conflict = listed.find((each: { resolution: unknown }) => each.resolution === null);
    expect(conflict).toBeDefined();
    const url = `offline-conflicts/${conflict.receiptId}/resolution`;
    const body = { decision: 'counted_stands', goodsLeft: true, note: 'Both tablets handed it' };
    // The point's operator may list conflicts but not clear them.
    const byOperator = await call('POST', url, operator, body);
    expect(byOperator.statusCode).toBe(403);
    const before = await foodBoxesOnHand();
    const cleared = await call('POST', url, supervisor, body);
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).toMatchObject({ goodsLeft: true, entitlementState: 'consumed' });
    // The second box that left is a loss on the ledger; the entitlement counted once.
    expect(await foodBoxesOnHand()).toBe(before - 1);
    expect(await counted(conflict.entitlementId)).toBe(1);
    expect(await auditedAs(kit, String(cleared.headers['x-request-id']))).toContainEqual({
      action: 'distribution.stock_adjust',
      outcome: 'allowed',
      reasonCode: null,
    });
    const again = await call('POST', url, supervisor, body);
    expect(again.statusCode).toBe(409);
    expect(await foodBoxesOnHand()).toBe(before - 1);
    const after = (await call('GET', 'offline-conflicts', supervisor)).json().conflicts;
    expect(
      after.find((each: { receiptId: string }) => each.receiptId === conflict.receiptId),
    ).toMatchObject({ resolution: { decision: 'counted_stands', goodsLeft: true } });
  });

  it('lets the supervisor clear a conflict for the later receipt: it counts, the earlier is reversed, stock and entitlement exact', async () => {
    const [a, b] = devices;
    if (a === undefined || b === undefined) throw new Error('no devices');
    const snapA = (await snapshotOf(a)).snapshot.payload;
    const snapB = (await snapshotOf(b)).snapshot.payload;
    const entry = snapA.entries.find(
      (each: string[]) => each[0] === cardHashOf(snapA, dani.credentialId),
    );
    const entitlementId = entitlementIdOfEntry(entry[1]);
    const figuresBefore = (await call('GET', `cycles/${cycleId}/reconciliation`, supervisor)).json()
      .figures;
    const boxesBefore = await foodBoxesOnHand();
    // The earlier hand-over (device A): the box and 2 kg of rice; the later (device B), made
    // offline from its own snapshot: the whole basket. B's is kept as a conflict.
    const fromA = a.key.receipt(point, a.id, {
      snapshotId: snapA.snapshotId,
      entitlementId,
      credentialId: dani.credentialId,
      qrText: dani.qrText,
      lines: [
        { item: 'food_box', quantity: 1 },
        { item: 'rice', quantity: 2 },
      ],
      deviceTime: Date.now() - 60_000,
    });
    const fromB = b.key.receipt(point, b.id, {
      snapshotId: snapB.snapshotId,
      entitlementId,
      credentialId: dani.credentialId,
      qrText: dani.qrText,
      lines: [
        { item: 'food_box', quantity: 1 },
        { item: 'rice', quantity: 5 },
      ],
      deviceTime: Date.now() - 30_000,
    });
    const first = await sync(a, [fromA]);
    expect(first.json().results[0], first.body).toMatchObject({ outcome: 'counted' });
    const earlierId = first.json().results[0].redemptionId as string;
    const second = await sync(b, [fromB]);
    expect(second.json().results[0], second.body).toMatchObject({ outcome: 'conflict' });

    const url = `offline-conflicts/${fromB.receiptId}/resolution`;
    const body = { decision: 'later_stands', goodsLeft: true, note: 'A gave part, B the basket' };
    const byOperator = await call('POST', url, operator, body);
    expect(byOperator.statusCode).toBe(403);
    const cleared = await call('POST', url, supervisor, body);
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).toMatchObject({
      decision: 'later_stands',
      goodsLeft: true,
      reversedRedemptionIds: [earlierId],
      entitlementState: 'consumed',
    });
    const laterId = cleared.json().redemptionId as string;
    expect(laterId).toMatch(/^[0-9a-f-]{36}$/);

    const rows = await kit.database.asAdmin(async (admin) => ({
      balances: (
        await sql<{ item: string; quantity_remaining: number }>`
          select item, quantity_remaining from entitlement_item_balance
           where entitlement_id = ${entitlementId} order by item`.execute(admin)
      ).rows,
      standing: (
        await sql<{ id: string }>`
          select r.id from redemption r
           where r.entitlement_id = ${entitlementId}
             and not exists (select 1 from redemption_reversal x where x.redemption_id = r.id)`.execute(
          admin,
        )
      ).rows,
      reversed: (
        await sql<{ redemption_id: string; goods_returned: boolean }>`
          select redemption_id, goods_returned from redemption_reversal
           where receipt_id = ${fromB.receiptId}`.execute(admin)
      ).rows,
      movements: (
        await sql<{ kind: string; quantity_delta: number; redemption_id: string | null }>`
          select kind, quantity_delta, redemption_id from stock_movement
           where point_id = ${point} and item = 'food_box'
             and (redemption_id in (${earlierId}, ${laterId}) or note like ${`%${fromB.receiptId}%`})
           order by recorded_at`.execute(admin)
      ).rows,
    }));
    // What remains is the granted basket less the later receipt only: 1 − 1 box, 5 − 5 kg.
    expect(rows.balances.map((row) => [row.item, Number(row.quantity_remaining)])).toEqual([
      ['food_box', 0],
      ['rice', 0],
    ]);
    expect(rows.standing.map((row) => row.id)).toEqual([laterId]);
    expect(rows.reversed).toEqual([{ redemption_id: earlierId, goods_returned: false }]);
    // Both boxes left the point: each moved out once, by its own redemption; nothing else.
    expect(rows.movements.map((row) => [row.kind, Number(row.quantity_delta)])).toEqual([
      ['redemption', -1],
      ['redemption', -1],
    ]);
    expect(await foodBoxesOnHand()).toBe(boxesBefore - 2);
    expect(await auditedAs(kit, String(cleared.headers['x-request-id']))).toContainEqual({
      action: 'distribution.stock_adjust',
      outcome: 'allowed',
      reasonCode: null,
    });

    // The reconciliation counts one redemption of the entitlement: the later one's quantities.
    const figuresAfter = (await call('GET', `cycles/${cycleId}/reconciliation`, supervisor)).json()
      .figures;
    const redeemedOf = (figures: { items: { item: string; redeemed: number }[] }, item: string) =>
      figures.items.find((each) => each.item === item)?.redeemed ?? 0;
    expect(figuresAfter.redemptions - figuresBefore.redemptions).toBe(1);
    expect(figuresAfter.entitlementsRedeemed - figuresBefore.entitlementsRedeemed).toBe(1);
    expect(redeemedOf(figuresAfter, 'food_box') - redeemedOf(figuresBefore, 'food_box')).toBe(1);
    expect(redeemedOf(figuresAfter, 'rice') - redeemedOf(figuresBefore, 'rice')).toBe(5);

    // Once only: a second decision on it is refused and moves nothing.
    const again = await call('POST', url, supervisor, body);
    expect(again.statusCode).toBe(409);
    expect(await foodBoxesOnHand()).toBe(boxesBefore - 2);
    const listed = (await call('GET', 'offline-conflicts', supervisor)).json().conflicts;
    expect(
      listed.find((each: { receiptId: string }) => each.receiptId === fromB.receiptId),
    ).toMatchObject({ countedRedemptions: 1, resolution: { decision: 'later_stands' } });
  });

  it('refuses bad receipts, counts none of them, and audits each', async () => {
    const [, , c] = devices;
    if (c === undefined) throw new Error('no device');
    const snap = (await snapshotOf(c)).snapshot.payload;
    const entry = snap.entries.find(
      (each: string[]) => each[0] === cardHashOf(snap, beto.credentialId),
    );
    const entitlementId = entitlementIdOfEntry(entry[1]);
    const base = {
      snapshotId: snap.snapshotId,
      entitlementId,
      credentialId: beto.credentialId,
      qrText: beto.qrText,
    };
    const good = c.key.receipt(point, c.id, { ...base, lines: [{ item: 'rice', quantity: 2 }] });
    const forged = { ...good, receiptId: randomUUID(), lines: [{ item: 'rice', quantity: 1 }] };
    const tooMuch = c.key.receipt(point, c.id, { ...base, lines: [{ item: 'rice', quantity: 6 }] });
    const expiredSnapshot = randomUUID();
    await kit.database.asAdmin((admin) =>
      sql`insert into distribution_snapshot values (${expiredSnapshot}, ${point}, ${c.id},
        now() - interval '100 hours', now() - interval '28 hours', 0, ${Buffer.alloc(32)}, ${operator.operatorId})`.execute(
        admin,
      ),
    );
    const stale = c.key.receipt(point, c.id, {
      ...base,
      snapshotId: expiredSnapshot,
      lines: [{ item: 'rice', quantity: 1 }],
    });
    const response = await sync(c, [forged, tooMuch, stale]);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().results.map((r: { code: string }) => r.code)).toEqual([
      'AMP_OFFLINE_SIGNATURE_INVALID',
      'AMP_QUANTITY_ABOVE_REMAINING',
      'AMP_SNAPSHOT_EXPIRED',
    ]);
    const audited = await auditedAs(kit, String(response.headers['x-request-id']));
    for (const code of [
      'AMP_OFFLINE_SIGNATURE_INVALID',
      'AMP_QUANTITY_ABOVE_REMAINING',
      'AMP_SNAPSHOT_EXPIRED',
    ]) {
      expect(audited).toContainEqual({
        action: 'distribution.redeem',
        outcome: 'denied',
        reasonCode: code,
      });
    }
    // A device whose clock is far off: the whole sync is refused.
    const clock = await sync(c, [good], Date.now() + 3_600_000);
    expect(clock.statusCode).toBe(422);
    expect(clock.json().code).toBe('AMP_DEVICE_CLOCK_OFF');
    expect(await auditedAs(kit, String(clock.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_DEVICE_CLOCK_OFF',
    });
    expect(await counted(entitlementId)).toBe(0);
    // A revoked device: no receipt counted, no snapshot.
    const revoked = await call('POST', `devices/${c.id}/revoke`, supervisor, { reason: 'stolen' });
    expect(revoked.statusCode, revoked.body).toBe(200);
    for (const refused of [
      await sync(c, [good]),
      await call('GET', `devices/${c.id}/snapshot`, operator),
    ]) {
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe('AMP_DEVICE_REVOKED');
      expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toContainEqual({
        action: 'distribution.redeem',
        outcome: 'denied',
        reasonCode: 'AMP_DEVICE_REVOKED',
      });
    }
    expect(await counted(entitlementId)).toBe(0);
  });

  it("refuses the receipts beyond the device's allowance for its snapshot; a new snapshot starts afresh", async () => {
    const key = offlineDevice(operator.operatorId);
    const registered = await call('POST', 'devices', supervisor, {
      ...key.registration(point, 'Tablet D'),
      receiptsMax: 2,
      unitsMax: 3,
    });
    expect(registered.statusCode, registered.body).toBe(201);
    expect(registered.json()).toMatchObject({ receiptsMax: 2, unitsMax: 3 });
    const device = { key, id: registered.json().id as string };
    const snap = (await snapshotOf(device)).snapshot.payload;
    expect(snap).toMatchObject({ receiptsMax: 2, unitsMax: 3 });
    const entry = snap.entries.find(
      (each: string[]) => each[0] === cardHashOf(snap, caro.credentialId),
    );
    const entitlementId = entitlementIdOfEntry(entry[1]);
    const at = Date.now() - 60_000;
    const receipt = (snapshotId: string, item: string, quantity: number, deviceTime: number) =>
      key.receipt(point, device.id, {
        snapshotId,
        entitlementId,
        credentialId: caro.credentialId,
        qrText: caro.qrText,
        lines: [{ item, quantity }],
        deviceTime,
      });
    const made = [
      receipt(snap.snapshotId, 'rice', 2, at), // 1 receipt, 2 units: counted
      receipt(snap.snapshotId, 'rice', 2, at + 1), // 4 units > 3: refused
      receipt(snap.snapshotId, 'food_box', 1, at + 2), // 2 receipts, 3 units: counted
      receipt(snap.snapshotId, 'rice', 1, at + 3), // 3 receipts > 2: refused
    ];
    const response = await sync(device, made);
    expect(response.statusCode, response.body).toBe(200);
    expect(
      response
        .json()
        .results.map((r: { outcome: string; code: string | null }) => r.code ?? r.outcome),
    ).toEqual([
      'counted',
      'AMP_OFFLINE_ALLOWANCE_EXCEEDED',
      'counted',
      'AMP_OFFLINE_ALLOWANCE_EXCEEDED',
    ]);
    expect(await auditedAs(kit, String(response.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_OFFLINE_ALLOWANCE_EXCEEDED',
    });
    // Sent again, a refused receipt is refused again: the allowance counts what was kept.
    const again = await sync(device, made.slice(3));
    expect(again.json().results[0].code).toBe('AMP_OFFLINE_ALLOWANCE_EXCEEDED');
    expect(await counted(entitlementId)).toBe(2);
    // After a sync the device downloads a new snapshot: its allowance starts again.
    const next = (await snapshotOf(device)).snapshot.payload;
    const fresh = await sync(device, [receipt(next.snapshotId, 'rice', 1, Date.now() - 1000)]);
    expect(fresh.json().results[0]).toMatchObject({ outcome: 'counted' });
    expect(await counted(entitlementId)).toBe(3);
  });

  it('gives a device one allowance for the snapshots it held at once, and a fresh one after a sync', async () => {
    const key = offlineDevice(operator.operatorId);
    const registered = await call('POST', 'devices', supervisor, {
      ...key.registration(point, 'Tablet E'),
      receiptsMax: 2,
      unitsMax: 100,
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const device = { key, id: registered.json().id as string };
    // A second device with two snapshots taken before anything below is synced.
    const other = offlineDevice(operator.operatorId);
    const otherRegistered = await call('POST', 'devices', supervisor, {
      ...other.registration(point, 'Tablet F'),
      receiptsMax: 1,
      unitsMax: 100,
    });
    const otherId = otherRegistered.json().id as string;
    const a = (await snapshotOf({ id: otherId })).snapshot.payload;
    const b = (await snapshotOf({ id: otherId })).snapshot.payload;
    // Two snapshots downloaded before going offline: each alone would allow two receipts.
    const first = (await snapshotOf(device)).snapshot.payload;
    const second = (await snapshotOf(device)).snapshot.payload;
    const entry = first.entries.find(
      (each: string[]) => each[0] === cardHashOf(first, caro.credentialId),
    );
    const entitlementId = entitlementIdOfEntry(entry[1]);
    const at = Date.now() - 30_000;
    const receipt = (snapshotId: string, deviceTime: number) =>
      key.receipt(point, device.id, {
        snapshotId,
        entitlementId,
        credentialId: caro.credentialId,
        qrText: caro.qrText,
        lines: [{ item: 'rice', quantity: 1 }],
        deviceTime,
      });
    const before = await counted(entitlementId);
    const outcomes = async (receipts: object[]) =>
      (await sync(device, receipts))
        .json()
        .results.map((r: { outcome: string; code: string | null }) => r.code ?? r.outcome);
    // Two with the first snapshot fill the allowance; the one made with the second, synced
    // later, is beyond it: the server had not heard of the first two when it issued the second.
    expect(
      await outcomes([receipt(first.snapshotId, at), receipt(first.snapshotId, at + 1)]),
    ).toEqual(['counted', 'counted']);
    expect(await outcomes([receipt(second.snapshotId, at + 2)])).toEqual([
      'AMP_OFFLINE_ALLOWANCE_EXCEEDED',
    ]);
    expect(await counted(entitlementId)).toBe(before + 2);
    // In one batch too: the second receipt, with the second snapshot, is beyond the shared allowance.
    const otherReceipt = (snapshotId: string, deviceTime: number) =>
      other.receipt(point, otherId, {
        snapshotId,
        entitlementId,
        credentialId: caro.credentialId,
        qrText: caro.qrText,
        lines: [{ item: 'rice', quantity: 1 }],
        deviceTime,
      });
    const together = await sync({ id: otherId }, [
      otherReceipt(a.snapshotId, at + 3),
      otherReceipt(b.snapshotId, at + 4),
    ]);
    const [kept, beyond] = together.json().results;
    expect(['counted', 'conflict']).toContain(kept.outcome);
    expect(beyond.code).toBe('AMP_OFFLINE_ALLOWANCE_EXCEEDED');
    // What was synced before a snapshot was issued is heard of: the next snapshot starts afresh
    // (this receipt passes the allowance and is then refused for what remains, nothing left).
    const third = (await snapshotOf(device)).snapshot.payload;
    expect(await outcomes([receipt(third.snapshotId, Date.now() - 1000)])).not.toContain(
      'AMP_OFFLINE_ALLOWANCE_EXCEEDED',
    );
  });

  it("refuses a receipt naming another person's card or a card revoked before it, and a device clock far behind; none counted, each audited", async () => {
    const [a] = devices;
    if (a === undefined) throw new Error('no device');
    const snap = (await snapshotOf(a)).snapshot.payload;
    const entry = snap.entries.find(
      (each: string[]) => each[0] === cardHashOf(snap, beto.credentialId),
    );
    const entitlementId = entitlementIdOfEntry(entry[1]);
    const receipt = (holder: CardHolder) =>
      a.key.receipt(point, a.id, {
        snapshotId: snap.snapshotId,
        entitlementId,
        credentialId: holder.credentialId,
        qrText: holder.qrText,
        lines: [{ item: 'rice', quantity: 1 }],
        deviceTime: Date.now(),
      });
    const notHolders = await sync(a, [receipt(caro)]);
    const revoke = await kit.app.inject({
      method: 'POST',
      url: `/api/credentials/${beto.credentialId}/revoke?purpose=enrolment`,
      cookies: issuer.cookies,
      payload: { reason: 'stolen' },
    });
    expect(revoke.statusCode, revoke.body).toBe(200);
    const revoked = await sync(a, [receipt(beto)]);
    for (const [response, code] of [
      [notHolders, 'AMP_ENTITLEMENT_NOT_REDEEMABLE'],
      [revoked, 'AMP_CARD_REFUSED'],
    ] as const) {
      expect(response.json().results[0], response.body).toMatchObject({
        outcome: 'refused',
        code,
      });
      expect(await auditedAs(kit, String(response.headers['x-request-id']))).toContainEqual({
        action: 'distribution.redeem',
        outcome: 'denied',
        reasonCode: code,
      });
    }
    // A device whose clock is an hour behind the server's: the whole sync is refused.
    const behind = await sync(a, [receipt(caro)], Date.now() - 3_600_000);
    expect(behind.statusCode).toBe(422);
    expect(behind.json().code).toBe('AMP_DEVICE_CLOCK_OFF');
    expect(await auditedAs(kit, String(behind.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_DEVICE_CLOCK_OFF',
    });
    expect(await counted(entitlementId)).toBe(0);
  });
});
