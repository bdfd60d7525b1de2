import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { newOneTimeCode, oneTimeCodeHash, oneTimeCodeMatches } from '../../credentials/index.js';
import type { PersonNotifier } from '../../notifications/index.js';
import { PaymentsError } from '../payments-error.js';
import { utcDay } from './payment-pin.js';
import type { PinGuardSettings } from './pin-guard-settings.js';

/**
 * The second check before staff set a person's payment PIN (docs/PAYMENTS-PIN.md), one the
 * clerk does not control: a six-digit code texted to the phone on file, typed at the counter by
 * the person (`phone_code`); or, for a person without a phone, the photo on file checked by the
 * clerk and then by a second operator — another account — who approves (`two_person`). A check
 * belongs to the clerk who started it and sets one PIN within `checkTtlMs`.
 */

export type PinCheckMethod = 'phone_code' | 'two_person';

/** The texted code's HMAC label (credentials' `second-check.ts` keeps the code only hashed). */
const pinCheckCodeLabel = 'amparo payment pin check code';

/**
 * PINs the staff account set today, and refusal at the daily bound (`staffSetsPerOperatorPerDay`):
 * one account cannot reset PIN after PIN.
 */
export async function refuseOverStaffBound(
  db: Kysely<Database>,
  props: { operatorId: string; now: Date; settings: PinGuardSettings },
): Promise<void> {
  const dayStart = new Date(`${utcDay(props.now)}T00:00:00.000Z`);
  const row = await db
    .selectFrom('payment_pin_change')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('operator_id', '=', props.operatorId)
    .where('changed_at', '>=', dayStart)
    .executeTakeFirstOrThrow();
  if (Number(row.n) >= props.settings.staffSetsPerOperatorPerDay) {
    throw new PaymentsError(
      'AMP_PIN_STAFF_SETS_EXCEEDED',
      `This account set ${props.settings.staffSetsPerOperatorPerDay} PINs today; another clerk or tomorrow`,
    );
  }
}

/**
 * Starts a check. `phone_code` texts the code (in the same transaction: no check without its
 * text) and is refused when there is no phone on file; `two_person` needs the clerk's word that
 * the person matches the photo on file.
 *
 * @example
 *   const { checkId } = await pinCheckStarter(db, { personId, operatorId, method: 'phone_code',
 *     photoChecked: false, masterKey, notifier, now, settings });
 */
export async function pinCheckStarter(
  db: Kysely<Database>,
  props: {
    personId: string;
    operatorId: string;
    method: PinCheckMethod;
    photoChecked: boolean;
    masterKey: Buffer;
    notifier: PersonNotifier | undefined;
    now: Date;
    settings: PinGuardSettings;
  },
): Promise<{ checkId: string; expiresAt: Date }> {
  await refuseOverStaffBound(db, props);
  if (props.method === 'two_person' && !props.photoChecked) {
    throw new PaymentsError('AMP_PIN_CHECK_REQUIRED', 'Check the photo on file first', [
      { field: '/photoChecked', reason: 'must be true: the person matches the photo on file' },
    ]);
  }
  const checkId = randomUUID();
  const expiresAt = new Date(props.now.getTime() + props.settings.checkTtlMs);
  const code = newOneTimeCode();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('payment_pin_check')
      .values({
        id: checkId,
        person_id: props.personId,
        operator_id: props.operatorId,
        method: props.method,
        code_hash:
          props.method === 'phone_code'
            ? oneTimeCodeHash(props.masterKey, pinCheckCodeLabel, checkId, code)
            : null,
        photo_checked: props.method === 'two_person',
        created_at: props.now,
        expires_at: expiresAt,
      })
      .execute();
    if (props.method !== 'phone_code') return;
    const sent = await props.notifier?.notify(trx, props.personId, {
      event: 'payment_pin_code',
      code,
      validMinutes: String(Math.round(props.settings.checkTtlMs / 60_000)),
    });
    if (sent === undefined || sent === null) {
      throw new PaymentsError(
        'AMP_PIN_CHECK_NO_PHONE',
        'No phone on file to text a code to: check the photo and ask a second operator to approve',
      );
    }
  });
  return { checkId, expiresAt };
}

