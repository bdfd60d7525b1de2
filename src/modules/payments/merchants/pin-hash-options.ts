import type { Options } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { localDate } from '../../notifications/index.js';
import type { PaymentsDependencies } from '../payments-context.js';
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

/** "Your payment PIN was changed on {date}", in the transaction that changed it. */
export async function pinChangedNotice(
  deps: PaymentsDependencies,
  trx: Kysely<Database>,
  personId: string,
  now: Date,
): Promise<void> {
  await deps.notifier?.notify(trx, personId, {
    event: 'payment_pin_changed',
    date: localDate(now),
  });
}
