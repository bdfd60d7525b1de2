import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../../limits.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { personWithCard, type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import { ledgerIsSound, lookupAccounts, postedBalance, verifyLedger } from '../../ledger/index.js';
import { fundingAccountId, walletAccountId } from '../accounts/account-ids.js';
import { payingCitizen, subsidisedMerchant } from './merchant-test-kit.js';

/**
 * The program's share of a subsidised price is paid against the payer's allowance for the cycle
 * (the review of session 13: a merchant drained 800,000 of a program's 1,000,000 funding in two
 * payments by a payer whose wallet held 1 and whose entitlement was worth 100, at a share of
 * 100 %). The share is drawn once from the entitlement, concurrent payments cannot both spend
 * it, a share of the whole price is refused, and a large share alerts auditors.
 */
// Each test builds its own program, merchant and payer over HTTP: minutes on a loaded machine.
describe('subsidy allowance', { timeout: 180_000 }, () => {
  let kit: AccessTestApp;
  let clerk: SignedIn;
  let phone = 5_550_930;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
  }, 180_000);
  afterAll(async () => kit?.close());

  const balance = async (accountId: string) => {
    const [account] = await lookupAccounts(kit.database.db, [accountId]);
    return account === undefined ? 0n : postedBalance(account);
  };
  /** A payer enrolled before the program's cycle (so entitled), a merchant, and a pay function. */
  const scene = async (props: { share: number; allowanceMinor: bigint; walletMinor: bigint }) => {
    phone += 1;
    const payer = await personWithCard(kit, clerk, 'VE-A', { phone: `+58412${phone}` });
    const merchant = await subsidisedMerchant(kit, props.share, {
      allowanceMinor: props.allowanceMinor,
      code: `cesta_${phone}`,
    });
    const { session } = await payingCitizen(kit, payer, {
      fundedMinor: props.walletMinor,
      pin: '4821',
    });
    const request = async (amountMinor: string) => {
      const made = await kit.app.inject({
        method: 'POST',
        url: `/api/payments/merchants/${merchant.merchantId}/requests?purpose=distribution`,
        cookies: merchant.staff.cookies,
        payload: {
          amountMinor,
          reference: `S-${randomUUID().slice(0, 8)}`,
          programId: merchant.programId,
        },
      });
      expect(made.statusCode, made.body).toBe(201);
      return made.json().token as string;
    };
    const pay = (token: string) =>
      kit.app.inject({
        method: 'POST',
        url: '/api/payments/me/payments',
        cookies: session,
        payload: { token, pin: '4821' },
      });
    const funding = () => balance(fundingAccountId(merchant.programId, 'VES'));
    return { payer, ...merchant, request, pay, funding };
  };

  it('the drain of the review: a merchant cannot make the program pay beyond the payer allowance, and never the whole price', async () => {
    const { request, pay, funding, payer, merchantId, programId, finance } = await scene({
      share: 9_999,
      allowanceMinor: 100n,
      walletMinor: 1_000n,
    });
    const before = await funding();
    for (const amountMinor of ['400000', '400000']) {
      const paid = await pay(await request(amountMinor));
      expect([paid.statusCode, paid.json().code]).toEqual([409, 'AMP_SUBSIDY_ALLOWANCE_EXCEEDED']);
    }
    expect(await funding()).toBe(before);
    // Within the allowance: 100 of it in shares of 49 (99.99 % of 50, rounded down), then no more.
    expect((await pay(await request('50'))).json()).toMatchObject({
      subsidyMinor: '49',
      payerMinor: '1',
    });
    expect((await pay(await request('50'))).json()).toMatchObject({ subsidyMinor: '49' });
    const third = await pay(await request('50'));
    expect([third.statusCode, third.json().code]).toEqual([409, 'AMP_SUBSIDY_ALLOWANCE_EXCEEDED']);
    expect(before - (await funding())).toBe(98n);
    expect(await balance(walletAccountId(payer.personId, 'VES'))).toBe(998n);

    // A share of the whole price is refused at registration, and at payment for a row written
    // before the check (migration 0113 leaves old rows unchecked).
    const whole = await kit.app.inject({
      method: 'POST',
      url: '/api/payments/merchants?purpose=distribution',
      cookies: finance.cookies,
      payload: {
        merchantId: randomUUID(),
        name: 'Bodega',
        stateCode: 'VE-A',
        currency: 'VES',
        settlement: {
          bankCode: '0134',
          accountNumber: '01340000000000000043',
          holder: 'organisation',
        },
        staffOperatorIds: [],
        subsidies: [{ programId, shareBasisPoints: 10_000 }],
      },
    });
    expect(whole.statusCode, whole.body).toBe(400);
    await kit.database.asAdmin(async (admin) => {
      // As the row was before migration 0113: the check is set aside for it and back after.
      await sql`alter table merchant_subsidy drop constraint merchant_subsidy_share_below_whole`.execute(
        admin,
      );
      await sql`update merchant_subsidy set share_basis_points = 10000 where merchant_id = ${merchantId}`.execute(
        admin,
      );
      await sql`alter table merchant_subsidy add constraint merchant_subsidy_share_below_whole
        check (share_basis_points between 1 and 9999) not valid`.execute(admin);
    });
    const atWhole = await pay(await request('10'));
    expect([atWhole.statusCode, atWhole.json().code]).toEqual([422, 'AMP_SUBSIDY_SHARE_INVALID']);
    expect(before - (await funding())).toBe(98n);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it('payments at once cannot both spend one allowance: exactly what it holds is paid', async () => {
    const { request, pay, funding } = await scene({
      share: 5_000,
      allowanceMinor: 300n,
      walletMinor: 100_000n,
    });
    const before = await funding();
    const tokens = await Promise.all(Array.from({ length: 12 }, () => request('200')));
    const answers = await Promise.all(tokens.map((token) => pay(token)));
    const codes = answers.map((answer) =>
      answer.statusCode === 201 ? 'paid' : answer.json().code,
    );
    expect(codes.filter((code) => code === 'paid')).toHaveLength(3);
    expect(new Set(codes.filter((code) => code !== 'paid'))).toEqual(
      new Set(['AMP_SUBSIDY_ALLOWANCE_EXCEEDED']),
    );
    expect(before - (await funding())).toBe(300n);
    const drawn = await kit.database.db
      .selectFrom('subsidy_allowance_use')
      .select((eb) => eb.fn.sum<string>('subsidy_minor').as('drawn'))
      .where(
        'request_id',
        'in',
        answers
          .filter((answer) => answer.statusCode === 201)
          .map((answer) => answer.json().requestId),
      )
      .executeTakeFirstOrThrow();
    expect(BigInt(drawn.drawn)).toBe(300n);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it('a refund gives the program share back to the allowance', async () => {
    const { request, pay, staff, merchantId } = await scene({
      share: 5_000,
      allowanceMinor: 100n,
      walletMinor: 10_000n,
    });
    const paid = await pay(await request('200'));
    expect(paid.json()).toMatchObject({ subsidyMinor: '100' });
    const refused = await pay(await request('2'));
    expect(refused.json().code).toBe('AMP_SUBSIDY_ALLOWANCE_EXCEEDED');
    const refund = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchantId}/payments/${paid.json().requestId}/refund?purpose=distribution`,
      cookies: staff.cookies,
      payload: { refundId: randomUUID(), amountMinor: '100' },
    });
    expect(refund.statusCode, refund.body).toBe(201);
    expect((await pay(await request('100'))).json()).toMatchObject({ subsidyMinor: '50' });
  });

  it('a share beyond the bound alerts auditors, naming the merchant and program, never the payer', async () => {
    const bound = BigInt(limits.merchants.subsidyAlertMinor);
    const { request, pay, payer, merchantId } = await scene({
      share: 5_000,
      allowanceMinor: bound + 20n,
      walletMinor: bound * 2n,
    });
    expect((await pay(await request('20'))).statusCode).toBe(201);
    const big = await pay(await request((bound * 2n + 2n).toString()));
    expect(big.statusCode, big.body).toBe(201);
    const alerts = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('security_alert')
        .select('details')
        .where('kind', '=', 'payment_subsidy_large')
        .execute(),
    );
    const mine = alerts.filter(
      (alert) => (alert.details as { merchantId?: string }).merchantId === merchantId,
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]?.details).toMatchObject({ subsidyMinor: String(bound + 1n) });
    expect(JSON.stringify(mine)).not.toContain(payer.personId);
  });
});
