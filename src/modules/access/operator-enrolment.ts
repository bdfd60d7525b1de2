import { hash } from '@node-rs/argon2';
import { seal } from '../../platform/crypto/envelope.js';
import { AmparoError } from '../../platform/errors.js';
import type { AccessContext } from './access-context.js';
import { beginAttempt, finishAttempt, throttledUntil } from './attempt-repository.js';
import type { SignInAttemptEvent, SignInFailureReason } from './authentication-events.js';
import { base32Decode } from './base32.js';
import { digestsEqual, enrolmentCodeDigest } from './operator-enrolment-code.js';
import {
  completeEnrolment,
  findOpenEnrolment,
  setEnrolledCredentials,
} from './operator-grant-repository.js';
import { findOperatorByUsername } from './operator-repository.js';
import { secondsUntil } from './operator-sign-in.js';
import { checkPasswordPolicy, normalizePassword } from './password-policy.js';
import { matchTotp } from './totp.js';

export interface EnrolInput {
  username: string;
  firstCode: string;
  secondCode: string;
  password: string;
  /** Base32 TOTP secret made by the person's own device and added to their authenticator. */
  totpSecret: string;
  /** A current code of that secret: proof the authenticator holds it. */
  totp: string;
  clientAddress: string;
}

export type EnrolResult =
  | { ok: true; operatorId: string; event: SignInAttemptEvent }
  | { ok: false; event: SignInAttemptEvent; retryAfterSeconds?: number };

/**
 * A staff member's first sign-in step (docs/ACCESS.md): with both halves of their enrolment
 * code they set their own password and TOTP secret. Until then their account has credentials
 * nobody knows; from then on nothing an administrator saw works. A wrong code counts towards
 * the username's sign-in throttle like a wrong password, and every failure looks the same to the caller.
 * The password policy is checked before the codes, so a weak password says why without
 * spending the attempt.
 *
 * @example
 *   const result = await enrolOperator(context, { username, firstCode, secondCode, password,
 *     totpSecret, totp, clientAddress: request.ip });
 */
export async function enrolOperator(
  context: AccessContext,
  input: EnrolInput,
): Promise<EnrolResult> {
  const username = input.username.normalize('NFKC').toLowerCase();
  const reasons = checkPasswordPolicy(input.password, { username });
  if (reasons.length > 0) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: 'The password does not meet the password policy',
      errors: reasons.map((reason) => ({ field: 'body/password', reason })),
    });
  }
  const at = context.now();
  const key = {
    kind: 'operator' as const,
    subjectDigest: context.digest('sign_in_subject', `operator:${username}`),
    addressDigest: context.digest('sign_in_address', input.clientAddress),
  };
  const attemptId = await beginAttempt(context.db, key, at);
  const event = (reason: SignInFailureReason | null, operatorId: string | null) => ({
    kind: 'operator' as const,
    outcome: reason === null ? ('success' as const) : ('failure' as const),
    reason,
    operatorId,
    personId: null,
    sessionId: null,
    at,
  });
  // Code halves are guessable like a password: the same throttle as sign-in applies.
  const throttle = await throttledUntil(context.db, key, attemptId, at);
  if (throttle !== undefined) {
    await finishAttempt(context.db, attemptId, 'refused');
    const reason: SignInFailureReason =
      throttle.scope === 'pair'
        ? 'throttled'
        : throttle.scope === 'account'
          ? 'account_throttled'
          : 'address_throttled';
    return {
      ok: false,
      event: { ...event(reason, null), outcome: 'refused' },
      retryAfterSeconds: secondsUntil(throttle, at),
    };
  }
  const checked = await checkEnrolment(context, username, input, at);
  if (checked.reason !== null) {
    await finishAttempt(context.db, attemptId, 'failure');
    return { ok: false, event: event(checked.reason, checked.operatorId) };
  }
  await finishAttempt(context.db, attemptId, 'success');
  return { ok: true, operatorId: checked.operatorId, event: event(null, checked.operatorId) };
}

/** Checks codes and authenticator, and on success stores the new credentials. */
async function checkEnrolment(
  context: AccessContext,
  username: string,
  input: EnrolInput,
  at: Date,
): Promise<
  { reason: SignInFailureReason; operatorId: string | null } | { reason: null; operatorId: string }
> {
  const operator = await findOperatorByUsername(context.db, username);
  if (!operator) return { reason: 'unknown_subject', operatorId: null };
  const enrolment = await findOpenEnrolment(context.db, operator.id, at);
  const codesMatch =
    enrolment !== undefined &&
    digestsEqual(
      enrolmentCodeDigest(context.masterKey, operator.id, input.firstCode),
      enrolment.firstCodeDigest,
    ) &&
    digestsEqual(
      enrolmentCodeDigest(context.masterKey, operator.id, input.secondCode),
      enrolment.secondCodeDigest,
    );
  if (!enrolment || !codesMatch) {
    return { reason: enrolment ? 'wrong_code' : 'no_valid_code', operatorId: operator.id };
  }
  if (operator.disabledAt !== null) return { reason: 'disabled', operatorId: operator.id };
  const secret = base32Decode(input.totpSecret.toUpperCase());
  const step = matchTotp(secret, input.totp.replace(/\s+/g, ''), at.getTime(), null);
  if (step === null) return { reason: 'wrong_totp', operatorId: operator.id };
  const passwordHash = await hash(normalizePassword(input.password), context.hashOptions);
  const totpSecretSealed = seal(context.masterKey, secret, {
    table: 'operator',
    column: 'totp_secret',
    recordId: operator.id,
  });
  const completed = await context.db.transaction().execute(async (trx) => {
    if (!(await completeEnrolment(trx, enrolment.id, at))) return false;
    await setEnrolledCredentials(trx, operator.id, {
      passwordHash,
      totpSecretSealed,
      totpStep: step,
    });
    return true;
  });
  return completed
    ? { reason: null, operatorId: operator.id }
    : { reason: 'no_valid_code', operatorId: operator.id };
}
