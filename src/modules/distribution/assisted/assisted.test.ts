import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHousehold, buildPerson } from '../../../../test/factories.js';
import { limits } from '../../../limits.js';
import type { EntitlementAnswer } from '../../../shared/api/distribution.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { localDate } from '../../notifications/index.js';
import { receivedText } from '../../notifications/received-text-test-kit.js';
import {
  auditedAs,
  createPoint,
  inKindProgramWithCycle,
  personWithCard,
  type SignedIn,
  signIn,
  signInSupervisor,
} from '../distribution-test-kit.js';
import { receiptKeyFrom, verifyReceipt } from '../redemption/receipt.js';
import { stockDelivered } from '../stock/stock-test-kit.js';

/**
 * Redemption without the card over HTTP (issue #15, point 4), on PostgreSQL and PGlite alike:
 * by ID number and a second check (a texted one-time code, the photo with the operator's
 * attestation, a household member's card), and the attacks: a wrong, expired or reused code,
 * another operator or another point using someone's check, an operator past the daily bound.
 */
describe('redemption without the card', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let colleague: SignedIn;
  let pointA: string;
  let pointB: string;
  let cycleId: string;
  let ana: { id: string; uin: string };
  let beto: { id: string; uin: string };
  let carla: { id: string; uin: string };
  let member: Awaited<ReturnType<typeof personWithCard>>;
  let stranger: Awaited<ReturnType<typeof personWithCard>>;

  beforeAll(async () => {
    kit = await buildAccessTestApp({ rateLimitRequestsMax: 100_000 });
    supervisor = await signInSupervisor(kit);
    operator = await signIn(kit, ['distribution_operator'], ['VE-A']);
    colleague = await signIn(kit, ['distribution_operator'], ['VE-A']);
    const issuer = await signIn(kit, ['registry_supervisor'], ['VE-A']);
    ana = await buildPerson(kit, { phone: '+584121234567' });
    beto = await buildPerson(kit, { sealed: { photo: 'iVBORw0KGgo=' } });
    carla = await buildPerson(kit);
    member = await personWithCard(kit, issuer);
    stranger = await personWithCard(kit, issuer);
    await buildHousehold(kit, {
      members: [
        { person: carla, relationship: 'head' },
        { person: { id: member.personId }, relationship: 'child' },
      ],
    });
    const { programId, cycleId: cycle } = await inKindProgramWithCycle(kit, {
      code: 'food',
      basket: [{ item: 'food_box', quantity: 2, unit: 'box' }],
    });
    const everyone = [operator.operatorId, colleague.operatorId];
    cycleId = cycle;
    pointA = await createPoint(kit, supervisor, { operators: everyone, programs: [programId] });
    pointB = await createPoint(kit, supervisor, { operators: everyone, programs: [programId] });
    await stockDelivered(kit, operator, pointA, { item: 'food_box', quantity: 100 });
  }, 120_000);
  afterAll(async () => kit?.close());

  const post = (url: string, payload: object, who: SignedIn = operator) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/distribution/points/${url}?purpose=distribution`,
      cookies: who.cookies,
      payload,
    });

  async function start(uin: string, method: string, who = operator, point = pointA) {
    const response = await post(
      `${point}/assisted-redemptions`,
      { uin, reason: 'lost', method },
      who,
    );
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { assistedId: string; codeExpiresAt: string; photo: string | null };
  }

  /** The last code texted to a person, as their phone shows it (the outbox keeps it sealed). */
  async function textedCode(personId: string): Promise<string> {
    const text = await receivedText(
      { db: kit.database.db, masterKey: kit.masterKey },
      { personId },
    );
    expect(text.templateId).toBe('distribution.redemption_code');
    return text.code ?? '';
  }

  async function refusedAs(response: Awaited<ReturnType<typeof post>>, code: string) {
    expect(response.statusCode, response.body).toBe(422);
    const problem = response.json() as { code: string; errors: { code: string }[] };
    expect(problem.code).toBe('AMP_SECOND_CHECK_FAILED');
    expect(problem.errors[0]?.code).toBe(code);
    expect(await auditedAs(kit, String(response.headers['x-request-id']))).toContainEqual({
      action: 'distribution.assisted_redeem',
      outcome: 'denied',
      reasonCode: 'AMP_SECOND_CHECK_FAILED',
    });
  }

  it('texts a single-use code, refuses the wrong one, another operator and another point', async () => {
    const started = await start(ana.uin, 'phone_code');
    const base = `${pointA}/assisted-redemptions/${started.assistedId}`;
    const code = await textedCode(ana.id);
    expect(code).toMatch(/^\d{6}$/);
    // Stored as a keyed hash only.
    const stored = await kit.database.db
      .selectFrom('assisted_redemption')
      .select(['code_hash'])
      .where('id', '=', started.assistedId)
      .executeTakeFirstOrThrow();
    expect(stored.code_hash?.toString('hex')).not.toContain(Buffer.from(code).toString('hex'));
    expect(stored.code_hash?.length).toBe(32);

    const wrong = code === '000000' ? '111111' : '000000';
    await refusedAs(await post(`${base}/check`, { code: wrong }), 'wrong_code');
    // The right code, but typed by another operator, or at another point: refused.
    await refusedAs(await post(`${base}/check`, { code }, colleague), 'unknown');
    await refusedAs(
      await post(`${pointB}/assisted-redemptions/${started.assistedId}/check`, { code }),
      'unknown',
    );
    const redeem = {
      clientId: randomUUID(),
      entitlementId: randomUUID(),
      lines: [{ item: 'food_box', quantity: 1 }],
    };
    await refusedAs(await post(`${base}/redemptions`, redeem), 'not_verified');

    const passed = await post(`${base}/check`, { code });
    expect(passed.statusCode, passed.body).toBe(200);
    const [entitlement] = (passed.json() as { entitlements: EntitlementAnswer[] }).entitlements;
    expect(entitlement).toMatchObject({ state: 'activated', items: [{ remaining: 2 }] });
    expect(passed.body).not.toContain(ana.uin);
    // A code is accepted once.
    await refusedAs(await post(`${base}/check`, { code }), 'used');

    const body = { ...redeem, entitlementId: entitlement?.entitlementId };
    const first = await post(`${base}/redemptions`, body);
    expect(first.statusCode, first.body).toBe(201);
    const answer = first.json() as { qrText: string; entitlement: EntitlementAnswer };
    expect(answer.entitlement.state).toBe('partially_consumed');
    const receipt = verifyReceipt(receiptKeyFrom(kit.masterKey).publicKey, answer.qrText);
    expect(receipt?.mode).toBe('assisted');
    expect((await post(`${base}/redemptions`, body)).json()).toEqual(first.json());
    // Another point cannot redeem under this point's check.
    await refusedAs(
      await post(`${pointB}/assisted-redemptions/${started.assistedId}/redemptions`, {
        ...body,
        clientId: randomUUID(),
      }),
      'unknown',
    );
    const rows = await kit.database.db
      .selectFrom('redemption')
      .select(['mode', 'assisted_id'])
      .where('entitlement_id', '=', entitlement?.entitlementId ?? '')
      .execute();
    expect(rows).toEqual([{ mode: 'assisted', assisted_id: started.assistedId }]);

    // The person's access history shows each step.
    const auditor = await signIn(kit, ['auditor'], ['VE-A']);
    const history = await kit.app.inject({
      url: `/api/persons/${ana.id}/access-history?purpose=audit`,
      cookies: auditor.cookies,
    });
    expect(history.statusCode, history.body).toBe(200);
    const actions = (history.json() as { entries: { action: string; outcome: string }[] }).entries;
    expect(actions).toContainEqual(
      expect.objectContaining({ action: 'distribution.assisted_redeem', outcome: 'allowed' }),
    );
    expect(actions).toContainEqual(
      expect.objectContaining({ action: 'distribution.assisted_redeem', outcome: 'denied' }),
    );
  });

  it('refuses an expired code, and fails the check after too many wrong codes', async () => {
    const expiring = await start(ana.uin, 'phone_code');
    const code = await textedCode(ana.id);
    await kit.database.asAdmin((admin) =>
      admin
        .updateTable('assisted_redemption')
        .set({ code_expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', expiring.assistedId)
        .execute(),
    );
    const base = `${pointA}/assisted-redemptions/${expiring.assistedId}`;
    await refusedAs(await post(`${base}/check`, { code }), 'expired');
    await refusedAs(await post(`${base}/check`, { code }), 'failed');

    const guessed = await start(ana.uin, 'phone_code');
    const right = await textedCode(ana.id);
    const wrong = right === '000000' ? '111111' : '000000';
    const other = `${pointA}/assisted-redemptions/${guessed.assistedId}`;
    for (let attempt = 0; attempt < limits.distribution.assistedCodeAttemptsMax; attempt += 1) {
      await refusedAs(await post(`${other}/check`, { code: wrong }), 'wrong_code');
    }
    await refusedAs(await post(`${other}/check`, { code: right }), 'failed');
  });

  it('shows the photo on file and needs the operator to attest it', async () => {
    const started = await start(beto.uin, 'photo_attested');
    expect(started.photo).toBe('iVBORw0KGgo=');
    const base = `${pointA}/assisted-redemptions/${started.assistedId}`;
    await refusedAs(await post(`${base}/check`, {}), 'attestation');
    const passed = await post(`${base}/check`, { attestation: true });
    expect(passed.statusCode, passed.body).toBe(200);
    expect((passed.json() as { entitlements: EntitlementAnswer[] }).entitlements).toHaveLength(1);
    // A person without a photo on file cannot be checked this way.
    const none = await post(`${pointA}/assisted-redemptions`, {
      uin: carla.uin,
      reason: 'never_had',
      method: 'photo_attested',
    });
    await refusedAs(none, 'no_photo');
  });

  it("accepts a household member's valid card and no one else's", async () => {
    const started = await start(carla.uin, 'household_card');
    const base = `${pointA}/assisted-redemptions/${started.assistedId}`;
    await refusedAs(
      await post(`${base}/check`, { householdQrText: stranger.qrText }),
      'not_household',
    );
    await refusedAs(await post(`${base}/check`, { householdQrText: 'NOT A CARD' }), 'malformed');
    const passed = await post(`${base}/check`, { householdQrText: member.qrText });
    expect(passed.statusCode, passed.body).toBe(200);
    const row = await kit.database.db
      .selectFrom('assisted_redemption')
      .select(['household_credential_id'])
      .where('id', '=', started.assistedId)
      .executeTakeFirstOrThrow();
    expect(row.household_credential_id?.toString('hex')).toBe(member.credentialId);
  });

  it('stops an operator at the daily bound, and lists it all for the supervisor', async () => {
    const busy = await signIn(kit, ['distribution_operator'], ['VE-A']);
    const change = await kit.app.inject({
      method: 'POST',
      url: `/api/distribution/points/${pointA}/changes?purpose=distribution`,
      cookies: supervisor.cookies,
      payload: { addOperators: [busy.operatorId] },
    });
    expect(change.statusCode).toBe(200);
    const max = limits.distribution.assistedPerOperatorPerDayDefault;
    const now = new Date();
    // The day's earlier ones, written as the owner to keep the test short.
    await kit.database.asAdmin((admin) =>
      admin
        .insertInto('assisted_redemption')
        .values(
          Array.from({ length: max - 1 }, () => ({
            id: randomUUID(),
            point_id: pointA,
            operator_id: busy.operatorId,
            person_id: beto.id,
            reason: 'damaged' as const,
            method: 'photo_attested' as const,
            code_hash: null,
            code_expires_at: null,
            household_credential_id: null,
            started_at: now,
            started_day: localDate(now),
            verified_at: null,
            failed_at: null,
          })),
        )
        .execute(),
    );
    await start(beto.uin, 'photo_attested', busy);
    const over = await post(
      `${pointA}/assisted-redemptions`,
      { uin: beto.uin, reason: 'lost', method: 'photo_attested' },
      busy,
    );
    expect(over.statusCode, over.body).toBe(429);
    expect(over.json().code).toBe('AMP_ASSISTED_LIMIT_REACHED');
    expect(await auditedAs(kit, String(over.headers['x-request-id']))).toContainEqual({
      action: 'distribution.assisted_redeem',
      outcome: 'denied',
      reasonCode: 'AMP_ASSISTED_LIMIT_REACHED',
    });
    // The refused one left no row; another operator still may.
    await start(beto.uin, 'photo_attested', colleague);

    const listing = await kit.app.inject({
      url: `/api/distribution/points/${pointA}/assisted-redemptions?purpose=distribution`,
      cookies: supervisor.cookies,
    });
    expect(listing.statusCode, listing.body).toBe(200);
    const list = listing.json() as {
      byOperator: { operatorId: string; count: number }[];
      assisted: { operatorId: string; redemptions: number; verifiedAt: string | null }[];
    };
    expect(list.byOperator).toContainEqual({ operatorId: busy.operatorId, count: max });
    expect(list.assisted.some((each) => each.redemptions === 1)).toBe(true);
    expect(listing.body).not.toContain(beto.uin);
    // The point's reconciliation counts the one redemption made without the card.
    const reconciliation = await kit.app.inject({
      url: `/api/distribution/points/${pointA}/cycles/${cycleId}/reconciliation?purpose=distribution`,
      cookies: supervisor.cookies,
    });
    expect(reconciliation.json().figures).toMatchObject({ redemptions: 1, assisted: 1 });
    expect(listing.body).not.toContain(beto.id);
    // An operator does not review: the table gives it to the supervisor only.
    const mine = await kit.app.inject({
      url: `/api/distribution/points/${pointA}/assisted-redemptions?purpose=distribution`,
      cookies: operator.cookies,
    });
    expect(mine.statusCode).toBe(403);
  });

  it('answers an unknown number, a person of elsewhere and one with nothing here alike, with no photo', async () => {
    // An insider with one operator account tries ID numbers: before, any active number in the
    // country answered 201 with that person's photo, and an unknown one 404.
    const photo = 'iVBORw0KGgoAAAANSUhEUg==';
    const elsewhere = await buildPerson(kit, {
      region: 'VE-Z',
      phone: '+584121230001',
      sealed: { photo },
    });
    const nothingHere = await buildPerson(kit, { phone: '+584121230002', sealed: { photo } });
    const rowsBefore = await assistedRows();
    const answers: { status: number; body: Record<string, unknown> }[] = [];
    for (const uin of ['2000000000', elsewhere.uin, nothingHere.uin]) {
      for (const method of ['photo_attested', 'phone_code', 'household_card']) {
        const response = await post(`${pointA}/assisted-redemptions`, {
          uin,
          reason: 'lost',
          method,
        });
        expect(response.body).not.toContain(photo);
        const {
          instance: _instance,
          requestId: _requestId,
          ...body
        } = response.json() as Record<string, unknown>;
        answers.push({ status: response.statusCode, body });
        expect(await auditedAs(kit, String(response.headers['x-request-id']))).toContainEqual({
          action: 'distribution.assisted_redeem',
          outcome: 'denied',
          reasonCode: 'AMP_NOTHING_TO_REDEEM',
        });
      }
    }
    expect(answers[0]).toMatchObject({ status: 404, body: { code: 'AMP_NOTHING_TO_REDEEM' } });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    // Nothing started, nothing texted.
    expect(await assistedRows()).toBe(rowsBefore);
    const texted = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('notification_outbox')
        .select('person_id')
        .where('person_id', 'in', [elsewhere.id, nothingHere.id])
        .execute(),
    );
    expect(texted).toEqual([]);
  });

  async function assistedRows(): Promise<number> {
    const counted = await kit.database.db
      .selectFrom('assisted_redemption')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(counted.count);
  }
});
