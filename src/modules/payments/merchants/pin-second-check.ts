import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { newOneTimeCode, oneTimeCodeHash, oneTimeCodeMatches } from '../../credentials/index.js';
import { localDayStart, type PersonNotifier } from '../../notifications/index.js';
import { PaymentsError, type PaymentsErrorCode } from '../payments-error.js';
import type { PinGuardSettings } from './pin-guard-settings.js';

/**
 * The second check before staff set a person's payment PIN (docs/PAYMENTS-PIN.md), one the
 * clerk does not control: a six-digit code texted to the phone on file, typed at the counter by
 * the person (`phone_code`); or, for a person without a phone, the photo on file checked by the
 * clerk and then by a second operator — another account — who approves (`two_person`). A check
 * belongs to the clerk who started it and sets one PIN within `checkTtlMs`.
 */

export type PinCheckMethod = 'phone_code' | 'two_person';

/**
 * What a check lets its operator set: the payment PIN, or the person's payee account for bank
 * payouts (`payouts/payee-account-setter.ts`). A check of one sets nothing of the other, and
 * their texted codes are hashed under different labels.
 */
export type SecondCheckSubject = 'payment_pin' | 'payee_account';

/** The texted code's HMAC label (credentials' `second-check.ts` keeps the code only hashed). */
const checkCodeLabels: Record<SecondCheckSubject, string> = {
  payment_pin: 'amparo payment pin check code',
  payee_account: 'amparo payee account check code',
};

/** Why a second check refuses, whatever its subject. */
type CheckRefusal = 'required' | 'invalid' | 'codeWrong' | 'noPhone' | 'sameOperator' | 'overBound';

/**
 * Each subject's own codes: the mechanism is shared, but a refusal says what it is about, so
 * a clerk setting a payee account is not told about a PIN (and the console words it so).
 */
const refusalCodes: Record<SecondCheckSubject, Record<CheckRefusal, PaymentsErrorCode>> = {
  payment_pin: {
    required: 'AMP_PIN_CHECK_REQUIRED',
    invalid: 'AMP_PIN_CHECK_INVALID',
    codeWrong: 'AMP_PIN_CHECK_CODE_WRONG',
    noPhone: 'AMP_PIN_CHECK_NO_PHONE',
    sameOperator: 'AMP_PIN_CHECK_SAME_OPERATOR',
    overBound: 'AMP_PIN_STAFF_SETS_EXCEEDED',
  },
  payee_account: {
    required: 'AMP_PAYEE_CHECK_REQUIRED',
    invalid: 'AMP_PAYEE_CHECK_INVALID',
    codeWrong: 'AMP_PAYEE_CHECK_CODE_WRONG',
    noPhone: 'AMP_PAYEE_CHECK_NO_PHONE',
    sameOperator: 'AMP_PAYEE_CHECK_SAME_OPERATOR',
    overBound: 'AMP_PAYEE_STAFF_SETS_EXCEEDED',
  },
};

function refusal(
  subject: SecondCheckSubject | undefined,
  why: CheckRefusal,
  detail: string,
  errors?: { field: string; reason: string }[],
): PaymentsError {
  return new PaymentsError(refusalCodes[subject ?? 'payment_pin'][why], detail, errors);
}

