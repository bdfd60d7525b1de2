import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import { personWithCard, type SignedIn } from '../../distribution/distribution-test-kit.js';
import { type MerchantScene, merchantScene, payingCitizen } from './merchant-test-kit.js';

/**
 * A wrong PIN typed at a merchant's counter on a person's card (F7): the refusal is in the
 * person's access history, not only the merchant's (safeguard 4), and the person is texted when
 * their PIN locks, so a rogue counter that locks someone's PIN is seen by them.
 */
describe('refusals at the counter, on the person the card names', () => {
  let kit: AccessTestApp;
  let clerk: SignedIn;
  let merchant: MerchantScene['merchant'];

  beforeAll(async () => {
    ({ kit, clerk, merchant } = await merchantScene());
  }, 120_000);
  afterAll(async () => kit?.close());

  const counterPay = async (cardQr: string, pin: string) => {
    const made = await kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchant.merchantId}/requests?purpose=distribution`,
      cookies: merchant.staff.cookies,
      payload: { amountMinor: '100', reference: `R-${randomUUID().slice(0, 6)}` },
    });
    return kit.app.inject({
      method: 'POST',
      url: `/api/payments/merchants/${merchant.merchantId}/counter-payments?purpose=distribution`,
      cookies: merchant.staff.cookies,
      payload: { token: (made.json() as { token: string }).token, cardQr, pin },
    });
  };

  it('audits each wrong PIN and the lock on the person, and texts the person the lock', async () => {
    const person = await personWithCard(kit, clerk, 'VE-A', { phone: '+584125550801' });
    const { session } = await payingCitizen(kit, person, { fundedMinor: 5_000n, pin: '4821' });
    const codes: string[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      codes.push((await counterPay(person.qrText, '0000')).json().code);
    }
    expect(codes).toEqual([...Array(4).fill('AMP_PIN_WRONG'), 'AMP_PIN_LOCKED']);

    // The person reads it in their own access history, each line from the merchant's staff.
    const history = await kit.app.inject({
      method: 'GET',
      url: `/api/persons/${person.personId}/access-history?purpose=self`,
      cookies: session,
    });
    expect(history.statusCode, history.body).toBe(200);
    const refusals = (
      history.json() as {
        entries: { action: string; outcome: string; actorKind: string; entryText: string }[];
      }
    ).entries.filter((line) => line.action === 'merchant.counter_pay');
    expect(refusals).toHaveLength(5);
    expect(refusals.every((line) => line.outcome === 'denied')).toBe(true);
    expect(refusals.every((line) => line.actorKind === 'operator')).toBe(true);
    const reasons = refusals.map((line) => JSON.parse(line.entryText).reasonCode as string);
    expect(reasons.sort()).toEqual(['AMP_PIN_LOCKED', ...Array(4).fill('AMP_PIN_WRONG')]);

    // Texted once, when it locked.
    const texts = await kit.database.db
      .selectFrom('notification_outbox')
      .select('template_id')
      .where('person_id', '=', person.personId)
      .where('template_id', '=', 'payments.pin_locked')
      .execute();
    expect(texts).toHaveLength(1);
  });

  it('audits a card that does not verify on the merchant only: it names no one', async () => {
    const counted = async () => {
      const rows = await kit.database.asAdmin((admin) =>
        sql<{ type: string; n: string }>`select entry::json->'resource'->>'type' as type,
            count(*) as n from audit_entry
          where entry::json->>'action' = 'merchant.counter_pay'
            and entry::json->>'outcome' = 'denied'
          group by 1`.execute(admin),
      );
      return Object.fromEntries(rows.rows.map((row) => [row.type, Number(row.n)]));
    };
    const before = await counted();
    const refused = await counterPay('not a card', '0000');
    expect(refused.json()).toMatchObject({ code: 'AMP_PAYMENT_CARD_REFUSED' });
    const after = await counted();
    expect(after.person).toBe(before.person);
    expect(after.merchant).toBe((before.merchant ?? 0) + 1);
  });
});
