import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import { limits } from '../../../limits.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import { receivedTexts } from '../../notifications/received-text-test-kit.js';
import { alertsOfKind } from '../controls/controls-test-kit.js';
import { payeeCollusionScan } from '../controls/payee-alerts.js';
import { payableCashCycle, payingAccountStoredForTest } from './payout-test-kit.js';

/**
 * Stored payee accounts (payouts/README.md, "Payee accounts"), over HTTP. The attack an
 * attacker review described: one finance officer pays an account of their choice. The request
 * no longer carries accounts; setting a person's account needs the code texted to their phone
 * (or another account's approval, and then it is held); every set is texted to the person; every
 * read is audited with its purpose.
 */
describe('payee accounts', () => {
  let kit: AccessTestApp;
  let officer: SignedIn;
  let otherOfficer: SignedIn;
  let clerk: SignedIn;
  let programId: string;
  const persons: Record<'phone' | 'held' | 'none' | 'late', string> = {
    phone: '',
    held: '',
    none: '',
    late: '',
  };
  const entitlementOf = new Map<string, string>();
  const mine = { kind: 'bank_account', accountNumber: '01029999999999990666' };

  beforeAll(async () => {
    // A 20-minute hold: a session (30 minutes idle) outlives it, so one officer's whole day fits.
    kit = await buildAccessTestApp({
      rateLimitRequestsMax: 10_000,
      pinGuard: { staffHoldMs: 20 * 60_000 },
    });
    officer = await signIn(kit, ['finance_officer'], ['VE-A']);
    otherOfficer = await signIn(kit, ['finance_officer'], ['VE-A']);
    clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    persons.phone = (await buildPerson(kit, { phone: '+584125550961' })).id;
    persons.held = (await buildPerson(kit, { phone: '+584125550962' })).id;
    persons.none = (await buildPerson(kit, { phone: null })).id;
    persons.late = (await buildPerson(kit, { phone: '+584125550963' })).id;
    const cycle = await payableCashCycle(kit, {
      code: 'bono_cuentas',
      amountMinor: 50_00n,
      fundedMinor: 1_000_00n,
    });
    programId = cycle.programId;
    for (const entitlement of cycle.entitlements)
      entitlementOf.set(entitlement.personId, entitlement.entitlementId);
    await payingAccountStoredForTest(kit.database.db, { scope: 'program', key: programId });
  }, 120_000);
  afterAll(async () => kit?.close());

  const send = (
    who: SignedIn,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: Record<string, unknown>,
  ) =>
    kit.app.inject({
      method,
      url,
      cookies: who.cookies,
      ...(payload === undefined ? {} : { payload }),
    });
  const startCheck = (who: SignedIn, personId: string, body: Record<string, unknown>) =>
    send(who, 'POST', `/api/payments/persons/${personId}/payee-checks?purpose=self`, body);
  const setAccount = (who: SignedIn, personId: string, body: Record<string, unknown>) =>
    send(who, 'PUT', `/api/payments/persons/${personId}/payee-account?purpose=self`, body);
  /**
   * The values of the texts queued for a person, newest first, as their phone's text carries
   * them: a code included (the outbox keeps it sealed; `receivedTexts` opens it).
   */
  const texts = async (personId: string, templateId: string) =>
    (
      await receivedTexts(
        { db: kit.database.db, masterKey: kit.masterKey },
        { personId, templateId },
      )
    ).map((text) => text.parameters);
  /** The audit entries on a person, oldest first as stored. */
  const auditOf = async (personId: string) =>
    (
      await kit.database.db
        .selectFrom('audit_entry')
        .select('entry')
        .where('person_id', '=', personId)
        .execute()
    ).map(
      (row) =>
        JSON.parse(row.entry) as {
          actor: { kind: string; id: string };
          action: string;
          purpose: string;
          fields: string[];
          outcome: string;
        },
    );
  const stored = async (personId: string) =>
    kit.database.db
      .selectFrom('payee_account')
      .select(['set_method', 'held_until', 'set_by', 'approved_by'])
      .where('person_id', '=', personId)
      .execute();
  const batchOf = (personIds: string[]) => ({
    clientId: randomUUID(),
    programId,
    currency: 'VES',
    requestedExecutionDate: '2026-12-07',
    debtor: { name: 'Programa Bono', accountNumber: '01020123456789012345', bankCode: '0102' },
    instructions: personIds.map((personId) => ({
      referenceKind: 'entitlement',
      referenceId: entitlementOf.get(personId),
      amountMinor: '5000',
    })),
  });
  const holder = { holderName: 'Ana Pérez', holderNationalId: 'V12345678' };

  it('one officer alone gets no payout to an account of their choice', async () => {
    // The batch request cannot name an account: refused by its schema.
    const named = batchOf([persons.phone]);
    const withAccount = {
      ...named,
      instructions: named.instructions.map((item) => ({
        ...item,
        creditorName: 'Mi Cuenta',
        account: mine,
        bank: { bankCode: '0102' },
      })),
    };
    const refused = await send(
      officer,
      'POST',
      '/api/payouts/batches?purpose=distribution',
      withAccount,
    );
    expect([refused.statusCode, refused.json().code]).toEqual([400, 'AMP_VALIDATION']);
    // Setting the person's account needs the code texted to their phone: the officer guesses.
    const check = await startCheck(officer, persons.phone, { method: 'phone_code' });
    expect(check.statusCode, check.body).toBe(201);
    const checkId = check.json().checkId as string;
    const [sent] = await texts(persons.phone, 'payments.payee_code');
    const wrong = sent?.code === '000000' ? '111111' : '000000';
    const guessed = await setAccount(officer, persons.phone, {
      checkId,
      code: wrong,
      ...holder,
      account: mine,
      bank: { bankCode: '0102' },
    });
    expect([guessed.statusCode, guessed.json().code]).toEqual([403, 'AMP_PAYEE_CHECK_CODE_WRONG']);
    // Without a phone check, a two-person check the officer cannot approve themself.
    const alone = await startCheck(officer, persons.held, {
      method: 'two_person',
      photoChecked: true,
    });
    const aloneId = alone.json().checkId as string;
    const selfApproved = await send(
      officer,
      'POST',
      `/api/payments/persons/${persons.held}/payee-checks/${aloneId}/approval?purpose=self`,
      { photoChecked: true },
    );
    expect(selfApproved.json().code).toBe('AMP_PAYEE_CHECK_SAME_OPERATOR');
    // Nor see the photo as its second operator; another account refuses it, and it is spent.
    const checkPath = `/api/payments/persons/${persons.held}/payee-checks/${aloneId}`;
    const ownPhoto = await send(officer, 'GET', `${checkPath}/photo?purpose=self`);
    expect(ownPhoto.json().code).toBe('AMP_PAYEE_CHECK_SAME_OPERATOR');
    const refusedCheck = await send(otherOfficer, 'POST', `${checkPath}/refusal?purpose=self`, {});
    expect(refusedCheck.statusCode, refusedCheck.body).toBe(200);
    const unapproved = await setAccount(officer, persons.held, {
      checkId: aloneId,
      ...holder,
      account: mine,
      bank: { bankCode: '0102' },
    });
    expect([unapproved.statusCode, unapproved.json().code]).toEqual([
      409,
      'AMP_PAYEE_CHECK_INVALID',
    ]);
    expect(await stored(persons.phone)).toEqual([]);
    expect(await stored(persons.held)).toEqual([]);
    // A PIN check does not set a payee account.
    const pinCheck = await send(
      clerk,
      'POST',
      `/api/payments/persons/${persons.phone}/pin-checks?purpose=self`,
      { method: 'phone_code' },
    );
    const [pinCode] = await texts(persons.phone, 'payments.pin_code');
    const crossed = await setAccount(clerk, persons.phone, {
      checkId: pinCheck.json().checkId,
      code: pinCode?.code,
      ...holder,
      account: mine,
      bank: { bankCode: '0102' },
    });
    expect(crossed.json().code).toBe('AMP_PAYEE_CHECK_INVALID');
  });

  it('a change approved by a second account is held: the batch leaves the person out, listed, and the person is told', async () => {
    const started = await startCheck(officer, persons.held, {
      method: 'two_person',
      photoChecked: true,
    });
    const checkId = started.json().checkId as string;
    const waiting = await send(otherOfficer, 'GET', '/api/payments/payee-checks?purpose=self');
    expect(waiting.json().checks.map((check: { checkId: string }) => check.checkId)).toContain(
      checkId,
    );
    // The second operator sees the photo on file first: a read of the person, audited.
    const photo = await send(
      otherOfficer,
      'GET',
      `/api/payments/persons/${persons.held}/payee-checks/${checkId}/photo?purpose=self`,
    );
    expect(photo.statusCode, photo.body).toBe(200);
    const approved = await send(
      otherOfficer,
      'POST',
      `/api/payments/persons/${persons.held}/payee-checks/${checkId}/approval?purpose=self`,
      { photoChecked: true },
    );
    expect(approved.statusCode, approved.body).toBe(200);
    const set = await setAccount(officer, persons.held, {
      checkId,
      ...holder,
      account: mine,
      bank: { bankCode: '0102' },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().current).toMatchObject({
      accountEnding: '0666',
      setMethod: 'staff_two_person',
      held: true,
      approvedBy: otherOfficer.operatorId,
    });
    expect(set.body).not.toContain(mine.accountNumber);
    // Held: the text carries the code with which the person stops it.
    expect(await texts(persons.held, 'payments.payee_changed_held')).toEqual([
      {
        ending: '0666',
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        until: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        code: expect.stringMatching(/^\d{6}$/),
      },
    ]);
    // The batch pays nobody held nor without an account, and says so; none payable: refused.
    const none = await send(
      officer,
      'POST',
      '/api/payouts/batches?purpose=distribution',
      batchOf([persons.held, persons.none]),
    );
    expect([none.statusCode, none.json().code]).toEqual([422, 'AMP_PAYOUT_INSTRUCTION_INVALID']);
    expect(none.json().errors).toEqual([
      { field: '/instructions/0/referenceId', reason: expect.stringMatching(/held/) },
      { field: '/instructions/1/referenceId', reason: expect.stringMatching(/no payee account/) },
    ]);
    expect((await kit.database.db.selectFrom('payout_batch').select('id').execute()).length).toBe(
      0,
    );
  });

  it('sets an account with the texted code, texts the person, audits each read, and a batch pays into it', async () => {
    const before = await texts(persons.phone, 'payments.payee_code');
    const check = await startCheck(clerk, persons.phone, { method: 'phone_code' });
    const sent = (await texts(persons.phone, 'payments.payee_code')).find(
      (text) => !before.some((old) => old.code === text.code),
    );
    const body = {
      checkId: check.json().checkId,
      code: sent?.code,
      holderName: 'Rosa Mérida',
      account: { kind: 'bank_account', accountNumber: '01340000000000004321' },
      bank: {},
    };
    // Malformed: the account's bank code is not the bank named.
    const mismatch = await setAccount(clerk, persons.phone, {
      ...body,
      bank: { bankCode: '0102' },
    });
    expect([mismatch.statusCode, mismatch.json().code]).toEqual([422, 'AMP_PAYEE_ACCOUNT_INVALID']);
    const short = await setAccount(clerk, persons.phone, {
      ...body,
      account: { kind: 'bank_account', accountNumber: '0134' },
    });
    expect(short.statusCode).toBe(400);
    const unknown = await setAccount(clerk, randomUUID(), body);
    expect(unknown.statusCode).toBe(404);
    const set = await setAccount(clerk, persons.phone, body);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().current).toMatchObject({
      accountEnding: '4321',
      bankCode: '0134',
      setMethod: 'staff_phone_code',
      held: false,
      heldUntil: null,
    });
    expect(await texts(persons.phone, 'payments.payee_changed')).toEqual([
      { ending: '4321', date: expect.any(String) },
    ]);
    // The code is spent: the same check sets nothing more.
    expect((await setAccount(clerk, persons.phone, body)).json().code).toBe(
      'AMP_PAYEE_CHECK_INVALID',
    );

    const read = await send(
      officer,
      'GET',
      `/api/payments/persons/${persons.phone}/payee-account?purpose=distribution`,
    );
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().history).toHaveLength(1);
    expect(read.body).not.toContain('01340000000000004321');
    const entries = await auditOf(persons.phone);
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'payee.read',
        purpose: 'distribution',
        fields: ['payee_account'],
        outcome: 'allowed',
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'payee.set',
        purpose: 'self',
        fields: ['payee_account'],
        outcome: 'allowed',
      }),
    );

    const made = await send(
      officer,
      'POST',
      '/api/payouts/batches?purpose=distribution',
      batchOf([persons.none, persons.phone, persons.held]),
    );
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({
      paymentsCount: 1,
      excludedCount: 2,
      amountTotalMinor: '5000',
    });
    const excluded = await send(
      otherOfficer,
      'GET',
      `/api/payouts/batches/${made.json().id}/exclusions?purpose=distribution`,
    );
    expect(excluded.json().exclusions).toEqual([
      expect.objectContaining({
        seq: 0,
        personId: persons.none,
        reason: 'no_payee_account',
        heldUntil: null,
      }),
      expect.objectContaining({
        seq: 2,
        personId: persons.held,
        reason: 'payee_account_held',
        amountMinor: '5000',
      }),
    ]);
    // Making the batch opened the stored account: audited on the person.
    const afterBatch = await auditOf(persons.phone);
    expect(afterBatch.map((entry) => entry.action)).toContain('payout.manage');
    const changes = await send(
      otherOfficer,
      'GET',
      `/api/payouts/batches/${made.json().id}/payee-changes?purpose=distribution`,
    );
    const [change] = changes.json().changes;
    expect(change).toMatchObject({ accountEnding: '4321', previousAccountEnding: null });
    await send(
      otherOfficer,
      'POST',
      `/api/payouts/batches/${made.json().id}/approval?purpose=distribution`,
      {
        confirmedEndToEndIds: [change.endToEndId],
      },
    );
    const file = await send(
      officer,
      'GET',
      `/api/payouts/batches/${made.json().id}/pain.001.xml?purpose=distribution`,
    );
    expect(file.statusCode, file.body).toBe(200);
    expect(file.body).toContain('01340000000000004321');
    expect(file.body).toContain('Rosa Mérida');
    expect(file.body).not.toContain(mine.accountNumber);
    // The same request again answers the first batch (the exclusions counted in).
    const again = await send(officer, 'POST', '/api/payouts/batches?purpose=distribution', {
      ...batchOf([persons.none, persons.phone, persons.held]),
      clientId: (
        await kit.database.db
          .selectFrom('payout_batch')
          .select('client_id')
          .executeTakeFirstOrThrow()
      ).client_id,
    });
    expect(again.json().id).toBe(made.json().id);
  });

  const stopUrl = '/api/payments/payee-account-stops';

  it('the person stops a held change with the texted code: once, not after the hold, and no batch pays it', async () => {
    const uinOf = async (personId: string) =>
      (
        await kit.database.db
          .selectFrom('person')
          .select('uin')
          .where('id', '=', personId)
          .executeTakeFirstOrThrow()
      ).uin;
    const stopFor = async (personId: string, code: string, by?: SignedIn) =>
      kit.app.inject({
        method: 'POST',
        url: stopUrl,
        payload: { uin: await uinOf(personId), code },
        ...(by === undefined ? {} : { cookies: by.cookies }),
      });
    const [heldText] = await texts(persons.held, 'payments.payee_changed_held');
    const code = heldText?.code ?? '';
    // Typed by a clerk for a person who called: the same refusal, audited under the clerk.
    const wrong = await stopFor(persons.held, code === '000000' ? '111111' : '000000', clerk);
    expect([wrong.statusCode, wrong.json().code]).toEqual([403, 'AMP_PAYEE_STOP_REFUSED']);
    expect((await auditOf(persons.held)).filter((entry) => entry.action === 'payee.stop')).toEqual([
      expect.objectContaining({
        outcome: 'denied',
        actor: expect.objectContaining({ kind: 'operator', id: clerk.operatorId }),
      }),
    ]);
    const counted = await kit.database.db
      .selectFrom('payee_account_stop')
      .select(['code_attempts', 'stopped_at'])
      .where('person_id', '=', persons.held)
      .executeTakeFirstOrThrow();
    expect(counted).toEqual({ code_attempts: 1, stopped_at: null });
    const stopped = await stopFor(persons.held, code);
    expect(stopped.statusCode, stopped.body).toBe(200);
    // Single use: the same code again is refused like any wrong one.
    expect((await stopFor(persons.held, code)).json().code).toBe('AMP_PAYEE_STOP_REFUSED');
    const actions = await auditOf(persons.held);
    expect(actions).toContainEqual(
      expect.objectContaining({
        action: 'payee.stop',
        outcome: 'allowed',
        actor: expect.objectContaining({ kind: 'citizen', id: persons.held }),
      }),
    );
    expect(actions).toContainEqual(
      expect.objectContaining({ action: 'payee.stop', outcome: 'denied' }),
    );
    const seen = await send(
      officer,
      'GET',
      `/api/payments/persons/${persons.held}/payee-account?purpose=distribution`,
    );
    expect(seen.json().current).toBeNull();
    expect(seen.json().history[0]).toMatchObject({ held: false, stoppedAt: expect.any(String) });

    // Another held change, whose code comes after the hold: refused, and the change stands.
    const started = await startCheck(officer, persons.late, {
      method: 'two_person',
      photoChecked: true,
    });
    const checkId = started.json().checkId as string;
    await send(
      otherOfficer,
      'POST',
      `/api/payments/persons/${persons.late}/payee-checks/${checkId}/approval?purpose=self`,
      { photoChecked: true },
    );
    const set = await setAccount(officer, persons.late, {
      checkId,
      ...holder,
      account: { kind: 'bank_account', accountNumber: '01020000000000000555' },
      bank: { bankCode: '0102' },
    });
    expect(set.statusCode, set.body).toBe(200);
    const [lateText] = await texts(persons.late, 'payments.payee_changed_held');
    kit.advance(21 * 60_000);
    const late = await stopFor(persons.late, lateText?.code ?? '');
    expect(late.json().code).toBe('AMP_PAYEE_STOP_REFUSED');
    // The next batch: the stopped change is not used even with its hold over; the other is.
    const made = await send(
      officer,
      'POST',
      '/api/payouts/batches?purpose=distribution',
      batchOf([persons.held, persons.late]),
    );
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ paymentsCount: 1, excludedCount: 1 });
    const excluded = await send(
      officer,
      'GET',
      `/api/payouts/batches/${made.json().id}/exclusions?purpose=distribution`,
    );
    expect(excluded.json().exclusions).toEqual([
      expect.objectContaining({ personId: persons.held, reason: 'no_payee_account' }),
    ]);

    // The officer set the account this batch pays and made the batch: auditors are alerted,
    // once, naming the officer and the batch, not the person. The earlier batch (its payee set
    // by the clerk, its held and stopped persons left out) raises nothing.
    expect(await payeeCollusionScan(kit.database.db, kit.now())).toBe(1);
    expect(await payeeCollusionScan(kit.database.db, kit.now())).toBe(0);
    const alerts = await alertsOfKind(kit.database.db, 'payout_payee_collusion');
    expect(alerts).toEqual([
      {
        operator_id: officer.operatorId,
        details: {
          batchId: made.json().id,
          persons: 1,
          batchRoles: ['made'],
          payeeRoles: ['set'],
          windowHours: 168,
        },
      },
    ]);
    expect(JSON.stringify(alerts)).not.toContain(persons.late);
  });

  it('limits stop requests per address: over the bound in a minute is refused, another address is not', async () => {
    // An ID number no one has: the refusals count against no person's held change.
    const from = (remoteAddress: string) =>
      kit.app.inject({
        method: 'POST',
        url: stopUrl,
        payload: { uin: '0000000001', code: '000000' },
        remoteAddress,
      });
    for (let sent = 0; sent < limits.payouts.payeeStopRequestsPerMinuteMax; sent += 1) {
      expect((await from('10.9.0.1')).json().code).toBe('AMP_PAYEE_STOP_REFUSED');
    }
    const limited = await from('10.9.0.1');
    expect([limited.statusCode, limited.json().code]).toEqual([429, 'AMP_RATE_LIMITED']);
    const other = await from('10.9.0.2');
    expect([other.statusCode, other.json().code]).toEqual([403, 'AMP_PAYEE_STOP_REFUSED']);
  });
});
