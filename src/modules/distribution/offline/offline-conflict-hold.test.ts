import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import type { CardHolder, SignedIn } from '../distribution-test-kit.js';
import { boxAndRiceScene, entitlementRows, offlinePoint } from './offline-point-test-kit.js';

/**
 * A conflict holds only what is in dispute (review finding F1, point 3; migration 0140), on
 * PostgreSQL and PGlite alike. A conflict used to flag the whole entitlement: nothing more of it
 * was handed over, online or at any point, until a supervisor decided — so one receipt that no
 * longer fitted (even one made up from the card list, before card proofs) blocked everything the
 * person still had. Now it holds, per item it names, what it asks of what remains; the rest is
 * handed over as usual, and clearing it gives the hold back or counts it.
 */
describe('an offline conflict holds only what it disputes', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let programId: string;
  let cycleId: string;
  let person: CardHolder;

  beforeAll(async () => {
    let people: CardHolder[];
    ({ kit, supervisor, operator, programId, cycleId, people } = await boxAndRiceScene('hold', 1));
    [person] = people as [CardHolder];
  }, 120_000);
  afterAll(async () => kit?.close());

  it('holds the disputed rice; the box is handed over online and offline; cleared, the rice is the person’s again', async () => {
    const point = await offlinePoint({ kit, supervisor, operator, programId, cycleId }, 2, {
      food_box: 10,
      rice: 50,
    });
    const [a, b] = point.devices;
    if (a === undefined || b === undefined) throw new Error('two devices');
    const fromA = await point.offline(a, person);
    const fromB = await point.offline(b, person);
    const redeem = (lines: { item: string; quantity: number }[]) =>
      point.call('POST', 'redemptions', operator, {
        clientId: randomUUID(),
        qrText: person.qrText,
        entitlementId: fromA.entitlementId,
        lines,
      });
    // Online, after both snapshots: 2 kg of the 5.
    expect((await redeem([{ item: 'rice', quantity: 2 }])).statusCode).toBe(201);
    // Device A's receipt for the 5 kg its snapshot showed: a conflict, holding the 3 kg left.
    const later = fromA.receipt([{ item: 'rice', quantity: 5 }]);
    expect(await fromA.sync(later)).toMatchObject({ outcome: 'conflict' });
    expect(await entitlementRows(kit, fromA.entitlementId)).toMatchObject({
      balances: [
        ['food_box', 1],
        ['rice', 0],
      ],
      state: 'partially_consumed',
    });
    const listed = (await point.call('GET', 'offline-conflicts', supervisor)).json().conflicts;
    expect(listed).toEqual([
      expect.objectContaining({
        receiptId: later.receiptId,
        held: [{ item: 'rice', quantity: 3 }],
      }),
    ]);
    expect(await point.figures()).toMatchObject({ conflicts: 1 });

    // The point's lookup says the 3 kg are in dispute rather than a bare 0, and nothing else of
    // the other device's receipt (its id, device, time or the 5 kg it asked).
    const lookup = await point.call('POST', 'entitlement-lookups', operator, {
      qrText: person.qrText,
    });
    expect(lookup.statusCode, lookup.body).toBe(200);
    const answered = lookup.json().entitlements[0];
    expect(answered.items).toEqual([
      { item: 'food_box', unit: 'box', granted: 1, remaining: 1 },
      { item: 'rice', unit: 'kg', granted: 5, remaining: 0, inDispute: 3 },
    ]);
    expect(lookup.body).not.toContain(later.receiptId);
    expect(lookup.body).not.toContain(a.id);

    // The rice is in dispute: none is handed over. The box is not: a new snapshot offers it.
    const rice = await redeem([{ item: 'rice', quantity: 1 }]);
    expect(rice.statusCode, rice.body).toBe(422);
    expect(rice.json().code).toBe('AMP_QUANTITY_ABOVE_REMAINING');
    const next = (await point.call('GET', `devices/${a.id}/snapshot`, operator)).json().payload;
    const boxIndex = next.items.findIndex((each: { item: string }) => each.item === 'food_box');
    const compact = Buffer.from(fromA.entitlementId.replaceAll('-', ''), 'hex').toString(
      'base64url',
    );
    expect(next.entries.find((entry: string[]) => entry[1] === compact)?.[3]).toEqual([
      boxIndex,
      1,
    ]);
    // Device B, offline since before all this, hands the box over: counted, not blocked.
    expect(await fromB.sync(fromB.receipt([{ item: 'food_box', quantity: 1 }]))).toMatchObject({
      outcome: 'counted',
    });

    // The first receipt stands: the 3 kg held return, and the person collects them with the card.
    await point.clearAndCheck(
      later.receiptId,
      { decision: 'counted_stands', goodsLeft: false },
      {
        answer: { entitlementState: 'partially_consumed' },
        rows: () => ({
          balances: [
            ['food_box', 0],
            ['rice', 3],
          ],
          state: 'partially_consumed',
        }),
      },
    );
    const afterClearing = await point.call('POST', 'entitlement-lookups', operator, {
      qrText: person.qrText,
    });
    expect(afterClearing.json().entitlements[0].items).toEqual([
      { item: 'food_box', unit: 'box', granted: 1, remaining: 0 },
      { item: 'rice', unit: 'kg', granted: 5, remaining: 3 },
    ]);
    expect((await redeem([{ item: 'rice', quantity: 3 }])).statusCode).toBe(201);
    expect((await entitlementRows(kit, fromA.entitlementId)).state).toBe('consumed');
    expect(await point.figures()).toMatchObject({ conflicts: 0, redemptions: 3 });
  });
});
