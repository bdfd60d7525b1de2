import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { accessLimits } from './limits.js';
import type { SignInAttemptOutcome } from './tables.js';

/**
 * Sign-in attempt counters in the database, so that throttling holds across every server
 * process. An attempt is inserted as `pending` *before* it is checked and pending rows count
 * as failures: of any number of parallel guesses, each one sees every guess inserted before
 * it, so no more than the limit ever reach the password check.
 */
export interface AttemptKey {
  kind: 'operator' | 'citizen';
  /** Keyed hash of the username or ID number as typed. */
  subjectDigest: Buffer;
  /** Keyed hash of the client address. */
  addressDigest: Buffer;
}

export async function beginAttempt(
  db: Kysely<Database>,
  key: AttemptKey,
  at: Date,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('sign_in_attempt')
    .values({
      id,
      kind: key.kind,
      subject_digest: key.subjectDigest,
      address_digest: key.addressDigest,
      outcome: 'pending',
      attempted_at: at,
    })
    .execute();
  return id;
}

export async function finishAttempt(
  db: Kysely<Database>,
  id: string,
  outcome: Exclude<SignInAttemptOutcome, 'pending'>,
): Promise<void> {
  await db.updateTable('sign_in_attempt').set({ outcome }).where('id', '=', id).execute();
}

/** Why an attempt must wait, and until when. */
export interface Throttle {
  /** `pair`: this account from this address; `account`: this account from any address. */
  scope: 'pair' | 'account' | 'address';
  untilMs: number;
}

interface FailureCounts {
  pair_failures: number;
  pair_last: Date | null;
  account_failures: number;
  account_last: Date | null;
}

/**
 * When the subject may next be tried from this address, if not now (`limits.access.signIn`):
 * failures of the (subject, address) pair since the pair's last success, and of the subject
 * from every address within the account window since its last success, each give a doubling
 * delay after their last failure once past their free allowance. Pending attempts count as
 * failures, so parallel guesses see each other; `exceptId` (the attempt being decided) does
 * not count. Nothing is ever locked: once the delay has passed, the next attempt is checked.
 */
export async function throttledUntil(
  db: Kysely<Database>,
  key: AttemptKey,
  exceptId: string,
  at: Date,
): Promise<Throttle | undefined> {
  const limits = accessLimits.signIn;
  const since = new Date(at.getTime() - limits.attemptRetentionMs);
  const accountSince = new Date(at.getTime() - limits.accountFailureWindowMs);
  const result = await sql<FailureCounts>`
    with recent as (
      select address_digest = ${key.addressDigest} as same_address, outcome, attempted_at
        from sign_in_attempt
       where kind = ${key.kind} and subject_digest = ${key.subjectDigest} and id <> ${exceptId}
         and attempted_at > ${since} and attempted_at <= ${at}
    ), pair_failures as (
      select attempted_at from recent
       where same_address and outcome in ('pending', 'failure')
         and attempted_at > coalesce((select max(attempted_at) from recent
                                       where same_address and outcome = 'success'), '-infinity')
    ), account_failures as (
      select attempted_at from recent
       where outcome in ('pending', 'failure') and attempted_at > ${accountSince}
         and attempted_at > coalesce((select max(attempted_at) from recent
                                       where outcome = 'success'), '-infinity')
    )
    select (select count(*) from pair_failures)::int as pair_failures,
           (select max(attempted_at) from pair_failures) as pair_last,
           (select count(*) from account_failures)::int as account_failures,
           (select max(attempted_at) from account_failures) as account_last`.execute(db);
  const counts = result.rows[0];
  if (counts === undefined) return undefined;
  const pairUntilMs = waitUntil(counts.pair_last, counts.pair_failures, {
    free: limits.pairFailuresFree,
    baseMs: limits.pairDelayBaseMs,
    maxMs: limits.pairDelayMaxMs,
  });
  const accountUntilMs = waitUntil(counts.account_last, counts.account_failures, {
    free: limits.accountFailuresFree,
    baseMs: limits.accountDelayBaseMs,
    maxMs: limits.accountDelayMaxMs,
  });
  const throttle: Throttle =
    pairUntilMs >= accountUntilMs
      ? { scope: 'pair', untilMs: pairUntilMs }
      : { scope: 'account', untilMs: accountUntilMs };
  return throttle.untilMs > at.getTime() ? throttle : undefined;
}

/** The time the last failure plus its doubling delay allows; 0 within the free allowance. */
function waitUntil(
  last: Date | null,
  failures: number,
  delay: { free: number; baseMs: number; maxMs: number },
): number {
  if (last === null || failures < delay.free) return 0;
  const delayMs = Math.min(delay.baseMs * 2 ** (failures - delay.free), delay.maxMs);
  return new Date(last).getTime() + delayMs;
}

/**
 * Whether the client address has too many recent failures over all subjects (password
 * spraying), and until when: until enough of them leave the window.
 */
export async function addressThrottled(
  db: Kysely<Database>,
  key: AttemptKey,
  exceptId: string,
  at: Date,
): Promise<Throttle | undefined> {
  const { addressFailuresMax, failureWindowMs } = accessLimits.signIn;
  const failures = await db
    .selectFrom('sign_in_attempt')
    .select('attempted_at')
    .where('kind', '=', key.kind)
    .where('address_digest', '=', key.addressDigest)
    .where('outcome', 'in', ['pending', 'failure'])
    .where('id', '<>', exceptId)
    .where('attempted_at', '>', new Date(at.getTime() - failureWindowMs))
    .where('attempted_at', '<=', at)
    .orderBy('attempted_at', 'desc')
    .limit(addressFailuresMax)
    .execute();
  const oldestCounted = failures[addressFailuresMax - 1];
  if (oldestCounted === undefined) return undefined;
  return {
    scope: 'address',
    untilMs: new Date(oldestCounted.attempted_at).getTime() + failureWindowMs,
  };
}

/** Deletes counters older than the retention period; they no longer affect any decision. */
export async function pruneAttempts(db: Kysely<Database>, at: Date): Promise<void> {
  const cutoff = new Date(at.getTime() - accessLimits.signIn.attemptRetentionMs);
  await db.deleteFrom('sign_in_attempt').where('attempted_at', '<', cutoff).execute();
}
