import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { accessLimits } from './limits.js';

export interface NewCitizenCode {
  id: string;
  personId: string;
  channel: 'sms' | 'slip';
  codeHmac: Buffer;
  issuedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** Codes issued to a person on one channel since `since` (the issue limit). */
export async function countCodesIssued(
  db: Kysely<Database>,
  personId: string,
  channel: 'sms' | 'slip',
  since: Date,
): Promise<number> {
  const row = await db
    .selectFrom('citizen_sign_in_code')
    .select((eb) => eb.fn.countAll<bigint>().as('n'))
    .where('person_id', '=', personId)
    .where('channel', '=', channel)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Stores a new code, retiring the person's earlier live codes so that only one can be
 * guessed at a time, and runs `alongside` (queueing its SMS) in the same transaction: a code
 * is never live without its message, nor a message queued for a code that was not stored.
 */
export async function insertCode(
  db: Kysely<Database>,
  code: NewCitizenCode,
  alongside?: (trx: Kysely<Database>) => Promise<unknown>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('citizen_sign_in_code')
      .set({ superseded_at: code.createdAt })
      .where('person_id', '=', code.personId)
      .where('consumed_at', 'is', null)
      .where('superseded_at', 'is', null)
      .where('expires_at', '>', code.createdAt)
      .execute();
    await trx
      .insertInto('citizen_sign_in_code')
      .values({
        id: code.id,
        person_id: code.personId,
        channel: code.channel,
        code_hmac: code.codeHmac,
        issued_by: code.issuedBy,
        created_at: code.createdAt,
        expires_at: code.expiresAt,
      })
      .execute();
    if (alongside) await alongside(trx);
  });
}

/** The person's one live code: not used, not replaced, not expired, tries left. */
export async function findLiveCode(
  db: Kysely<Database>,
  personId: string,
  at: Date,
): Promise<{ id: string; codeHmac: Buffer } | undefined> {
  const row = await db
    .selectFrom('citizen_sign_in_code')
    .select(['id', 'code_hmac'])
    .where('person_id', '=', personId)
    .where('consumed_at', 'is', null)
    .where('superseded_at', 'is', null)
    .where('expires_at', '>', at)
    .where('attempts', '<', accessLimits.citizenCode.attemptsMax)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, codeHmac: row.code_hmac } : undefined;
}

/**
 * Spends one try on the code before it is compared. False when no tries are left (or it
 * was used meanwhile): the conditional UPDATE keeps parallel guesses within the limit.
 */
export async function spendTry(db: Kysely<Database>, codeId: string): Promise<boolean> {
  const result = await db
    .updateTable('citizen_sign_in_code')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', codeId)
    .where('attempts', '<', accessLimits.citizenCode.attemptsMax)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Marks the code used; false if another request used it first. */
export async function consumeCode(
  db: Kysely<Database>,
  codeId: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('citizen_sign_in_code')
    .set({ consumed_at: at })
    .where('id', '=', codeId)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ties a used code to the citizen session it opened. */
export async function noteCodeSession(
  db: Kysely<Database>,
  codeId: string,
  sessionId: string,
): Promise<void> {
  await db
    .updateTable('citizen_sign_in_code')
    .set({ session_id: sessionId })
    .where('id', '=', codeId)
    .execute();
}

/**
 * How a citizen session was opened: with a code texted to the person (`sms`) or one a clerk
 * printed (`slip`, with the clerk); undefined for a session no code opened (or before
 * migration 0111).
 *
 * @example
 *   const opened = await sessionOpening(db, actor.sessionId); // { channel: 'slip', issuedBy }
 */
export async function sessionOpening(
  db: Kysely<Database>,
  sessionId: string,
): Promise<{ channel: 'sms' | 'slip'; issuedBy: string | null } | undefined> {
  const row = await db
    .selectFrom('citizen_sign_in_code')
    .select(['channel', 'issued_by'])
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  return row === undefined ? undefined : { channel: row.channel, issuedBy: row.issued_by };
}

/**
 * Codes staff printed (`slip`) between two instants, with who printed them for whom: what the
 * payments module's alert on one account printing a code and resetting the PIN reads.
 */
export async function slipCodesIssued(
  db: Kysely<Database>,
  props: { since: Date; until: Date; personIds: readonly string[] },
): Promise<{ personId: string; issuedBy: string; createdAt: Date }[]> {
  if (props.personIds.length === 0) return [];
  const rows = await db
    .selectFrom('citizen_sign_in_code')
    .select(['person_id', 'issued_by', 'created_at'])
    .where('channel', '=', 'slip')
    .where('issued_by', 'is not', null)
    .where('person_id', 'in', props.personIds)
    .where('created_at', '>=', props.since)
    .where('created_at', '<=', props.until)
    .execute();
  return rows.map((row) => ({
    personId: row.person_id,
    // Safe: filtered on issued_by above.
    issuedBy: row.issued_by as string,
    createdAt: row.created_at,
  }));
}
