import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { hash, type Options, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { localDate, type PersonNotifier } from '../../notifications/index.js';
import { latestPhoneChangeWithin, type PhoneChange } from '../../registry/index.js';
import { PaymentsError } from '../payments-error.js';
import type { PinHoldReason, PinSetMethod } from './merchant-tables.js';

/**
 * The PIN a person pays with (issue #16): 4 to 6 digits, kept as argon2id (the operators'
 * password parameters) of an HMAC of the PIN under a key derived from the master key (the
 * pepper, hash version 2): a copy of the database alone cannot try the 10^6 PINs offline. Five
 * wrong tries in a row lock it (`limits.merchants.pinAttemptsMax`); a new PIN set by the person
 * with the old one, or by staff after a second check (`pin-second-check.ts`), unlocks it. A held
 * PIN pays nothing until `held_until` (`pinHoldOf`: staff set it without the texted code, it is
 * the first one the person set in the app, or it was set soon after a change of the phone on file).
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

/** What a PIN set did: until when the PIN is held and why, and the change of phone it followed. */
export interface PinSet {
  heldUntil: Date | null;
  holdReason: PinHoldReason | null;
  /** The latest change of the phone on file within the window before the set, if any. */
  phoneChange: PhoneChange | undefined;
}

/**
 * Whether a PIN about to be set is held, and why (docs/PAYMENTS-PIN.md): set by staff without
 * the texted code (`staff_two_person`); set within the window after a change of the phone on file,
 * in the app or by staff with the code texted to that new phone (`phone_changed`: whoever changed
 * the phone may be the one reading it); the first PIN the person sets in the app
 * (`first_pin`: nothing was asked but the texted sign-in code). A PIN set while the one before is
 * still held keeps that hold, so changing a held PIN with itself does not lift it.
 *
 * @example
 *   pinHoldOf({ setter: { method: 'self' }, firstPin: true, phoneChange: undefined,
 *     before: undefined, now, holdMs }); // { heldUntil: now + holdMs, holdReason: 'first_pin' }
 */
export function pinHoldOf(props: {
  setter: PinSetter;
  firstPin: boolean;
  phoneChange: PhoneChange | undefined;
  before: { heldUntil: Date | null; holdReason: PinHoldReason | null } | undefined;
  now: Date;
  holdMs: number;
}): Pick<PinSet, 'heldUntil' | 'holdReason'> {
  const reason: PinHoldReason | null =
    props.setter.method === 'staff_two_person'
      ? 'staff_two_person'
      : props.phoneChange !== undefined
        ? 'phone_changed'
        : props.setter.method === 'self' && props.firstPin
          ? 'first_pin'
          : null;
  const heldUntil = reason === null ? null : new Date(props.now.getTime() + props.holdMs);
  const carried = props.before?.heldUntil ?? null;
  if (carried !== null && carried > props.now && (heldUntil === null || carried > heldUntil)) {
    return { heldUntil: carried, holdReason: props.before?.holdReason ?? reason };
  }
  return { heldUntil, holdReason: reason };
}

/**
 * Sets (or replaces) a person's PIN, clears any lock and keeps the change (`payment_pin_change`,
 * with its hold and the change of phone it followed) in one transaction; the PIN is held for
 * `holdMs` as `pinHoldOf` decides, the phone's history read over `phoneChangeWindowMs`. The caller
 * has decided who may; `alongside` runs in the same transaction (the notices to the person).
 *
 * @example
 *   const set = await pinSetter(db, { personId, pin: '4821', hashOptions, masterKey, now,
 *     setter: { method: 'self' } }); // set.heldUntil: a day on, for a first PIN
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
    phoneChangeWindowMs?: number;
    alongside?: (trx: Kysely<Database>, set: PinSet) => Promise<unknown>;
  },
): Promise<PinSet> {
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
  const { staffHoldMs, phoneChangeWindowMs } = limits.merchants.pinGuard;
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('payment_pin')
      .select(['held_until', 'hold_reason'])
      .where('person_id', '=', props.personId)
      .forUpdate()
      .executeTakeFirst();
    const windowMs = props.phoneChangeWindowMs ?? phoneChangeWindowMs;
    const phoneChange =
      windowMs > 0
        ? await latestPhoneChangeWithin(trx, props.masterKey, props.personId, windowMs)
        : undefined;
    const hold = pinHoldOf({
      setter,
      firstPin: before === undefined,
      phoneChange,
      before:
        before === undefined
          ? undefined
          : { heldUntil: before.held_until, holdReason: before.hold_reason },
      now: props.now,
      holdMs: props.holdMs ?? staffHoldMs,
    });
    const columns = {
      pin_hash: pinHash,
      hash_version: 2 as const,
      set_method: setter.method,
      held_until: hold.heldUntil,
      hold_reason: hold.holdReason,
      set_at: props.now,
    };
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
        held_until: hold.heldUntil,
        phone_changed_at: phoneChange?.changedAt ?? null,
        phone_changed_by: phoneChange?.changedBy ?? null,
      })
      .execute();
    const set = { ...hold, phoneChange };
    if (props.alongside) await props.alongside(trx, set);
    return set;
  });
}

/** Whether a person has set a PIN, whether it is locked, and until when (and why) it is held. */
export async function pinState(
  db: Kysely<Database>,
  personId: string,
  now: Date = new Date(),
): Promise<{
  set: boolean;
  locked: boolean;
  attemptsLeft: number;
  heldUntil: string | null;
  heldReason: PinHoldReason | null;
}> {
  const row = await db
    .selectFrom('payment_pin')
    .select(['failed_attempts', 'locked_at', 'held_until', 'hold_reason'])
    .where('person_id', '=', personId)
    .executeTakeFirst();
  // A hold that ended is no longer one: the answer says only what still stops a payment.
  const held = row?.held_until != null && row.held_until > now;
  return {
    set: row !== undefined,
    locked: row?.locked_at != null,
    attemptsLeft: limits.merchants.pinAttemptsMax - (row?.failed_attempts ?? 0),
    heldUntil: held ? (row?.held_until?.toISOString() ?? null) : null,
    heldReason: held ? (row?.hold_reason ?? null) : null,
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
    /** Texts the person "your PIN locked" in the transaction that locks it. */
    notifier?: PersonNotifier;
  },
): Promise<void> {
  const failure = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('payment_pin')
      .select([
        'pin_hash',
        'hash_version',
        'failed_attempts',
        'locked_at',
        'held_until',
        'hold_reason',
      ])
      .where('person_id', '=', props.personId)
      .forUpdate()
      .executeTakeFirst();
    if (row === undefined) {
      return new PaymentsError('AMP_PIN_NOT_SET', 'Set a payment PIN first');
    }
    if (row.locked_at !== null) return locked();
    if (props.toPay !== false && row.held_until !== null && row.held_until > props.now) {
      return held(row.held_until, row.hold_reason);
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
  props: { personId: string; now: Date; merchantId?: string; notifier?: PersonNotifier },
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
        failed_day: localDate(props.now),
      })
      .execute();
  }
  if (lockNow) {
    // The person learns of a lock wherever it happened (a rogue counter can cause one).
    await props.notifier?.notify(trx, props.personId, {
      event: 'payment_pin_locked',
      date: localDate(props.now),
    });
    return locked();
  }
  const left = limits.merchants.pinAttemptsMax - attempts;
  return new PaymentsError('AMP_PIN_WRONG', `The PIN is wrong; ${left} tries left`, [
    { field: '/pin', reason: `wrong; ${left} tries left` },
  ]);
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
    .where('failed_day', '=', localDate(props.now))
    .executeTakeFirstOrThrow();
  if (Number(row.n) >= props.wrongPinsPerDay) {
    throw new PaymentsError(
      'AMP_MERCHANT_PIN_TRIES_EXCEEDED',
      `This counter typed ${props.wrongPinsPerDay} wrong PINs today: it takes no more card payments until tomorrow`,
    );
  }
}

const heldBecause: Record<PinHoldReason, string> = {
  staff_two_person: 'The PIN was set by staff without the code texted to the phone on file',
  first_pin: 'A first PIN set in the app is held for a day',
  phone_changed: 'The PIN was set soon after the phone on file changed',
};

function held(until: Date, reason: PinHoldReason | null): PaymentsError {
  const because = heldBecause[reason ?? 'staff_two_person'];
  return new PaymentsError(
    'AMP_PIN_HELD',
    `${because}: it pays nothing before ${until.toISOString()}`,
  );
}

function locked(): PaymentsError {
  return new PaymentsError(
    'AMP_PIN_LOCKED',
    'The PIN is locked after five wrong tries: set a new one at the counter of an enrolment office',
  );
}
