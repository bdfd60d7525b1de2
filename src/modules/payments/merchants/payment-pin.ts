import { hash, type Options, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { PaymentsError } from '../payments-error.js';

/**
 * The PIN a person pays with (issue #16): 4 to 6 digits, kept as an argon2id hash with the
 * operators' password parameters. Five wrong tries in a row lock it (`limits.merchants
 * .pinAttemptsMax`); only a new PIN set by the person with the old one, or by a clerk at the
 * counter with the person present, unlocks it.
 */
export const pinPattern = '^[0-9]{4,6}$';

/**
 * Sets (or replaces) a person's PIN and clears any lock. The caller has decided who may.
 *
 * @example
 *   await pinSetter(db, { personId, pin: '4821', hashOptions });
 */
export async function pinSetter(
  db: Kysely<Database>,
  props: { personId: string; pin: string; hashOptions: Options; now: Date },
): Promise<void> {
  if (!new RegExp(pinPattern).test(props.pin)) {
    throw new PaymentsError('AMP_PIN_WRONG', 'A PIN is 4 to 6 digits', [
      { field: '/pin', reason: 'must be 4 to 6 digits' },
    ]);
  }
  const pinHash = await hash(props.pin, props.hashOptions);
  await db
    .insertInto('payment_pin')
    .values({ person_id: props.personId, pin_hash: pinHash, set_at: props.now })
    .onConflict((conflict) =>
      conflict.column('person_id').doUpdateSet({
        pin_hash: pinHash,
        failed_attempts: 0,
        locked_at: null,
        set_at: props.now,
      }),
    )
    .execute();
}

/** Whether a person has set a PIN, and whether it is locked. */
export async function pinState(
  db: Kysely<Database>,
  personId: string,
): Promise<{ set: boolean; locked: boolean; attemptsLeft: number }> {
  const row = await db
    .selectFrom('payment_pin')
    .select(['failed_attempts', 'locked_at'])
    .where('person_id', '=', personId)
    .executeTakeFirst();
  return {
    set: row !== undefined,
    locked: row?.locked_at != null,
    attemptsLeft: limits.merchants.pinAttemptsMax - (row?.failed_attempts ?? 0),
  };
}

/**
 * Checks a PIN. A wrong one is counted (committed, whatever the caller does next); the fifth in
 * a row locks it. The person's row is locked for the check, so PINs tried at once are counted
 * one after the other and never more than five are tried.
 *
 * @example
 *   await pinChecker(db, { personId, pin, now }); // or AMP_PIN_NOT_SET | _WRONG | _LOCKED
 */
export async function pinChecker(
  db: Kysely<Database>,
  props: { personId: string; pin: string; now: Date },
): Promise<void> {
  const failure = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('payment_pin')
      .select(['pin_hash', 'failed_attempts', 'locked_at'])
      .where('person_id', '=', props.personId)
      .forUpdate()
      .executeTakeFirst();
    if (row === undefined) {
      return new PaymentsError('AMP_PIN_NOT_SET', 'Set a payment PIN first');
    }
    if (row.locked_at !== null) return locked();
    const right = await verify(row.pin_hash, props.pin).catch(() => false);
    if (right) {
      if (row.failed_attempts > 0) {
        await trx
          .updateTable('payment_pin')
          .set({ failed_attempts: 0 })
          .where('person_id', '=', props.personId)
          .execute();
      }
      return null;
    }
    const attempts = row.failed_attempts + 1;
    const lockNow = attempts >= limits.merchants.pinAttemptsMax;
    await trx
      .updateTable('payment_pin')
      .set({ failed_attempts: attempts, locked_at: lockNow ? props.now : null })
      .where('person_id', '=', props.personId)
      .execute();
    if (lockNow) return locked();
    const left = limits.merchants.pinAttemptsMax - attempts;
    return new PaymentsError('AMP_PIN_WRONG', `The PIN is wrong; ${left} tries left`, [
      { field: '/pin', reason: `wrong; ${left} tries left` },
    ]);
  });
  if (failure !== null) throw failure;
}

function locked(): PaymentsError {
  return new PaymentsError(
    'AMP_PIN_LOCKED',
    'The PIN is locked after five wrong tries: set a new one at the counter of an enrolment office',
  );
}
