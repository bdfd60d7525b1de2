import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntitlementAnswer } from '../../../shared/api/distribution.js';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  approvedCycle,
  auditedAs,
  type CardHolder,
  createPoint,
  distributionScene,
  type SignedIn,
} from '../distribution-test-kit.js';
import { stockDelivered } from '../stock/stock-test-kit.js';

/**
 * Cycle close at the points (issue #15, point 8), on PostgreSQL and PGlite alike: closing a
 * cycle through the programs route expires what was not taken, and carries over what remains of
 * the items the basket marks `carryOver` (at most one basket's worth, once) into the person's
 * entitlement of the next cycle, whether or not a point had seen the closed one.
 */
describe('cycle close: expiry and carry-over', () => {
  let kit: AccessTestApp;
  let officer: SignedIn;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let point: string;
  let programId: string;
  let firstCycle: string;
  let ana: CardHolder;
  let beto: CardHolder;

  beforeAll(async () => {
    const scene = await distributionScene({
      people: 2,
      program: {
        code: 'insulin',
        regions: ['VE-A'],
        basket: [
          { item: 'food_box', quantity: 2, unit: 'box' },
          { item: 'insulin', quantity: 30, unit: 'vial', carryOver: true },
        ],
      },
    });
    ({ kit, officer, supervisor, operator, programId, cycleId: firstCycle } = scene);
    // Safe: the scene made two people.
    [ana, beto] = scene.people as [CardHolder, CardHolder];
    point = await createPoint(kit, supervisor, {
      kind: 'pharmacy',
      operators: [operator.operatorId],
      programs: [programId],
    });
    for (const [item, quantity] of [
      ['food_box', 100],
      ['insulin', 1000],
    ] as const) {
      await stockDelivered(kit, operator, point, { item, quantity });
    }
  }, 120_000);
  afterAll(async () => kit?.close());

  const post = (url: string, payload: object, who: SignedIn = operator) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/distribution/points/${point}/${url}?purpose=distribution`,
      cookies: who.cookies,
      payload,
    });

  async function lookup(qrText: string): Promise<EntitlementAnswer[]> {
    const response = await post('entitlement-lookups', { qrText });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { entitlements: EntitlementAnswer[] }).entitlements;
  }

  async function redeem(holder: typeof ana, entitlementId: string, lines: object[]) {
    const response = await post('redemptions', {
      clientId: randomUUID(),
      qrText: holder.qrText,
      entitlementId,
      lines,
    });
    expect(response.statusCode, response.body).toBe(201);
  }

  async function close(cycleId: string) {
    const response = await kit.app.inject({
      method: 'POST',
      url: `/api/program-cycles/${cycleId}/close?purpose=eligibility_review`,
      cookies: officer.cookies,
      payload: {},
    });
    expect(response.statusCode, response.body).toBe(200);
  }

  const carried = () =>
    kit.database.db
      .selectFrom('entitlement_carry_over')
      .select(['person_id', 'item', 'quantity', 'from_cycle_id', 'applied_at', 'lapsed_at'])
      .orderBy('carried_at')
      .orderBy('person_id')
      .execute();

  it('expires what was not taken and carries over the marked items, once', async () => {
    const [first] = await lookup(ana.qrText);
    await redeem(ana, first?.entitlementId ?? '', [
      { item: 'food_box', quantity: 1 },
      { item: 'insulin', quantity: 10 },
    ]);
    await close(firstCycle);

    const state = await kit.database.db
      .selectFrom('entitlement_redemption_state')
      .select(['state', 'state_reason'])
      .where('entitlement_id', '=', first?.entitlementId ?? '')
      .executeTakeFirstOrThrow();
    expect(state).toEqual({ state: 'expired', state_reason: 'cycle_closed' });
    expect(await lookup(ana.qrText)).toEqual([]);
    // The food box expired; insulin carried: what Ana left (20), all of Beto's (30).
    const afterFirst = await carried();
    expect(afterFirst.map((row) => [row.person_id, row.item, row.quantity])).toEqual(
      [
        [ana.personId, 'insulin', 20],
        [beto.personId, 'insulin', 30],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );

    const { cycleId: secondCycle } = await approvedCycle(kit, programId, '2027-01-01');
    const [anaNext] = await lookup(ana.qrText);
    expect(anaNext?.referenceDate).toBe('2027-01-01');
    expect(anaNext?.items).toEqual([
      { item: 'food_box', unit: 'box', granted: 2, remaining: 2 },
      { item: 'insulin', unit: 'vial', granted: 50, remaining: 50 },
    ]);
    const [betoNext] = await lookup(beto.qrText);
    expect(betoNext?.items).toContainEqual({
      item: 'insulin',
      unit: 'vial',
      granted: 60,
      remaining: 60,
    });
    await redeem(ana, anaNext?.entitlementId ?? '', [{ item: 'insulin', quantity: 45 }]);

    await close(secondCycle);
    const rows = await carried();
    const fromSecond = rows.filter((row) => row.from_cycle_id === secondCycle);
    // Ana: 5 left of 50; Beto took nothing of 60: one basket's worth (30) carries, not 60.
    expect(
      fromSecond
        .map((row) => [row.person_id, row.quantity])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual(
      [
        [ana.personId, 5],
        [beto.personId, 30],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const fromFirst = rows.filter((row) => row.from_cycle_id === firstCycle);
    const anaFirst = fromFirst.find((row) => row.person_id === ana.personId);
    const betoFirst = fromFirst.find((row) => row.person_id === beto.personId);
    expect(anaFirst?.applied_at).not.toBeNull();
    expect(anaFirst?.lapsed_at).toBeNull();
    expect(betoFirst?.applied_at).toBeNull();
    expect(betoFirst?.lapsed_at).not.toBeNull();
  });

  it('reconciles the point for a cycle, exports it as CSV, and keeps sign-offs', async () => {
    const url = `/api/distribution/points/${point}/cycles/${firstCycle}/reconciliation`;
    const read = async () => {
      const response = await kit.app.inject({
        url: `${url}?purpose=distribution`,
        cookies: supervisor.cookies,
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as {
        figures: Record<string, unknown> & { items: Record<string, unknown>[] };
        signOffs: { current: boolean }[];
      };
    };
    const report = await read();
    expect(report.figures).toMatchObject({
      entitled: 2,
      entitlementsRedeemed: 1,
      redemptions: 1,
      assisted: 0,
      conflicts: 0,
    });
    expect(report.figures.items).toEqual([
      expect.objectContaining({
        item: 'food_box',
        redeemed: 1,
        stockOutForRedemptions: 1,
        integrityGap: 0,
        delivered: 100,
        onHand: 99,
      }),
      // Cycle 1 took 10; cycle 2's 45 are not this cycle's, but left the shelf all the same.
      expect.objectContaining({ item: 'insulin', redeemed: 10, integrityGap: 0, onHand: 945 }),
    ]);
    expect(JSON.stringify(report)).not.toContain(ana.personId);

    const csv = await kit.app.inject({
      url: `${url}.csv?purpose=distribution`,
      cookies: supervisor.cookies,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]?.split(',')).toContain('stock_out_for_redemptions');
    expect(lines).toHaveLength(3);
    // Redeemed, stock out, integrity gap, reversed (quantity, stock out, returned), delivered,
    // transferred in, out, returned, short, adjusted, on hand, in transit out and in, the six
    // columns of a physical count (none: empty), sign-off, then the refused offline receipts:
    // none, and the six columns of a refused one empty; the fourteen of a carry-over dispute too.
    expect(lines[2]).toMatch(
      new RegExp(`,insulin,10,10,0,0,0,0,1000,0,0,0,0,0,945,0,0,,,,,,,,,0,,,,,,${','.repeat(14)}$`),
    );
    expect(lines[0]?.split(',')).toEqual(
      expect.arrayContaining(['entitled', 'entitled_program_wide', 'integrity_gap', 'counted']),
    );

    const refused = await kit.app.inject({
      method: 'POST',
      url: `${url}/sign-offs?purpose=distribution`,
      cookies: operator.cookies,
      payload: {},
    });
    expect(refused.statusCode).toBe(403);
    const signed = await kit.app.inject({
      method: 'POST',
      url: `${url}/sign-offs?purpose=distribution`,
      cookies: supervisor.cookies,
      payload: { note: 'Contado en sitio' },
    });
    expect(signed.statusCode, signed.body).toBe(201);
    expect(await auditedAs(kit, String(signed.headers['x-request-id']))).toContainEqual({
      action: 'distribution.reconcile_sign',
      outcome: 'allowed',
      reasonCode: null,
    });
    expect((await read()).signOffs.map((each) => each.current)).toEqual([true]);
    // A later adjustment changes the figures: the sign-off stays, marked as no longer current.
    // It came after the cycle closed: not in its window, but no longer on hand.
    const adjusted = await post(
      'adjustments',
      { clientId: randomUUID(), item: 'insulin', quantityDelta: -1, reason: 'damage' },
      supervisor,
    );
    expect(adjusted.statusCode, adjusted.body).toBe(201);
    const after = await read();
    expect(after.signOffs.map((each) => each.current)).toEqual([false]);
    expect(after.figures.items[1]).toMatchObject({ adjusted: 0, onHand: 944 });
  });
});
