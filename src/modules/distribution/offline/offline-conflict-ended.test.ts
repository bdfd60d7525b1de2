import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  approvedCycle,
  type CardHolder,
  type DistributionScene,
  distributionScene,
  inKindProgramWithCycle,
  personWithCard,
  type SignedIn,
  signIn,
} from '../distribution-test-kit.js';
import {
  conflictAfterOnline,
  entitlementRows,
  offlinePoint,
  twoConflictsOpen,
} from './offline-point-test-kit.js';

type Ending = 'death' | 'merge' | 'erasure' | 'cycle_closed';

const basket = [
  { item: 'food_box', quantity: 1, unit: 'box' },
  { item: 'rice', quantity: 5, unit: 'kg' },
];

/**
 * An offline conflict cleared after programs ended the entitlement (issue #15, points 5 and 8),
 * on PostgreSQL and PGlite alike. A death, a merge, an erasure or the cycle's close leaves a
 * conflict's hold in place (the conflict still waits for the supervisor); clearing it then
 * settles the hand-overs made before the end — the later receipt counted, the first reversed,
 * stock and reconciliation exact — and leaves the entitlement ended (`cancelled` with the reason,
 * or `expired`), never reopened. Each case has its own point, each ending its own program cycle
 * (the two-conflict case uses the scene's).
 */
