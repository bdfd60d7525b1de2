import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntitlementAnswer } from '../../../shared/api/distribution.js';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  auditedAs,
  type CardHolder,
  createPoint,
  distributionScene,
  onHandAt,
  personWithCard,
  pointCall,
  type SignedIn,
  signIn,
} from '../distribution-test-kit.js';
import { stockDelivered } from '../stock/stock-test-kit.js';
import { receiptKeyFrom, verifyReceipt } from './receipt.js';

/**
 * Redemption with the card over HTTP (issue #15, point 3), on PostgreSQL and PGlite alike: a
 * bad card is refused with its reason, the point learns what remains and not the person's
 * file, a basket is taken in parts, a retry is answered once, and many simultaneous attempts on
 * one entitlement from two points count exactly one.
 */
describe('redemption with the card', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let issuer: SignedIn;
  let pointA: string;
  let pointB: string;
  let holder: CardHolder;
  let second: CardHolder;
  let revoked: CardHolder;
  let fourth: CardHolder;
  let fifth: CardHolder;
  let batched: CardHolder[];
  let programId: string;

  beforeAll(async () => {
    const scene = await distributionScene({
      people: 9,
      program: {
        code: 'fuel',
        basket: [
          { item: 'fuel_litre', quantity: 60, unit: 'litre' },
          { item: 'oil_can', quantity: 1, unit: 'can' },
        ],
      },
    });
    ({ kit, supervisor, operator, issuer, programId } = scene);
    // Safe: the scene made nine people.
    [holder, second, revoked, fourth, fifth, ...batched] = scene.people as [
      CardHolder,
      CardHolder,
      CardHolder,
      CardHolder,
      CardHolder,
      ...CardHolder[],
    ];
    const revoke = await kit.app.inject({
      method: 'POST',
      url: `/api/credentials/${revoked.credentialId}/revoke?purpose=enrolment`,
      cookies: issuer.cookies,
      payload: { reason: 'stolen' },
    });
    expect(revoke.statusCode).toBe(200);
    pointA = await createPoint(kit, supervisor, {
      kind: 'fuel_station',
      operators: [operator.operatorId],
      programs: [programId],
    });
    pointB = await createPoint(kit, supervisor, {
      kind: 'fuel_station',
      operators: [operator.operatorId],
      programs: [programId],
    });
    for (const point of [pointA, pointB]) {
      for (const [item, quantity] of [
        ['fuel_litre', 1000],
        ['oil_can', 50],
      ] as const) {
        await stockDelivered(kit, operator, point, { item, quantity });
      }
    }
  }, 120_000);
  afterAll(async () => kit?.close());

  const post = (url: string, payload: object, who: SignedIn = operator) =>
    pointCall(kit)('POST', url, who, payload);

  async function lookup(qrText: string, point = pointA): Promise<EntitlementAnswer[]> {
    const response = await post(`${point}/entitlement-lookups`, { qrText });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { entitlements: EntitlementAnswer[] }).entitlements;
  }

  const onHand = (point: string, item: string) => onHandAt(kit, supervisor, point, item);

  it('answers what the holder may take and what remains, and nothing of their file', async () => {
    const response = await post(`${pointA}/entitlement-lookups`, { qrText: holder.qrText });
    expect(response.statusCode).toBe(200);
    const [entitlement] = (response.json() as { entitlements: EntitlementAnswer[] }).entitlements;
    expect(entitlement).toMatchObject({
      state: 'activated',
      items: [
        { item: 'fuel_litre', granted: 60, remaining: 60 },
        { item: 'oil_can', granted: 1, remaining: 1 },
      ],
    });
    expect(response.body).not.toContain(holder.uin);
    expect(response.body).not.toContain(holder.personId);
    expect(response.body).not.toContain('Pérez');
    expect(await auditedAs(kit, String(response.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'allowed',
      reasonCode: null,
    });
  });

  it('redeems nothing with a revoked or a forged card: refused, audited, stock untouched', async () => {
    const entitlementOf = async (personId: string) =>
      (
        await kit.database.db
          .selectFrom('entitlement')
          .select('id')
          .where('person_id', '=', personId)
          .executeTakeFirstOrThrow()
      ).id;
    const forged = `${holder.qrText.slice(0, -6)}${holder.qrText.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;
    const before = await onHand(pointB, 'fuel_litre');
    for (const [qrText, personId] of [
      [revoked.qrText, revoked.personId],
      [forged, holder.personId],
    ] as const) {
      const entitlementId = await entitlementOf(personId);
      const response = await post(`${pointB}/redemptions`, {
        clientId: randomUUID(),
        qrText,
        entitlementId,
        lines: [{ item: 'fuel_litre', quantity: 5 }],
      });
      expect(response.statusCode, response.body).toBe(422);
      expect(response.json().code).toBe('AMP_CARD_REFUSED');
      expect(await auditedAs(kit, String(response.headers['x-request-id']))).toContainEqual({
        action: 'distribution.redeem',
        outcome: 'denied',
        reasonCode: 'AMP_CARD_REFUSED',
      });
      const redeemed = await kit.database.db
        .selectFrom('redemption')
        .select('id')
        .where('entitlement_id', '=', entitlementId)
        .execute();
      expect(redeemed).toEqual([]);
    }
    expect(await onHand(pointB, 'fuel_litre')).toBe(before);
  });

  it('refuses a revoked, a forged and an unreadable card with the reason, and audits it', async () => {
    const forged = `${holder.qrText.slice(0, -6)}${holder.qrText.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;
    for (const [qrText, status] of [
      [revoked.qrText, 'revoked'],
      [forged, undefined],
      ['NOT A CARD', 'malformed'],
    ] as const) {
      const response = await post(`${pointA}/entitlement-lookups`, { qrText });
      expect(response.statusCode, qrText).toBe(422);
      const problem = response.json() as { code: string; errors: { code: string }[] };
      expect(problem.code).toBe('AMP_CARD_REFUSED');
      if (status) expect(problem.errors[0]?.code).toBe(status);
      expect(await auditedAs(kit, String(response.headers['x-request-id']))).toContainEqual({
        action: 'distribution.redeem',
        outcome: 'denied',
        reasonCode: 'AMP_CARD_REFUSED',
      });
    }
  });

  it('redeems part of a basket, keeps what remains, and signs the receipt', async () => {
    const [entitlement] = await lookup(holder.qrText);
    const body = {
      clientId: randomUUID(),
      qrText: holder.qrText,
      entitlementId: entitlement?.entitlementId,
      lines: [{ item: 'fuel_litre', quantity: 30 }],
    };
    const first = await post(`${pointA}/redemptions`, body);
    expect(first.statusCode, first.body).toBe(201);
    const answer = first.json() as {
      entitlement: EntitlementAnswer;
      qrText: string;
      receipt: object;
    };
    expect(answer.entitlement.state).toBe('partially_consumed');
    expect(answer.entitlement.items).toContainEqual(
      expect.objectContaining({ item: 'fuel_litre', remaining: 30 }),
    );
    const receipt = verifyReceipt(receiptKeyFrom(kit.masterKey).publicKey, answer.qrText);
    expect(receipt).toEqual(answer.receipt);
    expect(receipt?.lines).toEqual([
      { item: 'fuel_litre', unit: 'litre', quantity: 30, remainingAfter: 30 },
    ]);
    expect(answer.qrText).not.toContain(holder.uin);

    // A retry gets the first answer; the same key with another body is refused.
    const retry = await post(`${pointA}/redemptions`, body);
    expect(retry.json()).toEqual(first.json());
    const other = await post(`${pointA}/redemptions`, {
      ...body,
      lines: [{ item: 'fuel_litre', quantity: 31 }],
    });
    expect(other.json().code).toBe('AMP_IDEMPOTENCY_MISMATCH');
    expect(await onHand(pointA, 'fuel_litre')).toBe(970);

    const tooMuch = await post(`${pointA}/redemptions`, {
      ...body,
      clientId: randomUUID(),
      lines: [{ item: 'fuel_litre', quantity: 31 }],
    });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().code).toBe('AMP_QUANTITY_ABOVE_REMAINING');
    expect(await auditedAs(kit, String(tooMuch.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_QUANTITY_ABOVE_REMAINING',
    });
    expect(await onHand(pointA, 'fuel_litre')).toBe(970);

    const rest = await post(`${pointB}/redemptions`, {
      ...body,
      clientId: randomUUID(),
      lines: [
        { item: 'fuel_litre', quantity: 30 },
        { item: 'oil_can', quantity: 1 },
      ],
    });
    expect(rest.statusCode, rest.body).toBe(201);
    expect((rest.json() as { entitlement: EntitlementAnswer }).entitlement.state).toBe('consumed');
    const [after] = await lookup(holder.qrText, pointB);
    expect(after?.state).toBe('consumed');
  });

  it('counts one of many simultaneous redemptions of one entitlement at two points', async () => {
    const [entitlement] = await lookup(second.qrText);
    const stockBefore = (await onHand(pointA, 'fuel_litre')) + (await onHand(pointB, 'fuel_litre'));
    const attempts = Array.from({ length: 16 }, (_, index) =>
      post(`${index % 2 === 0 ? pointA : pointB}/redemptions`, {
        clientId: randomUUID(),
        qrText: second.qrText,
        entitlementId: entitlement?.entitlementId,
        lines: [{ item: 'fuel_litre', quantity: 60 }],
      }),
    );
    const answers = await Promise.all(attempts);
    const statuses = answers.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    for (const response of answers.filter((each) => each.statusCode !== 201)) {
      expect(response.json().code).toBe('AMP_QUANTITY_ABOVE_REMAINING');
    }
    const stockAfter = (await onHand(pointA, 'fuel_litre')) + (await onHand(pointB, 'fuel_litre'));
    expect(stockBefore - stockAfter).toBe(60);
    const redemptions = await kit.database.db
      .selectFrom('redemption')
      .select('id')
      .where('entitlement_id', '=', entitlement?.entitlementId ?? '')
      .execute();
    expect(redemptions).toHaveLength(1);
  });

  it('counts simultaneous partial redemptions of a touched entitlement against what each left', async () => {
    // The state row exists (a first redemption made it): each attempt locks it and reads the
    // remaining quantities in the same statement, which must see what the one before it left.
    // Operators of their own: one operator's redemptions queue on their read-quota row.
    const operators: SignedIn[] = [];
    for (let index = 0; index < 6; index += 1) {
      operators.push(await signIn(kit, ['distribution_operator'], ['VE-A']));
    }
    for (const point of [pointA, pointB]) {
      const changed = await kit.app.inject({
        method: 'POST',
        url: `/api/distribution/points/${point}/changes?purpose=distribution`,
        cookies: supervisor.cookies,
        payload: { addOperators: operators.map((each) => each.operatorId) },
      });
      expect(changed.statusCode, changed.body).toBe(200);
    }
    const [entitlement] = await lookup(fifth.qrText);
    const redeem = (point: string, quantity: number, index = 0) =>
      post(
        `${point}/redemptions`,
        {
          clientId: randomUUID(),
          qrText: fifth.qrText,
          entitlementId: entitlement?.entitlementId,
          lines: [{ item: 'fuel_litre', quantity }],
        },
        operators[index % operators.length],
      );
    expect((await redeem(pointA, 10)).statusCode).toBe(201);
    const stockBefore = (await onHand(pointA, 'fuel_litre')) + (await onHand(pointB, 'fuel_litre'));
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        redeem(index % 2 === 0 ? pointA : pointB, 10, index),
      ),
    );
    // 50 litres remained: five of twelve attempts of 10 succeed, each seeing the last one's rest.
    const taken = answers.filter((response) => response.statusCode === 201);
    expect(taken).toHaveLength(5);
    const remainingSeen = taken
      .map(
        (response) =>
          (response.json() as { entitlement: EntitlementAnswer }).entitlement.items.find(
            (line) => line.item === 'fuel_litre',
          )?.remaining,
      )
      .sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(remainingSeen).toEqual([0, 10, 20, 30, 40]);
    for (const response of answers.filter((each) => each.statusCode !== 201)) {
      expect(response.json().code).toBe('AMP_QUANTITY_ABOVE_REMAINING');
    }
    const stockAfter = (await onHand(pointA, 'fuel_litre')) + (await onHand(pointB, 'fuel_litre'));
    expect(stockBefore - stockAfter).toBe(50);
    const [after] = await lookup(fifth.qrText);
    expect(after?.items.find((line) => line.item === 'fuel_litre')?.remaining).toBe(0);
  });

  it('writes concurrent redemptions together, each exactly once, conflicting ones refused or replayed', async () => {
    const [six, seven, eight, nine] = await Promise.all(
      batched.map(async (each) => (await lookup(each.qrText))[0]?.entitlementId ?? ''),
    );
    const stockBefore = (await onHand(pointA, 'fuel_litre')) + (await onHand(pointB, 'fuel_litre'));
    const body = (holder: CardHolder, entitlementId: string, item: string, quantity: number) => ({
      clientId: randomUUID(),
      qrText: holder.qrText,
      entitlementId,
      lines: [{ item, quantity }],
    });
    const [p6, p7, p8, p9] = batched as [CardHolder, CardHolder, CardHolder, CardHolder];
    const retried = body(p8, eight ?? '', 'fuel_litre', 10);
    const reused = body(p9, nine ?? '', 'fuel_litre', 10);
    const sent: [string, object][] = [
      [pointA, body(p6, six ?? '', 'fuel_litre', 20)], // 0, 1: one of the two fits in 60
      [pointB, body(p6, six ?? '', 'fuel_litre', 50)],
      [pointA, body(p7, seven ?? '', 'fuel_litre', 60)], // 2, 3: the same entitlement, two points
      [pointB, body(p7, seven ?? '', 'fuel_litre', 60)],
      [pointA, retried], // 4, 5: a retry with the same key and body
      [pointA, retried],
      [pointB, body(p8, eight ?? '', 'oil_can', 1)], // 6: another item of the same entitlement
      [pointA, reused], // 7, 8: the same key with another body
      [pointA, { ...reused, lines: [{ item: 'fuel_litre', quantity: 20 }] }],
      [pointB, body(p9, nine ?? '', 'fuel_litre', 100)], // 9: more than remains
    ];
    const answers = await Promise.all(
      sent.map(([point, payload]) => post(`${point}/redemptions`, payload)),
    );
    const status = answers.map((response) => response.statusCode);
    const code = (index: number) => answers[index]?.json().code;
    expect(status.slice(0, 2).filter((each) => each === 201)).toHaveLength(1);
    expect(status.slice(2, 4).filter((each) => each === 201)).toHaveLength(1);
    expect([code(0), code(1), code(2), code(3)].filter(Boolean)).toEqual([
      'AMP_QUANTITY_ABOVE_REMAINING',
      'AMP_QUANTITY_ABOVE_REMAINING',
    ]);
    expect(status.slice(4, 7)).toEqual([201, 201, 201]);
    expect(answers[4]?.json().redemptionId).toBe(answers[5]?.json().redemptionId);
    expect(status.slice(7, 9).filter((each) => each === 201)).toHaveLength(1);
    expect([code(7), code(8)].filter(Boolean)).toEqual(['AMP_IDEMPOTENCY_MISMATCH']);
    expect(code(9)).toBe('AMP_QUANTITY_ABOVE_REMAINING');

    const stored = await kit.database.db
      .selectFrom('redemption as r')
      .innerJoin('redemption_line as l', 'l.redemption_id', 'r.id')
      .select(['r.id', 'r.entitlement_id', 'r.redeemed_at', 'l.item', 'l.quantity'])
      .where('r.entitlement_id', 'in', [six, seven, eight, nine] as string[])
      .execute();
    const acknowledged = new Set(
      answers.filter((each) => each.statusCode === 201).map((each) => each.json().redemptionId),
    );
    // Exactly the acknowledged redemptions are stored, each once.
    expect(new Set(stored.map((row) => row.id))).toEqual(acknowledged);
    expect(stored).toHaveLength(5);
    const litres = stored
      .filter((row) => row.item === 'fuel_litre')
      .reduce((sum, row) => sum + row.quantity, 0);
    const stockAfter = (await onHand(pointA, 'fuel_litre')) + (await onHand(pointB, 'fuel_litre'));
    expect(stockBefore - stockAfter).toBe(litres);
    for (const [index, holderOf] of [p6, p7, p8, p9].entries()) {
      const taken = stored
        .filter((row) => row.entitlement_id === [six, seven, eight, nine][index])
        .filter((row) => row.item === 'fuel_litre')
        .reduce((sum, row) => sum + row.quantity, 0);
      const [after] = await lookup(holderOf.qrText);
      expect(after?.items.find((line) => line.item === 'fuel_litre')?.remaining).toBe(60 - taken);
    }
    // Each answer has its own entry: allowed for a write (the replay wrote nothing new), denied
    // for a refusal.
    for (const [index, response] of answers.entries()) {
      const entries = await auditedAs(kit, String(response.headers['x-request-id']));
      const outcome = response.statusCode === 201 ? 'allowed' : 'denied';
      if (index === 5 || index === 4) continue;
      expect(entries.filter((entry) => entry.action === 'distribution.redeem')).toEqual([
        expect.objectContaining({ outcome }),
      ]);
    }
    // Whether some of them shared a batch depends on when each reached the batcher (one that
    // arrives while no batch is in flight starts its own): CI's PostgreSQL lane once wrote all
    // five apart. What this test holds is exactly once whatever the batching.
  });

  it('refuses another person’s entitlement, an unknown one and one the point does not serve, and locks none', async () => {
    const [theirs] = await lookup(holder.qrText);
    const elsewhere = await createPoint(kit, supervisor, {
      kind: 'fuel_station',
      operators: [operator.operatorId],
    });
    const attempt = (point: string, entitlementId: string) =>
      post(`${point}/redemptions`, {
        clientId: randomUUID(),
        qrText: second.qrText,
        entitlementId,
        lines: [{ item: 'oil_can', quantity: 1 }],
      });
    const stateRows = async () =>
      Number(
        (
          await kit.database.db
            .selectFrom('entitlement_redemption_state')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const rowsBefore = await stateRows();
    const [secondOwn] = await lookup(second.qrText);
    const refusals = [
      [pointA, theirs?.entitlementId ?? '', 'AMP_ENTITLEMENT_NOT_REDEEMABLE'],
      [pointA, randomUUID(), 'AMP_ENTITLEMENT_NOT_REDEEMABLE'],
      [elsewhere, secondOwn?.entitlementId ?? '', 'AMP_PROGRAM_NOT_SERVED'],
    ] as const;
    for (const [point, entitlementId, code] of refusals) {
      const refused = await attempt(point, entitlementId);
      expect(refused.statusCode, refused.body).toBeGreaterThanOrEqual(400);
      expect(refused.json().code).toBe(code);
    }
    expect(await stateRows()).toBe(rowsBefore);
  });

  it('cancels what remains when the registry records the death, in the same commit', async () => {
    const [entitlement] = await lookup(fourth.qrText);
    const partial = await post(`${pointA}/redemptions`, {
      clientId: randomUUID(),
      qrText: fourth.qrText,
      entitlementId: entitlement?.entitlementId,
      lines: [{ item: 'fuel_litre', quantity: 10 }],
    });
    expect(partial.statusCode).toBe(201);
    const death = await kit.app.inject({
      method: 'POST',
      url: `/api/persons/${fourth.personId}/death?purpose=enrolment`,
      cookies: issuer.cookies,
      payload: { clientId: randomUUID(), dateOfDeath: '2026-12-02' },
    });
    expect(death.statusCode, death.body).toBeLessThan(300);
    const state = await kit.database.db
      .selectFrom('entitlement_redemption_state')
      .select(['state', 'state_reason'])
      .where('entitlement_id', '=', entitlement?.entitlementId ?? '')
      .executeTakeFirstOrThrow();
    expect(state).toEqual({ state: 'cancelled', state_reason: 'death' });
    // The card was revoked in the same commit: the point refuses it.
    const after = await post(`${pointA}/entitlement-lookups`, { qrText: fourth.qrText });
    expect(after.json().code).toBe('AMP_CARD_REFUSED');
  });

  it('counts a redemption against the read quota in its own transaction, and past it writes nothing', async () => {
    const counter = await signIn(kit, ['distribution_operator'], ['VE-A']);
    const point = await createPoint(kit, supervisor, {
      kind: 'fuel_station',
      operators: [counter.operatorId],
      programs: [programId],
    });
    await stockDelivered(kit, counter, point, { item: 'oil_can', quantity: 10 });
    // The second holder's can is left (their litres went in the simultaneous test).
    const [entitlement] = await lookup(second.qrText);
    const redeem = () =>
      post(
        `${point}/redemptions`,
        {
          clientId: randomUUID(),
          qrText: second.qrText,
          entitlementId: entitlement?.entitlementId,
          lines: [{ item: 'oil_can', quantity: 1 }],
        },
        counter,
      );
    const reads = async () =>
      (
        await kit.database.db
          .selectFrom('operator_read_window')
          .select((eb) => eb.fn.sum<string>('reads').as('reads'))
          .where('operator_id', '=', counter.operatorId)
          .executeTakeFirstOrThrow()
      ).reads;
    const redeemed = async () =>
      (
        await kit.database.db
          .selectFrom('redemption')
          .select('id')
          .where('point_id', '=', point)
          .execute()
      ).length;
    expect((await redeem()).statusCode).toBe(201);
    expect(Number(await reads())).toBe(1);
    // The hour's quota used up (as many reads elsewhere would): refused, nothing written.
    await kit.database.db
      .updateTable('operator_read_window')
      .set({ reads: 1200 })
      .where('operator_id', '=', counter.operatorId)
      .execute();
    const refused = await redeem();
    expect(refused.statusCode, refused.body).toBe(429);
    expect(refused.json().code).toBe('AMP_QUOTA_EXCEEDED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_QUOTA_EXCEEDED',
    });
    expect(Number(await reads())).toBe(1200);
    expect(await redeemed()).toBe(1);
    expect(await onHand(point, 'oil_can')).toBe(9);
    const alerts = await kit.database.db
      .selectFrom('security_alert')
      .select('kind')
      .where('operator_id', '=', counter.operatorId)
      .execute();
    expect(alerts).toEqual([{ kind: 'read_quota_exceeded' }]);
  });

  it('answers nothing for a person the cycle did not select', async () => {
    const third = await personWithCard(kit, issuer);
    // The program's cycle was computed before this person was enrolled: no entitlement.
    expect(await lookup(third.qrText)).toEqual([]);
  });
});
