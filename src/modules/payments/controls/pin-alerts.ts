import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { raiseSecurityAlert, slipCodesIssued } from '../../access/index.js';
import { cardsIssued } from '../../credentials/index.js';
import type { PinGuardSettings } from '../merchants/pin-guard-settings.js';

/**
 * Alerts to auditors on payment PINs (docs/PAYMENTS-PIN.md), raised by the pattern scan:
 *
 * - `payment_pin_staff_takeover`: one staff account set a person's PIN and, within
 *   `takeoverWindowMs` before or after, printed that person a sign-in code or issued them a card
 *   — the two halves of taking over a wallet. Once per PIN set; details
 *   name the operator and what they did, never the person.
 * - `payment_pin_spray`: one merchant's counter typed wrong PINs for at least `sprayCards`
 *   distinct cards within `sprayWindowMs` (a device trying PINs, or locking people out). Once
 *   per merchant per window.
 *
 * Each answers how many alerts it raised.
 *
 * @example
 *   await staffTakeoverScan(db, new Date(), settings);
 */
export async function staffTakeoverScan(
  db: Kysely<Database>,
  now: Date,
  settings: Pick<PinGuardSettings, 'takeoverWindowMs'>,
): Promise<number> {
  const windowMs = settings.takeoverWindowMs;
  const since = new Date(now.getTime() - windowMs);
  const sets = await db
    .selectFrom('payment_pin_change')
    .select(['person_id', 'operator_id', 'changed_at'])
    .where('operator_id', 'is not', null)
    .where('changed_at', '>', since)
    .where('changed_at', '<=', now)
    .execute();
  if (sets.length === 0) return 0;
  const personIds = [...new Set(sets.map((each) => each.person_id))];
  const around = { since: new Date(since.getTime() - windowMs), until: now, personIds };
  const others = [
    ...(await slipCodesIssued(db, around)).map((each) => ({
      ...each,
      at: each.createdAt,
      what: 'sign_in_code' as const,
    })),
    ...(await cardsIssued(db, around)).map((each) => ({
      ...each,
      at: each.issuedAt,
      what: 'card' as const,
    })),
  ];
  let raised = 0;
  for (const set of sets) {
    const matches = others.filter(
      (other) =>
        other.personId === set.person_id &&
        other.issuedBy === set.operator_id &&
        Math.abs(other.at.getTime() - set.changed_at.getTime()) <= windowMs,
    );
    if (matches.length === 0) continue;
    const operatorId = set.operator_id as string;
    const already = await db
      .selectFrom('security_alert')
      .select('id')
      .where('kind', '=', 'payment_pin_staff_takeover')
      .where('operator_id', '=', operatorId)
      .where(sql<string>`details->>'pinSetAt'`, '=', set.changed_at.toISOString())
      .executeTakeFirst();
    if (already !== undefined) continue;
    await raiseSecurityAlert(db, 'payment_pin_staff_takeover', operatorId, {
      pinSetAt: set.changed_at.toISOString(),
      alsoDid: [...new Set(matches.map((each) => each.what))].sort(),
      windowHours: Math.round(windowMs / 3_600_000),
    });
    raised += 1;
  }
  return raised;
}

/** See `staffTakeoverScan`: one merchant's counter typing wrong PINs for many cards. */
export async function pinSprayScan(
  db: Kysely<Database>,
  now: Date,
  settings: Pick<PinGuardSettings, 'sprayCards' | 'sprayWindowMs'>,
): Promise<number> {
  const since = new Date(now.getTime() - settings.sprayWindowMs);
  const found = await db
    .selectFrom('merchant_pin_failure')
    .select((eb) => [
      'merchant_id',
      eb.fn.count<string>('person_id').distinct().as('cards'),
      eb.fn.countAll<string>().as('failures'),
    ])
    .where('failed_at', '>', since)
    .where('failed_at', '<=', now)
    .groupBy('merchant_id')
    .having((eb) => eb.fn.count('person_id').distinct(), '>=', settings.sprayCards)
    .execute();
  let raised = 0;
  for (const merchant of found) {
    const already = await db
      .selectFrom('security_alert')
      .select('id')
      .where('kind', '=', 'payment_pin_spray')
      .where('created_at', '>', since)
      .where(sql<string>`details->>'merchantId'`, '=', merchant.merchant_id)
      .executeTakeFirst();
    if (already !== undefined) continue;
    await raiseSecurityAlert(db, 'payment_pin_spray', null, {
      merchantId: merchant.merchant_id,
      distinctCards: Number(merchant.cards),
      wrongPins: Number(merchant.failures),
      threshold: settings.sprayCards,
      windowMinutes: Math.round(settings.sprayWindowMs / 60_000),
    });
    raised += 1;
  }
  return raised;
}
