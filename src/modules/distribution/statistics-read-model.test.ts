import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, buildAccessTestApp } from '../access/access-test-kit.js';
import {
  createPoint,
  inKindProgramWithCycle,
  personWithCard,
  type SignedIn,
  signIn,
  signInSupervisor,
} from './distribution-test-kit.js';
import { redemptionsByCycleStateDay } from './statistics-read-model.js';
import { stockDelivered } from './stock/stock-test-kit.js';
import { stockMovementsByPointMonth } from './stock-statistics-read-model.js';

/**
 * The aggregate distribution publishes for statistics (issue #17): redeemed entitlements by
 * cycle, point state, mode and day, each entitlement counted once however many partial
 * hand-overs it took, and nothing that names a person, an entitlement or a point.
 */
describe('redemptions by cycle, state and day', () => {
  let kit: AccessTestApp;
  let operator: SignedIn;
  let cycleId: string;
  let point: string;
  const holders: Awaited<ReturnType<typeof personWithCard>>[] = [];

  const post = (url: string, payload: object) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/distribution/points/${url}?purpose=distribution`,
      cookies: operator.cookies,
      payload,
    });

  beforeAll(async () => {
    kit = await buildAccessTestApp({ rateLimitRequestsMax: 100_000 });
    const supervisor = await signInSupervisor(kit);
    operator = await signIn(kit, ['distribution_operator'], ['VE-A']);
    const issuer = await signIn(kit, ['registry_supervisor'], ['VE-A']);
    for (let i = 0; i < 3; i++) holders.push(await personWithCard(kit, issuer));
    const created = await inKindProgramWithCycle(kit, {
      code: 'stats_box',
      basket: [{ item: 'rice_kg', quantity: 4, unit: 'kg' }],
    });
    cycleId = created.cycleId;
    point = await createPoint(kit, supervisor, {
      operators: [operator.operatorId],
      programs: [created.programId],
    });
    await stockDelivered(kit, operator, point, { item: 'rice_kg', quantity: 100 });
  }, 120_000);
  afterAll(async () => kit?.close());

  async function redeem(holder: (typeof holders)[number], quantity: number) {
    const lookup = await post(`${point}/entitlement-lookups`, { qrText: holder.qrText });
    const [entitlement] = (lookup.json() as { entitlements: { entitlementId: string }[] })
      .entitlements;
    const response = await post(`${point}/redemptions`, {
      clientId: randomUUID(),
      qrText: holder.qrText,
      entitlementId: entitlement?.entitlementId,
      lines: [{ item: 'rice_kg', quantity }],
    });
    expect(response.statusCode, response.body).toBe(201);
  }

  it('counts each redeemed entitlement once, at its first redemption, with no ids', async () => {
    const [first, second] = holders;
    if (first === undefined || second === undefined) throw new Error('holders');
    await redeem(first, 1);
    await redeem(first, 3); // the rest of the same entitlement: still one
    await redeem(second, 4);
    const groups = await redemptionsByCycleStateDay(kit.database.db);
    const [row] = await kit.database.db
      .selectFrom('redemption')
      .select('redeemed_at')
      .orderBy('redeemed_at')
      .execute();
    const day = new Date(row?.redeemed_at ?? 0).toISOString().slice(0, 10);
    expect(groups).toEqual([{ cycleId, stateCode: 'VE-A', mode: 'card', day, entitlements: 2 }]);
    const text = JSON.stringify(groups);
    for (const holder of holders) expect(text).not.toContain(holder.personId);
    expect(text).not.toContain(point);
  });

  it('publishes stock moved by point, item, kind and month, with the two largest movements', async () => {
    const groups = await stockMovementsByPointMonth(kit.database.db);
    const { code } = await kit.database.db
      .selectFrom('distribution_point')
      .select('code')
      .where('id', '=', point)
      .executeTakeFirstOrThrow();
    const month = new Date().toISOString().slice(0, 7);
    const of = (kind: string) => groups.find((group) => group.kind === kind);
    expect(of('delivery')).toEqual({
      pointCode: code,
      stateCode: 'VE-A',
      item: 'rice_kg',
      kind: 'delivery',
      month,
      movements: 1,
      units: 100,
      largest: [100, 0],
    });
    // The three hand-overs above: 1 + 3 + 4 units.
    expect(of('redemption')).toMatchObject({ movements: 3, units: 8, largest: [4, 3] });
    const text = JSON.stringify(groups);
    for (const holder of holders) expect(text).not.toContain(holder.personId);
    expect(text).not.toContain(point);
  });

  it('counts a transfer out when it leaves, in only for what the receiver accepted, and a refusal as a return', async () => {
    const supervisor = await signInSupervisor(kit);
    const other = await createPoint(kit, supervisor, { kind: 'warehouse' });
    const send = async (quantity: number): Promise<string> => {
      const sent = await post(`${point}/transfers`, {
        clientId: randomUUID(),
        toPointId: other,
        item: 'rice_kg',
        quantity,
      });
      expect(sent.statusCode, sent.body).toBe(201);
      return sent.json().transfer.id;
    };
    const decide = async (transferId: string, decision: string, body: object) => {
      const response = await kit.app.inject({
        method: 'POST',
        url: `/api/distribution/points/${other}/transfers/${transferId}/${decision}?purpose=distribution`,
        cookies: supervisor.cookies,
        payload: { clientId: randomUUID(), ...body },
      });
      expect(response.statusCode, response.body).toBe(201);
    };
    await decide(await send(20), 'acceptance', { quantityReceived: 17, shortfallReason: 'loss' });
    await decide(await send(6), 'refusal', {});
    await send(9); // still in transit
    const groups = await stockMovementsByPointMonth(kit.database.db);
    const codes = await kit.database.db
      .selectFrom('distribution_point')
      .select(['id', 'code'])
      .where('id', 'in', [point, other])
      .execute();
    const codeOf = (id: string) => codes.find((row) => row.id === id)?.code;
    const of = (id: string, kind: string) =>
      groups.find((group) => group.pointCode === codeOf(id) && group.kind === kind);
    // All three left the sender; what is in transit is counted out and nowhere in.
    expect(of(point, 'transfer_out')).toMatchObject({ movements: 3, units: 35, largest: [20, 9] });
    expect(of(point, 'transfer_return')).toMatchObject({ movements: 1, units: 6 });
    expect(of(point, 'transfer_in')).toBeUndefined();
    // The receiver counts in what it accepted (17 of 20), never the refused or in-transit goods.
    expect(of(other, 'transfer_in')).toMatchObject({ movements: 1, units: 17, largest: [17, 0] });
    expect(groups.filter((group) => group.pointCode === codeOf(other))).toHaveLength(1);
  });

  it("counts a cancelled transfer's goods back at the sender as a return, and nothing at the receiver", async () => {
    const supervisor = await signInSupervisor(kit);
    const other = await createPoint(kit, supervisor, { kind: 'warehouse' });
    const [senderCode, receiverCode] = await Promise.all(
      [point, other].map(
        async (id) =>
          (
            await kit.database.db
              .selectFrom('distribution_point')
              .select('code')
              .where('id', '=', id)
              .executeTakeFirstOrThrow()
          ).code,
      ),
    );
    const atSender = async (kind: string) =>
      (await stockMovementsByPointMonth(kit.database.db)).find(
        (group) => group.pointCode === senderCode && group.kind === kind,
      ) ?? { movements: 0, units: 0 };
    const [outBefore, returnedBefore] = [
      await atSender('transfer_out'),
      await atSender('transfer_return'),
    ];
    const sent = await post(`${point}/transfers`, {
      clientId: randomUUID(),
      toPointId: other,
      item: 'rice_kg',
      quantity: 5,
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const cancelled = await kit.app.inject({
      method: 'POST',
      url: `/api/distribution/points/${point}/transfers/${sent.json().transfer.id}/cancellation?purpose=distribution`,
      cookies: supervisor.cookies,
      payload: { clientId: randomUUID(), reason: 'not_dispatched' },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(201);
    expect(await atSender('transfer_out')).toMatchObject({
      movements: outBefore.movements + 1,
      units: outBefore.units + 5,
    });
    expect(await atSender('transfer_return')).toMatchObject({
      movements: returnedBefore.movements + 1,
      units: returnedBefore.units + 5,
    });
    const groups = await stockMovementsByPointMonth(kit.database.db);
    expect(groups.filter((group) => group.pointCode === receiverCode)).toEqual([]);
  });
});
