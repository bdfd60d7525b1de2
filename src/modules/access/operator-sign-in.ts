import { verify } from '@node-rs/argon2';
import { open } from '../../platform/crypto/envelope.js';
import { AmparoError } from '../../platform/errors.js';
import type { AccessContext } from './access-context.js';
import {
  addressThrottled,
  beginAttempt,
  finishAttempt,
  pruneAttempts,
  type Throttle,
  throttledUntil,
} from './attempt-repository.js';
import type { SignInAttemptEvent, SignInFailureReason } from './authentication-events.js';
import {
  claimTotpStep,
  findOperatorByUsername,
  type OperatorCredentials,
} from './operator-repository.js';
import { normalizePassword } from './password-policy.js';
import { type IssuedSession, startSession } from './sessions.js';
import { matchTotp } from './totp.js';

export interface OperatorSignInInput {
  username: string;
  password: string;
  totp: string;
  clientAddress: string;
}

export type OperatorSignInResult =
  | { ok: true; operator: OperatorCredentials; session: IssuedSession; event: SignInAttemptEvent }
  /** `retryAfterSeconds` when the attempt came too soon and was refused unchecked. */
  | { ok: false; event: SignInAttemptEvent; retryAfterSeconds?: number };

const throttleReasons: Record<Throttle['scope'], SignInFailureReason> = {
  pair: 'throttled',
  account: 'account_throttled',
  address: 'address_throttled',
};

/** A sign-in (or password check) that came too soon after failures: 429, seconds to wait. */
export const signInThrottled = (retryAfterSeconds: number) =>
  new AmparoError('AMP_RATE_LIMITED', {
    detail: `Too many failed sign-ins; try again in ${retryAfterSeconds} s`,
    retryAfterSeconds,
  });

/** Whole seconds until a throttle ends, at least 1 (the Retry-After header). */
export function secondsUntil(throttle: Throttle, at: Date): number {
  return Math.max(1, Math.ceil((throttle.untilMs - at.getTime()) / 1000));
}

/**
 * Checks username, password and TOTP code, and starts a console session. Every failure
 * looks the same to the caller (`ok: false`); the reason is only in the event, for the audit
 * log. An unknown username is checked against a dummy hash so that it takes as long as a
 * wrong password. An attempt that comes before its throttle allows (too many failures of
 * this account from this address, of this account from anywhere, or from this address) is
 * refused without any check, with the seconds to wait: nothing is ever locked, so the right
 * password from another address still works.
 *
 * @example
 *   const result = await signInOperator(context, { username, password, totp, clientAddress: request.ip });
 */
export async function signInOperator(
  context: AccessContext,
  input: OperatorSignInInput,
): Promise<OperatorSignInResult> {
  const at = context.now();
  const username = input.username.normalize('NFKC').toLowerCase();
  const key = {
    kind: 'operator' as const,
    subjectDigest: context.digest('sign_in_subject', `operator:${username}`),
    addressDigest: context.digest('sign_in_address', input.clientAddress),
  };
  await pruneAttempts(context.db, at);
  const attemptId = await beginAttempt(context.db, key, at);
  const event = (
    outcome: SignInAttemptEvent['outcome'],
    reason: SignInFailureReason | null,
    operatorId: string | null,
    sessionId: string | null = null,
  ): SignInAttemptEvent => ({
    kind: 'operator',
    outcome,
    reason,
    operatorId,
    personId: null,
    sessionId,
    at,
  });

  const throttle =
    (await addressThrottled(context.db, key, attemptId, at)) ??
    (await throttledUntil(context.db, key, attemptId, at));
  if (throttle !== undefined) {
    await finishAttempt(context.db, attemptId, 'refused');
    return {
      ok: false,
      event: event('refused', throttleReasons[throttle.scope], null),
      retryAfterSeconds: secondsUntil(throttle, at),
    };
  }
  const operator = await findOperatorByUsername(context.db, username);
  const reason = await credentialFailure(context, operator, input, at);
  if (reason !== null || !operator) {
    await finishAttempt(context.db, attemptId, 'failure');
    return {
      ok: false,
      event: event('failure', reason ?? 'unknown_subject', operator?.id ?? null),
    };
  }
  const session = await startSession(context, { kind: 'console', operatorId: operator.id });
  await finishAttempt(context.db, attemptId, 'success');
  return { ok: true, operator, session, event: event('success', null, operator.id, session.id) };
}

/** Null when password and TOTP are right and the account may sign in; otherwise why not. */
async function credentialFailure(
  context: AccessContext,
  operator: OperatorCredentials | undefined,
  input: OperatorSignInInput,
  at: Date,
): Promise<SignInFailureReason | null> {
  const hash = operator?.passwordHash ?? (await context.dummyPasswordHash());
  const passwordMatches = await verify(hash, normalizePassword(input.password));
  if (!operator) return 'unknown_subject';
  if (!passwordMatches) return 'wrong_password';
  const secret = open(context.masterKey, operator.totpSecretSealed, {
    table: 'operator',
    column: 'totp_secret',
    recordId: operator.id,
  });
  // Authenticator apps show the code as "123 456"; people type the space too.
  const code = input.totp.replace(/\s+/g, '');
  const step = matchTotp(secret, code, at.getTime(), operator.totpLastStep);
  if (step === null) {
    const usedBefore = matchTotp(secret, code, at.getTime(), null) !== null;
    return usedBefore ? 'replayed_totp' : 'wrong_totp';
  }
  if (operator.disabledAt !== null) return 'disabled';
  if (!(await claimTotpStep(context.db, operator.id, step))) return 'replayed_totp';
  return null;
}
