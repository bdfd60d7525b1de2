import { createHmac, hkdfSync, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { AmparoError } from '../../platform/errors.js';
import { enqueueText } from '../notifications/index.js';
import type { AccessContext } from './access-context.js';
import { addressThrottled, beginAttempt, finishAttempt } from './attempt-repository.js';
import type {
  AuthenticationEvent,
  SignInAttemptEvent,
  SignInFailureReason,
} from './authentication-events.js';
import {
  consumeCode,
  countCodesIssued,
  findLiveCode,
  insertCode,
  noteCodeSession,
  spendTry,
} from './citizen-code-repository.js';
import { accessLimits } from './limits.js';
import type { ActivePerson } from './person-contact.js';
import { type IssuedSession, startSession } from './sessions.js';

/** The SMS template a sending worker renders (es/en) with `{ code, validMinutes }`. */
export const signInCodeTemplateId = 'citizen.sign_in_code';

/**
 * Sends a one-time code by SMS to the phone on file for `uin`, if the ID number names an
 * active person with a phone and the per-person issue limit allows. The caller answers the
 * same whatever happened, so the answer reveals nothing; the event (or null) is for audit.
 *
 * @example
 *   const event = await startCitizenSignIn(context, '4839201756');
 */
export async function startCitizenSignIn(
  context: AccessContext,
  uin: string,
): Promise<AuthenticationEvent | null> {
  const person = await context.contacts.activePersonByUin(uin);
  if (!person) return null;
  const at = context.now();
  const since = new Date(at.getTime() - accessLimits.citizenCode.issueWindowMs);
  const issued = await countCodesIssued(context.db, person.id, 'sms', since);
  if (issued >= accessLimits.citizenCode.issuesPerWindowMax) return null;
  const contact = await context.contacts.phoneForText(person);
  if (contact === null) return null;
  const { code, record } = newCode(context, person, 'sms', null, at);
  // The code and its text commit together: never a live code without its message.
  await insertCode(context.db, record, (trx) =>
    enqueueText(trx, context.masterKey, {
      personId: person.id,
      phone: contact.phone,
      language: contact.language,
      regionCode: contact.regionCode ?? null,
      templateId: signInCodeTemplateId,
      parameters: { code, validMinutes: String(accessLimits.citizenCode.ttlMs / 60_000) },
      queuedAt: at,
    }),
  );
  return { type: 'citizen_code_issued', personId: person.id, channel: 'sms', operatorId: null, at };
}

/**
 * A code for a clerk to print on a slip for the person at the counter. The code is returned
 * once and kept only as an HMAC.
 */
export async function issueSlipCode(
  context: AccessContext,
  input: { personId: string; operatorId: string },
): Promise<{ code: string; expiresAt: Date; event: AuthenticationEvent }> {
  const person = await context.contacts.activePersonById(input.personId);
  if (!person) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such active person' });
  const at = context.now();
  const since = new Date(at.getTime() - accessLimits.citizenCode.issueWindowMs);
  if (
    (await countCodesIssued(context.db, person.id, 'slip', since)) >=
    accessLimits.citizenCode.issuesPerWindowMax
  ) {
    throw new AmparoError('AMP_RATE_LIMITED', {
      detail: 'Too many codes for this person; wait a few minutes',
    });
  }
  const { code, record } = newCode(context, person, 'slip', input.operatorId, at);
  await insertCode(context.db, record);
  const event: AuthenticationEvent = {
    type: 'citizen_code_issued',
    personId: person.id,
    channel: 'slip',
    operatorId: input.operatorId,
    at,
  };
  return { code, expiresAt: record.expiresAt, event };
}

export type CitizenVerifyResult =
  | { ok: true; session: IssuedSession; event: SignInAttemptEvent }
  | { ok: false; event: SignInAttemptEvent };

/**
 * Checks a one-time code and starts a citizen session. A try is spent before the code is
 * compared; after the fifth the code is dead. Every failure looks the same to the caller.
 */
export async function verifyCitizenCode(
  context: AccessContext,
  input: { uin: string; code: string; clientAddress: string },
): Promise<CitizenVerifyResult> {
  const at = context.now();
  const key = {
    kind: 'citizen' as const,
    subjectDigest: context.digest('sign_in_subject', `citizen:${input.uin}`),
    addressDigest: context.digest('sign_in_address', input.clientAddress),
  };
  const attemptId = await beginAttempt(context.db, key, at);
  const event = (
    outcome: SignInAttemptEvent['outcome'],
    reason: SignInFailureReason | null,
    personId: string | null,
    sessionId: string | null = null,
  ): SignInAttemptEvent => ({
    kind: 'citizen',
    outcome,
    reason,
    operatorId: null,
    personId,
    sessionId,
    at,
  });

  if (await addressThrottled(context.db, key, attemptId, at)) {
    await finishAttempt(context.db, attemptId, 'refused');
    return { ok: false, event: event('refused', 'address_throttled', null) };
  }
  const person = await context.contacts.activePersonByUin(input.uin);
  const checked = person
    ? await codeFailure(context, person, input.code, at)
    : { reason: 'unknown_subject' as const, codeId: null };
  if (checked.reason !== null || !person || checked.codeId === null) {
    await finishAttempt(context.db, attemptId, 'failure');
    return {
      ok: false,
      event: event('failure', checked.reason ?? 'unknown_subject', person?.id ?? null),
    };
  }
  const session = await startSession(context, { kind: 'citizen', personId: person.id });
  // The code is tied to the session it opened: a session opened with a code a clerk printed
  // does less (it sets no payment PIN; docs/PAYMENTS-PIN.md).
  await noteCodeSession(context.db, checked.codeId, session.id);
  await finishAttempt(context.db, attemptId, 'success');
  return { ok: true, session, event: event('success', null, person.id, session.id) };
}

async function codeFailure(
  context: AccessContext,
  person: ActivePerson,
  code: string,
  at: Date,
): Promise<{ reason: SignInFailureReason | null; codeId: string | null }> {
  const live = await findLiveCode(context.db, person.id, at);
  if (!live || !(await spendTry(context.db, live.id))) {
    return { reason: 'no_valid_code', codeId: null };
  }
  const presented = codeHmac(context.masterKey, person.id, live.id, code);
  if (!timingSafeEqual(presented, live.codeHmac)) return { reason: 'wrong_code', codeId: null };
  return (await consumeCode(context.db, live.id, at))
    ? { reason: null, codeId: live.id }
    : { reason: 'no_valid_code', codeId: null };
}

function newCode(
  context: AccessContext,
  person: ActivePerson,
  channel: 'sms' | 'slip',
  issuedBy: string | null,
  at: Date,
) {
  const { digits, ttlMs } = accessLimits.citizenCode;
  const code = String(randomInt(0, 10 ** digits)).padStart(digits, '0');
  const id = randomUUID();
  const record = {
    id,
    personId: person.id,
    channel,
    codeHmac: codeHmac(context.masterKey, person.id, id, code),
    issuedBy,
    createdAt: at,
    expiresAt: new Date(at.getTime() + ttlMs),
  };
  return { code, record };
}

/**
 * HMAC-SHA-256 of the code bound to its person and record, under a key derived from the
 * master key: a copy of the database alone cannot try the million codes offline.
 */
function codeHmac(masterKey: Buffer, personId: string, codeId: string, code: string): Buffer {
  const key = Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'amparo citizen sign-in code', 32),
  );
  return createHmac('sha256', key).update(`${personId}|${codeId}|${code}`, 'utf8').digest();
}
