import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHousehold, buildPerson } from '../../../../test/factories.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  cheapHashOptions,
  citizenSession,
} from '../../access/access-test-kit.js';
import { personWithCard, type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import { ledgerIsSound, lookupAccounts, postedBalance, verifyLedger } from '../../ledger/index.js';
import { outboxWorker, smppProvider } from '../../notifications/index.js';
import { receivedCode } from '../../notifications/received-text-test-kit.js';
import { startTestSmsc } from '../../notifications/smpp-test-kit.js';
import { fundingAccountId, merchantAccountId, walletAccountId } from '../accounts/account-ids.js';
import { freezeWallets } from '../accounts/wallet-freeze.js';
import {
  fundWallet,
  pinOnFile,
  registeredMerchant,
  subsidisedMerchant,
} from './merchant-test-kit.js';
import { pinSetter, pinState } from './payment-pin.js';

/**
 * Paying at a merchant's counter without the card (issue #16, point 5; safeguard 9), over HTTP
 * on PostgreSQL and PGlite alike: ID number, PIN and a second check (the code texted to the
 * phone on file, the photo with the merchant's attestation, a household member's card), the
 * payment in the person's history as `assisted`, the supervisor's list; and the attacks — an
 * enumerating merchant (one answer for an unknown number, a wrong PIN, no wallet, a frozen
 * wallet, no photo or code before the PIN), PIN guessing (the PIN's lock), another merchant's or
 * another region's staff, a merchant over its daily bound — and bad input, nothing posted.
 */
const triesPerDay = 25;

describe('paying at the counter without the card', () => {
  let kit: AccessTestApp;
  let merchantId: string;
  let staff: SignedIn;
  let finance: SignedIn;
  let programId: string;
  let payer: { personId: string; uin: string };
  let withPhoto: { personId: string; uin: string };

  beforeAll(async () => {
    kit = await buildAccessTestApp({
      rateLimitRequestsMax: 100_000,
      configEnv: { AMPARO_COUNTER_ASSISTED_PER_DAY: String(triesPerDay) },
    });
    // Enrolled before the cash program's cycle: the payer holds its entitlement (a subsidised price).
    payer = await readyPerson({ phone: '+584125550911' }, 10_000n, '4821');
    ({ programId, merchantId, staff, finance } = await subsidisedMerchant(kit, 5_000));
    withPhoto = await readyPerson({ sealed: { photo: 'iVBORw0KGgo=' } }, 10_000n, '7391');
  }, 120_000);
  afterAll(async () => kit?.close());

  /** A person with a wallet funded with `fundedMinor` (none without) and a PIN (none without). */
  async function readyPerson(
    options: Parameters<typeof buildPerson>[1],
    fundedMinor: bigint | null,
    pin: string | null,
  ) {
    const built = await buildPerson(kit, options);
    if (fundedMinor !== null) await fundWallet(kit, built.id, fundedMinor);
    if (pin !== null) {
      await pinOnFile(kit.database.db, {
        personId: built.id,
        pin,
        hashOptions: cheapHashOptions,
        masterKey: kit.masterKey,
        now: kit.now(),
      });
    }
    return { personId: built.id, uin: built.uin };
  }

  const url = (merchant = merchantId) =>
    `/api/payments/merchants/${merchant}/assisted-payments?purpose=distribution`;
  const tokenOf = async (
    body: Record<string, unknown> = {},
    merchant = merchantId,
    who = staff,
  ) => {
    const made = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchant}/requests?purpose=distribution`,
      cookies: who.cookies,
      payload: { amountMinor: '2000', reference: 'C-1', expiresInSeconds: 900, ...body },
    });
    expect(made.statusCode, made.body).toBe(201);
    return made.json().token as string;
  };
  const start = (payload: Record<string, unknown>, merchant = merchantId, who = staff) =>
    kit.app.inject({
      method: 'POST',
      url: url(merchant),
      cookies: who.cookies,
      payload: { reason: 'lost', method: 'phone_code', ...payload },
    });
  const pay = (
    assistedId: string,
    payload: Record<string, unknown>,
    merchant = merchantId,
    who = staff,
  ) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchant}/assisted-payments/${assistedId}/pay?purpose=distribution`,
      cookies: who.cookies,
      payload,
    });
  /** The payment code texted to a person, as their phone shows it (the outbox keeps it sealed). */
  const codeTextedTo = (personId: string) =>
    receivedCode(
      { db: kit.database.db, masterKey: kit.masterKey },
      { personId, templateId: 'payments.payment_code' },
    );
  const codesTexted = async () =>
    (
      await kit.database.db
        .selectFrom('notification_outbox')
        .select('id')
        .where('template_id', '=', 'payments.payment_code')
        .execute()
    ).length;
  const balance = async (accountId: string) => {
    const [account] = await lookupAccounts(kit.database.db, [accountId]);
    return account === undefined ? 0n : postedBalance(account);
  };
  const transferCount = async () =>
    (await kit.database.db.selectFrom('ledger_transfer').select('id').execute()).length;
  const personEntries = async (personId: string) => {
    const rows = await kit.database.asAdmin((admin) =>
      admin.selectFrom('audit_entry').select('entry').execute(),
    );
    return rows
      .map(
        (row) =>
          JSON.parse(String(row.entry)) as {
            action: string;
            outcome: string;
            reasonCode: string | null;
            fields: string[];
            resource: { type: string; id: string | null };
          },
      )
      .filter((entry) => entry.resource.type === 'person' && entry.resource.id === personId)
      .filter((entry) => entry.action === 'merchant.counter_assisted_pay');
  };

  it('pays by ID number, PIN and the code texted to the phone on file: the split and the daily limit as with the card, "assisted" in the history, listed for the supervisor without the person', async () => {
    const token = await tokenOf({ programId, reference: 'C-100' });
    const started = await start({ token, uin: payer.uin, pin: '4821' });
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json()).toMatchObject({ method: 'phone_code', reason: 'lost', photo: null });
    const { assistedId } = started.json() as { assistedId: string };
    const code = await codeTextedTo(payer.personId);
    const before = await transferCount();
    const wrong = await pay(assistedId, { token, code: code === '000000' ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({
      code: 'AMP_COUNTER_CHECK_FAILED',
      errors: [{ code: 'wrong_code' }],
    });
    expect(await transferCount()).toBe(before);
    const paid = await pay(assistedId, { token, code });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({
      reference: 'C-100',
      channel: 'assisted',
      payerMinor: '1000',
      subsidyMinor: '1000',
    });
    expect(await balance(walletAccountId(payer.personId, 'VES'))).toBe(9_000n);
    expect(await balance(fundingAccountId(programId, 'VES'))).toBe(1_000_000n - 1_000n);
    expect(await balance(merchantAccountId(merchantId, 'VES'))).toBe(2_000n);
    const again = await pay(assistedId, { token, code });
    expect(again.json()).toMatchObject({ errors: [{ code: 'used' }] });
    // The person's own history says how.
    const history = await kit.app.inject({
      url: '/api/payments/me/payments',
      cookies: await citizenSession(kit, payer),
    });
    expect(history.json().payments).toEqual([
      expect.objectContaining({ reference: 'C-100', channel: 'assisted' }),
    ]);
    // In their access history: the start, the check and the payment; never the photo.
    const entries = await personEntries(payer.personId);
    expect(entries.filter((entry) => entry.outcome === 'allowed').map((e) => e.fields)).toEqual([
      [],
      ['second_check'],
      ['wallet_balance'],
    ]);
    const listed = await kit.app.inject({ url: url(), cookies: finance.cookies });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json()).toMatchObject({ triesMax: triesPerDay });
    expect(listed.json().tries).toEqual([
      expect.objectContaining({
        assistedId,
        outcome: 'paid',
        codeAttempts: 1,
        amountMinor: '2000',
      }),
    ]);
    expect(listed.body).not.toContain(payer.personId);
    expect(listed.body).not.toContain(payer.uin);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it("texts the code with what the person pays — their share after the program's subsidy, not the price — as the SMS centre receives it", async () => {
    const smsc = await startTestSmsc('smsc-counter-');
    const provider = smppProvider({
      url: smsc.url,
      systemId: 'amparo',
      password: 'secret',
      sourceAddr: 'AMPARO',
    });
    try {
      const worker = outboxWorker({
        db: kit.database.db,
        masterKey: kit.masterKey,
        provider,
        now: kit.now,
      });
      // What earlier tests queued leaves first: the centre then receives this try's text only.
      await worker.drain();
      smsc.submits.length = 0;
      const token = await tokenOf({ programId, reference: 'C-101' });
      const started = await start({ token, uin: payer.uin, pin: '4821' });
      expect(started.statusCode, started.body).toBe(201);
      expect(await worker.drain()).toBe(1);
    } finally {
      await provider.close();
      await smsc.close();
    }
    // One text, in parts (UCS-2 for "ó") joined by their UDH: put back in order.
    const parts = smsc.submits
      .filter((submit) => submit.to === '584125550911')
      .sort((left, right) => (left.concat?.[2] ?? 1) - (right.concat?.[2] ?? 1));
    const texts = [parts.map((part) => part.text).join('')];
    // A price of 20.00 of which the program pays half: the person pays 10.00.
    expect(texts).toEqual([
      expect.stringMatching(
        /^Amparo: su código para pagar 10\.00 VES sin carnet es [0-9]{6} \(vale 5 min\)\. Si no está pagando, no lo dé\.$/,
      ),
    ]);
  });

  it('answers one thing for an unknown ID number, a wrong PIN, no wallet and a frozen wallet — no code texted, no photo shown — and a wrong PIN counts toward the lock', async () => {
    const noWallet = await readyPerson({ phone: '+584125550912' }, null, '5555');
    const frozen = await readyPerson({ sealed: { photo: 'iVBORw0KGgo=' } }, 500n, '6666');
    await kit.database.db
      .transaction()
      .execute((trx) => freezeWallets(trx, frozen.personId, 'death'));
    const noPin = await readyPerson({ phone: '+584125550913' }, 500n, null);
    const token = await tokenOf();
    const texted = await codesTexted();
    const transfers = await transferCount();
    const unknownUin = '2222222223';
    const answers = await Promise.all([
      start({ token, uin: unknownUin, pin: '4821' }),
      start({ token, uin: withPhoto.uin, pin: '0000', method: 'photo_attested' }),
      start({ token, uin: noWallet.uin, pin: '5555' }),
      start({ token, uin: frozen.uin, pin: '6666', method: 'photo_attested' }),
      start({ token, uin: noPin.uin, pin: '1234' }),
    ]);
    const bodies = answers.map((answer) => {
      const { instance: _instance, requestId: _requestId, ...rest } = answer.json();
      return { status: answer.statusCode, rest };
    });
    expect(bodies[0]?.status).toBe(422);
    expect(bodies[0]?.rest.code).toBe('AMP_COUNTER_PAYMENT_REFUSED');
    for (const body of bodies) expect(body).toEqual(bodies[0]);
    for (const answer of answers) expect(answer.body).not.toContain('iVBORw0KGgo');
    expect(await codesTexted()).toBe(texted);
    expect(await transferCount()).toBe(transfers);
    // Audited on each person the number named (in their access history), as denied.
    expect((await personEntries(frozen.personId)).map((e) => e.reasonCode)).toEqual([
      'AMP_COUNTER_PAYMENT_REFUSED',
    ]);
    // PIN guessing: the wrong PIN above was the first of five; the fifth locks it, and then the
    // right PIN is refused alike.
    expect((await pinState(kit.database.db, withPhoto.personId)).attemptsLeft).toBe(4);
    for (const pin of ['0001', '0002', '0003', '0004']) {
      expect((await start({ token, uin: withPhoto.uin, pin })).json().code).toBe(
        'AMP_COUNTER_PAYMENT_REFUSED',
      );
    }
    expect((await pinState(kit.database.db, withPhoto.personId)).locked).toBe(true);
    const right = await start({ token, uin: withPhoto.uin, pin: '7391', method: 'photo_attested' });
    expect(right.json().code).toBe('AMP_COUNTER_PAYMENT_REFUSED');
    expect(right.body).not.toContain('iVBORw0KGgo');
    // A clerk sets a new PIN (the way out of a lock) for the next test.
    await pinSetter(kit.database.db, {
      personId: withPhoto.personId,
      pin: '7391',
      hashOptions: cheapHashOptions,
      masterKey: kit.masterKey,
      now: kit.now(),
    });
  });

  it("shows the photo on file only after ID number and the right PIN; the merchant's attestation passes the check", async () => {
    const token = await tokenOf({ amountMinor: '300', reference: 'C-200' });
    const started = await start({
      token,
      uin: withPhoto.uin,
      pin: '7391',
      method: 'photo_attested',
      reason: 'never_had',
    });
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json().photo).toBe('iVBORw0KGgo=');
    const { assistedId } = started.json() as { assistedId: string };
    const unattested = await pay(assistedId, { token });
    expect(unattested.json()).toMatchObject({ errors: [{ code: 'attestation' }] });
    const paid = await pay(assistedId, { token, attestation: true });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({ channel: 'assisted', payerMinor: '300' });
    expect((await personEntries(withPhoto.personId)).some((e) => e.fields.includes('photo'))).toBe(
      true,
    );
  });

  it("takes a household member's valid card as the check, not the person's own nor a stranger's", async () => {
    const issuer = await signIn(kit, ['registry_supervisor'], ['VE-A']);
    const member = await personWithCard(kit, issuer);
    const stranger = await personWithCard(kit, issuer);
    const head = await readyPerson({}, 1_000n, '2468');
    await buildHousehold(kit, {
      members: [
        { person: { id: head.personId }, relationship: 'head' },
        { person: { id: member.personId }, relationship: 'child' },
      ],
    });
    const token = await tokenOf({ amountMinor: '100', reference: 'C-300' });
    const started = await start({ token, uin: head.uin, pin: '2468', method: 'household_card' });
    expect(started.statusCode, started.body).toBe(201);
    const { assistedId } = started.json() as { assistedId: string };
    const foreign = await pay(assistedId, { token, householdQrText: stranger.qrText });
    expect(foreign.json()).toMatchObject({ errors: [{ code: 'not_household' }] });
    const paid = await pay(assistedId, { token, householdQrText: member.qrText });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json().channel).toBe('assisted');
  });

  it("refuses another merchant's staff, another staff member's check, and a supervisor of another region", async () => {
    const other = await registeredMerchant(kit);
    const token = await tokenOf({ amountMinor: '100' });
    const intruder = await start({ token, uin: payer.uin, pin: '4821' }, merchantId, other.staff);
    expect(intruder.statusCode).toBe(404);
    const started = await start({ token, uin: payer.uin, pin: '4821' });
    expect(started.statusCode, started.body).toBe(201);
    const { assistedId } = started.json() as { assistedId: string };
    // The other merchant's staff, on their own merchant's path, naming this merchant's check.
    const otherToken = await tokenOf({ amountMinor: '100' }, other.merchantId, other.staff);
    const borrowed = await pay(
      assistedId,
      { token: otherToken, code: await codeTextedTo(payer.personId) },
      other.merchantId,
      other.staff,
    );
    expect(borrowed.json()).toMatchObject({
      code: 'AMP_COUNTER_CHECK_FAILED',
      errors: [{ code: 'unknown' }],
    });
    // Another region's auditor and finance officer do not see this merchant's list.
    for (const [roles, purpose] of [
      [['auditor'], 'audit'],
      [['finance_officer'], 'distribution'],
    ] as const) {
      const away = await signIn(kit, [...roles], ['VE-B']);
      const listed = await kit.app.inject({
        url: `/api/payments/merchants/${merchantId}/assisted-payments?purpose=${purpose}`,
        cookies: away.cookies,
      });
      expect(listed.statusCode).toBe(404);
    }
    const auditor = await signIn(kit, ['auditor'], ['VE-A']);
    const seen = await kit.app.inject({
      url: `/api/payments/merchants/${merchantId}/assisted-payments?purpose=audit`,
      cookies: auditor.cookies,
    });
    expect(seen.statusCode, seen.body).toBe(200);
  });

  it('stops a merchant at its daily bound, refused tries counted, before any PIN is tried', async () => {
    const bounded = await registeredMerchant(kit);
    const token = await tokenOf({ amountMinor: '100' }, bounded.merchantId, bounded.staff);
    for (let index = 0; index < triesPerDay; index += 1) {
      const refused = await start(
        { token, uin: `3${String(index).padStart(8, '0')}4`, pin: '4821' },
        bounded.merchantId,
        bounded.staff,
      );
      expect(refused.json().code).toBe('AMP_COUNTER_PAYMENT_REFUSED');
    }
    const attemptsLeft = (await pinState(kit.database.db, payer.personId)).attemptsLeft;
    const over = await start(
      { token, uin: payer.uin, pin: '0000' },
      bounded.merchantId,
      bounded.staff,
    );
    expect(over.statusCode).toBe(429);
    expect(over.json().code).toBe('AMP_COUNTER_ASSISTED_LIMIT_REACHED');
    expect((await pinState(kit.database.db, payer.personId)).attemptsLeft).toBe(attemptsLeft);
    const listed = await kit.app.inject({
      url: `/api/payments/merchants/${bounded.merchantId}/assisted-payments?purpose=distribution`,
      cookies: bounded.finance.cookies,
    });
    expect(listed.json().tries).toHaveLength(triesPerDay);
    expect(new Set(listed.json().tries.map((t: { outcome: string }) => t.outcome))).toEqual(
      new Set(['refused']),
    );
  });

  it('does not count a try whose chosen check cannot be done (no photo on file) against the daily bound', async () => {
    const bounded = await registeredMerchant(kit);
    const token = await tokenOf({ amountMinor: '100' }, bounded.merchantId, bounded.staff);
    const startHere = (payload: Record<string, unknown>) =>
      start(payload, bounded.merchantId, bounded.staff);
    for (let index = 0; index < triesPerDay - 1; index += 1) {
      const refused = await startHere({
        token,
        uin: `3${String(index).padStart(8, '0')}4`,
        pin: '4821',
      });
      expect(refused.json().code).toBe('AMP_COUNTER_PAYMENT_REFUSED');
    }
    // The payer has no photo on file: ID number and PIN pass, the check chosen cannot be done.
    for (let index = 0; index < 2; index += 1) {
      const noPhoto = await startHere({
        token,
        uin: payer.uin,
        pin: '4821',
        method: 'photo_attested',
      });
      expect(noPhoto.statusCode, noPhoto.body).toBe(422);
      expect(noPhoto.json()).toMatchObject({ errors: [{ code: 'no_photo' }] });
    }
    // One try of the day left, and it is taken by a check that can be done.
    const passed = await startHere({
      token,
      uin: withPhoto.uin,
      pin: '7391',
      method: 'photo_attested',
    });
    expect(passed.statusCode, passed.body).toBe(201);
    const over = await startHere({
      token,
      uin: withPhoto.uin,
      pin: '7391',
      method: 'photo_attested',
    });
    expect(over.json().code).toBe('AMP_COUNTER_ASSISTED_LIMIT_REACHED');
    // Still listed for the supervisor, refused.
    const listed = await kit.app.inject({
      url: `/api/payments/merchants/${bounded.merchantId}/assisted-payments?purpose=distribution`,
      cookies: bounded.finance.cookies,
    });
    expect(listed.json().tries).toHaveLength(triesPerDay + 2);
  });

  it("goes through the PIN guard: a staff-set PIN on hold is refused alike, and a counter at its day's wrong PINs is stopped before any PIN is tried", async () => {
    const held = await readyPerson({ phone: '+584125550912' }, 10_000n, null);
    await pinSetter(kit.database.db, {
      personId: held.personId,
      pin: '5173',
      hashOptions: cheapHashOptions,
      masterKey: kit.masterKey,
      now: kit.now(),
      setter: {
        method: 'staff_two_person',
        operatorId: staff.operatorId,
        approvedBy: finance.operatorId,
      },
    });
    const guarded = await registeredMerchant(kit);
    const token = await tokenOf({ amountMinor: '100' }, guarded.merchantId, guarded.staff);
    const onHold = await start(
      { token, uin: held.uin, pin: '5173' },
      guarded.merchantId,
      guarded.staff,
    );
    expect(onHold.json().code).toBe('AMP_COUNTER_PAYMENT_REFUSED');
    // Wrong PINs by ID number count against the merchant's daily bound (10), as with the card.
    for (const guessed of [
      await readyPerson({}, 10_000n, '2468'),
      await readyPerson({}, 10_000n, '2468'),
    ]) {
      for (let index = 0; index < 5; index += 1) {
        const wrong = await start(
          { token, uin: guessed.uin, pin: '0000' },
          guarded.merchantId,
          guarded.staff,
        );
        expect(wrong.json().code).toBe('AMP_COUNTER_PAYMENT_REFUSED');
      }
    }
    const attemptsLeft = (await pinState(kit.database.db, payer.personId)).attemptsLeft;
    const stopped = await start(
      { token, uin: payer.uin, pin: '4821' },
      guarded.merchantId,
      guarded.staff,
    );
    expect([stopped.statusCode, stopped.json().code]).toEqual([
      429,
      'AMP_MERCHANT_PIN_TRIES_EXCEEDED',
    ]);
    expect((await pinState(kit.database.db, payer.personId)).attemptsLeft).toBe(attemptsLeft);
  });

  it('refuses bad input with AMP_ problems and posts nothing', async () => {
    const token = await tokenOf({ amountMinor: '100' });
    const transfers = await transferCount();
    const cases: [Record<string, unknown>, string][] = [
      [{ token, uin: '12345', pin: '4821' }, 'AMP_VALIDATION'],
      [{ token, uin: payer.uin, pin: '48' }, 'AMP_VALIDATION'],
      [{ token, uin: payer.uin, pin: '4821', reason: 'stolen' }, 'AMP_VALIDATION'],
      [{ token, uin: payer.uin, pin: '4821', method: 'fingerprint' }, 'AMP_VALIDATION'],
      [{ token, uin: payer.uin, pin: '4821', extra: 1 }, 'AMP_VALIDATION'],
      [{ token: 'AMPPAY1.x.y', uin: payer.uin, pin: '4821' }, 'AMP_PAYMENT_REQUEST_INVALID'],
    ];
    for (const [payload, code] of cases) {
      const answer = await start(payload);
      expect(answer.json().code, JSON.stringify(payload)).toBe(code);
    }
    const badPay = await pay(randomUUID(), { token, code: 'abc' });
    expect(badPay.json().code).toBe('AMP_VALIDATION');
    const noSuch = await pay(randomUUID(), { token, code: '123456' });
    expect(noSuch.json()).toMatchObject({ errors: [{ code: 'unknown' }] });
    const badDay = await kit.app.inject({
      url: `/api/payments/merchants/${merchantId}/assisted-payments?purpose=distribution&day=yesterday`,
      cookies: finance.cookies,
    });
    expect(badDay.json().code).toBe('AMP_VALIDATION');
    expect(await transferCount()).toBe(transfers);
  });
});
