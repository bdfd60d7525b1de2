import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { hash, type Options, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { PaymentsError } from '../payments-error.js';
import type { PinSetMethod } from './merchant-tables.js';

/**
 * The PIN a person pays with (issue #16): 4 to 6 digits, kept as argon2id (the operators'
 * password parameters) of an HMAC of the PIN under a key derived from the master key (the
 * pepper, hash version 2): a copy of the database alone cannot try the 10^6 PINs offline. Five
 * wrong tries in a row lock it (`limits.merchants.pinAttemptsMax`); a new PIN set by the person
 * with the old one, or by staff after a second check (`pin-second-check.ts`), unlocks it. A PIN
 * staff set without the texted code is held: it pays nothing until `held_until`.
 */
export const pinPattern = '^[0-9]{4,6}$';

/** The PIN as argon2 sees it (version 2): HMAC-SHA-256 of person and PIN under the pepper. */
function pepperedPin(masterKey: Buffer, personId: string, pin: string): string {
  const key = Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'amparo payment pin pepper', 32),
  );
  return createHmac('sha256', key).update(`${personId}|${pin}`, 'utf8').digest('base64');
}

/** Who sets a PIN: the person themself, or staff after a second check (`by`, `approvedBy`). */
export interface PinSetter {
  method: PinSetMethod;
  operatorId?: string;
  approvedBy?: string | null;
}

/**
 * Sets (or replaces) a person's PIN, clears any lock and keeps the change (`payment_pin_change`)
 * in one transaction; a PIN staff set without the texted code is held for `holdMs`. The caller
 * has decided who may; `alongside` runs in the same transaction (the notice to the person).
 *
 * @example
 *   await pinSetter(db, { personId, pin: '4821', hashOptions, masterKey, now,
 *     setter: { method: 'self' } });
 */
export async function pinSetter(
  db: Kysely<Database>,
  props: {
    personId: string;
    pin: string;
    hashOptions: Options;
    masterKey: Buffer;
    now: Date;
    /** The person themself when absent. */
    setter?: PinSetter;
    holdMs?: number;
    alongside?: (trx: Kysely<Database>) => Promise<unknown>;
  },
): Promise<void> {
  if (!new RegExp(pinPattern).test(props.pin)) {
    throw new PaymentsError('AMP_PIN_WRONG', 'A PIN is 4 to 6 digits', [
      { field: '/pin', reason: 'must be 4 to 6 digits' },
    ]);
  }
  const pinHash = await hash(
    pepperedPin(props.masterKey, props.personId, props.pin),
    props.hashOptions,
  );
  const setter = props.setter ?? { method: 'self' };
  const heldUntil =
    setter.method === 'staff_two_person'
      ? new Date(props.now.getTime() + (props.holdMs ?? limits.merchants.pinGuard.staffHoldMs))
      : null;
  const columns = {
    pin_hash: pinHash,
    hash_version: 2 as const,
    set_method: setter.method,
    held_until: heldUntil,
    set_at: props.now,
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('payment_pin')
      .values({ person_id: props.personId, ...columns })
      .onConflict((conflict) =>
        conflict
          .column('person_id')
          .doUpdateSet({ ...columns, failed_attempts: 0, locked_at: null }),
      )
      .execute();
    await trx
      .insertInto('payment_pin_change')
      .values({
        id: randomUUID(),
        person_id: props.personId,
        method: setter.method,
        operator_id: setter.operatorId ?? null,
        approved_by: setter.approvedBy ?? null,
        changed_at: props.now,
      })
      .execute();
    if (props.alongside) await props.alongside(trx);
  });
}

/** Whether a person has set a PIN, whether it is locked, and until when it is held. */
export async function pinState(
  db: Kysely<Database>,
  personId: string,
): Promise<{ set: boolean; locked: boolean; attemptsLeft: number; heldUntil: string | null }> {
  const row = await db
    .selectFrom('payment_pin')
    .select(['failed_attempts', 'locked_at', 'held_until'])
    .where('person_id', '=', personId)
    .executeTakeFirst();
  return {
    set: row !== undefined,
    locked: row?.locked_at != null,
    attemptsLeft: limits.merchants.pinAttemptsMax - (row?.failed_attempts ?? 0),
    heldUntil: row?.held_until?.toISOString() ?? null,
  };
}

