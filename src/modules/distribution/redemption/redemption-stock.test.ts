import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditedAs,
  createPoint,
  type DistributionScene,
  distributionScene,
  onHandAt,
  pointCall,
  redemptionWrites,
} from '../distribution-test-kit.js';

/**
 * A redemption the point's shelf cannot cover (issue #15, point 2: stock never below zero): one
 * line or several, a balance row too low or none at all — refused with AMP_STOCK_INSUFFICIENT,
 * audited, and nothing of it written: no redemption, no change to what remains of the
 * entitlement, no stock movement and no idempotency record (so the same client id, sent again
 * once the stock arrived, redeems).
 */
describe('redemption with too little stock', () => {
  let scene: DistributionScene;
  let pointId: string;

  beforeAll(async () => {
    scene = await distributionScene({
      people: 1,
      program: {
        code: 'shelf',
        basket: [
          { item: 'food_box', quantity: 1, unit: 'box' },
          { item: 'rice', quantity: 5, unit: 'kg' },
        ],
      },
    });
    pointId = await createPoint(scene.kit, scene.supervisor, {
      operators: [scene.operator.operatorId],
      programs: [scene.programId],
    });
    // 3 kg of rice on the shelf, no food box at all (no balance row).
    expect((await deliver('rice', 3)).statusCode).toBe(201);
  }, 120_000);
  afterAll(async () => scene?.kit.close());

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    pointCall(scene.kit)(method, `${pointId}/${url}`, scene.operator, payload);
  const deliver = (item: string, quantity: number) =>
    pointCall(scene.kit)('POST', `${pointId}/deliveries`, scene.supervisor, {
      clientId: randomUUID(),
      item,
      quantity,
    });
  const holder = () => {
    const [person] = scene.people;
    if (person === undefined) throw new Error('the scene has one person');
    return person;
  };
  async function entitlement() {
    const response = await call('POST', 'entitlement-lookups', { qrText: holder().qrText });
    expect(response.statusCode, response.body).toBe(200);
    const [answer] = response.json().entitlements as {
      entitlementId: string;
      state: string;
      items: { item: string; remaining: number }[];
    }[];
    if (answer === undefined) throw new Error('no entitlement answered');
    return answer;
  }
  const written = (entitlementId: string, clientId: string) =>
    redemptionWrites(scene.kit, { entitlementId, clientId, pointId });

  it('refuses one line and several lines, writing nothing, and redeems the same client id once stocked', async () => {
    const before = await entitlement();
    const attempts = [
      // One line, a balance row too low (the one-statement path finds no movement and the
      // general path refuses).
      [{ item: 'rice', quantity: 5 }],
      // One line, no balance row at all.
      [{ item: 'food_box', quantity: 1 }],
      // Several lines: one fits (2 of 3 kg), one does not; neither is taken.
      [
        { item: 'rice', quantity: 2 },
        { item: 'food_box', quantity: 1 },
      ],
    ];
    const clientIds = attempts.map(() => randomUUID());
    for (const [index, lines] of attempts.entries()) {
      const clientId = clientIds[index] as string;
      const refused = await call('POST', 'redemptions', {
        clientId,
        qrText: holder().qrText,
        entitlementId: before.entitlementId,
        lines,
      });
      expect([refused.statusCode, refused.json().code], refused.body).toEqual([
        409,
        'AMP_STOCK_INSUFFICIENT',
      ]);
      expect(await auditedAs(scene.kit, String(refused.headers['x-request-id']))).toContainEqual({
        action: 'distribution.redeem',
        outcome: 'denied',
        reasonCode: 'AMP_STOCK_INSUFFICIENT',
      });
      expect(await written(before.entitlementId, clientId)).toEqual({
        redemptions: [],
        answers: [],
        movements: [],
      });
    }
    expect(await entitlement()).toEqual(before);
    expect(await onHandAt(scene.kit, scene.operator, pointId, 'rice')).toBe(3);
    expect(await onHandAt(scene.kit, scene.operator, pointId, 'food_box')).toBe(0);

    // Stocked, the multi-line attempt's client id redeems: its refusal left no answer behind.
    expect((await deliver('food_box', 1)).statusCode).toBe(201);
    const redeemed = await call('POST', 'redemptions', {
      clientId: clientIds[2],
      qrText: holder().qrText,
      entitlementId: before.entitlementId,
      lines: attempts[2],
    });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    expect(await onHandAt(scene.kit, scene.operator, pointId, 'rice')).toBe(1);
    expect(await onHandAt(scene.kit, scene.operator, pointId, 'food_box')).toBe(0);
  });
});
