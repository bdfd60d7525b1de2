import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  sessionCookieFrom,
} from '../../access/access-test-kit.js';
import { personWithCard, type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import { lookupAccounts, postedBalance } from '../../ledger/index.js';
import { receivedCode } from '../../notifications/received-text-test-kit.js';
import { walletAccountId } from '../accounts/account-ids.js';
import { pinSprayScan } from '../controls/pin-alerts.js';
import {
  fundWallet,
  payingCitizen,
  pinOnFile,
  registeredMerchant,
  takeoverAlertsScanned,
} from './merchant-test-kit.js';
import { pinChecker, refuseMerchantOverPinBound } from './payment-pin.js';

/**
 * The attack a reviewer played (one enrolment clerk and any merchant empty a wallet of their
 * region) and the guard that stops it (docs/PAYMENTS-PIN.md), on the route level.
 */
describe('payment PIN guard', () => {
  let kit: AccessTestApp;
  let clerk: SignedIn;
  let otherClerk: SignedIn;
  let merchant: Awaited<ReturnType<typeof registeredMerchant>>;
  const hourMs = 3_600_000;

  beforeAll(async () => {
    kit = await buildAccessTestApp({
      rateLimitRequestsMax: 10_000,
      pinGuard: { staffSetsPerOperatorPerDay: 3, merchantWrongPinsPerDay: 4, sprayCards: 2 },
    });
    clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    otherClerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    merchant = await registeredMerchant(kit);
  }, 120_000);
  afterAll(async () => kit?.close());

  const balance = async (personId: string) => {
    const [account] = await lookupAccounts(kit.database.db, [walletAccountId(personId, 'VES')]);
    return account === undefined ? 0n : postedBalance(account);
  };
  const request = async (amountMinor: string) => {
    const made = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchant.merchantId}/requests?purpose=distribution`,
      cookies: merchant.staff.cookies,
      payload: { amountMinor, reference: `R-${randomUUID().slice(0, 6)}` },
    });
    return (made.json() as { token: string }).token;
  };
  const counterPay = async (cardQr: string, pin: string) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchant.merchantId}/counter-payments?purpose=distribution`,
      cookies: merchant.staff.cookies,
      payload: { token: await request('1000'), cardQr, pin },
    });
  const startCheck = (who: SignedIn, personId: string, body: object) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/payments/persons/${personId}/pin-checks?purpose=self`,
      cookies: who.cookies,
      payload: body,
    });
  const setPin = (who: SignedIn, personId: string, body: object) =>
    kit.app.inject({
      method: 'PUT',
      url: `/api/payments/persons/${personId}/pin?purpose=self`,
      cookies: who.cookies,
      payload: body,
    });
  const textsTo = async (personId: string, templateId: string) =>
    kit.database.db
      .selectFrom('notification_outbox')
      .select('parameters')
      .where('person_id', '=', personId)
      .where('template_id', '=', templateId)
      .orderBy('created_at', 'desc')
      .execute();
  const funded = async (phone: string | undefined, pin: string) => {
    const person = await personWithCard(kit, clerk, 'VE-A', phone ? { phone } : {});
    if (phone !== undefined) {
      await payingCitizen(kit, person, { fundedMinor: 10_000n, pin });
      return person;
    }
    // Without a phone there is no citizen session: the PIN as the person set it before.
    await fundWallet(kit, person.personId, 10_000n);
    await pinOnFile(kit.database.db, {
      personId: person.personId,
      pin,
      hashOptions: { memoryCost: 1024, timeCost: 1 },
      masterKey: kit.masterKey,
      now: kit.now(),
    });
    return person;
  };

  it('route A: a clerk resets the PIN without a second check, issues a card, pays at a counter: refused', async () => {
    const payer = await funded('+584125550911', '4821');
    const reset = await setPin(clerk, payer.personId, { pin: '1111' });
    expect(reset.statusCode).toBe(400);
    const card = await kit.app.inject({
      method: 'POST',
      url: `/api/persons/${payer.personId}/credentials?purpose=enrolment`,
      cookies: clerk.cookies,
      payload: { clientId: randomUUID() },
    });
    expect(card.statusCode).toBe(201);
    const paid = await counterPay((card.json() as { qrText: string }).qrText, '1111');
    expect(paid.statusCode).toBe(403);
    expect(await balance(payer.personId)).toBe(10_000n);
  });

  it('route B: a clerk prints a sign-in code, opens the session, sets a PIN and pays: refused', async () => {
    const person = await personWithCard(kit, clerk, 'VE-A', { phone: '+584125550912' });
    await fundWallet(kit, person.personId, 10_000n);
    const code = await kit.app.inject({
      method: 'POST',
      url: '/api/citizen-codes?purpose=self',
      cookies: clerk.cookies,
      payload: { personId: person.personId },
    });
    const verified = await kit.app.inject({
      method: 'POST',
      url: '/api/citizen/sign-in/verify',
      payload: { uin: person.uin, code: (code.json() as { code: string }).code },
    });
    const session = { amparo_session: sessionCookieFrom(verified) ?? '' };
    const pinSet = await kit.app.inject({
      method: 'PUT',
      url: '/api/payments/me/pin',
      cookies: session,
      payload: { pin: '1111' },
    });
    expect(pinSet.statusCode, pinSet.body).toBe(403);
    expect(pinSet.json()).toMatchObject({ code: 'AMP_PIN_CHECK_REQUIRED' });
    const paid = await kit.app.inject({
      method: 'POST',
      url: '/api/payments/me/payments',
      cookies: session,
      payload: { token: await request('4000'), pin: '1111' },
    });
    expect(paid.statusCode).toBe(409);
    expect(await balance(person.personId)).toBe(10_000n);
  });

  it('the texted code: wrong refused, right sets an unheld PIN; the person is told of the change and of each payment', async () => {
    const payer = await funded('+584125550913', '4821');
    const started = await startCheck(clerk, payer.personId, { method: 'phone_code' });
    expect(started.statusCode, started.body).toBe(201);
    const { checkId } = started.json() as { checkId: string };
    // The row holds no code (sealed, review F8); the phone shows it.
    const [sent] = await textsTo(payer.personId, 'payments.pin_code');
    expect(sent?.parameters).toEqual({ validMinutes: expect.stringMatching(/^\d+$/) });
    const code = await receivedCode(
      { db: kit.database.db, masterKey: kit.masterKey },
      { personId: payer.personId, templateId: 'payments.pin_code' },
    );
    const wrong = code === '000000' ? '111111' : '000000';
    expect(
      (await setPin(clerk, payer.personId, { pin: '7315', checkId, code: wrong })).statusCode,
    ).toBe(403);
    // Another clerk cannot spend this clerk's check.
    expect(
      (await setPin(otherClerk, payer.personId, { pin: '7315', checkId, code })).statusCode,
    ).toBe(409);
    const set = await setPin(clerk, payer.personId, { pin: '7315', checkId, code });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ set: true, heldUntil: null });
    // The check is spent: it sets one PIN.
    expect((await setPin(clerk, payer.personId, { pin: '9999', checkId, code })).statusCode).toBe(
      409,
    );
    // The first PIN (set in the app) was held and said so; this one, by the texted code, is not.
    expect(await textsTo(payer.personId, 'payments.pin_changed_held')).toHaveLength(1);
    expect(await textsTo(payer.personId, 'payments.pin_changed')).toHaveLength(1);
    const paid = await counterPay(payer.qrText, '7315');
    expect(paid.statusCode, paid.body).toBe(201);
    const told = await kit.database.db
      .selectFrom('notification_deferred')
      .select('notice')
      .where('person_id', '=', payer.personId)
      .execute();
    expect(told.map((row) => (row.notice as { event: string }).event)).toContain('wallet_paid');
  });

  it('one clerk sets at most the daily bound of PINs', async () => {
    const busy = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    const answers: number[] = [];
    for (let index = 0; index < 4; index += 1) {
      const person = await personWithCard(kit, clerk, 'VE-A', { phone: `+58412555092${index}` });
      const started = await startCheck(busy, person.personId, { method: 'phone_code' });
      if (started.statusCode !== 201) {
        answers.push(started.statusCode);
        continue;
      }
      const code = await receivedCode(
        { db: kit.database.db, masterKey: kit.masterKey },
        { personId: person.personId, templateId: 'payments.pin_code' },
      );
      const set = await setPin(busy, person.personId, {
        pin: '5555',
        checkId: (started.json() as { checkId: string }).checkId,
        code,
      });
      answers.push(set.statusCode);
    }
    expect(answers).toEqual([200, 200, 200, 429]);
  });

  it('a merchant counter typing wrong PINs is stopped at its daily bound, and spraying raises an alert', async () => {
    // A merchant of its own: the wrong PIN of the first test was typed at the other's counter.
    merchant = await registeredMerchant(kit);
    const cards = [await funded('+584125550931', '4821'), await funded('+584125550932', '4821')];
    const answers: number[] = [];
    for (const [index, card] of [...cards, ...cards, ...cards].entries()) {
      answers.push((await counterPay(card.qrText, index % 2 === 0 ? '0000' : '0001')).statusCode);
    }
    // Four wrong PINs, then the counter takes no more card payments today: no card locked.
    expect(answers).toEqual([403, 403, 403, 403, 429, 429]);
    const state = await kit.database.db
      .selectFrom('payment_pin')
      .select('locked_at')
      .where(
        'person_id',
        'in',
        cards.map((card) => card.personId),
      )
      .execute();
    expect(state.every((row) => row.locked_at === null)).toBe(true);
    expect(
      await pinSprayScan(kit.database.db, kit.now(), { sprayCards: 2, sprayWindowMs: hourMs }),
    ).toBe(1);
  });

  it('a PIN hash copied from the database cannot be checked without the master key; an old hash is upgraded', async () => {
    const personId = randomUUID();
    const hashOptions = { memoryCost: 1024, timeCost: 1 };
    await pinOnFile(kit.database.db, {
      personId,
      pin: '4821',
      hashOptions,
      masterKey: kit.masterKey,
      now: kit.now(),
    });
    const row = await kit.database.db
      .selectFrom('payment_pin')
      .select(['pin_hash', 'hash_version'])
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow();
    expect(row.hash_version).toBe(2);
    expect(await verify(row.pin_hash, '4821')).toBe(false);
    const check = (masterKey: Buffer) =>
      pinChecker(kit.database.db, {
        personId,
        pin: '4821',
        masterKey,
        hashOptions,
        now: kit.now(),
      });
    await expect(check(Buffer.alloc(32, 7))).rejects.toMatchObject({ code: 'AMP_PIN_WRONG' });
    await check(kit.masterKey);
    // A hash of before the pepper (version 1) still checks, and is peppered at once.
    await kit.database.asAdmin(async (admin) => {
      await admin
        .updateTable('payment_pin')
        .set({ pin_hash: await hash('4821', hashOptions), hash_version: 1 })
        .where('person_id', '=', personId)
        .execute();
    });
    await check(kit.masterKey);
    const upgraded = await kit.database.db
      .selectFrom('payment_pin')
      .select(['pin_hash', 'hash_version'])
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow();
    expect(upgraded.hash_version).toBe(2);
    expect(await verify(upgraded.pin_hash, '4821')).toBe(false);
  });
  it("a counter's wrong PINs count by the local day: 19:30 and 21:00 in Caracas are one day, though UTC's date turned between them", async () => {
    const counter = await registeredMerchant(kit);
    const hashOptions = { memoryCost: 1024, timeCost: 1 };
    const wrongAt = async (now: Date) => {
      const personId = randomUUID();
      await pinOnFile(kit.database.db, {
        personId,
        pin: '4821',
        hashOptions,
        masterKey: kit.masterKey,
        now,
      });
      await expect(
        pinChecker(kit.database.db, {
          personId,
          pin: '0000',
          masterKey: kit.masterKey,
          hashOptions,
          now,
          merchantId: counter.merchantId,
        }),
      ).rejects.toMatchObject({ code: 'AMP_PIN_WRONG' });
    };
    const bound = (now: Date) =>
      refuseMerchantOverPinBound(kit.database.db, {
        merchantId: counter.merchantId,
        now,
        wrongPinsPerDay: 2,
      });
    // 19:30 in Caracas (UTC-4) is 23:30 UTC; 21:00 is 01:00 UTC of the next date.
    await wrongAt(new Date('2027-03-10T23:30:00Z'));
    await wrongAt(new Date('2027-03-11T01:00:00Z'));
    await expect(bound(new Date('2027-03-11T01:05:00Z'))).rejects.toMatchObject({
      code: 'AMP_MERCHANT_PIN_TRIES_EXCEEDED',
    });
    // Local midnight (04:00 UTC) starts the counter's next day.
    await expect(bound(new Date('2027-03-11T04:00:00Z'))).resolves.toBeUndefined();
  });
  // Last: it moves the clock a day on.
  it('no phone: the photo and a second account; held for the hold, then pays; the alert names the clerk', async () => {
    const payer = await funded(undefined, '4821');
    expect(
      (await startCheck(clerk, payer.personId, { method: 'phone_code' })).json(),
    ).toMatchObject({ code: 'AMP_PIN_CHECK_NO_PHONE' });
    expect((await startCheck(clerk, payer.personId, { method: 'two_person' })).statusCode).toBe(
      403,
    );
    const started = await startCheck(clerk, payer.personId, {
      method: 'two_person',
      photoChecked: true,
    });
    const { checkId } = started.json() as { checkId: string };
    const approve = (who: SignedIn) =>
      kit.app.inject({
        method: 'POST',
        url: `/api/payments/persons/${payer.personId}/pin-checks/${checkId}/approval?purpose=self`,
        cookies: who.cookies,
        payload: { photoChecked: true },
      });
    expect((await setPin(clerk, payer.personId, { pin: '2468', checkId })).statusCode).toBe(409);
    expect((await approve(clerk)).json()).toMatchObject({ code: 'AMP_PIN_CHECK_SAME_OPERATOR' });
    const waiting = await kit.app.inject({
      method: 'GET',
      url: '/api/payments/pin-checks?purpose=self',
      cookies: otherClerk.cookies,
    });
    expect(
      (waiting.json() as { checks: { checkId: string }[] }).checks.map((c) => c.checkId),
    ).toContain(checkId);
    expect((await approve(otherClerk)).statusCode).toBe(200);
    const set = await setPin(clerk, payer.personId, { pin: '2468', checkId });
    expect(set.statusCode, set.body).toBe(200);
    expect((set.json() as { heldUntil: string | null }).heldUntil).not.toBeNull();
    merchant = await registeredMerchant(kit);
    const held = await counterPay(payer.qrText, '2468');
    expect(held.json()).toMatchObject({ code: 'AMP_PIN_HELD' });
    expect(await balance(payer.personId)).toBe(10_000n);
    // The clerk set the PIN and prints the person a sign-in code: one alert, naming the clerk.
    // (A card the clerk issued counts too; the test kit issues cards by the system clock.)
    const printed = await kit.app.inject({
      method: 'POST',
      url: '/api/citizen-codes?purpose=self',
      cookies: clerk.cookies,
      payload: { personId: payer.personId },
    });
    expect(printed.statusCode).toBe(201);
    const { raised, alerts } = await takeoverAlertsScanned(kit);
    expect(raised).toBeGreaterThan(0);
    expect(alerts.map((alert) => alert.operator_id)).toContain(clerk.operatorId);
    expect(alerts[0]?.details).toMatchObject({ alsoDid: ['sign_in_code'] });
    kit.advance(25 * hourMs);
    // (A day on, the staff's console sessions have ended: a merchant of its own, signed in now.)
    merchant = await registeredMerchant(kit);
    const paid = await counterPay(payer.qrText, '2468');
    expect(paid.statusCode, paid.body).toBe(201);
  });

  it('the second operator sees the photo of a check waiting for them only, and a refusal fails the check for good', async () => {
    // Sessions of their own: the test before moved the clock a day on.
    const clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    const otherClerk = await signIn(kit, ['registry_supervisor'], ['VE-A']);
    const photo = 'iVBORw0KGgo=';
    const built = await buildPerson(
      { database: kit.database, masterKey: kit.masterKey },
      { region: 'VE-A', sealed: { photo } },
    );
    const started = await startCheck(clerk, built.id, { method: 'two_person', photoChecked: true });
    expect(started.statusCode, started.body).toBe(201);
    const { checkId } = started.json() as { checkId: string };
    const check = `/api/payments/persons/${built.id}/pin-checks/${checkId}`;
    const photoOf = (who: SignedIn, personId = built.id) =>
      kit.app.inject({
        method: 'GET',
        url: `/api/payments/persons/${personId}/pin-checks/${checkId}/photo?purpose=self`,
        cookies: who.cookies,
      });
    const refuse = (who: SignedIn) =>
      kit.app.inject({
        method: 'POST',
        url: `${check}/refusal?purpose=self`,
        cookies: who.cookies,
        payload: {},
      });
    // Not to the clerk who started it, nor under another person's address.
    expect((await photoOf(clerk)).json()).toMatchObject({ code: 'AMP_PIN_CHECK_SAME_OPERATOR' });
    const other = await buildPerson(
      { database: kit.database, masterKey: kit.masterKey },
      { region: 'VE-A' },
    );
    expect((await photoOf(otherClerk, other.id)).json()).toMatchObject({
      code: 'AMP_PIN_CHECK_INVALID',
    });
    const shown = await photoOf(otherClerk);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toEqual({ checkId, photo });
    const entries = await kit.database.asAdmin((admin) =>
      admin.selectFrom('audit_entry').select('entry').execute(),
    );
    const photoReads = entries
      .map((row) => JSON.parse(String(row.entry)) as { resource: { id: string }; fields: string[] })
      .filter((entry) => entry.resource.id === built.id && entry.fields.includes('photo'));
    expect(photoReads).toHaveLength(1);
    expect((await refuse(clerk)).json()).toMatchObject({ code: 'AMP_PIN_CHECK_SAME_OPERATOR' });
    const refused = await refuse(otherClerk);
    expect(refused.statusCode, refused.body).toBe(200);
    // Failed for good: no approval, no photo, no PIN under it, and off the waiting list.
    const approval = await kit.app.inject({
      method: 'POST',
      url: `${check}/approval?purpose=self`,
      cookies: otherClerk.cookies,
      payload: { photoChecked: true },
    });
    expect(approval.json()).toMatchObject({ code: 'AMP_PIN_CHECK_INVALID' });
    expect((await photoOf(otherClerk)).statusCode).toBe(409);
    expect((await setPin(clerk, built.id, { pin: '2468', checkId })).statusCode).toBe(409);
    const waiting = await kit.app.inject({
      method: 'GET',
      url: '/api/payments/pin-checks?purpose=self',
      cookies: otherClerk.cookies,
    });
    expect(
      (waiting.json() as { checks: { checkId: string }[] }).checks.map((c) => c.checkId),
    ).not.toContain(checkId);
  });
});
