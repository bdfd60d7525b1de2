import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  approvedCycle,
  auditedAs,
  type CardHolder,
  type DistributionScene,
  distributionScene,
  inKindProgramWithCycle,
  personWithCard,
  signIn,
} from '../distribution-test-kit.js';
import { entitlementRows, type OfflinePoint, offlinePoint } from './offline-point-test-kit.js';

const box = { item: 'food_box', quantity: 1, unit: 'box' };
const rice = { item: 'rice', quantity: 5, unit: 'kg' };

/**
 * A hand-over made offline **before** its entitlement ended (the cycle closed, or a death
 * cancelled it) and synced **after** (docs/DISTRIBUTION.md, "Late receipts"), on PostgreSQL and
 * PGlite alike: it counts against that entitlement as of then — the stock moves, the hand-over is
 * recorded — and what the close carried over is withdrawn by what the receipt took, from the
 * waiting carry-over or from the next entitlement that took it in; what of it was handed out
 * meanwhile is a dispute for review, counted once. A receipt made after the end is refused.
 * Each case has its own program and point, so its figures are exact.
 */
describe('offline receipt made before its entitlement ended, synced after', () => {
  let kit: AccessTestApp;
  let scene: DistributionScene;

  beforeAll(async () => {
    scene = await distributionScene({ people: 0, program: { code: 'late_base', basket: [box] } });
    kit = scene.kit;
  }, 120_000);
  afterAll(async () => kit?.close());

  /** `people` new holders, then a program of its own (rice carried over or not) and a point. */
  async function setting(code: string, people: number, carryOver: boolean) {
    const holders: CardHolder[] = [];
    for (let index = 0; index < people; index += 1) {
      holders.push(await personWithCard(kit, scene.issuer));
    }
    const { programId, cycleId } = await inKindProgramWithCycle(kit, {
      code,
      basket: [box, { ...rice, ...(carryOver ? { carryOver: true } : {}) }],
      regions: ['VE-A'],
    });
    const point = await offlinePoint({ ...scene, programId, cycleId }, 1, {
      food_box: 10,
      rice: 50,
    });
    return { holders, programId, cycleId, point };
  }

  async function closeCycle(cycleId: string) {
    const closed = await kit.app.inject({
      method: 'POST',
      url: `/api/program-cycles/${cycleId}/close?purpose=eligibility_review`,
      cookies: scene.officer.cookies,
      payload: {},
    });
    expect(closed.statusCode, closed.body).toBe(200);
  }

  /** The holder's entitlement of the program's next cycle, as the point answers it. */
  async function nextEntitlement(point: OfflinePoint, holder: CardHolder, before: string) {
    const lookup = await point.call('POST', 'entitlement-lookups', scene.operator, {
      qrText: holder.qrText,
    });
    expect(lookup.statusCode, lookup.body).toBe(200);
    const next = (
      lookup.json().entitlements as {
        entitlementId: string;
        state: string;
        items: { item: string; granted: number; remaining: number }[];
      }[]
    ).find((each) => each.entitlementId !== before);
    if (next === undefined) throw new Error('no entitlement of the next cycle');
    return next;
  }

  const redeemOnline = async (
    point: OfflinePoint,
    holder: CardHolder,
    entitlementId: string,
    lines: { item: string; quantity: number }[],
    operator = scene.operator,
  ) => {
    const redeemed = await point.call('POST', 'redemptions', operator, {
      clientId: randomUUID(),
      qrText: holder.qrText,
      entitlementId,
      lines,
    });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
  };

  /** What the close carried over from the entitlement, less what late receipts withdrew. */
  const carriedFrom = (entitlementId: string) =>
    kit.database.asAdmin(async (admin) =>
      (
        await sql<{ item: string; quantity: number; withdrawn: number; applied: boolean }>`
          select item, quantity, quantity_withdrawn as withdrawn, applied_at is not null as applied
            from entitlement_carry_over where from_entitlement_id = ${entitlementId}`.execute(admin)
      ).rows.map((row) => ({
        ...row,
        quantity: Number(row.quantity),
        withdrawn: Number(row.withdrawn),
      })),
    );

  it('expiry rule: a receipt made before the close counts as of then; stock and figures exact', async () => {
    const { holders, cycleId, point } = await setting('late_expiry', 1, false);
    const device = await point.offline(point.devices[0] as never, holders[0] as CardHolder);
    const receipt = device.receipt(
      [
        { item: 'food_box', quantity: 1 },
        { item: 'rice', quantity: 5 },
      ],
      Date.now() - 60_000,
    );
    await closeCycle(cycleId);

    expect(await device.sync(receipt)).toMatchObject({ outcome: 'counted' });
    expect(await point.onHand('food_box')).toBe(9);
    expect(await point.onHand('rice')).toBe(45);
    // Counted against the ended entitlement, which stays expired (never reopened).
    expect(await entitlementRows(kit, device.entitlementId)).toMatchObject({
      balances: [
        ['food_box', 0],
        ['rice', 0],
      ],
      state: 'expired',
      state_reason: 'cycle_closed',
    });
    expect(await point.figures()).toMatchObject({ redemptions: 1, entitlementsRedeemed: 1 });
    const riceFigures = (await point.figures()).items.find((each) => each.item === 'rice');
    expect(riceFigures).toMatchObject({ redeemed: 5, stockOutForRedemptions: 5, integrityGap: 0 });
    // Sent again: its first answer, nothing counted twice.
    expect(await device.sync(receipt)).toMatchObject({ outcome: 'counted' });
    expect(await point.onHand('rice')).toBe(45);
  });

  it('carry-over rule: the carried quantity is withdrawn, waiting or already taken into the next entitlement', async () => {
    const { holders, programId, cycleId, point } = await setting('late_carry', 2, true);
    const [waiting, taken] = holders as [CardHolder, CardHolder];
    const [deviceKey] = point.devices;
    const offWaiting = await point.offline(deviceKey as never, waiting);
    const offTaken = await point.offline(deviceKey as never, taken);
    const lines = [
      { item: 'food_box', quantity: 1 },
      { item: 'rice', quantity: 2 },
    ];
    const fromWaiting = offWaiting.receipt(lines, Date.now() - 60_000);
    const fromTaken = offTaken.receipt(lines, Date.now() - 50_000);
    await closeCycle(cycleId);
    // The close carried the 5 kg each had left.
    expect(await carriedFrom(offWaiting.entitlementId)).toEqual([
      { item: 'rice', quantity: 5, withdrawn: 0, applied: false },
    ]);
    await approvedCycle(kit, programId, '2027-01-01');
    // The second holder's next entitlement is seen first (its box handed over): 5 + 5 kg taken in.
    const takenNext = await nextEntitlement(point, taken, offTaken.entitlementId);
    await redeemOnline(point, taken, takenNext.entitlementId, [{ item: 'food_box', quantity: 1 }]);
    expect(await entitlementRows(kit, takenNext.entitlementId)).toMatchObject({
      balances: [
        ['food_box', 0],
        ['rice', 10],
      ],
    });

    expect(await offWaiting.sync(fromWaiting)).toMatchObject({ outcome: 'counted' });
    expect(await offTaken.sync(fromTaken)).toMatchObject({ outcome: 'counted' });
    // 2 kg of the 5 left were handed over before the close: only 3 carry.
    expect(await carriedFrom(offWaiting.entitlementId)).toEqual([
      { item: 'rice', quantity: 5, withdrawn: 2, applied: false },
    ]);
    const waitingNext = await nextEntitlement(point, waiting, offWaiting.entitlementId);
    expect(waitingNext.items).toContainEqual(
      expect.objectContaining({ item: 'rice', granted: 8, remaining: 8 }),
    );
    // Taken in already: the next entitlement is reduced by the 2 kg.
    expect(await entitlementRows(kit, takenNext.entitlementId)).toMatchObject({
      balances: [
        ['food_box', 0],
        ['rice', 8],
      ],
      state: 'partially_consumed',
    });
    expect(await carriedFrom(offTaken.entitlementId)).toEqual([
      { item: 'rice', quantity: 5, withdrawn: 2, applied: true },
    ]);
    expect(await disputes(offTaken.entitlementId)).toEqual([]);
    // Goods out: two boxes and 4 kg by the late receipts, one box online.
    expect(await point.onHand('food_box')).toBe(7);
    expect(await point.onHand('rice')).toBe(46);
  });

  /** The disputed overlaps recorded for the entitlement's late receipts. */
  const disputes = (entitlementId: string) =>
    kit.database.asAdmin(async (admin) =>
      (
        await sql<{ item: string; quantity: number; taken_back: number; disputed: number }>`
          select w.item, w.quantity, w.taken_back, w.disputed
            from carry_over_withdrawal w where w.from_entitlement_id = ${entitlementId}
             and w.disputed > 0`.execute(admin)
      ).rows.map((row) => ({
        item: row.item,
        quantity: Number(row.quantity),
        takenBack: Number(row.taken_back),
        disputed: Number(row.disputed),
      })),
    );

  /** The reconciliation CSV's row of the carry-over dispute of a receipt: a few of its cells. */
  async function disputeInCsv(point: OfflinePoint, cycleId: string, receiptId: string) {
    const csv = await point.call('GET', `cycles/${cycleId}/reconciliation.csv`, scene.supervisor);
    expect(csv.statusCode, csv.body).toBe(200);
    const [header, ...rows] = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    const columns = header?.split(',') ?? [];
    const cells = rows
      .map((row) => row.split(','))
      .find((each) => each[columns.indexOf('dispute_receipt')] === receiptId);
    expect(cells).toHaveLength(columns.length);
    const cell = (name: string) => cells?.[columns.indexOf(name)];
    return Object.fromEntries(
      ['dispute_item', 'disputed', 'dispute_decision', 'dispute_reason'].map((name) => [
        name,
        cell(name),
      ]),
    );
  }

  it('carry-over already handed out: the overlap is a dispute for review, nothing counted twice, stock exact', async () => {
    const { holders, programId, cycleId, point } = await setting('late_overlap', 1, true);
    const holder = holders[0] as CardHolder;
    const device = await point.offline(point.devices[0] as never, holder);
    const receipt = device.receipt(
      [
        { item: 'food_box', quantity: 1 },
        { item: 'rice', quantity: 5 },
      ],
      Date.now() - 60_000,
    );
    await closeCycle(cycleId);
    await approvedCycle(kit, programId, '2027-01-01');
    // The next cycle: the box and 8 kg of the 10 (5 granted + 5 carried) handed over online, by
    // an operator of the point who is a supervisor too.
    const both = await signIn(kit, ['distribution_operator', 'distribution_supervisor'], ['VE-A']);
    const added = await point.call('POST', 'changes', scene.supervisor, {
      addOperators: [both.operatorId],
    });
    expect(added.statusCode, added.body).toBe(200);
    const next = await nextEntitlement(point, holder, device.entitlementId);
    await redeemOnline(
      point,
      holder,
      next.entitlementId,
      [
        { item: 'food_box', quantity: 1 },
        { item: 'rice', quantity: 8 },
      ],
      both,
    );

    expect(await device.sync(receipt)).toMatchObject({ outcome: 'counted' });
    // Both hand-overs left the shelf: 2 boxes, 5 + 8 kg.
    expect(await point.onHand('food_box')).toBe(8);
    expect(await point.onHand('rice')).toBe(37);
    // The 5 kg carried are withdrawn: the 2 still there taken back, the 3 handed out disputed.
    expect(await carriedFrom(device.entitlementId)).toEqual([
      { item: 'rice', quantity: 5, withdrawn: 5, applied: true },
    ]);
    expect(await entitlementRows(kit, next.entitlementId)).toMatchObject({
      balances: [
        ['food_box', 0],
        ['rice', 0],
      ],
      state: 'consumed',
    });
    expect(await disputes(device.entitlementId)).toEqual([
      { item: 'rice', quantity: 5, takenBack: 2, disputed: 3 },
    ]);
    // Listed for the supervisor's review with the late receipt.
    const listed = await point.call('GET', 'carry-over-disputes', scene.supervisor);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().disputes).toEqual([
      expect.objectContaining({
        receiptId: receipt.receiptId,
        fromEntitlementId: device.entitlementId,
        intoEntitlementId: next.entitlementId,
        item: 'rice',
        unit: 'kg',
        withdrawn: 5,
        takenBack: 2,
        disputed: 3,
      }),
    ]);
    // Each cycle's figures count each hand-over once, stock out equal to redeemed.
    const riceOf = async (cycle: string) => {
      const response = await point.call('GET', `cycles/${cycle}/reconciliation`, scene.supervisor);
      expect(response.statusCode, response.body).toBe(200);
      return response
        .json()
        .figures.items.find((each: { item: string }) => each.item === 'rice') as object;
    };
    expect(await riceOf(cycleId)).toMatchObject({
      redeemed: 5,
      stockOutForRedemptions: 5,
      integrityGap: 0,
    });
    // Sent again: nothing withdrawn or disputed twice.
    expect(await device.sync(receipt)).toMatchObject({ outcome: 'counted' });
    expect(await disputes(device.entitlementId)).toHaveLength(1);
    expect(await point.onHand('rice')).toBe(37);

    // The closed cycle's CSV has the dispute, undecided yet.
    expect(await disputeInCsv(point, cycleId, receipt.receiptId)).toEqual({
      dispute_item: 'rice',
      disputed: '3',
      dispute_decision: '',
      dispute_reason: '',
    });

    // The supervisor decides it once (migration 0155): the person brought 1 kg back of their own
    // accord, the other 2 are written off. Nothing is taken from the person's entitlements.
    const decide = (who: typeof scene.supervisor, body: object) =>
      point.call('POST', `carry-over-disputes/${receipt.receiptId}/decision`, who, body);
    const byOfficer = await decide(scene.officer, {
      item: 'rice',
      outcome: 'written_off',
      reason: 'Entregado dos veces',
    });
    expect(byOfficer.statusCode, byOfficer.body).toBe(403);
    // Separation of duties: whoever handed the overlap out the second time does not decide it.
    const byHandOver = await decide(both, {
      item: 'rice',
      outcome: 'written_off',
      reason: 'Mío',
    });
    expect([byHandOver.statusCode, byHandOver.json().code]).toEqual([
      403,
      'AMP_DISPUTE_OWN_HAND_OVER',
    ]);
    expect(await auditedAs(kit, String(byHandOver.headers['x-request-id']))).toEqual([
      {
        action: 'distribution.dispute_decide',
        outcome: 'denied',
        reasonCode: 'AMP_DISPUTE_OWN_HAND_OVER',
      },
    ]);
    const tooMany = await decide(scene.supervisor, {
      item: 'rice',
      outcome: 'returned',
      quantityReturned: 4,
      reason: 'Devuelto',
    });
    expect([tooMany.statusCode, tooMany.json().code]).toEqual([422, 'AMP_DISPUTE_OVER_RETURNED']);
    const decided = await decide(scene.supervisor, {
      item: 'rice',
      outcome: 'returned',
      quantityReturned: 1,
      reason: '-1 kg: la persona lo devolvió por su cuenta',
    });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({
      outcome: 'returned',
      quantityReturned: 1,
      quantityWrittenOff: 2,
      decidedBy: scene.supervisor.operatorId,
    });
    expect(await auditedAs(kit, String(decided.headers['x-request-id']))).toEqual([
      { action: 'distribution.dispute_decide', outcome: 'allowed', reasonCode: null },
    ]);
    expect(await point.onHand('rice')).toBe(38);
    const again = await decide(scene.supervisor, {
      item: 'rice',
      outcome: 'written_off',
      reason: 'Otra vez',
    });
    expect([again.statusCode, again.json().code]).toEqual([409, 'AMP_DISPUTE_DECIDED']);
    expect(await auditedAs(kit, String(again.headers['x-request-id']))).toEqual([
      {
        action: 'distribution.dispute_decide',
        outcome: 'denied',
        reasonCode: 'AMP_DISPUTE_DECIDED',
      },
    ]);
    expect(await point.onHand('rice')).toBe(38);
    expect(await entitlementRows(kit, next.entitlementId)).toMatchObject({
      balances: [
        ['food_box', 0],
        ['rice', 0],
      ],
      state: 'consumed',
    });
    // The list and the closed cycle's reconciliation show the one decision.
    const relisted = await point.call('GET', 'carry-over-disputes', scene.supervisor);
    expect(relisted.json().disputes[0].decision).toMatchObject({
      outcome: 'returned',
      quantityReturned: 1,
    });
    const report = await point.call('GET', `cycles/${cycleId}/reconciliation`, scene.supervisor);
    expect(report.json().carryOverDisputes).toEqual([
      expect.objectContaining({
        receiptId: receipt.receiptId,
        disputed: 3,
        decision: expect.objectContaining({ outcome: 'returned', quantityWrittenOff: 2 }),
      }),
    ]);
    // And the CSV with it, the supervisor's reason written as text, never a formula.
    expect(await disputeInCsv(point, cycleId, receipt.receiptId)).toEqual({
      dispute_item: 'rice',
      disputed: '3',
      dispute_decision: 'returned',
      dispute_reason: `"'-1 kg: la persona lo devolvió por su cuenta"`,
    });
  });

  it('death: a receipt made before it cancelled the entitlement counts, one made after is refused', async () => {
    const { holders, point } = await setting('late_death', 1, false);
    const holder = holders[0] as CardHolder;
    const device = await point.offline(point.devices[0] as never, holder);
    const before = device.receipt([{ item: 'food_box', quantity: 1 }], Date.now() - 60_000);
    const died = await kit.app.inject({
      method: 'POST',
      url: `/api/persons/${holder.personId}/death?purpose=enrolment`,
      cookies: scene.issuer.cookies,
      payload: { clientId: randomUUID(), dateOfDeath: '2026-12-02' },
    });
    expect(died.statusCode, died.body).toBeLessThan(300);
    const after = device.receipt([{ item: 'rice', quantity: 5 }], Date.now());

    expect(await device.sync(before)).toMatchObject({ outcome: 'counted' });
    expect(await device.sync(after)).toMatchObject({ outcome: 'refused' });
    expect(await point.onHand('food_box')).toBe(9);
    expect(await point.onHand('rice')).toBe(50);
    expect(await entitlementRows(kit, device.entitlementId)).toMatchObject({
      balances: [
        ['food_box', 0],
        ['rice', 5],
      ],
      state: 'cancelled',
      state_reason: 'death',
    });
    expect(await point.figures()).toMatchObject({ redemptions: 1 });
  });

  it('a receipt made after the close is refused: nothing counted, the carry-over whole', async () => {
    const { holders, cycleId, point } = await setting('late_after', 1, true);
    const device = await point.offline(point.devices[0] as never, holders[0] as CardHolder);
    await closeCycle(cycleId);
    const receipt = device.receipt([{ item: 'rice', quantity: 5 }], Date.now());

    expect(await device.sync(receipt)).toMatchObject({
      outcome: 'refused',
      code: 'AMP_ENTITLEMENT_NOT_REDEEMABLE',
    });
    expect(await point.onHand('rice')).toBe(50);
    expect(await carriedFrom(device.entitlementId)).toEqual([
      { item: 'rice', quantity: 5, withdrawn: 0, applied: false },
    ]);
    expect(await point.figures()).toMatchObject({ redemptions: 0 });
  });
});
