import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import { receivedTexts, textedPhones } from '../../notifications/received-text-test-kit.js';
import { alertsOfKind } from '../controls/controls-test-kit.js';
import { payeeTakeoverScan } from '../controls/payee-alerts.js';
import { phoneCorrected } from '../merchants/merchant-test-kit.js';
import {
  payableCashCycle,
  payingAccountStoredForTest,
  routeTestPayee,
  testBatchRequest,
  testPayee,
} from './payout-test-kit.js';

/**
 * The F4 attack on payouts (payouts/README.md, "A payee account after a change of phone"): one
 * enrolment clerk puts their own phone on a person's record, starts a payee check whose code is
 * texted to that phone, and moves the person's payouts to an account of their own. The change is
 * now held for a day: a batch made meanwhile leaves the person out (their entitlement stays
 * payable) with its own reason, the phone it replaced is texted the stop code, and the auditors'
 * alert names the clerk.
 */
describe('a payee account set after a change of phone', () => {
  let kit: AccessTestApp;
  let clerk: SignedIn;
  let officer: SignedIn;
  let approver: SignedIn;
  let programId: string;
  const entitlementOf = new Map<string, string>();
  const persons = { attacked: '', other: '' };
  const ownPhone = '+584125550941';
  const clerkPhone = '+584125559941';
  const clerkAccount = '01029999999999990941';

  beforeAll(async () => {
    kit = await buildAccessTestApp({ rateLimitRequestsMax: 10_000 });
    clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    officer = await signIn(kit, ['finance_officer'], ['VE-A']);
    approver = await signIn(kit, ['finance_officer'], ['VE-A']);
    persons.attacked = (await buildPerson(kit, { phone: ownPhone })).id;
    persons.other = (await buildPerson(kit, { phone: '+584125550942' })).id;
    // Both are paid into accounts of their own, set long before.
    const cycle = await payableCashCycle(kit, {
      code: 'bono_telefono',
      amountMinor: 50_00n,
      fundedMinor: 1_000_00n,
      payees: [
        { personId: persons.attacked, payee: routeTestPayee },
        { personId: persons.other, payee: testPayee(1) },
      ],
    });
    programId = cycle.programId;
    for (const entitlement of cycle.entitlements)
      entitlementOf.set(entitlement.personId, entitlement.entitlementId);
    await payingAccountStoredForTest(kit.database.db, { scope: 'program', key: programId });
  }, 120_000);
  afterAll(async () => kit?.close());

  const send = (who: SignedIn, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    kit.app.inject({ method, url, cookies: who.cookies, ...(payload ? { payload } : {}) });
  const source = () => ({ db: kit.database.db, masterKey: kit.masterKey });
  /** The phones a template was texted to for the attacked person, and its newest text. */
  const phonesTexted = (templateId: string) =>
    textedPhones(source(), { personId: persons.attacked, templateId });
  const newestText = async (templateId: string) =>
    (await receivedTexts(source(), { personId: persons.attacked, templateId }))[0];
  const batchOf = (personIds: string[]) =>
    testBatchRequest(
      programId,
      personIds.map((personId) => ({
        entitlementId: entitlementOf.get(personId) ?? '',
        amountMinor: '5000',
      })),
    );
  /** A batch of these persons made, approved (each new account confirmed) and its file read. */
  const paidFile = async (personIds: string[]) => {
    const made = await send(
      officer,
      'POST',
      '/api/payouts/batches?purpose=distribution',
      batchOf(personIds),
    );
    expect(made.statusCode, made.body).toBe(201);
    const batchId = made.json().id as string;
    const changes = await send(
      approver,
      'GET',
      `/api/payouts/batches/${batchId}/payee-changes?purpose=distribution`,
    );
    const approved = await send(
      approver,
      'POST',
      `/api/payouts/batches/${batchId}/approval?purpose=distribution`,
      {
        confirmedEndToEndIds: changes
          .json()
          .changes.map((change: { endToEndId: string }) => change.endToEndId),
      },
    );
    expect(approved.statusCode, approved.body).toBe(200);
    const file = await send(
      officer,
      'GET',
      `/api/payouts/batches/${batchId}/pain.001.xml?purpose=distribution`,
    );
    expect(file.statusCode, file.body).toBe(200);
    const exclusions = await send(
      approver,
      'GET',
      `/api/payouts/batches/${batchId}/exclusions?purpose=distribution`,
    );
    return { made: made.json(), file: file.body, exclusions: exclusions.json().exclusions };
  };

  it("the attack: the clerk's phone put on file, the code texted to it, the clerk's account set: the next batch does not pay it", async () => {
    await phoneCorrected(kit, clerk, persons.attacked, clerkPhone);
    const check = await send(
      clerk,
      'POST',
      `/api/payments/persons/${persons.attacked}/payee-checks?purpose=self`,
      { method: 'phone_code' },
    );
    expect(check.statusCode, check.body).toBe(201);
    // The code reaches the phone now on file: the clerk's.
    expect(await phonesTexted('payments.payee_code')).toEqual([clerkPhone]);
    const sent = await newestText('payments.payee_code');
    const set = await send(
      clerk,
      'PUT',
      `/api/payments/persons/${persons.attacked}/payee-account?purpose=self`,
      {
        checkId: check.json().checkId,
        code: sent?.code,
        holderName: 'Cuenta Del Empleado',
        account: { kind: 'bank_account', accountNumber: clerkAccount },
        bank: { bankCode: '0102' },
      },
    );
    expect(set.statusCode, set.body).toBe(200);
    const dayLater = new Date(kit.now().getTime() + 24 * 3_600_000).toISOString();
    // The outcome first: the batch made next does not pay the clerk's account (on the code
    // before the hold, it did: the file held it).
    const { made, file, exclusions } = await paidFile([persons.attacked, persons.other]);
    expect(file).not.toContain(clerkAccount);
    expect(made).toMatchObject({ paymentsCount: 1, excludedCount: 1 });
    expect(set.json().current).toMatchObject({
      accountEnding: '0941',
      setMethod: 'staff_phone_code',
      held: true,
      heldUntil: dayLater,
      holdReason: 'phone_changed',
    });
    expect(exclusions).toEqual([
      expect.objectContaining({
        personId: persons.attacked,
        reason: 'payee_account_phone_changed',
        heldUntil: dayLater,
      }),
    ]);
    // The entitlement stays payable: a later batch may pay it.
    const entitlement = await kit.database.db
      .selectFrom('entitlement')
      .select('status')
      .where('id', '=', entitlementOf.get(persons.attacked) ?? '')
      .executeTakeFirstOrThrow();
    expect(entitlement.status).toBe('open');
  });

  it('texts the phone it replaced the stop code, with which the person stops the change', async () => {
    // The phone on file (the clerk's) is told as any held change is; the phone replaced too.
    expect(await phonesTexted('payments.payee_changed_held')).toEqual([clerkPhone]);
    expect(await phonesTexted('payments.payee_after_phone_change')).toEqual([ownPhone]);
    const told = await newestText('payments.payee_after_phone_change');
    expect(told?.parameters).toMatchObject({
      ending: '0941',
      until: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/),
      code: expect.stringMatching(/^\d{6}$/),
    });
    const { uin } = await kit.database.db
      .selectFrom('person')
      .select('uin')
      .where('id', '=', persons.attacked)
      .executeTakeFirstOrThrow();
    const stopped = await kit.app.inject({
      method: 'POST',
      url: '/api/payments/payee-account-stops',
      payload: { uin, code: told?.code },
    });
    expect(stopped.statusCode, stopped.body).toBe(200);
    // Stopped: the account before it is in use again, and the next batch pays the person there.
    const { made, file } = await paidFile([persons.attacked]);
    expect(made).toMatchObject({ paymentsCount: 1, excludedCount: 0 });
    expect(file).toContain(
      routeTestPayee.account.kind === 'bank_account' ? routeTestPayee.account.accountNumber : '',
    );
    expect(file).not.toContain(clerkAccount);
  });

  it('raises the takeover alert naming the clerk who changed the phone, once', async () => {
    const scanned = () =>
      payeeTakeoverScan(kit.database.db, kit.now(), { takeoverWindowMs: 7 * 24 * 3_600_000 });
    expect(await scanned()).toBe(1);
    expect(await scanned()).toBe(0);
    const alerts = await alertsOfKind(kit.database.db, 'payee_account_takeover');
    expect(alerts).toEqual([
      {
        operator_id: clerk.operatorId,
        details: expect.objectContaining({
          alsoDid: ['phone_correction'],
          payeeSetBy: 'same_operator',
          windowHours: 168,
        }),
      },
    ]);
    expect(JSON.stringify(alerts)).not.toContain(persons.attacked);
  });
});
