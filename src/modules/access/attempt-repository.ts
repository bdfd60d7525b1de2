import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { accessLimits } from './limits.js';
import type { SignInAttemptOutcome } from './tables.js';

/**
 * Sign-in attempt counters in the database, so that lock-out holds across every server
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

/**
 * True while the subject is locked: some failure in the last `lockMs` was the
 * `failuresMax`-th within `failureWindowMs`, counting only failures after the subject's last
 * success. The attempt `exceptId` (the one being decided) does not count.
 */
export async function subjectLocked(
  db: Kysely<Database>,
  key: AttemptKey,
  exceptId: string,
  at: Date,
): Promise<boolean> {
  const { failuresMax, failureWindowMs, lockMs } = accessLimits.signIn;
  const since = new Date(at.getTime() - failureWindowMs - lockMs);
  const lockedSince = new Date(at.getTime() - lockMs);
  const result = await sql<{ locked: boolean }>`
    with last_success as (
      select max(attempted_at) as at from sign_in_attempt
       where kind = ${key.kind} and subject_digest = ${key.subjectDigest}
         and outcome = 'success' and attempted_at <= ${at}
    ), failures as (
      select attempted_at,
             count(*) over (order by attempted_at
                            range between make_interval(secs => ${failureWindowMs / 1000}) preceding
                                      and current row) as in_window
        from sign_in_attempt
       where kind = ${key.kind} and subject_digest = ${key.subjectDigest}
         and outcome in ('pending', 'failure') and id <> ${exceptId}
         and attempted_at > ${since} and attempted_at <= ${at}
         and attempted_at > coalesce((select at from last_success), '-infinity')
    )
    select exists (
      select 1 from failures where in_window >= ${failuresMax} and attempted_at > ${lockedSince}
    ) as locked`.execute(db);
  return result.rows[0]?.locked === true;
}

/** True when the client address has too many recent failures, over all subjects. */
export async function addressThrottled(
  db: Kysely<Database>,
  key: AttemptKey,
  exceptId: string,
  at: Date,
): Promise<boolean> {
  const { addressFailuresMax, failureWindowMs } = accessLimits.signIn;
  const row = await db
    .selectFrom('sign_in_attempt')
    .select((eb) => eb.fn.countAll<bigint>().as('n'))
    .where('kind', '=', key.kind)
    .where('address_digest', '=', key.addressDigest)
    .where('outcome', 'in', ['pending', 'failure'])
    .where('id', '<>', exceptId)
    .where('attempted_at', '>', new Date(at.getTime() - failureWindowMs))
    .where('attempted_at', '<=', at)
    .executeTakeFirstOrThrow();
  return Number(row.n) >= addressFailuresMax;
}

/** Deletes counters older than the retention period; they no longer affect any decision. */
export async function pruneAttempts(db: Kysely<Database>, at: Date): Promise<void> {
  const cutoff = new Date(at.getTime() - accessLimits.signIn.attemptRetentionMs);
  await db.deleteFrom('sign_in_attempt').where('attempted_at', '<', cutoff).execute();
}
