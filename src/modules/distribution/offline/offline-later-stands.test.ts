import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import { auditedAs, type CardHolder, type SignedIn } from '../distribution-test-kit.js';
import { stockDelivered } from '../stock/stock-test-kit.js';
import {
  boxAndRiceScene,
  conflictAfterOnline,
  entitlementRows,
  offlinePoint,
  twoConflictsOpen,
} from './offline-point-test-kit.js';

/**
 * An offline conflict cleared in favour of the later receipt (`later_stands`, migration 0074), on
 * PostgreSQL and PGlite alike, beyond the basic case in `offline.test.ts`: an online redemption
 * reversed with its goods back on the shelf, a receipt that no longer fits refused with nothing
 * moved, and two conflicts: the one cleared first reverses what it conflicted with, the other
 * then fits with its hold back and reverses nothing. Each case has its own point, so its
 * reconciliation is exact.
 */
describe('offline conflict: the later receipt stands', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let programId: string;
  let cycleId: string;
  let people: CardHolder[];

  beforeAll(async () => {
    ({ kit, supervisor, operator, programId, cycleId, people } = await boxAndRiceScene('later', 3));
  }, 120_000);
  afterAll(async () => kit?.close());

  /** A point of its own serving the program, stocked (rice too unless told), with devices. */
  const freshPoint = (devices: number, options: { rice: boolean } = { rice: true }) =>
    offlinePoint({ kit, supervisor, operator, programId, cycleId }, devices, {
      food_box: 10,
      rice: options.rice ? 50 : 0,
    });
  const rowsOf = (entitlementId: string) => entitlementRows(kit, entitlementId);

  it('reverses an online redemption for the later receipt; its goods had not left, so they return to stock', async () => {
    const point = await freshPoint(1);
    const person = people[0];
    if (person === undefined) throw new Error('no person');
    // Online, after the device's snapshot: the box and 2 kg of rice; then the device's receipt for
    // the box and 5 kg, a conflict.
    const { entitlementId, online, onlineId, later } = await conflictAfterOnline(
      point,
      operator,
      person,
    );
    const before = { box: await point.onHand('food_box'), rice: await point.onHand('rice') };

    const laterId = await point.clearAndCheck(
      later.receiptId,
      { decision: 'later_stands', goodsLeft: false },
      {
        answer: { reversedRedemptionIds: [onlineId], entitlementState: 'consumed' },
        rows: (counted) => ({
          balances: [
            ['food_box', 0],
            ['rice', 0],
          ],
          standing: [counted],
          reversed: [{ redemption_id: onlineId, goods_returned: true }],
        }),
      },
    );
    // The later receipt's goods left (−1 box, −5 kg); the online hand-over's came back (+1, +2).
    expect(await point.onHand('food_box')).toBe(before.box);
    expect(await point.onHand('rice')).toBe(before.rice - 3);
    const corrections = await kit.database.asAdmin((admin) =>
      sql<{ item: string; quantity_delta: number; reason: string }>`
        select item, quantity_delta, reason from stock_movement
         where point_id = ${point.pointId} and kind = 'adjustment' order by item`.execute(admin),
    );
    expect(
      corrections.rows.map((row) => [row.item, Number(row.quantity_delta), row.reason]),
    ).toEqual([
      ['food_box', 1, 'count_correction'],
      ['rice', 2, 'count_correction'],
    ]);
    // A retry of the reversed online redemption answers the first answer and moves nothing.
    const retry = await point.call('POST', 'redemptions', operator, online);
    expect(retry.json().redemptionId).toBe(onlineId);
    expect(await point.onHand('food_box')).toBe(before.box);
    expect((await rowsOf(entitlementId)).standing).toEqual([laterId]);

    // The reconciliation counts the later receipt and shows the reversed one with its stock.
    const figures = await point.figures();
    expect(figures).toMatchObject({ redemptions: 1, entitlementsRedeemed: 1, reversed: 1 });
    expect(figures.items).toEqual([
      expect.objectContaining({
        item: 'food_box',
        redeemed: 1,
        stockOutForRedemptions: 1,
        integrityGap: 0,
        reversed: 1,
        reversedStockOut: 1,
        reversedReturned: 1,
        adjusted: 1,
        onHand: 9,
      }),
      expect.objectContaining({
        item: 'rice',
        redeemed: 5,
        integrityGap: 0,
        reversed: 2,
        reversedStockOut: 2,
        reversedReturned: 2,
        adjusted: 2,
        onHand: 45,
      }),
    ]);
    const csv = await point.call('GET', `cycles/${cycleId}/reconciliation.csv`, supervisor);
    expect(csv.statusCode).toBe(200);
    const [header, boxRow, riceRow] = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    const columns = header?.split(',') ?? [];
    const cell = (row: string | undefined, name: string) => row?.split(',')[columns.indexOf(name)];
    expect(
      ['reversed_redemptions', 'reversed', 'reversed_stock_out', 'reversed_returned'].map(
        (name) => [cell(boxRow, name), cell(riceRow, name)],
      ),
    ).toEqual([
      ['1', '1'],
      ['1', '2'],
      ['1', '2'],
      ['1', '2'],
    ]);
  });

  it('refuses the later receipt when, even with what it conflicted with reversed, it no longer fits: nothing moves, audited', async () => {
    const point = await freshPoint(2);
    const [a, b] = point.devices;
    const person = people[1];
    if (a === undefined || b === undefined || person === undefined) throw new Error('no device');
    const fromA = await point.offline(a, person);
    const fromB = await point.offline(b, person);
    const first = await fromA.sync(
      fromA.receipt([{ item: 'rice', quantity: 3 }], Date.now() - 60_000),
    );
    expect(first).toMatchObject({ outcome: 'counted' });
    const later = fromB.receipt([{ item: 'rice', quantity: 5 }]);
    expect(await fromB.sync(later)).toMatchObject({ outcome: 'conflict' });
    // A's redemption as a snapshot leaves it when that redemption's transaction, its time taken
    // before the snapshot's, committed only after the snapshot was read: not "after" the snapshot,
    // so not what B's receipt conflicted with, and B's 5 kg no longer fit the 2 that remain.
    await kit.database.asAdmin((admin) =>
      sql`update distribution_snapshot
             set issued_at = (select redeemed_at from redemption where id = ${first.redemptionId})
           where id = ${fromB.snapshotId}`.execute(admin),
    );
    const rice = await point.onHand('rice');

    const refused = await point.resolve(later.receiptId, {
      decision: 'later_stands',
      goodsLeft: true,
    });
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().code).toBe('AMP_QUANTITY_ABOVE_REMAINING');
    expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toContainEqual({
      action: 'distribution.stock_adjust',
      outcome: 'denied',
      reasonCode: 'AMP_QUANTITY_ABOVE_REMAINING',
    });
    // B's conflict holds the 2 kg that remained (migration 0140); the box is still the person's.
    const rows = await rowsOf(fromB.entitlementId);
    expect(rows).toMatchObject({
      balances: [
        ['food_box', 1],
        ['rice', 0],
      ],
      standing: [first.redemptionId],
      reversed: [],
      state: 'partially_consumed',
    });
    expect(await point.onHand('rice')).toBe(rice);
    const listed = (await point.call('GET', 'offline-conflicts', supervisor)).json().conflicts;
    expect(listed).toEqual([
      expect.objectContaining({ receiptId: later.receiptId, resolution: null }),
    ]);
    // The refusal left nothing behind: the other decision still clears it, once.
    const counted = await point.resolve(later.receiptId, {
      decision: 'counted_stands',
      goodsLeft: false,
    });
    expect(counted.statusCode, counted.body).toBe(200);
    expect(counted.json()).toMatchObject({ entitlementState: 'partially_consumed' });
    expect(await point.onHand('rice')).toBe(rice);
  });

  it('reverses only what the later receipt conflicted with; the other, its hold back, fits and reverses nothing', async () => {
    // No rice delivered: the offline hand-overs take it below zero (they were made), and the
    // reversed one's return must still be taken in, as a later delivery is.
    const point = await freshPoint(3, { rice: false });
    const person = people[2];
    if (person === undefined) throw new Error('no person');
    // A's box and 2 kg count. B's whole rice no longer fits: a conflict holding the 3 kg left. C's
    // box no longer fits: a conflict holding nothing.
    const { first, rice, box } = await twoConflictsOpen(point, person, 2);
    const stock = { box: await point.onHand('food_box'), rice: await point.onHand('rice') };

    // C stands: the box it lacks is A's, so A's hand-over is reversed (whole: its box and 2 kg);
    // they had not left the point, so they return to stock. B still holds its 3 kg.
    const boxId = await point.clearAndCheck(
      box.receiptId,
      { decision: 'later_stands', goodsLeft: false },
      {
        answer: {
          reversedRedemptionIds: [first.redemptionId],
          entitlementState: 'partially_consumed',
        },
        rows: (counted) => ({
          balances: [
            ['food_box', 0],
            ['rice', 2],
          ],
          standing: [counted],
          reversed: [{ redemption_id: first.redemptionId, goods_returned: true }],
          state: 'partially_consumed',
        }),
      },
    );
    // B stands: its hold and the 2 kg A gave back make its 5 kg, so it reverses nothing more.
    await point.clearAndCheck(
      rice.receiptId,
      { decision: 'later_stands', goodsLeft: false },
      {
        answer: { reversedRedemptionIds: [], entitlementState: 'consumed' },
        rows: (riceId) => ({
          balances: [
            ['food_box', 0],
            ['rice', 0],
          ],
          standing: [boxId, riceId],
          reversed: [{ redemption_id: first.redemptionId, goods_returned: true }],
          state: 'consumed',
        }),
      },
    );
    // A's box came back and C's left; A's 2 kg came back and B's 5 kg left.
    expect(await point.onHand('food_box')).toBe(stock.box);
    expect(stock.rice).toBe(-2);
    expect(await point.onHand('rice')).toBe(stock.rice - 5 + 2);
    await stockDelivered(kit, supervisor, point.pointId, { item: 'rice', quantity: 10 });
    expect(await point.onHand('rice')).toBe(5);
    const figures = await point.figures();
    expect(figures).toMatchObject({ redemptions: 2, entitlementsRedeemed: 1, reversed: 1 });
    expect(figures.items.find((each) => each.item === 'rice')).toMatchObject({
      redeemed: 5,
      reversed: 2,
      reversedStockOut: 2,
      reversedReturned: 2,
      integrityGap: 0,
    });
  });
});
