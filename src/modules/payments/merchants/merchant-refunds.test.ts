import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import { limits } from '../../../limits.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { ledgerIsSound, lookupAccounts, postedBalance, verifyLedger } from '../../ledger/index.js';
import { fundingAccountId, merchantAccountId, walletAccountId } from '../accounts/account-ids.js';
import {
  deniedCodes,
  payingCitizen,
  registeredMerchant,
  settleDay,
  subsidisedMerchant,
} from './merchant-test-kit.js';
import { refundSplit } from './refund-split.js';

/**
 * Partial refunds (issue #16, point 5): a merchant refunds part of a payment, several times,
 * never more in total than was paid; the wallet and the program get back their parts of each
 * refund, adding up exactly; idempotent on the refund id; refused over-refunds, wrong
 * currencies and other merchants' payments post nothing and are audited.
 */
describe('refundSplit', () => {
  it('splits every refund exactly and returns each side exactly its share once all is refunded', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 15n }), { minLength: 1, maxLength: 12 }),
        (amountMinor, basisPoints, cuts) => {
          const subsidyMinor = (amountMinor * BigInt(basisPoints)) / 10_000n;
          let refunded = 0n;
          let payerBack = 0n;
          let programBack = 0n;
          for (const cut of [...cuts, amountMinor]) {
            const amount = cut < amountMinor - refunded ? cut : amountMinor - refunded;
            if (amount === 0n) break;
            const split = refundSplit({ amountMinor, subsidyMinor }, refunded, amount);
            expect(split.payerMinor + split.subsidyMinor).toBe(amount);
            expect(split.payerMinor >= 0n && split.subsidyMinor >= 0n).toBe(true);
            refunded += amount;
            payerBack += split.payerMinor;
            programBack += split.subsidyMinor;
            expect(programBack <= subsidyMinor && payerBack <= amountMinor - subsidyMinor).toBe(
              true,
            );
          }
          expect([refunded, payerBack, programBack]).toEqual([
            amountMinor,
            amountMinor - subsidyMinor,
            subsidyMinor,
          ]);
        },
      ),
    );
  });

  it('refuses more than was paid (a bug, not an input)', () => {
    expect(() => refundSplit({ amountMinor: 10n, subsidyMinor: 5n }, 6n, 5n)).toThrow();
  });
});