/** A check still open: not used, not failed, not expired. */
async function openCheck(db: Kysely<Database>, checkId: string, now: Date) {
  const row = await db
    .selectFrom('payment_pin_check')
    .selectAll()
    .where('id', '=', checkId)
    .where('used_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('expires_at', '>', now)
    .forUpdate()
    .executeTakeFirst();
  if (row === undefined) throw invalid('No such open check: start another');
  return row;
}

/**
 * The open two-person check of this person still waiting for a second operator, locked for the
 * transaction; never for the account that started it (`AMP_PIN_CHECK_SAME_OPERATOR`).
 */
async function waitingCheck(
  trx: Kysely<Database>,
  props: { checkId: string; personId: string; operatorId: string; now: Date },
) {
  const row = await openCheck(trx, props.checkId, props.now);
  if (row.method !== 'two_person' || row.approved_by !== null || row.person_id !== props.personId) {
    throw invalid('This check is not waiting for an approval');
  }
  if (row.operator_id === props.operatorId) {
    throw new PaymentsError(
      'AMP_PIN_CHECK_SAME_OPERATOR',
      'Another operator approves: not the one who started the check',
    );
  }
  return row;
}

/**
 * A second operator approves a two-person check, having compared the person with the photo on
 * file: never the account that started it. Answers the person it is for.
 */
export async function pinCheckApprover(
  db: Kysely<Database>,
  props: { checkId: string; personId: string; operatorId: string; now: Date },
): Promise<{ personId: string }> {
  return db.transaction().execute(async (trx) => {
    const row = await waitingCheck(trx, props);
    await trx
      .updateTable('payment_pin_check')
      .set({ approved_by: props.operatorId, approved_at: props.now })
      .where('id', '=', props.checkId)
      .execute();
    return { personId: row.person_id };
  });
}

/**
 * A second operator refuses a two-person check (the person in front of the clerk is not the
 * one in the photo, or the request looks wrong): the check fails for good, and the clerk must
 * start another, which the refusing operator sees again.
 *
 * @example
 *   await pinCheckRefuser(db, { checkId, personId, operatorId: approverId, now });
 */
export async function pinCheckRefuser(
  db: Kysely<Database>,
  props: { checkId: string; personId: string; operatorId: string; now: Date },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await waitingCheck(trx, props);
    await trx
      .updateTable('payment_pin_check')
      .set({ failed_at: props.now })
      .where('id', '=', props.checkId)
      .execute();
  });
}

/**
 * Whether a two-person check is waiting for this operator's decision (not theirs, open, this
 * person's): what lets a second operator see the photo on file to compare.
 */
export async function pinCheckAwaiting(
  db: Kysely<Database>,
  props: { checkId: string; personId: string; operatorId: string; now: Date },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await waitingCheck(trx, props);
  });
}

/**
 * Spends a check to set a PIN: it must be this person's, started by this operator, open, and
 * passed (the right texted code, or approved by another account). A wrong code is counted
 * (committed); the check fails at `checkCodeAttemptsMax`. `setPin` runs in the transaction that
 * marks the check used: the PIN is set once per check, or not at all.
 */
export async function pinCheckSpender<T>(
  db: Kysely<Database>,
  props: {
    checkId: string;
    personId: string;
    operatorId: string;
    code: string | undefined;
    masterKey: Buffer;
    now: Date;
    settings: PinGuardSettings;
  },
  setPin: (passed: { method: PinCheckMethod; approvedBy: string | null }) => Promise<T>,
): Promise<T> {
  const passed = await db.transaction().execute(async (trx) => {
    const row = await openCheck(trx, props.checkId, props.now);
    if (row.person_id !== props.personId || row.operator_id !== props.operatorId) {
      return invalid('This check is for another person or was started by another operator');
    }
    if (row.method === 'two_person') {
      return row.approved_by === null
        ? invalid('A second operator has not approved this check yet')
        : { method: row.method, approvedBy: row.approved_by };
    }
    const right = oneTimeCodeMatches(
      props.masterKey,
      pinCheckCodeLabel,
      row.id,
      props.code ?? '',
      // Safe: a phone_code check always has its hash (the table's check constraint).
      row.code_hash as Buffer,
    );
    if (right) return { method: row.method, approvedBy: null };
    const attempts = row.code_attempts + 1;
    await trx
      .updateTable('payment_pin_check')
      .set({
        code_attempts: attempts,
        failed_at: attempts >= props.settings.checkCodeAttemptsMax ? props.now : null,
      })
      .where('id', '=', row.id)
      .execute();
    return new PaymentsError('AMP_PIN_CHECK_CODE_WRONG', 'The texted code is wrong', [
      { field: '/code', reason: 'wrong' },
    ]);
  });
  if (passed instanceof PaymentsError) throw passed;
  await refuseOverStaffBound(db, props);
  const result = await setPin(passed);
  return result;
}

/** Marks a check used inside the PIN's transaction; a check used meanwhile rolls it back. */
export async function useCheck(trx: Kysely<Database>, checkId: string, now: Date): Promise<void> {
  const used = await trx
    .updateTable('payment_pin_check')
    .set({ used_at: now })
    .where('id', '=', checkId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (used.numUpdatedRows !== 1n) throw invalid('The check was used meanwhile');
}

/** Two-person checks waiting for a second operator, newest first (at most `limit`). */
export async function waitingPinChecks(db: Kysely<Database>, now: Date, limit: number) {
  return db
    .selectFrom('payment_pin_check')
    .select(['id', 'person_id', 'operator_id', 'created_at', 'expires_at'])
    .where('method', '=', 'two_person')
    .where('approved_by', 'is', null)
    .where('used_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

function invalid(detail: string): PaymentsError {
  return new PaymentsError('AMP_PIN_CHECK_INVALID', detail);
}
