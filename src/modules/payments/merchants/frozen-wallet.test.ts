import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import type { Database } from '../../../platform/db/schema.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  citizenSession,
} from '../../access/access-test-kit.js';
import type { SignedIn } from '../../distribution/distribution-test-kit.js';
import { lookupAccounts, postedBalance } from '../../ledger/index.js';
import { walletAccountId } from '../accounts/account-ids.js';
import { freezeWallets } from '../accounts/wallet-freeze.js';
import { PaymentsError } from '../payments-error.js';
import { merchantPayer } from './merchant-payer.js';
import { fundWallet, pinHoldLifted, registeredMerchant } from './merchant-test-kit.js';

/**
 * A frozen wallet pays nothing (issue #16, point 7): the wallet of a person recorded dead, merged
 * away or erased is frozen by the registry's lifecycle event, and a payment from it is refused
 * with AMP_WALLET_FROZEN, nothing posted — also when the freeze commits after the payment's
 * first look at it and before its ledger transfer (the race an insider could try to win: pay
 * out a dead relative's wallet while the death is being recorded).
 */
describe('a frozen wallet', () => {
  let kit: AccessTestApp;
  let merchantId: string;
  let staff: SignedIn;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    ({ merchantId, staff } = await registeredMerchant(kit));
  }, 120_000);
  afterAll(async () => kit?.close());

  /** A person with 5,000 VES in the wallet, a citizen session and a PIN. */
  async function payerWithPin(phone: string) {
    const person = await buildPerson(kit, { phone });
    await fundWallet(kit, person.id, 5_000n);
    const session = await citizenSession(kit, { personId: person.id, uin: person.uin });
    const set = await kit.app.inject({
      method: 'PUT',
      url: '/api/payments/me/pin',
      cookies: session,
      payload: { pin: '4821' },
    });
    expect(set.statusCode, set.body).toBe(200);
    // A first PIN is held for a day: as if that day had passed.
    await pinHoldLifted(kit.database.db, person.id);
    return { personId: person.id, session };
  }

  async function token(): Promise<string> {
    const made = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchantId}/requests?purpose=distribution`,
      cookies: staff.cookies,
      payload: { amountMinor: '2000', reference: 'F-1' },
    });
    expect(made.statusCode, made.body).toBe(201);
    return made.json().token as string;
  }

  const freeze = (personId: string) =>
    kit.database.db.transaction().execute((trx) => freezeWallets(trx, personId, 'death'));
  const walletBalance = async (personId: string) => {
    const [wallet] = await lookupAccounts(kit.database.db, [walletAccountId(personId, 'VES')]);
    return wallet === undefined ? undefined : postedBalance(wallet);
  };
  const payments = async (personId: string) =>
    kit.database.db
      .selectFrom('merchant_payment')
      .select('request_id')
      .where('payer_person_id', '=', personId)
      .execute();

  it('is refused with AMP_WALLET_FROZEN, nothing posted', async () => {
    const payer = await payerWithPin('+584125550951');
    await freeze(payer.personId);
    const refused = await kit.app.inject({
      method: 'POST',
      url: '/api/payments/me/payments',
      cookies: payer.session,
      payload: { token: await token(), pin: '4821' },
    });
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'AMP_WALLET_FROZEN']);
    expect(await walletBalance(payer.personId)).toBe(5_000n);
    expect(await payments(payer.personId)).toEqual([]);
  });

  it('is refused when the freeze commits between the first check and the transfer', async () => {
    const payer = await payerWithPin('+584125550952');
    const paymentToken = await token();
    // The payer's database: once the payment has looked at the freeze (outside any transaction),
    // the death is recorded and committed just before the payment's next transaction (the
    // ledger's) begins. Everything else is the real database.
    const base = kit.database.db;
    let looked = false;
    let frozen = false;
    const racing = new Proxy(base, {
      get(target, property) {
        if (property === 'selectFrom') {
          return (table: string) => {
            if (table === 'payment_wallet_freeze') looked = true;
            // Safe: the same call the payer makes, passed on unchanged.
            return target.selectFrom(table as 'payment_wallet_freeze');
          };
        }
        if (property === 'transaction') {
          return () => {
            const builder = target.transaction();
            return {
              execute: async <T>(work: Parameters<typeof builder.execute<T>>[0]) => {
                if (looked && !frozen) {
                  frozen = true;
                  await freeze(payer.personId);
                }
                return builder.execute(work);
              },
            };
          };
        }
        // Kysely keeps its state in private fields: its methods run on the real instance.
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Kysely<Database>;
    const paid = merchantPayer(racing, kit.masterKey, {
      token: paymentToken,
      pin: '4821',
      payerPersonId: payer.personId,
      channel: 'wallet',
      now: new Date(),
    });
    await expect(paid).rejects.toThrow(PaymentsError);
    await expect(paid).rejects.toMatchObject({ code: 'AMP_WALLET_FROZEN' });
    expect(frozen).toBe(true);
    expect(await walletBalance(payer.personId)).toBe(5_000n);
    expect(await payments(payer.personId)).toEqual([]);
  });

  it("takes back a refund of the person's own payment (the money is theirs); only the documented move takes it out", async () => {
    const payer = await payerWithPin('+584125550953');
    const paid = await kit.app.inject({
      method: 'POST',
      url: '/api/payments/me/payments',
      cookies: payer.session,
      payload: { token: await token(), pin: '4821' },
    });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(await walletBalance(payer.personId)).toBe(3_000n);
    await freeze(payer.personId);
    // Refused, the refund would leave a dead person's money with the merchant; taken, it waits
    // in the frozen wallet for the frozen-balance move (README, "Frozen wallets").
    const refunded = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchantId}/payments/${paid.json().requestId}/refund?purpose=distribution`,
      cookies: staff.cookies,
      payload: { refundId: randomUUID() },
    });
    expect(refunded.statusCode, refunded.body).toBe(201);
    expect(await walletBalance(payer.personId)).toBe(5_000n);
  });
});
