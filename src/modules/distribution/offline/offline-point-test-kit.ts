import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  createPoint,
  type DistributionScene,
  distributionScene,
  type HolderPlace,
  onHandAt,
  pointCall,
  type SignedIn,
} from '../distribution-test-kit.js';
import {
  cardHashOf,
  entitlementIdOfEntry,
  type OfflineDevice,
  offlineDevice,
} from './offline-test-kit.js';

/** Who and what an offline point of the tests serves: the app, its accounts, one program cycle. */
export interface OfflineScene {
  kit: AccessTestApp;
  /** Registers the point, its devices and deliveries, and clears conflicts. */
  supervisor: SignedIn;
  /** Downloads snapshots and syncs receipts. */
  operator: SignedIn;
  programId: string;
  cycleId: string;
}

type Line = { item: string; quantity: number };

/**
 * The offline tests' scene: `people` card holders of VE-A (or one where each place says) and a
 * program `code` whose published cycle entitles each to a box and 5 kg of rice (the basket a
 * conflict can split). `options` give another basket, another rule (several states), and what
 * must exist before the cycle entitles the people (`beforeProgram`: a person without a card, a
 * household).
 *
 * @example
 *   const { kit, supervisor, operator, programId, cycleId, people } = await boxAndRiceScene('later', 3);
 *   const [inTown, otherState] = (await boxAndRiceScene('national', [
 *     { region: 'VE-A', municipality: 'VE-A-01' }, { region: 'VE-Z' }], {
 *     rule: 'state_code == "VE-A" || state_code == "VE-Z"', basket: twoBoxes })).people;
 */
export function boxAndRiceScene(
  code: string,
  people: number | readonly HolderPlace[],
  options: {
    basket?: { item: string; quantity: number; unit: string }[];
    rule?: string;
    beforeProgram?: Parameters<typeof distributionScene>[0]['beforeProgram'];
    /** The app's options, e.g. settings read as from the environment (`configEnv`). */
    app?: Parameters<typeof distributionScene>[0]['app'];
  } = {},
): Promise<DistributionScene> {
  return distributionScene({
    people,
    program: {
      code,
      basket: options.basket ?? [
        { item: 'food_box', quantity: 1, unit: 'box' },
        { item: 'rice', quantity: 5, unit: 'kg' },
      ],
      ...(options.rule === undefined ? {} : { rule: options.rule }),
    },
    ...(options.beforeProgram === undefined ? {} : { beforeProgram: options.beforeProgram }),
    ...(options.app === undefined ? {} : { app: options.app }),
  });
}

/** Two boxes a person: the basket of the offline tests that hand over one item only. */
export const twoBoxes = [{ item: 'food_box', quantity: 2, unit: 'box' }];

/**
 * A new point of the scene's program (naming `municipalityCode` if given) run by the scene's
 * operator, with one device (`label`) registered by the supervisor, and that device's snapshot
 * as the operator downloads it.
 *
 * @example
 *   const point = await pointWithDevice(scene, { label: 'Tableta 7' });
 *   const { snapshotId, entries } = await point.snapshot();
 */
export async function pointWithDevice(
  scene: OfflineScene,
  options: { label?: string; municipalityCode?: string } = {},
) {
  const { kit, supervisor, operator } = scene;
  const pointId = await createPoint(kit, supervisor, {
    operators: [operator.operatorId],
    programs: [scene.programId],
    ...(options.municipalityCode === undefined
      ? {}
      : { municipalityCode: options.municipalityCode }),
  });
  const call = (method: 'GET' | 'POST', url: string, who: SignedIn, payload?: object) =>
    pointCall(kit)(method, `${pointId}/${url}`, who, payload);
  const key = offlineDevice(operator.operatorId);
  const registered = await call(
    'POST',
    'devices',
    supervisor,
    key.registration(pointId, options.label),
  );
  expectStatus(registered, 201, 'device registration');
  const deviceId = registered.json().id as string;
  const snapshot = async () => {
    const response = await call('GET', `devices/${deviceId}/snapshot`, operator);
    expectStatus(response, 200, 'snapshot');
    return response.json().payload as {
      snapshotId: string;
      pointCode: string;
      salt: string;
      entries: [string, ...unknown[]][];
    };
  };
  return { pointId, deviceId, key, call, snapshot };
}
type Holder = { credentialId: string; qrText: string };

/** A reconciliation's figures, as far as the offline tests read them. */
export interface OfflineFigures {
  redemptions: number;
  entitlementsRedeemed: number;
  conflicts: number;
  reversed: number;
  items: Record<string, number | string>[];
}

/** The answer's status, or an error naming the call and the body. */
function expectStatus(
  response: { statusCode: number; body: string },
  status: number,
  what: string,
) {
  if (response.statusCode !== status) {
    throw new Error(`${what}: ${response.statusCode} ${response.body}`);
  }
}