describe('partial refunds', () => {
  let kit: AccessTestApp;
  let merchantId: string;
  let staff: Awaited<ReturnType<typeof registeredMerchant>>['staff'];
  let finance: Awaited<ReturnType<typeof registeredMerchant>>['finance'];
  let programId: string;
  let payerId: string;
  let session: { amparo_session: string };

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    // Enrolled before the cycle is computed: the payer holds its entitlement (the subsidy).
    const person = await buildPerson(kit, { phone: '+584125550911' });
    payerId = person.id;
    ({ programId, merchantId, staff, finance } = await subsidisedMerchant(kit, 6_667));
    const ready = await payingCitizen(
      kit,
      { personId: person.id, uin: person.uin },
      { fundedMinor: 100_000n, pin: '3141' },
    );
    session = ready.session;
    expect(ready.pinSet.statusCode, ready.pinSet.body).toBe(200);
  });
  afterAll(async () => kit?.close());

  /** A paid payment of `amountMinor`, subsidised by the program unless told otherwise. */
  const paid = async (amountMinor: string, subsidised = true) => {
    const made = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchantId}/requests?purpose=distribution`,
      cookies: staff.cookies,
      payload: { amountMinor, reference: 'R-1', ...(subsidised ? { programId } : {}) },
    });
    expect(made.statusCode, made.body).toBe(201);
    const payment = await kit.app.inject({
      method: 'POST',
      url: '/api/payments/me/payments',
      cookies: session,
      payload: { token: made.json().token, pin: '3141' },
    });
    expect(payment.statusCode, payment.body).toBe(201);
    return payment.json() as { requestId: string; payerMinor: string; subsidyMinor: string };
  };
  const refund = (
    requestId: string,
    body: Record<string, unknown>,
    cookies = staff.cookies,
    merchant = merchantId,
  ) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchant}/payments/${requestId}/refund?purpose=distribution`,
      cookies,
      payload: { refundId: randomUUID(), ...body },
    });
  const balance = async (accountId: string) => {
    const [account] = await lookupAccounts(kit.database.db, [accountId]);
    return account === undefined ? 0n : postedBalance(account);
  };
  const wallet = () => balance(walletAccountId(payerId, 'VES'));
  const funding = () => balance(fundingAccountId(programId, 'VES'));
  const rows = async () => ({
    transfers: (await kit.database.db.selectFrom('ledger_transfer').select('id').execute()).length,
    refunds: (await kit.database.db.selectFrom('merchant_refund').select('refund_id').execute())
      .length,
  });

  it('refunds a payment in several parts; the wallet and the program get back exactly what each paid; both receipts list the refunds', async () => {
    const payment = await paid('1000');
    // 66.67 % of 1000, rounded down: the program paid 666, the payer 334.
    expect([payment.payerMinor, payment.subsidyMinor]).toEqual(['334', '666']);
    const walletBefore = await wallet();
    const fundingBefore = await funding();
    const parts: Array<[string, string]> = [];
    for (const amountMinor of ['1', '333', '250']) {
      const answer = await refund(payment.requestId, { amountMinor, currency: 'VES' });
      expect(answer.statusCode, answer.body).toBe(201);
      const last = answer.json().refunds.at(-1) as { payerMinor: string; subsidyMinor: string };
      parts.push([last.payerMinor, last.subsidyMinor]);
    }
    // ⌊r × 666 / 1000⌋ after each refund: 0, 222, 388.
    expect(parts).toEqual([
      ['1', '0'],
      ['111', '222'],
      ['84', '166'],
    ]);
    // The rest, with no amount: 416, of which the program gets 666 − 388 = 278.
    const rest = await refund(payment.requestId, {});
    expect(rest.statusCode, rest.body).toBe(201);
    expect(rest.json()).toMatchObject({ refundedMinor: '1000', amountMinor: '1000' });
    expect(rest.json().refunds.at(-1)).toMatchObject({
      amountMinor: '416',
      payerMinor: '138',
      subsidyMinor: '278',
    });
    expect(await wallet()).toBe(walletBefore + 334n);
    expect(await funding()).toBe(fundingBefore + 666n);

    const theirs = await kit.app.inject({
      url: `/api/payments/merchants/${merchantId}/payments/${payment.requestId}?purpose=distribution`,
      cookies: staff.cookies,
    });
    const mine = await kit.app.inject({
      url: `/api/payments/me/payments/${payment.requestId}`,
      cookies: session,
    });
    expect(theirs.json()).toEqual(rest.json());
    expect(mine.json()).toEqual(rest.json());
    expect(mine.json().refunds).toHaveLength(4);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it('refuses an over-refund, a wrong currency and another merchant’s payment, posting nothing, and audits each', async () => {
    const payment = await paid('500');
    expect((await refund(payment.requestId, { amountMinor: '300' })).statusCode).toBe(201);
    const before = await rows();
    const over = await refund(payment.requestId, { amountMinor: '201' });
    expect([over.statusCode, over.json().code]).toEqual([409, 'AMP_REFUND_EXCEEDS_PAYMENT']);
    expect(over.json().errors).toEqual([{ field: '/amountMinor', reason: 'at most 200' }]);
    const usd = await refund(payment.requestId, { amountMinor: '1', currency: 'USD' });
    expect([usd.statusCode, usd.json().code]).toEqual([422, 'AMP_CURRENCY_MISMATCH']);
    const zero = await refund(payment.requestId, { amountMinor: '0' });
    expect([zero.statusCode, zero.json().code]).toEqual([400, 'AMP_AMOUNT_INVALID']);
    const huge = await refund(payment.requestId, { amountMinor: '9223372036854775808' });
    expect(huge.json().code).toBe('AMP_AMOUNT_INVALID');

    // Another merchant's staff: through their own merchant, the payment is not theirs; through
    // this one, the merchant is not theirs (404, as if it did not exist).
    const other = await registeredMerchant(kit, { holder: 'organisation' });
    const notTheirs = await refund(payment.requestId, {}, other.staff.cookies, other.merchantId);
    expect([notTheirs.statusCode, notTheirs.json().code]).toEqual([
      422,
      'AMP_PAYMENT_REQUEST_INVALID',
    ]);
    expect((await refund(payment.requestId, {}, other.staff.cookies)).statusCode).toBe(404);
    // A finance officer does not hold merchant.refund.
    expect((await refund(payment.requestId, {}, finance.cookies)).statusCode).toBe(403);
    expect(await rows()).toEqual(before);

    expect((await refund(payment.requestId, { amountMinor: '200' })).statusCode).toBe(201);
    const done = await refund(payment.requestId, {});
    expect([done.statusCode, done.json().code]).toEqual([409, 'AMP_PAYMENT_REFUNDED']);

    const codes = await deniedCodes(kit, 'merchant.refund');
    expect(codes).toEqual(
      expect.arrayContaining([
        'AMP_REFUND_EXCEEDS_PAYMENT',
        'AMP_CURRENCY_MISMATCH',
        'AMP_AMOUNT_INVALID',
        'AMP_PAYMENT_REQUEST_INVALID',
        'AMP_PAYMENT_REFUNDED',
      ]),
    );
  });

  it('is idempotent on the refund id: the same refund again moves nothing, another body is refused', async () => {
    const payment = await paid('900', false);
    const elsewhere = await paid('50', false);
    const refundId = randomUUID();
    const first = await refund(payment.requestId, { refundId, amountMinor: '100' });
    expect(first.statusCode, first.body).toBe(201);
    const before = await rows();
    const again = await refund(payment.requestId, { refundId, amountMinor: '100' });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json()).toEqual(first.json());
    const changed = await refund(payment.requestId, { refundId, amountMinor: '101' });
    expect([changed.statusCode, changed.json().code]).toEqual([409, 'AMP_IDEMPOTENCY_MISMATCH']);
    const moved = await refund(elsewhere.requestId, { refundId });
    expect(moved.json().code).toBe('AMP_IDEMPOTENCY_MISMATCH');
    expect(await rows()).toEqual(before);
  });

  it('never refunds more than was paid, however many refunds arrive at once', async () => {
    const payment = await paid('2000');
    const walletBefore = await wallet();
    const fundingBefore = await funding();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => refund(payment.requestId, { amountMinor: '300' })),
    );
    const codes = answers.map((answer) => answer.statusCode);
    expect(codes.filter((code) => code === 201)).toHaveLength(6);
    expect(
      answers.filter((answer) => answer.statusCode !== 201).map((answer) => answer.json().code),
    ).toEqual(Array(4).fill('AMP_REFUND_EXCEEDS_PAYMENT'));
    const receipt = await kit.app.inject({
      url: `/api/payments/merchants/${merchantId}/payments/${payment.requestId}?purpose=distribution`,
      cookies: staff.cookies,
    });
    expect(receipt.json().refundedMinor).toBe('1800');
    // 1,800 of a payment the program paid ⌊2000 × 0.6667⌋ = 1333 of: it gets ⌊1800 × 1333/2000⌋.
    expect(await funding()).toBe(fundingBefore + 1199n);
    expect(await wallet()).toBe(walletBefore + 601n);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it('a refund the merchant can no longer cover (settled) writes nothing, and the same refund id succeeds once it can', async () => {
    const payment = await paid('400', false);
    const settled = await settleDay(kit, finance.cookies, '2026-12-05');
    expect(settled.statusCode, settled.body).toBe(201);
    expect(await balance(merchantAccountId(merchantId, 'VES'))).toBe(0n);
    const before = await rows();
    const refundId = randomUUID();
    const short = await refund(payment.requestId, { refundId, amountMinor: '150' });
    expect([short.statusCode, short.json().code]).toEqual([409, 'AMP_FUNDS_INSUFFICIENT']);
    expect(await rows()).toEqual(before);
    await paid('200', false);
    const retried = await refund(payment.requestId, { refundId, amountMinor: '150' });
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.json().refundedMinor).toBe('150');
    expect(limits.merchants.refundsPerPaymentMax).toBeGreaterThan(1);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });
});
