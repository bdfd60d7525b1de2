import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { raiseSecurityAlert, slipCodesIssued } from '../../access/index.js';
import { cardsIssued } from '../../credentials/index.js';
import type { PinGuardSettings } from '../merchants/pin-guard-settings.js';
import { alertOnce } from './alert-once.js';

/**
 * Alerts to auditors on payment PINs (docs/PAYMENTS-PIN.md), raised by the pattern scan:
 *
 * - `payment_pin_staff_takeover`: a person's PIN was set and one staff account did the other half
 *   of taking over their wallet — it set the PIN itself and, within `takeoverWindowMs` before or
 *   after, printed that person a sign-in code or issued them a card; or it changed the phone on
 *   file within the phone-change window before the PIN was set (by the person in the app, or by
 *   staff: whoever changed the phone may be the one reading the texted code). Once per operator
 *   per PIN set; details name the operator (the alert's `operator_id`) and what they did
 *   (`alsoDid`: `sign_in_code`, `card`, `phone_correction`) and who set the PIN (`pinSetBy`:
 *   `person`, `same_operator` or `other_operator`), never the person.
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
  // PIN sets by staff, and PIN sets (by anyone) after a change of phone an operator made; the
  // change of phone was kept with the set (`pinSetter`), within the phone-change window.
  const sets = await db
    .selectFrom('payment_pin_change')
    .select(['person_id', 'operator_id', 'changed_at', 'phone_changed_by'])
    .where((eb) =>
      eb.or([eb('operator_id', 'is not', null), eb('phone_changed_by', 'is not', null)]),
    )
    .where('changed_at', '>', since)
    .where('changed_at', '<=', now)
    .execute();
  if (sets.length === 0) return 0;
  const around = { since: new Date(since.getTime() - windowMs), until: now };
  const others = await staffIssuedAround(db, around, sets);
  let raised = 0;
  for (const set of sets) {
    for (const [operatorId, alsoDid] of takeoverHalves(set, others, windowMs)) {
      const fresh = await alertOnce(db, 'payment_pin_staff_takeover', operatorId, 'pinSetAt', {
        pinSetAt: set.changed_at.toISOString(),
        alsoDid,
        pinSetBy:
          set.operator_id === null
            ? 'person'
            : set.operator_id === operatorId
              ? 'same_operator'
              : 'other_operator',
        windowHours: Math.round(windowMs / 3_600_000),
      });
      if (fresh) raised += 1;
    }
  }
  return raised;
}

interface StaffIssued {
  personId: string;
  issuedBy: string | null;
  at: Date;
  what: 'sign_in_code' | 'card';
}

/** The sign-in codes staff printed and the cards they issued to these persons around the window. */
async function staffIssuedAround(
  db: Kysely<Database>,
  window: { since: Date; until: Date },
  sets: readonly { person_id: string; operator_id: string | null }[],
): Promise<StaffIssued[]> {
  const personIds = [
    ...new Set(sets.filter((set) => set.operator_id !== null).map((set) => set.person_id)),
  ];
  if (personIds.length === 0) return [];
  const around = { ...window, personIds };
  return [
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
}

/**
 * The operators who did another half of a takeover around one PIN set, each with what they did
 * (sorted): the staff account that set the PIN and printed a code or issued a card within the
 * window, and the operator who changed the phone before the PIN was set.
 */
function takeoverHalves(
  set: {
    person_id: string;
    operator_id: string | null;
    changed_at: Date;
    phone_changed_by: string | null;
  },
  others: readonly StaffIssued[],
  windowMs: number,
): Map<string, string[]> {
  const halves = new Map<string, Set<string>>();
  const add = (operatorId: string, what: string) =>
    halves.set(operatorId, (halves.get(operatorId) ?? new Set<string>()).add(what));
  for (const other of others) {
    if (
      set.operator_id !== null &&
      other.personId === set.person_id &&
      other.issuedBy === set.operator_id &&
      Math.abs(other.at.getTime() - set.changed_at.getTime()) <= windowMs
    ) {
      add(set.operator_id, other.what);
    }
  }
  if (set.phone_changed_by !== null) add(set.phone_changed_by, 'phone_correction');
  return new Map([...halves].map(([operatorId, what]) => [operatorId, [...what].sort()]));
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
