import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import { limits } from '../../../limits.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { personWithCard, type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import {
  ledgerIsSound,
  lookupAccounts,
  postedBalance,
  transferCreator,
  verifyLedger,
} from '../../ledger/index.js';
import { cyclePublisher, programStatusChanger } from '../../programs/index.js';
import { approvedCycle } from '../../programs/programs-test-kit.js';
import {
  fundingAccountId,
  merchantAccountId,
  merchantPaymentTransferIds,
  walletAccountId,
} from '../accounts/account-ids.js';
import { validatePain001 } from '../payouts/iso20022/xsd-validator.js';
import {
  deniedCodes,
  fundWallet,
  payingCitizen,
  registeredMerchant,
  settleDay,
  staffPinSet,
  subsidisedMerchant,
} from './merchant-test-kit.js';

/**
 * Merchant payments (issue #16, points 5 and 6's server side): a signed request paid from the
 * wallet with a PIN and at the counter with the card, the subsidy split in one linked transfer,
 * receipts for both sides, a refund, the daily settlement file; and the bad input — expired,
 * replayed and forged requests, bad amounts, a wrong PIN locked after five tries — each an
 * AMP_ problem with nothing posted, audited.
 */
describe('merchant payments', () => {
  let kit: AccessTestApp;
  let payer: { personId: string; uin: string; qrText: string };
  let citizen: { amparo_session: string };
  let merchantId: string;
  let staff: SignedIn;
  let finance: SignedIn;
  let programId: string;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    const clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    payer = await personWithCard(kit, clerk, 'VE-A', { phone: '+584125550901' });
    ({ programId, merchantId, staff, finance } = await subsidisedMerchant(kit, 7_500));
    const ready = await payingCitizen(kit, payer, { fundedMinor: 10_000n, pin: '4821' });
    citizen = ready.session;
    // A first PIN set in the app is held for a day (the kit lifts the hold after this answer).
    expect(ready.pinSet.json()).toEqual({
      set: true,
      locked: false,
      attemptsLeft: 5,
      heldUntil: new Date(kit.now().getTime() + 24 * 3_600_000).toISOString(),
      heldReason: 'first_pin',
    });
  });
  afterAll(async () => kit?.close());

  const makeRequest = async (body: Record<string, unknown>) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchantId}/requests?purpose=distribution`,
      cookies: staff.cookies,
      payload: { amountMinor: '2000', reference: 'T-1', ...body },
    });
  const tokenOf = async (body: Record<string, unknown> = {}) => {
    const made = await makeRequest(body);
    expect(made.statusCode, made.body).toBe(201);
    return made.json().token as string;
  };
  const pay = (token: string, pin = '4821') =>
    kit.app.inject({
      method: 'POST',
      url: '/api/payments/me/payments',
      cookies: citizen,
      payload: { token, pin },
    });
  const balance = async (accountId: string) => {
    const [account] = await lookupAccounts(kit.database.db, [accountId]);
    return account === undefined ? 0n : postedBalance(account);
  };
  /** Another payer: a person with a funded wallet, a citizen session and a PIN. */
  const payerWithPin = async (phone: string, fundedMinor: bigint, pin: string) => {
    const other = await buildPerson(kit, { phone });
    const person = { personId: other.id, uin: other.uin };
    const { session, pinSet } = await payingCitizen(kit, person, { fundedMinor, pin });
    expect(pinSet.statusCode, pinSet.body).toBe(200);
    return { person, session };
  };
  const transferCount = async () =>
    (await kit.database.db.selectFrom('ledger_transfer').select('id').execute()).length;

  it('pays a subsidised price from the wallet: the program pays its share in the same linked transfer; both sides get the receipt', async () => {
    const token = await tokenOf({ amountMinor: '2000', reference: 'T-100', programId });
    const paid = await pay(token);
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({
      merchantName: 'Bodega La Esquina',
      reference: 'T-100',
      amountMinor: '2000',
      payerMinor: '500',
      subsidyMinor: '1500',
      channel: 'wallet',
    });
    expect(await balance(walletAccountId(payer.personId, 'VES'))).toBe(9_500n);
    expect(await balance(fundingAccountId(programId, 'VES'))).toBe(1_000_000n - 1_500n);
    expect(await balance(merchantAccountId(merchantId, 'VES'))).toBe(2_000n);
    const { requestId } = paid.json() as { requestId: string };
    const mine = await kit.app.inject({
      url: `/api/payments/me/payments/${requestId}`,
      cookies: citizen,
    });
    const theirs = await kit.app.inject({
      url: `/api/payments/merchants/${merchantId}/payments/${requestId}?purpose=distribution`,
      cookies: staff.cookies,
    });
    expect(mine.json()).toEqual(paid.json());
    expect(theirs.json()).toEqual(paid.json());
    expect(JSON.stringify(theirs.json())).not.toContain(payer.personId);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it('refuses a replayed, an expired and a forged request, posting nothing, and audits each', async () => {
    const token = await tokenOf({ reference: 'T-200' });
    expect((await pay(token)).statusCode).toBe(201);
    const before = await transferCount();
    const replayed = await pay(token);
    expect([replayed.statusCode, replayed.json().code]).toEqual([409, 'AMP_PAYMENT_REQUEST_USED']);

    const late = await tokenOf({ reference: 'T-201', expiresInSeconds: 60 });
    kit.advance(61_000);
    const expired = await pay(late);
    expect([expired.statusCode, expired.json().code]).toEqual([410, 'AMP_PAYMENT_REQUEST_EXPIRED']);

    const [head = '', body = '', signature = ''] = (await tokenOf({ amountMinor: '1' })).split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { a: string };
    const altered = Buffer.from(JSON.stringify({ ...payload, a: '1000' })).toString('base64url');
    const forged = await pay(`${head}.${altered}.${signature}`);
    expect([forged.statusCode, forged.json().code]).toEqual([422, 'AMP_PAYMENT_REQUEST_INVALID']);
    expect((await pay('not a request')).json().code).toBe('AMP_PAYMENT_REQUEST_INVALID');
    expect(await transferCount()).toBe(before);

    const codes = await deniedCodes(kit, 'payment.pay');
    expect(codes).toEqual(
      expect.arrayContaining([
        'AMP_PAYMENT_REQUEST_USED',
        'AMP_PAYMENT_REQUEST_EXPIRED',
        'AMP_PAYMENT_REQUEST_INVALID',
      ]),
    );
  });

  it('refuses bad amounts and a wrong currency before anything is written', async () => {
    for (const amountMinor of ['0', '-5', '9223372036854775808']) {
      const made = await makeRequest({ amountMinor });
      expect([made.statusCode, made.json().code], amountMinor).toEqual([400, 'AMP_AMOUNT_INVALID']);
    }
    const registered = await kit.app.inject({
      method: 'POST',
      url: '/api/payments/merchants?purpose=distribution',
      cookies: finance.cookies,
      payload: {
        merchantId: randomUUID(),
        name: 'Farmacia',
        stateCode: 'VE-A',
        currency: 'EUR',
        settlement: {
          bankCode: '0102',
          accountNumber: '01020000000000000001',
          holder: 'organisation',
        },
        staffOperatorIds: [],
        subsidies: [],
      },
    });
    expect([registered.statusCode, registered.json().code]).toEqual([422, 'AMP_CURRENCY_MISMATCH']);
    // A subsidising program that does not exist is named as such, on its field.
    const unknownProgram = await kit.app.inject({
      method: 'POST',
      url: '/api/payments/merchants?purpose=distribution',
      cookies: finance.cookies,
      payload: {
        merchantId: randomUUID(),
        name: 'Farmacia',
        stateCode: 'VE-A',
        currency: 'VES',
        settlement: {
          bankCode: '0102',
          accountNumber: '01020000000000000001',
          holder: 'organisation',
        },
        staffOperatorIds: [],
        subsidies: [{ programId: randomUUID(), shareBasisPoints: 5_000 }],
      },
    });
    expect([unknownProgram.statusCode, unknownProgram.json()]).toMatchObject([
      422,
      {
        code: 'AMP_SUBSIDY_PROGRAM_UNKNOWN',
        errors: [{ field: '/subsidies/0/programId', reason: 'no such program' }],
      },
    ]);
  });

  it('refuses a payer without a wallet and a subsidised price to a payer outside the program, posting nothing', async () => {
    const stranger = await buildPerson(kit, { phone: '+584125550903' });
    const { session } = await payingCitizen(
      kit,
      { personId: stranger.id, uin: stranger.uin },
      { pin: '1357' },
    );
    const before = await transferCount();
    const payAs = async (token: string) =>
      kit.app.inject({
        method: 'POST',
        url: '/api/payments/me/payments',
        cookies: session,
        payload: { token, pin: '1357' },
      });
    const noWallet = await payAs(await tokenOf({ reference: 'T-250' }));
    expect([noWallet.statusCode, noWallet.json().code]).toEqual([404, 'AMP_ACCOUNT_NOT_FOUND']);
    // Enrolled after the program's cycle: no entitlement, so no subsidy.
    await fundWallet(kit, stranger.id, 5_000n);
    const outside = await payAs(await tokenOf({ reference: 'T-251', programId }));
    expect([outside.statusCode, outside.json().code]).toEqual([409, 'AMP_SUBSIDY_NOT_ENTITLED']);
    expect(await transferCount()).toBe(before + 1); // the wallet's funding only

    // A merchant paid in dollars, a payer whose wallet holds bolívares.
    const dollars = await registeredMerchant(kit, { currency: 'USD', holder: 'organisation' });
    const usd = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${dollars.merchantId}/requests?purpose=distribution`,
      cookies: dollars.staff.cookies,
      payload: { amountMinor: '100', reference: 'U-1' },
    });
    const wrong = await payAs(usd.json().token);
    expect([wrong.statusCode, wrong.json().code]).toEqual([422, 'AMP_CURRENCY_MISMATCH']);
    expect(await transferCount()).toBe(before + 1);
  });

  it('refuses a payment past the wallet daily limit, posting nothing', async () => {
    const rich = await buildPerson(kit, { phone: '+584125550904' });
    const { session } = await payingCitizen(
      kit,
      { personId: rich.id, uin: rich.uin },
      { fundedMinor: 6_000_000n, pin: '8642' },
    );
    const before = await transferCount();
    const token = await tokenOf({
      amountMinor: String(limits.ledger.dailyDebitMaxMinor.beneficiary_wallet.VES + 1n),
      reference: 'T-260',
    });
    const over = await kit.app.inject({
      method: 'POST',
      url: '/api/payments/me/payments',
      cookies: session,
      payload: { token, pin: '8642' },
    });
    expect([over.statusCode, over.json().code]).toEqual([409, 'AMP_WALLET_DAILY_LIMIT']);
    expect(await transferCount()).toBe(before);
    expect(await balance(walletAccountId(rich.id, 'VES'))).toBe(6_000_000n);
  });

  it('locks the PIN after five wrong tries, refuses the right one then, and a clerk unlocks it', async () => {
    const token = await tokenOf({ reference: 'T-300' });
    const before = await transferCount();
    const answers: string[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1)
      answers.push((await pay(token, '0000')).json().code);
    expect(answers).toEqual([
      ...Array(4).fill('AMP_PIN_WRONG'),
      'AMP_PIN_LOCKED',
      'AMP_PIN_LOCKED',
    ]);
    const right = await pay(token);
    expect([right.statusCode, right.json().code]).toEqual([423, 'AMP_PIN_LOCKED']);
    expect(await transferCount()).toBe(before);
    const clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    const reset = await staffPinSet(kit, clerk.cookies, payer.personId, '7315');
    expect(reset.json()).toEqual({
      set: true,
      locked: false,
      attemptsLeft: 5,
      heldUntil: null,
      heldReason: null,
    });
    expect((await pay(token, '7315')).statusCode).toBe(201);
  });

  it('takes a payment at the counter with the card and PIN, refunds it by new transfers, and settles the day into a valid pain.001', async () => {
    const token = await tokenOf({ amountMinor: '800', reference: 'T-400', programId });
    const counter = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchantId}/counter-payments?purpose=distribution`,
      cookies: staff.cookies,
      payload: { token, cardQr: payer.qrText, pin: '7315' },
    });
    expect(counter.statusCode, counter.body).toBe(201);
    expect(counter.json()).toMatchObject({
      channel: 'counter',
      payerMinor: '200',
      subsidyMinor: '600',
    });
    const forgedCard = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchantId}/counter-payments?purpose=distribution`,
      cookies: staff.cookies,
      payload: { token: await tokenOf(), cardQr: 'HC1:NOTACARD', pin: '7315' },
    });
    expect(forgedCard.json().code).toBe('AMP_PAYMENT_CARD_REFUSED');

    const walletBefore = await balance(walletAccountId(payer.personId, 'VES'));
    const refund = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchantId}/payments/${counter.json().requestId}/refund?purpose=distribution`,
      cookies: staff.cookies,
      payload: { refundId: randomUUID() },
    });
    expect(refund.statusCode, refund.body).toBe(201);
    expect(refund.json().refundedAt).not.toBeNull();
    expect(await balance(walletAccountId(payer.personId, 'VES'))).toBe(walletBefore + 200n);

    const merchantBalance = await balance(merchantAccountId(merchantId, 'VES'));
    expect(merchantBalance).toBeGreaterThan(0n);
    const settled = await settleDay(kit, finance.cookies, '2026-12-05');
    expect(settled.statusCode, settled.body).toBe(201);
    expect(settled.json().settlements).toEqual([
      expect.objectContaining({ merchantId, amountMinor: merchantBalance.toString() }),
    ]);
    expect(await balance(merchantAccountId(merchantId, 'VES'))).toBe(0n);
    const file = await kit.app.inject({
      url: '/api/payments/merchant-settlements/2026-12-05/VES/pain.001.xml?purpose=distribution',
      cookies: finance.cookies,
    });
    expect(file.statusCode, file.body).toBe(200);
    // The person's settlement account, sealed in the database, is in the file for the bank.
    expect(file.body).toContain('01340000000000000042');
    expect((await validatePain001(file.body)).valid).toBe(true);
    const statements = await kit.app.inject({
      url: `/api/payments/merchants/${merchantId}/settlements?purpose=distribution`,
      cookies: staff.cookies,
    });
    expect(statements.json().settlements).toHaveLength(1);
    const stored = await kit.database.db
      .selectFrom('merchant')
      .select('settlement_account_clear')
      .where('id', '=', merchantId)
      .execute();
    expect(stored).toEqual([{ settlement_account_clear: null }]);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it('never overdraws one wallet paid from at once: exactly what it holds is paid', async () => {
    const { person, session } = await payerWithPin('+584125550902', 5_000n, '2468');
    const tokens = await Promise.all(
      Array.from({ length: 12 }, (_, i) => tokenOf({ amountMinor: '1000', reference: `C-${i}` })),
    );
    const answers = await Promise.all(
      tokens.map((token) =>
        kit.app.inject({
          method: 'POST',
          url: '/api/payments/me/payments',
          cookies: session,
          payload: { token, pin: '2468' },
        }),
      ),
    );
    const paid = answers.filter((answer) => answer.statusCode === 201).length;
    expect(paid).toBe(5);
    expect(
      answers.filter((answer) => answer.statusCode !== 201).map((answer) => answer.json().code),
    ).toEqual(Array(7).fill('AMP_FUNDS_INSUFFICIENT'));
    expect(await balance(walletAccountId(person.personId, 'VES'))).toBe(0n);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it('a payment the ledger refused does not use up the request: paid again once the wallet holds enough', async () => {
    const { person, session } = await payerWithPin('+584125550903', 500n, '1357');
    const token = await tokenOf({ amountMinor: '1000', reference: 'R-RETRY' });
    const request = await kit.database.db
      .selectFrom('payment_request')
      .select('id')
      .where('reference', '=', 'R-RETRY')
      .executeTakeFirstOrThrow();
    // What a payment at the same instant leaves behind: the ledger refused this request's
    // transfer (the wallet was short when the batch ran) and wrote the refusal under its id.
    const wallet = walletAccountId(person.personId, 'VES');
    const [refused] = await transferCreator(kit.database.db, [
      {
        id: merchantPaymentTransferIds(request.id).payer,
        debitAccountId: wallet,
        creditAccountId: merchantAccountId(merchantId, 'VES'),
        amountMinor: 1000n,
        flags: 0,
        currency: 'VES',
        reason: 'payment',
        referenceKind: 'payment_request',
        referenceId: request.id,
      },
    ]);
    expect(refused?.result).toBe('exceeds_credits');
    const payWith = () =>
      kit.app.inject({
        method: 'POST',
        url: '/api/payments/me/payments',
        cookies: session,
        payload: { token, pin: '1357' },
      });
    const short = await payWith();
    expect(short.json().code).toBe('AMP_FUNDS_INSUFFICIENT');
    await fundWallet(kit, person.personId, 500n);
    const paid = await payWith();
    expect(paid.statusCode, paid.body).toBe(201);
    expect(await balance(wallet)).toBe(0n);
    // Paid once: presented again it is used, and nothing more moves.
    expect((await payWith()).json().code).toBe('AMP_PAYMENT_REQUEST_USED');
    expect(await balance(wallet)).toBe(0n);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it("keeps merchants apart: another merchant's staff is answered 404", async () => {
    const elsewhere = await registeredMerchant(kit, { holder: 'organisation' });
    const foreign = await kit.app.inject({
      url: `/api/payments/merchants/${merchantId}/payments?purpose=distribution`,
      cookies: elsewhere.staff.cookies,
    });
    expect(foreign.statusCode).toBe(404);
    const own = await kit.app.inject({
      url: '/api/payments/merchants/mine',
      cookies: staff.cookies,
    });
    expect(own.json().merchants).toEqual([expect.objectContaining({ merchantId })]);
  });

  it('a suspended program pays no share of a subsidised price; the same request is paid once it resumes', async () => {
    const setStatus = (to: 'suspended' | 'published') =>
      programStatusChanger(kit.database.db, { programId, to, operatorId: finance.operatorId });
    const token = await tokenOf({ amountMinor: '400', reference: 'T-900', programId });
    const wallet = await balance(walletAccountId(payer.personId, 'VES'));
    const funding = await balance(fundingAccountId(programId, 'VES'));
    const before = await transferCount();
    await setStatus('suspended');
    // The PIN a clerk set after the lock-out above.
    const pin = '7315';
    const refused = await pay(token, pin);
    expect([refused.statusCode, refused.json().code]).toEqual([
      409,
      'AMP_SUBSIDY_PROGRAM_SUSPENDED',
    ]);
    expect(await transferCount()).toBe(before);
    expect(await balance(walletAccountId(payer.personId, 'VES'))).toBe(wallet);
    // An unsubsidised price at the same counter is the payer's own money: still paid.
    const own = await pay(await tokenOf({ amountMinor: '100', reference: 'T-901' }), pin);
    expect(own.statusCode, own.body).toBe(201);
    await setStatus('published');
    const paid = await pay(token, pin);
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({ payerMinor: '100', subsidyMinor: '300' });
    expect(await balance(fundingAccountId(programId, 'VES'))).toBe(funding - 300n);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  // Last: the new cycle gives every payer above one more entitlement (allowance).
  it('an entitlement of a cycle approved but not published allows no share; the same request is paid once it is published', async () => {
    // Enrolled after the program's first cycle: entitled only by the new one, not published.
    const late = await payerWithPin('+584125550909', 5_000n, '2468');
    const { cycleId } = await approvedCycle(kit.database.db, programId, '2027-01-01');
    const token = await tokenOf({ amountMinor: '400', reference: 'T-950', programId });
    const payLate = () =>
      kit.app.inject({
        method: 'POST',
        url: '/api/payments/me/payments',
        cookies: late.session,
        payload: { token, pin: '2468' },
      });
    const before = await transferCount();
    const deniedBefore = (await deniedCodes(kit, 'payment.pay')).length;
    const refused = await payLate();
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'AMP_CYCLE_NOT_PUBLISHED']);
    expect((await deniedCodes(kit, 'payment.pay')).slice(deniedBefore)).toEqual([
      'AMP_CYCLE_NOT_PUBLISHED',
    ]);
    expect(await transferCount()).toBe(before);
    await cyclePublisher(kit.database.db, { cycleId, operatorId: finance.operatorId });
    const paid = await payLate();
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({ payerMinor: '100', subsidyMinor: '300' });
  });
});