describe('offline conflict on an entitlement that has since ended', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let issuer: SignedIn;
  let admins: SignedIn[];
  let scene: DistributionScene;

  beforeAll(async () => {
    scene = await distributionScene({ people: 1, program: { code: 'ended_two', basket } });
    ({ kit, supervisor, operator, issuer } = scene);
    admins = [
      await signIn(kit, ['administrator'], ['VE-A']),
      await signIn(kit, ['administrator'], ['VE-A']),
    ];
  }, 120_000);
  afterAll(async () => kit?.close());

  const inject = (url: string, who: SignedIn, payload: object) =>
    kit.app.inject({ method: 'POST', url, cookies: who.cookies, payload });

  /** Ends the holder's entitlements of the cycle as the registry or programs does, through its route. */
  async function end(ending: Ending, holder: CardHolder, cycleId: string): Promise<void> {
    const person = `/api/persons/${holder.personId}`;
    const answers = [];
    if (ending === 'death') {
      answers.push(
        await inject(`${person}/death?purpose=enrolment`, issuer, {
          clientId: randomUUID(),
          dateOfDeath: '2026-12-02',
        }),
      );
    } else if (ending === 'merge') {
      const survivor = await personWithCard(kit, issuer);
      answers.push(
        await inject(`${person}/merge?purpose=enrolment`, issuer, {
          clientId: randomUUID(),
          survivorId: survivor.personId,
        }),
      );
    } else if (ending === 'erasure') {
      const [first, second] = admins as [SignedIn, SignedIn];
      const asked = await inject(`${person}/erasure-requests?purpose=appeal`, first, {
        reasonCode: 'court_order',
        reference: 'TSJ-2026-01234',
      });
      expect(asked.statusCode, asked.body).toBe(201);
      answers.push(await inject(`/api/erasure-requests/${asked.json().id}/approve`, second, {}));
    } else {
      answers.push(
        await inject(
          `/api/program-cycles/${cycleId}/close?purpose=eligibility_review`,
          scene.officer,
          {},
        ),
      );
    }
    for (const answer of answers) expect(answer.statusCode, answer.body).toBeLessThan(300);
  }

  /** A new holder, entitled by a program cycle of its own (its officer may close it), and a point. */
  async function newHolderAndPoint(code: string) {
    const holder = await personWithCard(kit, issuer);
    const { programId, cycleId } = await inKindProgramWithCycle(kit, {
      code,
      basket,
      regions: ['VE-A'],
    });
    const point = await offlinePoint({ ...scene, programId, cycleId }, 1, {
      food_box: 10,
      rice: 50,
    });
    return { holder, cycleId, point };
  }

  it.each([
    ['death', 'cancelled'],
    ['merge', 'cancelled'],
    ['erasure', 'cancelled'],
    ['cycle_closed', 'expired'],
  ] as const)(
    'after %s, the later receipt stands and the entitlement stays %s',
    async (ending, ended) => {
      const { holder, cycleId, point } = await newHolderAndPoint(`ended_${ending}`);
      // Online, after the device's snapshot, the box and 2 kg; the device's receipt for the box and
      // 5 kg, synced after, is kept as a conflict.
      const { entitlementId, onlineId, later } = await conflictAfterOnline(point, operator, holder);

      await end(ending, holder, cycleId);
      // The end leaves the hold (the 3 kg that remained; nothing else did): the conflict still
      // waits for the supervisor.
      expect(await entitlementRows(kit, entitlementId)).toMatchObject({
        balances: [
          ['food_box', 0],
          ['rice', 0],
        ],
        state: 'consumed',
      });
      expect(await point.figures()).toMatchObject({ redemptions: 1, conflicts: 1, reversed: 0 });
      const before = { box: await point.onHand('food_box'), rice: await point.onHand('rice') };

      await point.clearAndCheck(
        later.receiptId,
        { decision: 'later_stands', goodsLeft: false },
        {
          answer: { reversedRedemptionIds: [onlineId], entitlementState: ended },
          rows: (laterId) => ({
            balances: [
              ['food_box', 0],
              ['rice', 0],
            ],
            standing: [laterId],
            reversed: [{ redemption_id: onlineId, goods_returned: true }],
            state: ended,
            state_reason: ending,
          }),
        },
      );
      // The later receipt's goods left (−1 box, −5 kg); the online hand-over's came back (+1, +2).
      expect(await point.onHand('food_box')).toBe(before.box);
      expect(await point.onHand('rice')).toBe(before.rice - 3);
      expect(await point.figures()).toMatchObject({
        redemptions: 1,
        entitlementsRedeemed: 1,
        conflicts: 0,
        reversed: 1,
      });
      // Cleared once: a second decision is refused and changes nothing.
      const again = await point.resolve(later.receiptId, {
        decision: 'counted_stands',
        goodsLeft: true,
      });
      expect(again.statusCode, again.body).toBe(409);
      expect((await entitlementRows(kit, entitlementId)).state).toBe(ended);
      expect(await point.onHand('rice')).toBe(before.rice - 3);
    },
  );

  it.each([
    // The first receipt stands: 3 kg were left, and they carry over once cleared.
    ['counted_stands', 3],
    // The later one stands: the online 2 kg are reversed and its 5 kg taken; nothing is left.
    ['later_stands', 0],
  ] as const)(
    'holds the carry-over of an entitlement in conflict at the cycle close; %s releases what then remains (%i kg)',
    async (decision, carried) => {
      const holder = await personWithCard(kit, issuer);
      const carryBasket = [
        { item: 'food_box', quantity: 1, unit: 'box' },
        { item: 'rice', quantity: 5, unit: 'kg', carryOver: true },
      ];
      const { programId, cycleId } = await inKindProgramWithCycle(kit, {
        code: `held_${decision}`,
        basket: carryBasket,
        regions: ['VE-A'],
      });
      const point = await offlinePoint({ ...scene, programId, cycleId }, 1, {
        food_box: 10,
        rice: 50,
      });
      const { entitlementId, later } = await conflictAfterOnline(point, operator, holder);
      await end('cycle_closed', holder, cycleId);
      const carriedOf = () =>
        kit.database.asAdmin(async (admin) =>
          (
            await sql<{ item: string; quantity: number; lapsed: boolean }>`
              select item, quantity, lapsed_at is not null as lapsed from entitlement_carry_over
               where from_entitlement_id = ${entitlementId}`.execute(admin)
          ).rows.map((row) => ({ ...row, quantity: Number(row.quantity) })),
        );
      const heldListed = async () =>
        (await point.call('GET', 'offline-conflicts', supervisor))
          .json()
          .conflicts.map((each: { carryOverHeld: unknown }) => each.carryOverHeld);
      // Held, not carried: what remains is only known once the conflict is reviewed.
      expect(await carriedOf()).toEqual([]);
      expect(await heldListed()).toEqual([[{ item: 'rice', unit: 'kg', quantityMax: 5 }]]);

      const cleared = await point.resolve(later.receiptId, { decision, goodsLeft: false });
      expect(cleared.statusCode, cleared.body).toBe(200);
      expect(cleared.json()).toMatchObject({ entitlementState: 'expired' });
      expect(await carriedOf()).toEqual(
        carried === 0 ? [] : [{ item: 'rice', quantity: carried, lapsed: false }],
      );
      expect(await heldListed()).toEqual([[]]);

      // The person's entitlement of the program's next cycle grants the basket plus what carried.
      await approvedCycle(kit, programId, '2027-01-01');
      const lookup = await point.call('POST', 'entitlement-lookups', operator, {
        qrText: holder.qrText,
      });
      expect(lookup.statusCode, lookup.body).toBe(200);
      const next = lookup
        .json()
        .entitlements.find(
          (each: { entitlementId: string; state: string }) =>
            each.entitlementId !== entitlementId && each.state === 'activated',
        );
      expect(next?.items).toContainEqual(
        expect.objectContaining({ item: 'rice', granted: 5 + carried }),
      );
    },
  );

  it('after a death with two conflicts open: each still cleared, the entitlement cancelled, never reopened', async () => {
    const [holder] = scene.people;
    if (holder === undefined) throw new Error('no holder');
    const { cycleId } = scene;
    const point = await offlinePoint(scene, 3, { food_box: 10, rice: 50 });
    // A's box and 3 kg count; B's 5 kg no longer fit (holding the 2 left); C's box neither.
    const { first, rice, box } = await twoConflictsOpen(point, holder, 3);
    await end('death', holder, cycleId);
    const before = { box: await point.onHand('food_box'), rice: await point.onHand('rice') };

    // A stands over B; B's rice did leave the point: written off, its hold back. C is still
    // open, and the entitlement, its holder dead, is cancelled.
    await point.clearAndCheck(
      rice.receiptId,
      { decision: 'counted_stands', goodsLeft: true },
      {
        answer: { entitlementState: 'cancelled' },
        rows: () => ({
          balances: [
            ['food_box', 0],
            ['rice', 2],
          ],
          state: 'cancelled',
          state_reason: 'death',
        }),
      },
    );
    // C stands: the box it lacks is A's, so A's hand-over is reversed; the entitlement stays
    // cancelled.
    await point.clearAndCheck(
      box.receiptId,
      { decision: 'later_stands', goodsLeft: true },
      {
        answer: { reversedRedemptionIds: [first.redemptionId], entitlementState: 'cancelled' },
        rows: (boxId) => ({
          balances: [
            ['food_box', 0],
            ['rice', 5],
          ],
          standing: [boxId],
          reversed: [{ redemption_id: first.redemptionId, goods_returned: false }],
          state: 'cancelled',
          state_reason: 'death',
        }),
      },
    );
    expect(await point.onHand('food_box')).toBe(before.box - 1);
    expect(await point.onHand('rice')).toBe(before.rice - 5);
    expect(await point.figures()).toMatchObject({
      redemptions: 1,
      entitlementsRedeemed: 1,
      conflicts: 0,
      reversed: 1,
    });
  });
});