/**
 * A point of its own for one offline test (so its reconciliation is exact): serving the scene's
 * program, stocked as told (an item at 0 gets no delivery), with `devices` devices registered,
 * each with a key made as the app makes one.
 *
 * @example
 *   const point = await offlinePoint(scene, 2, { food_box: 10, rice: 50 });
 *   const fromA = await point.offline(point.devices[0], person);
 *   expect(await fromA.sync(fromA.receipt([{ item: 'rice', quantity: 3 }]))).toMatchObject(…);
 */
export async function offlinePoint(
  scene: OfflineScene,
  devices: number,
  stock: Record<string, number>,
) {
  const { kit, supervisor, operator } = scene;
  const pointId = await createPoint(kit, supervisor, {
    operators: [operator.operatorId],
    programs: [scene.programId],
  });
  const call = (method: 'GET' | 'POST', url: string, who: SignedIn, payload?: object) =>
    pointCall(kit)(method, `${pointId}/${url}`, who, payload);
  for (const [item, quantity] of Object.entries(stock)) {
    if (quantity === 0) continue;
    const delivered = await call('POST', 'deliveries', supervisor, {
      clientId: randomUUID(),
      item,
      quantity,
    });
    expectStatus(delivered, 201, 'delivery');
  }
  const registered: { key: OfflineDevice; id: string }[] = [];
  for (let index = 0; index < devices; index += 1) {
    const key = offlineDevice(operator.operatorId);
    const response = await call('POST', 'devices', supervisor, key.registration(pointId));
    expectStatus(response, 201, 'device registration');
    registered.push({ key, id: response.json().id });
  }
  /** The device's snapshot, and a receipt it signs from it for the holder, and its sync. */
  async function offline(device: { key: OfflineDevice; id: string }, holder: Holder) {
    const response = await call('GET', `devices/${device.id}/snapshot`, operator);
    expectStatus(response, 200, 'snapshot');
    const snapshot = response.json().payload;
    const hash = cardHashOf(snapshot, holder.credentialId);
    const entry = snapshot.entries.find((each: string[]) => each[0] === hash);
    const entitlementId = entitlementIdOfEntry(entry[1]);
    return {
      snapshotId: snapshot.snapshotId as string,
      entitlementId,
      receipt: (lines: Line[], deviceTime = Date.now() - 30_000) =>
        device.key.receipt(pointId, device.id, {
          snapshotId: snapshot.snapshotId,
          entitlementId,
          credentialId: holder.credentialId,
          qrText: holder.qrText,
          lines,
          deviceTime,
        }),
      sync: async (receipt: object) => {
        const synced = await call('POST', 'offline-syncs', operator, {
          deviceId: device.id,
          deviceNow: Date.now(),
          receipts: [receipt],
        });
        expectStatus(synced, 200, 'sync');
        return synced.json().results[0] as { outcome: string; redemptionId: string | null };
      },
    };
  }
  const resolve = (receiptId: string, body: { decision: string; goodsLeft: boolean }) =>
    call('POST', `offline-conflicts/${receiptId}/resolution`, supervisor, body);
  /**
   * The supervisor clears a conflict, and the test checks what it left: answered 200 with
   * `answer` (the reversed redemptions, the entitlement's state), then, when `rows` is given, the
   * entitlement's rows (`entitlementRows`) as it describes them from the redemption the clearing
   * counted (null for `counted_stands`). Resolves to that redemption's id.
   *
   * @example
   *   const laterId = await point.clearAndCheck(receiptId, { decision: 'later_stands', goodsLeft: false }, {
   *     answer: { reversedRedemptionIds: [onlineId], entitlementState: 'consumed' },
   *     rows: (counted) => ({ standing: [counted], reversed: [{ redemption_id: onlineId, goods_returned: true }] }),
   *   });
   */
  async function clearAndCheck(
    receiptId: string,
    body: { decision: string; goodsLeft: boolean },
    expected: {
      answer: Record<string, unknown>;
      rows?: (counted: string | null) => Record<string, unknown>;
    },
  ): Promise<string | null> {
    const cleared = await resolve(receiptId, body);
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).toMatchObject(expected.answer);
    const counted = cleared.json().redemptionId as string | null;
    if (expected.rows !== undefined) {
      const rows = await entitlementRows(kit, await entitlementOf(receiptId));
      expect(rows).toMatchObject(expected.rows(counted));
    }
    return counted;
  }
  const entitlementOf = async (receiptId: string): Promise<string> =>
    kit.database.asAdmin(async (admin) => {
      const { rows } = await sql<{ entitlement_id: string }>`
        select entitlement_id from offline_receipt where id = ${receiptId}`.execute(admin);
      if (rows[0] === undefined) throw new Error('no such offline receipt');
      return rows[0].entitlement_id;
    });
  const figures = async (): Promise<OfflineFigures> => {
    const response = await call('GET', `cycles/${scene.cycleId}/reconciliation`, supervisor);
    expectStatus(response, 200, 'reconciliation');
    return response.json().figures;
  };
  const onHand = (item: string) => onHandAt(kit, operator, pointId, item);
  return { pointId, call, devices: registered, offline, resolve, clearAndCheck, figures, onHand };
}