/**
 * Checks a PIN. A wrong one is counted (committed, whatever the caller does next); the fifth in
 * a row locks it. The person's row is locked for the check, so PINs tried at once are counted
 * one after the other and never more than five are tried. A wrong PIN typed at a merchant's
 * counter (`merchantId`) is kept against that merchant's daily bound too. To pay (`toPay`,
 * the default), a held PIN is refused before it is tried. A right version 1 hash (unpeppered)
 * is replaced by a version 2 one.
 *
 * @example
 *   await pinChecker(db, { personId, pin, masterKey, hashOptions, now });
 *   // or AMP_PIN_NOT_SET | _WRONG | _LOCKED | _HELD
 */
export async function pinChecker(
  db: Kysely<Database>,
  props: {
    personId: string;
    pin: string;
    masterKey: Buffer;
    hashOptions: Options;
    now: Date;
    merchantId?: string;
    toPay?: boolean;
  },
): Promise<void> {
  const failure = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('payment_pin')
      .select(['pin_hash', 'hash_version', 'failed_attempts', 'locked_at', 'held_until'])
      .where('person_id', '=', props.personId)
      .forUpdate()
      .executeTakeFirst();
    if (row === undefined) {
      return new PaymentsError('AMP_PIN_NOT_SET', 'Set a payment PIN first');
    }
    if (row.locked_at !== null) return locked();
    if (props.toPay !== false && row.held_until !== null && row.held_until > props.now) {
      return held(row.held_until);
    }
    const peppered = pepperedPin(props.masterKey, props.personId, props.pin);
    const presented = row.hash_version === 2 ? peppered : props.pin;
    const right = await verify(row.pin_hash, presented).catch(() => false);
    if (right) {
      if (row.failed_attempts > 0 || row.hash_version !== 2) {
        const upgrade =
          row.hash_version === 2
            ? {}
            : { pin_hash: await hash(peppered, props.hashOptions), hash_version: 2 as const };
        await trx
          .updateTable('payment_pin')
          .set({ failed_attempts: 0, ...upgrade })
          .where('person_id', '=', props.personId)
          .execute();
      }
      return null;
    }
    return wrongPin(trx, row.failed_attempts, props);
  });
  if (failure !== null) throw failure;
}

async function wrongPin(
  trx: Kysely<Database>,
  failedAttempts: number,
  props: { personId: string; now: Date; merchantId?: string },
): Promise<PaymentsError> {
  const attempts = failedAttempts + 1;
  const lockNow = attempts >= limits.merchants.pinAttemptsMax;
  await trx
    .updateTable('payment_pin')
    .set({ failed_attempts: attempts, locked_at: lockNow ? props.now : null })
    .where('person_id', '=', props.personId)
    .execute();
  if (props.merchantId !== undefined) {
    await trx
      .insertInto('merchant_pin_failure')
      .values({
        id: randomUUID(),
        merchant_id: props.merchantId,
        person_id: props.personId,
        failed_at: props.now,
        failed_day: utcDay(props.now),
      })
      .execute();
  }
  if (lockNow) return locked();
  const left = limits.merchants.pinAttemptsMax - attempts;
  return new PaymentsError('AMP_PIN_WRONG', `The PIN is wrong; ${left} tries left`, [
    { field: '/pin', reason: `wrong; ${left} tries left` },
  ]);
}

/** The UTC calendar day of an instant, `YYYY-MM-DD` (daily bounds count by it). */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * Refuses a counter payment from a merchant whose counter typed `wrongPinsPerDay` wrong PINs
 * today: a rogue device cannot lock card after card (each lock needs five wrong PINs).
 */
export async function refuseMerchantOverPinBound(
  db: Kysely<Database>,
  props: { merchantId: string; now: Date; wrongPinsPerDay: number },
): Promise<void> {
  const row = await db
    .selectFrom('merchant_pin_failure')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('merchant_id', '=', props.merchantId)
    .where('failed_day', '=', utcDay(props.now))
    .executeTakeFirstOrThrow();
  if (Number(row.n) >= props.wrongPinsPerDay) {
    throw new PaymentsError(
      'AMP_MERCHANT_PIN_TRIES_EXCEEDED',
      `This counter typed ${props.wrongPinsPerDay} wrong PINs today: it takes no more card payments until tomorrow`,
    );
  }
}

function held(until: Date): PaymentsError {
  return new PaymentsError(
    'AMP_PIN_HELD',
    `The PIN was set by staff without the code texted to the phone on file: it pays from ${until.toISOString()}`,
  );
}

function locked(): PaymentsError {
  return new PaymentsError(
    'AMP_PIN_LOCKED',
    'The PIN is locked after five wrong tries: set a new one at the counter of an enrolment office',
  );
}