/** What each subject's daily bound counts, and what it is called in the refusal. */
async function setsToday(
  db: Kysely<Database>,
  subject: SecondCheckSubject,
  operatorId: string,
  dayStart: Date,
): Promise<number> {
  const row =
    subject === 'payment_pin'
      ? await db
          .selectFrom('payment_pin_change')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('operator_id', '=', operatorId)
          .where('changed_at', '>=', dayStart)
          .executeTakeFirstOrThrow()
      : await db
          .selectFrom('payee_account')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('set_by', '=', operatorId)
          .where('set_at', '>=', dayStart)
          .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * PINs (or payee accounts) the staff account set today, and refusal at the daily bound
 * (`staffSetsPerOperatorPerDay`): one account cannot reset PIN after PIN, nor account after
 * account.
 */
export async function refuseOverStaffBound(
  db: Kysely<Database>,
  props: {
    operatorId: string;
    now: Date;
    settings: PinGuardSettings;
    subject?: SecondCheckSubject | undefined;
  },
): Promise<void> {
  const subject = props.subject ?? 'payment_pin';
  const dayStart = localDayStart(props.now);
  const count = await setsToday(db, subject, props.operatorId, dayStart);
  if (count >= props.settings.staffSetsPerOperatorPerDay) {
    const what = subject === 'payment_pin' ? 'PINs' : 'payee accounts';
    throw refusal(
      subject,
      'overBound',
      `This account set ${props.settings.staffSetsPerOperatorPerDay} ${what} today; another clerk or tomorrow`,
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
    subject?: SecondCheckSubject | undefined;
  },
): Promise<{ checkId: string; expiresAt: Date }> {
  const subject = props.subject ?? 'payment_pin';
  await refuseOverStaffBound(db, props);
  if (props.method === 'two_person' && !props.photoChecked) {
    throw refusal(subject, 'required', 'Check the photo on file first', [
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
        subject,
        code_hash:
          props.method === 'phone_code'
            ? oneTimeCodeHash(props.masterKey, checkCodeLabels[subject], checkId, code)
            : null,
        photo_checked: props.method === 'two_person',
        created_at: props.now,
        expires_at: expiresAt,
      })
      .execute();
    if (props.method !== 'phone_code') return;
    const sent = await props.notifier?.notify(trx, props.personId, {
      event: subject === 'payment_pin' ? 'payment_pin_code' : 'payee_account_code',
      code,
      validMinutes: String(Math.round(props.settings.checkTtlMs / 60_000)),
    });
    if (sent === undefined || sent === null) {
      throw refusal(
        subject,
        'noPhone',
        'No phone on file to text a code to: check the photo and ask a second operator to approve',
      );
    }
  });
  return { checkId, expiresAt };
}

/** A check still open: not used, not failed, not expired, of this subject. */
async function openCheck(
  db: Kysely<Database>,
  checkId: string,
  now: Date,
  subject: SecondCheckSubject = 'payment_pin',
) {
  const row = await db
    .selectFrom('payment_pin_check')
    .selectAll()
    .where('id', '=', checkId)
    .where('subject', '=', subject)
    .where('used_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('expires_at', '>', now)
    .forUpdate()
    .executeTakeFirst();
  if (row === undefined) throw invalid(subject, 'No such open check: start another');
  return row;
}

/** A second operator's step on a waiting two-person check: which, whose, who, when, of what. */
interface CheckDecision {
  checkId: string;
  personId: string;
  operatorId: string;
  now: Date;
  subject?: SecondCheckSubject | undefined;
}

/**
 * The open two-person check of this person still waiting for a second operator, locked for the
 * transaction; never for the account that started it (`AMP_PIN_CHECK_SAME_OPERATOR`).
 */
async function waitingCheck(trx: Kysely<Database>, props: CheckDecision) {
  const row = await openCheck(trx, props.checkId, props.now, props.subject);
  if (row.method !== 'two_person' || row.approved_by !== null || row.person_id !== props.personId) {
    throw invalid(props.subject, 'This check is not waiting for an approval');
  }
  if (row.operator_id === props.operatorId) {
    throw refusal(
      props.subject,
      'sameOperator',
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
  props: CheckDecision,
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
export async function pinCheckRefuser(db: Kysely<Database>, props: CheckDecision): Promise<void> {
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
export async function pinCheckAwaiting(db: Kysely<Database>, props: CheckDecision): Promise<void> {
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
    subject?: SecondCheckSubject | undefined;
  },
  setPin: (passed: { method: PinCheckMethod; approvedBy: string | null }) => Promise<T>,
): Promise<T> {
  const subject = props.subject ?? 'payment_pin';
  const passed = await db.transaction().execute(async (trx) => {
    const row = await openCheck(trx, props.checkId, props.now, subject);
    if (row.person_id !== props.personId || row.operator_id !== props.operatorId) {
      return invalid(
        subject,
        'This check is for another person or was started by another operator',
      );
    }
    if (row.method === 'two_person') {
      return row.approved_by === null
        ? invalid(subject, 'A second operator has not approved this check yet')
        : { method: row.method, approvedBy: row.approved_by };
    }
    const right = oneTimeCodeMatches(
      props.masterKey,
      checkCodeLabels[subject],
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
    return refusal(subject, 'codeWrong', 'The texted code is wrong', [
      { field: '/code', reason: 'wrong' },
    ]);
  });
  if (passed instanceof PaymentsError) throw passed;
  await refuseOverStaffBound(db, props);
  const result = await setPin(passed);
  return result;
}

/** Marks a check used inside the PIN's transaction; a check used meanwhile rolls it back. */
export async function useCheck(
  trx: Kysely<Database>,
  checkId: string,
  now: Date,
  subject: SecondCheckSubject = 'payment_pin',
): Promise<void> {
  const used = await trx
    .updateTable('payment_pin_check')
    .set({ used_at: now })
    .where('id', '=', checkId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (used.numUpdatedRows !== 1n) throw invalid(subject, 'The check was used meanwhile');
}

/** Two-person checks waiting for a second operator, newest first (at most `limit`). */
export async function waitingPinChecks(
  db: Kysely<Database>,
  now: Date,
  limit: number,
  subject: SecondCheckSubject = 'payment_pin',
) {
  return db
    .selectFrom('payment_pin_check')
    .select(['id', 'person_id', 'operator_id', 'created_at', 'expires_at'])
    .where('method', '=', 'two_person')
    .where('subject', '=', subject)
    .where('approved_by', 'is', null)
    .where('used_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

function invalid(subject: SecondCheckSubject | undefined, detail: string): PaymentsError {
  return refusal(subject, 'invalid', detail);
}
