import { hash, verify } from '@node-rs/argon2';
import { limits } from '../../limits.js';
import { AmparoError } from '../../platform/errors.js';
import type { AccessContext } from './access-context.js';
import { beginAttempt, finishAttempt, throttledUntil } from './attempt-repository.js';
import { accessLimits } from './limits.js';
import { findOperatorById, updatePasswordHash } from './operator-repository.js';
import { secondsUntil, signInThrottled } from './operator-sign-in.js';
import { checkPasswordPolicy, normalizePassword } from './password-policy.js';
import {
  countLiveDeviceTokens,
  type DeviceTokenRow,
  listDeviceTokens,
  revokeOtherConsoleSessions,
  revokeSession,
} from './session-repository.js';
import { type IssuedSession, startSession } from './sessions.js';

/**
 * Changes a signed-in operator's password. The current password is checked like a sign-in
 * (a wrong one counts towards the username's lock-out, so a stolen session cannot be used
 * to guess it); the new one must pass the policy. Other console sessions are revoked.
 *
 * @example
 *   await changePassword(context, { operatorId, sessionId, clientAddress, current, next });
 */
export async function changePassword(
  context: AccessContext,
  input: {
    operatorId: string;
    sessionId: string;
    clientAddress: string;
    current: string;
    next: string;
  },
): Promise<{ sessionsRevoked: number }> {
  const operator = await findOperatorById(context.db, input.operatorId);
  if (!operator) throw new AmparoError('AMP_UNAUTHENTICATED');
  const at = context.now();
  const key = {
    kind: 'operator' as const,
    subjectDigest: context.digest('sign_in_subject', `operator:${operator.username}`),
    addressDigest: context.digest('sign_in_address', input.clientAddress),
  };
  const attemptId = await beginAttempt(context.db, key, at);
  // The current password is guessable here too: the same throttle as sign-in applies.
  const throttle = await throttledUntil(context.db, key, attemptId, at);
  if (throttle !== undefined) {
    await finishAttempt(context.db, attemptId, 'refused');
    throw signInThrottled(secondsUntil(throttle, at));
  }
  const matches = await verify(operator.passwordHash, normalizePassword(input.current));
  await finishAttempt(context.db, attemptId, matches ? 'success' : 'failure');
  if (!matches) {
    throw new AmparoError('AMP_FORBIDDEN', { detail: 'The current password is not correct' });
  }
  const reasons = checkPasswordPolicy(input.next, { username: operator.username });
  if (reasons.length > 0) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: 'The new password does not meet the password policy',
      errors: reasons.map((reason) => ({ field: 'body/next', reason })),
    });
  }
  await updatePasswordHash(
    context.db,
    operator.id,
    await hash(normalizePassword(input.next), context.hashOptions),
  );
  const sessionsRevoked = await revokeOtherConsoleSessions(
    context.db,
    operator.id,
    input.sessionId,
    at,
  );
  return { sessionsRevoked };
}

/** Creates a bearer token for the operator's own device or API client. */
export async function createDeviceToken(
  context: AccessContext,
  input: { operatorId: string; label: string; expiresInDays: number | undefined },
): Promise<IssuedSession> {
  const live = await countLiveDeviceTokens(context.db, input.operatorId, context.now());
  if (live >= accessLimits.session.deviceTokensPerOperatorMax) {
    throw new AmparoError('AMP_CONFLICT', {
      detail: `At most ${accessLimits.session.deviceTokensPerOperatorMax} live device tokens; revoke one first`,
    });
  }
  return startSession(context, {
    kind: 'device',
    operatorId: input.operatorId,
    label: input.label,
    expiresInDays: input.expiresInDays ?? context.deviceTokenDaysDefault,
  });
}

/** The operator's own device tokens, newest first, without secrets. */
export function listOwnDeviceTokens(
  context: AccessContext,
  operatorId: string,
): Promise<DeviceTokenRow[]> {
  return listDeviceTokens(context.db, operatorId, limits.pagination.pageSizeMax);
}

/** Revokes one of the operator's own device tokens; 404 for any other id. */
export async function revokeDeviceToken(
  context: AccessContext,
  input: { operatorId: string; tokenId: string },
): Promise<void> {
  const revoked = await revokeSession(
    context.db,
    { id: input.tokenId, operatorId: input.operatorId, kind: 'device' },
    context.now(),
  );
  if (!revoked) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such live device token' });
}

/** Ends the session the request came with. */
export async function endSession(context: AccessContext, sessionId: string): Promise<void> {
  await revokeSession(context.db, { id: sessionId }, context.now());
}