/**
 * What the database holds of one entitlement: balances, standing and reversed redemptions, and
 * its state row at the points.
 */
export async function entitlementRows(kit: AccessTestApp, entitlementId: string) {
  return kit.database.asAdmin(async (admin) => ({
    balances: (
      await sql<{ item: string; quantity_remaining: number }>`
        select item, quantity_remaining from entitlement_item_balance
         where entitlement_id = ${entitlementId} order by item`.execute(admin)
    ).rows.map((row) => [row.item, Number(row.quantity_remaining)]),
    standing: (
      await sql<{ id: string }>`
        select r.id from redemption r where r.entitlement_id = ${entitlementId}
           and not exists (select 1 from redemption_reversal x where x.redemption_id = r.id)
         order by r.redeemed_at`.execute(admin)
    ).rows.map((row) => row.id),
    reversed: (
      await sql<{ redemption_id: string; goods_returned: boolean }>`
        select x.redemption_id, x.goods_returned from redemption_reversal x
          join redemption r on r.id = x.redemption_id
         where r.entitlement_id = ${entitlementId}`.execute(admin)
    ).rows,
    ...(
      await sql<{ state: string; state_reason: string | null }>`
        select state, state_reason from entitlement_redemption_state
         where entitlement_id = ${entitlementId}`.execute(admin)
    ).rows[0],
  }));
}

export type OfflinePoint = Awaited<ReturnType<typeof offlinePoint>>;

/**
 * Two conflicts open on one entitlement (a point of three devices or more, a basket of a box and
 * 5 kg of rice): device A's receipt for the box and `firstRice` kg counts; then B's receipt for
 * the whole rice no longer fits (a conflict holding the rice that remains, 5 − `firstRice`), and
 * C's for the box no longer fits either (a conflict holding nothing: no box remains). Throws
 * unless the syncs answer so.
 *
 * @example
 *   const { first, rice, box } = await twoConflictsOpen(point, holder, 2);
 *   await point.resolve(box.receiptId, { decision: 'later_stands', goodsLeft: true });
 */
export async function twoConflictsOpen(point: OfflinePoint, holder: Holder, firstRice: number) {
  const [a, b, c] = point.devices;
  if (a === undefined || b === undefined || c === undefined) throw new Error('three devices');
  const [fromA, fromRice, fromBox] = [
    await point.offline(a, holder),
    await point.offline(b, holder),
    await point.offline(c, holder),
  ];
  const first = await fromA.sync(
    fromA.receipt(
      [
        { item: 'food_box', quantity: 1 },
        { item: 'rice', quantity: firstRice },
      ],
      Date.now() - 90_000,
    ),
  );
  const rice = fromRice.receipt([{ item: 'rice', quantity: 5 }], Date.now() - 60_000);
  const box = fromBox.receipt([{ item: 'food_box', quantity: 1 }]);
  const outcomes = [first.outcome, (await fromRice.sync(rice)).outcome];
  outcomes.push((await fromBox.sync(box)).outcome);
  if (outcomes.join() !== 'counted,conflict,conflict') {
    throw new Error(`expected counted, conflict, conflict; synced ${outcomes.join(', ')}`);
  }
  return { entitlementId: fromA.entitlementId, first, rice, box };
}

/**
 * A conflict with an online redemption (a point with a device, a basket of a box and 5 kg of
 * rice): the device takes its snapshot; online, after it, the box and 2 kg are handed over with
 * the card; the device's receipt for the box and 5 kg, synced after, is kept as a conflict.
 * Answers the online request's body (to send it again), its redemption and the later receipt.
 *
 * @example
 *   const { onlineId, later } = await conflictAfterOnline(point, operator, holder);
 */
export async function conflictAfterOnline(
  point: OfflinePoint,
  operator: SignedIn,
  holder: Holder & { qrText: string },
) {
  const [device] = point.devices;
  if (device === undefined) throw new Error('a device');
  const offline = await point.offline(device, holder);
  const online = {
    clientId: randomUUID(),
    qrText: holder.qrText,
    entitlementId: offline.entitlementId,
    lines: [
      { item: 'food_box', quantity: 1 },
      { item: 'rice', quantity: 2 },
    ],
  };
  const redeemed = await point.call('POST', 'redemptions', operator, online);
  expectStatus(redeemed, 201, 'online redemption');
  const later = offline.receipt([
    { item: 'food_box', quantity: 1 },
    { item: 'rice', quantity: 5 },
  ]);
  const synced = await offline.sync(later);
  if (synced.outcome !== 'conflict') throw new Error(`synced ${synced.outcome}, not a conflict`);
  return {
    entitlementId: offline.entitlementId,
    online,
    onlineId: redeemed.json().redemptionId as string,
    later,
  };
}
