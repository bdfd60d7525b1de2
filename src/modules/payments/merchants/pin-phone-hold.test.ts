import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, citizenSession } from '../../access/access-test-kit.js';
import {
  type CardHolder,
  personWithCard,
  type SignedIn,
  signIn,
} from '../../distribution/distribution-test-kit.js';
import { lookupAccounts, postedBalance } from '../../ledger/index.js';
import { textedPhones } from '../../notifications/received-text-test-kit.js';
import { walletAccountId } from '../accounts/account-ids.js';
import {
  deniedCodes,
  fundWallet,
  type MerchantScene,
  merchantScene,
  payingCitizen,
  phoneCorrected,
  registeredMerchant,
  staffPinSet,
  takeoverAlertsScanned,
} from './merchant-test-kit.js';

/**
 * A reviewer's attack (F4, docs/PAYMENTS-PIN.md "A new PIN after a change of phone is held"): one
 * enrolment clerk puts their own phone on a person's record, signs in with the code texted to it,
 * sets the first PIN and pays. The PIN is now held for a day, the phone it replaced is told, and
 * the auditors' alert names the clerk who changed the phone; a person changing their PIN with the
 * current one, on a phone of long standing, is not held.
 */
describe('a new payment PIN after a change of phone', () => {
  let kit: AccessTestApp;
  let clerk: SignedIn;
  let merchant: MerchantScene['merchant'];
  const hourMs = 3_600_000;
  const clerkPhone = '+584125559999';
  /** The person of the first test, paid from once the hold is over (the last test). */
  let attacked: { person: CardHolder; pin: string };

  beforeAll(async () => {
    ({ kit, clerk, merchant } = await merchantScene());
  }, 120_000);
  afterAll(async () => kit?.close());

  const correctPhone = (personId: string, phone: string) =>
    phoneCorrected(kit, clerk, personId, phone);
  const setOwnPin = (session: Record<string, string>, body: object) =>
    kit.app.inject({ method: 'PUT', url: '/api/payments/me/pin', cookies: session, payload: body });
  const payInApp = async (session: Record<string, string>, pin: string) => {
    const made = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchant.merchantId}/requests?purpose=distribution`,
      cookies: merchant.staff.cookies,
      payload: { amountMinor: '9000', reference: `R-${randomUUID().slice(0, 6)}` },
    });
    expect(made.statusCode, made.body).toBe(201);
    return kit.app.inject({
      method: 'POST',
      url: '/api/payments/me/payments',
      cookies: session,
      payload: { token: (made.json() as { token: string }).token, pin },
    });
  };
  const balance = async (personId: string) => {
    const [account] = await lookupAccounts(kit.database.db, [walletAccountId(personId, 'VES')]);
    return account === undefined ? 0n : postedBalance(account);
  };
  /** The phones a template was texted to, opened as the SMS worker opens them. */
  const textedTo = (personId: string, templateId: string) =>
    textedPhones({ db: kit.database.db, masterKey: kit.masterKey }, { personId, templateId });
  const dayLater = () => new Date(kit.now().getTime() + 24 * hourMs).toISOString();

  it("the reviewer's attack: a clerk's phone put on file, an SMS sign-in, a first PIN, a payment: refused, nothing posted", async () => {
    // A person with no phone on file (the population the docs name), a funded wallet, no PIN.
    const person = await personWithCard(kit, clerk, 'VE-A');
    await fundWallet(kit, person.personId, 10_000n);
    await correctPhone(person.personId, clerkPhone);
    const session = await citizenSession(kit, person);
    expect(session.amparo_session).not.toBe('');
    const pinSet = await setOwnPin(session, { pin: '2580' });
    expect(pinSet.statusCode, pinSet.body).toBe(200);
    expect(pinSet.json()).toMatchObject({ heldUntil: dayLater(), heldReason: 'phone_changed' });
    const paid = await payInApp(session, '2580');
    expect(paid.statusCode, paid.body).toBe(423);
    expect(paid.json()).toMatchObject({ code: 'AMP_PIN_HELD' });
    expect(paid.json().detail).toMatch(/phone on file changed/);
    expect(await balance(person.personId)).toBe(10_000n);
    const payments = await kit.database.db
      .selectFrom('merchant_payment')
      .select('request_id')
      .where('payer_person_id', '=', person.personId)
      .execute();
    expect(payments).toEqual([]);
    expect(await deniedCodes(kit, 'payment.pay')).toContain('AMP_PIN_HELD');
    // The text to the phone on file says when the PIN starts paying; there was no phone before.
    expect(await textedTo(person.personId, 'payments.pin_changed_held')).toEqual([clerkPhone]);
    expect(await textedTo(person.personId, 'payments.pin_after_phone_change')).toEqual([]);
    const change = await kit.database.db
      .selectFrom('payment_pin_change')
      .select(['method', 'operator_id', 'phone_changed_by', 'held_until'])
      .where('person_id', '=', person.personId)
      .executeTakeFirstOrThrow();
    expect(change).toMatchObject({
      method: 'self',
      operator_id: null,
      phone_changed_by: clerk.operatorId,
    });
    expect(change.held_until?.toISOString()).toBe(dayLater());
    attacked = { person, pin: '2580' };
  });

  it('tells the phone it replaced; the alert names the operator who changed the phone', async () => {
    // A minute on: an alert is kept once per operator and moment of the PIN set.
    kit.advance(60_000);
    const person = await personWithCard(kit, clerk, 'VE-A', { phone: '+584125550701' });
    await fundWallet(kit, person.personId, 10_000n);
    await correctPhone(person.personId, '+584125550702');
    const session = await citizenSession(kit, person);
    const pinSet = await setOwnPin(session, { pin: '1357' });
    expect(pinSet.json()).toMatchObject({ heldReason: 'phone_changed' });
    expect(await textedTo(person.personId, 'payments.pin_after_phone_change')).toEqual([
      '+584125550701',
    ]);
    expect(await textedTo(person.personId, 'payments.pin_changed_held')).toEqual(['+584125550702']);
    // The former phone is read from the record's history: a contact read, audited on the person.
    const reads = await kit.database.asAdmin((admin) =>
      sql<{ n: string }>`select count(*) as n from audit_entry
        where entry::json->>'action' = 'person.contact_read'
          and entry::json->'resource'->>'id' = ${person.personId}`.execute(admin),
    );
    expect(Number(reads.rows[0]?.n)).toBeGreaterThanOrEqual(2);

    const { raised, alerts } = await takeoverAlertsScanned(kit);
    expect(raised).toBeGreaterThan(0);
    const named = alerts.filter((alert) => alert.operator_id === clerk.operatorId);
    // One per PIN set after a change of phone by this clerk (this test's and the first test's).
    expect(named).toHaveLength(2);
    for (const alert of named) {
      expect(alert.details).toMatchObject({ alsoDid: ['phone_correction'], pinSetBy: 'person' });
    }
    // Raised once per PIN set: a second scan adds none.
    expect((await takeoverAlertsScanned(kit)).raised).toBe(0);
  });

  it("holds a PIN staff set with the code texted to the new phone too, and names the phone's corrector", async () => {
    const person = await personWithCard(kit, clerk, 'VE-A', { phone: '+584125550711' });
    await correctPhone(person.personId, '+584125550712');
    const counterClerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    const set = await staffPinSet(kit, counterClerk.cookies, person.personId, '8642');
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ heldUntil: dayLater(), heldReason: 'phone_changed' });
    expect(await textedTo(person.personId, 'payments.pin_after_phone_change')).toEqual([
      '+584125550711',
    ]);
    const { alerts } = await takeoverAlertsScanned(kit);
    const byOther = alerts.filter(
      (alert) =>
        alert.operator_id === clerk.operatorId &&
        (alert.details as { pinSetBy?: string }).pinSetBy === 'other_operator',
    );
    expect(byOther.map((alert) => alert.details)).toMatchObject([
      { alsoDid: ['phone_correction'] },
    ]);
  });

  it('does not hold a PIN changed with the current one on a phone of long standing', async () => {
    // A phone changed ten days ago (beyond the 7-day window) and a PIN set before.
    const person = await personWithCard(kit, clerk, 'VE-A', { phone: '+584125550721' });
    await correctPhone(person.personId, '+584125550722');
    await kit.database.asAdmin((admin) =>
      admin
        .updateTable('person_version')
        .set({ recorded_at: sql<Date>`recorded_at - interval '10 days'` })
        .where('person_id', '=', person.personId)
        .execute(),
    );
    const { session, pinSet } = await payingCitizen(kit, person, {
      fundedMinor: 20_000n,
      pin: '4821',
    });
    // Its first PIN was held (the kit lifts that hold), not for the change of phone.
    expect(pinSet.json()).toMatchObject({ heldReason: 'first_pin' });
    const changed = await setOwnPin(session, { pin: '9753', currentPin: '4821' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ heldUntil: null, heldReason: null });
    expect(await textedTo(person.personId, 'payments.pin_changed')).toEqual(['+584125550722']);
    expect(await textedTo(person.personId, 'payments.pin_after_phone_change')).toEqual([]);
    const paid = await payInApp(session, '9753');
    expect(paid.statusCode, paid.body).toBe(201);
    expect(await balance(person.personId)).toBe(11_000n);
  });

  it('keeps the hold of a held PIN changed with itself', async () => {
    const person = await personWithCard(kit, clerk, 'VE-A', { phone: '+584125550731' });
    const { session, pinSet } = await payingCitizen(kit, person, {
      fundedMinor: 10_000n,
      pin: '4821',
      keepHold: true,
    });
    expect(pinSet.json()).toMatchObject({ heldUntil: dayLater(), heldReason: 'first_pin' });
    const changed = await setOwnPin(session, { pin: '1593', currentPin: '4821' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ heldUntil: dayLater(), heldReason: 'first_pin' });
    expect((await payInApp(session, '1593')).json()).toMatchObject({ code: 'AMP_PIN_HELD' });
    expect(await balance(person.personId)).toBe(10_000n);
  });

  // Last: it moves the clock a day on.
  it('pays once the hold is over', async () => {
    kit.advance(25 * hourMs);
    // A day on, the sessions of the day before have ended: new ones.
    merchant = await registeredMerchant(kit);
    const session = await citizenSession(kit, attacked.person);
    const state = await kit.app.inject({
      method: 'GET',
      url: '/api/payments/me/pin',
      cookies: session,
    });
    expect(state.json()).toMatchObject({ set: true, heldUntil: null, heldReason: null });
    const paid = await payInApp(session, attacked.pin);
    expect(paid.statusCode, paid.body).toBe(201);
    expect(await balance(attacked.person.personId)).toBe(1_000n);
  });
});
