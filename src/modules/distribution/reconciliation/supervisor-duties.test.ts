import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  auditedAs,
  type CardHolder,
  createPoint,
  type DistributionScene,
  distributionScene,
  pointCall,
  type SignedIn,
  signIn,
  signInSupervisor,
} from '../distribution-test-kit.js';
import { stockDelivered } from '../stock/stock-test-kit.js';

/**
 * The distribution supervisor (docs/ACCESS.md, "the distribution supervisor"), on PostgreSQL and
 * PGlite alike: the floor powers left the program officer, who writes the rules — a program
 * officer is refused a stock adjustment and a reconciliation sign-off, audited, and nothing is
 * written; the supervisor does both. And separation of duties: a supervisor who handed goods
 * over at the point in the cycle, as its operator, does not sign its reconciliation off
 * (`AMP_SIGN_OFF_SAME_OPERATOR`, audited), nor records a count of its stock or corrects one
 * within the cycle's window (`AMP_STOCK_COUNT_OWN_HAND_OVERS`, audited; a loss or damage they may
 * still record); another supervisor does. (The decision of a carry-over dispute is refused the
 * same way in offline-late-close.test.ts, whose scene makes one.)
 */
describe('the distribution supervisor holds the floor powers', () => {
  let kit: AccessTestApp;
  let scene: DistributionScene;
  let point: string;
  let both: SignedIn;
  const call = () => pointCall(kit);
  const reconciliation = () => `${point}/cycles/${scene.cycleId}/reconciliation`;

  beforeAll(async () => {
    scene = await distributionScene({
      people: 1,
      program: { code: 'duties', basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
    });
    kit = scene.kit;
    // One account holding both floor roles: an operator of the point who is also a supervisor.
    both = await signIn(kit, ['distribution_operator', 'distribution_supervisor'], ['VE-A']);
    point = await createPoint(kit, scene.supervisor, {
      operators: [scene.operator.operatorId, both.operatorId],
      programs: [scene.programId],
    });
    await stockDelivered(kit, scene.operator, point, { item: 'food_box', quantity: 10 });
  }, 120_000);
  afterAll(async () => kit?.close());

  const signOffs = async () =>
    kit.database.db
      .selectFrom('reconciliation_sign_off')
      .select('signed_by')
      .where('point_id', '=', point)
      .execute();

  it('refuses a program officer a stock adjustment and a sign-off, audited; the supervisor does both', async () => {
    const adjustment = {
      clientId: randomUUID(),
      item: 'food_box',
      quantityDelta: -1,
      reason: 'damage',
    };
    const refusedAdjust = await call()('POST', `${point}/adjustments`, scene.officer, adjustment);
    expect(refusedAdjust.statusCode, refusedAdjust.body).toBe(403);
    expect(await auditedAs(kit, String(refusedAdjust.headers['x-request-id']))).toContainEqual(
      expect.objectContaining({ action: 'distribution.stock_adjust', outcome: 'denied' }),
    );
    const refusedSign = await call()('POST', `${reconciliation()}/sign-offs`, scene.officer, {});
    expect(refusedSign.statusCode, refusedSign.body).toBe(403);
    expect(await auditedAs(kit, String(refusedSign.headers['x-request-id']))).toContainEqual(
      expect.objectContaining({ action: 'distribution.reconcile_sign', outcome: 'denied' }),
    );
    expect(await signOffs()).toEqual([]);
    // The officer still reads the point and its reconciliation (program work needs the figures).
    const read = await call()('GET', reconciliation(), scene.officer);
    expect(read.statusCode, read.body).toBe(200);

    const adjusted = await call()('POST', `${point}/adjustments`, scene.supervisor, adjustment);
    expect(adjusted.statusCode, adjusted.body).toBe(201);
    const signed = await call()('POST', `${reconciliation()}/sign-offs`, scene.supervisor, {});
    expect(signed.statusCode, signed.body).toBe(201);
    expect(await signOffs()).toEqual([{ signed_by: scene.supervisor.operatorId }]);
  });

  it('refuses the sign-off to a supervisor who handed goods over at the point in the cycle', async () => {
    const holder = scene.people[0] as CardHolder;
    const lookup = await call()('POST', `${point}/entitlement-lookups`, both, {
      qrText: holder.qrText,
    });
    expect(lookup.statusCode, lookup.body).toBe(200);
    const entitlementId = lookup.json().entitlements[0].entitlementId as string;
    const redeemed = await call()('POST', `${point}/redemptions`, both, {
      clientId: randomUUID(),
      qrText: holder.qrText,
      entitlementId,
      lines: [{ item: 'food_box', quantity: 1 }],
    });
    expect(redeemed.statusCode, redeemed.body).toBe(201);

    const refused = await call()('POST', `${reconciliation()}/sign-offs`, both, { note: 'Mine' });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().code).toBe('AMP_SIGN_OFF_SAME_OPERATOR');
    expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toEqual([
      {
        action: 'distribution.reconcile_sign',
        outcome: 'denied',
        reasonCode: 'AMP_SIGN_OFF_SAME_OPERATOR',
      },
    ]);
    expect((await signOffs()).map((row) => row.signed_by)).not.toContain(both.operatorId);

    // Another supervisor, who handed nothing over here, signs the same figures.
    const other = await signInSupervisor(kit);
    const signed = await call()('POST', `${reconciliation()}/sign-offs`, other, {});
    expect(signed.statusCode, signed.body).toBe(201);
  });

  it('refuses that supervisor a count and a count correction within the window, not a loss', async () => {
    const denied = async (url: string, body: object, action: string) => {
      const refused = await call()('POST', `${point}/${url}`, both, body);
      expect([refused.statusCode, refused.json().code], refused.body).toEqual([
        403,
        'AMP_STOCK_COUNT_OWN_HAND_OVERS',
      ]);
      expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toEqual([
        { action, outcome: 'denied', reasonCode: 'AMP_STOCK_COUNT_OWN_HAND_OVERS' },
      ]);
    };
    const count = { item: 'food_box', countedQuantity: 7 };
    const correction = { item: 'food_box', quantityDelta: -1, reason: 'count_correction' };
    await denied('stock-counts', { clientId: randomUUID(), ...count }, 'distribution.stock_count');
    await denied(
      'adjustments',
      { clientId: randomUUID(), ...correction },
      'distribution.stock_adjust',
    );
    const counts = () =>
      kit.database.db
        .selectFrom('stock_count')
        .select('id')
        .where('point_id', '=', point)
        .execute();
    expect(await counts()).toEqual([]);
    // Damage writes stock off in the open and hides no shortfall: still theirs to record.
    const damage = await call()('POST', `${point}/adjustments`, both, {
      ...correction,
      clientId: randomUUID(),
      reason: 'damage',
    });
    expect(damage.statusCode, damage.body).toBe(201);

    const other = await signInSupervisor(kit);
    const counted = await call()('POST', `${point}/stock-counts`, other, {
      clientId: randomUUID(),
      ...count,
    });
    expect(counted.statusCode, counted.body).toBe(201);
    // The count's correction stays refused to them too: it explains a count in their window.
    await denied(
      'adjustments',
      { clientId: randomUUID(), ...correction },
      'distribution.stock_adjust',
    );
    const corrected = await call()('POST', `${point}/adjustments`, other, {
      clientId: randomUUID(),
      ...correction,
    });
    expect(corrected.statusCode, corrected.body).toBe(201);
  });
});
