import type { Options } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { localDate, localDateTime } from '../../notifications/index.js';
import type { PaymentsDependencies } from '../payments-context.js';
import type { PinSet } from './payment-pin.js';
import { pinGuardOf } from './pin-guard-settings.js';

/**
 * argon2id parameters for payment PINs: those `src/app.ts` passes (the operators' password
 * parameters), else the OWASP minimum the access module uses by default.
 */
export function passwordHashOptionsOf(deps: Pick<PaymentsDependencies, 'pinHashOptions'>): Options {
  // `algorithm: 2` is Argon2id (an ambient const enum that cannot be imported as a value).
  return deps.pinHashOptions ?? { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
}

/** What a payment needs to check the PIN and tell the payer: `merchantPayer`'s last props. */
export function pinHandling(deps: PaymentsDependencies) {
  return {
    hashOptions: passwordHashOptionsOf(deps),
    merchantWrongPinsPerDay: pinGuardOf(deps).merchantWrongPinsPerDay,
    ...(deps.notifier === undefined ? {} : { notifier: deps.notifier }),
  };
}

/**
 * The PIN guard's rules for a PIN set (`pinSetter`'s props): how long a held PIN waits, and over
 * how long a change of the phone on file holds it.
 */
export function pinHoldRules(deps: PaymentsDependencies) {
  const { staffHoldMs, phoneChangeWindowMs } = pinGuardOf(deps);
  return { holdMs: staffHoldMs, phoneChangeWindowMs };
}

/**
 * The texts of a PIN set, in its transaction (docs/PAYMENTS-PIN.md): "your payment PIN was changed
 * on {date}" to the phone on file, or, for a held PIN, "… it pays nothing before {until}"; and when
 * the phone on file changed within the window, "the phone on your record was changed and a new PIN
 * set …" to the phones it replaced, so the person whose phone was swapped learns of it.
 */
export async function pinSetNotices(
  deps: PaymentsDependencies,
  trx: Kysely<Database>,
  personId: string,
  now: Date,
  set: PinSet,
): Promise<void> {
  const date = localDate(now);
  if (set.heldUntil === null) {
    await deps.notifier?.notify(trx, personId, { event: 'payment_pin_changed', date });
    return;
  }
  const until = localDateTime(set.heldUntil);
  await deps.notifier?.notify(trx, personId, { event: 'payment_pin_held', date, until });
  if (set.phoneChange === undefined) return;
  await deps.notifier?.notifyFormerPhones?.(trx, personId, pinGuardOf(deps).phoneChangeWindowMs, {
    event: 'payment_pin_after_phone_change',
    date,
    until,
  });
}
