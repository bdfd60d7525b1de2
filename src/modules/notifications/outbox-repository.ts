import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { MessageLanguage } from './tables.js';

/** A claimed message as a sender needs it: the recipient and the secret values still sealed. */
export interface ClaimedMessage {
  id: string;
  personId: string | null;
  recipientSealed: Buffer;
  templateId: string;
  parameters: Record<string, string>;
  secretParametersSealed: Buffer | null;
  language: MessageLanguage;
  requested: boolean;
  createdAt: Date;
  expiresAt: Date | null;
  attempts: number;
}

export interface ClaimOptions {
  at: Date;
  limit: number;
  /** In quiet hours only requested messages (sign-in codes) are claimed. */
  quiet: boolean;
  /** Per-recipient limit: a person with this many messages sent since `windowStart` waits. */
  recipientMessagesMax: number;
  recipientWindowStart: Date;
}

/**
 * Claims due messages: queued, their backoff over, not expired, oldest first, in one
 * statement whose inner SELECT takes the rows with FOR UPDATE SKIP LOCKED, so two workers
 * never claim the same row and neither waits for the other. One statement, no transaction
 * held while sending: it works alike on PostgreSQL and on PGlite (a single connection).
 */
export async function claimDue(
  db: Kysely<Database>,
  options: ClaimOptions,
): Promise<ClaimedMessage[]> {
  const { rows } = await sql<{
    id: string;
    person_id: string | null;
    recipient_sealed: Buffer;
    template_id: string;
    parameters: Record<string, string>;
    secret_parameters_sealed: Buffer | null;
    language: MessageLanguage;
    requested: boolean;
    created_at: Date;
    expires_at: Date | null;
    attempts: number;
  }>`
    update notification_outbox set status = 'sending', claimed_at = ${options.at},
      handed_at = null, attempts = attempts + 1
    where id in (
      select o.id from notification_outbox o
      where o.status = 'queued' and o.recipient_sealed is not null
        and (o.next_attempt_at is null or o.next_attempt_at <= ${options.at})
        and (o.expires_at is null or o.expires_at > ${options.at})
        and (o.requested or not ${options.quiet})
        and (o.requested or o.person_id is null or (
          select count(*) from notification_outbox s
          where s.person_id = o.person_id and not s.requested
            and s.sent_at > ${options.recipientWindowStart}
        ) < ${options.recipientMessagesMax})
      order by o.created_at
      limit ${options.limit}
      for update skip locked
    )
    returning id, person_id, recipient_sealed, template_id, parameters, secret_parameters_sealed,
      language, requested, created_at, expires_at, attempts`.execute(db);
  // RETURNING keeps no order: sort again, oldest first.
  rows.sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime());
  return rows.map((row) => ({
    id: row.id,
    personId: row.person_id,
    recipientSealed: Buffer.from(row.recipient_sealed),
    templateId: row.template_id,
    parameters: row.parameters,
    secretParametersSealed:
      row.secret_parameters_sealed === null ? null : Buffer.from(row.secret_parameters_sealed),
    language: row.language,
    requested: row.requested,
    createdAt: new Date(row.created_at),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    attempts: row.attempts,
  }));
}

/**
 * What no worker will send: queued messages past their expiry (expired), messages to a phone
 * that opted out (failed, except requested sign-in codes); and messages left `sending` longer
 * than the lease by a worker that died: those it never handed to the provider go back to the
 * queue (the provider never saw them), those it handed fail as interrupted (the provider may
 * have them: never sent twice).
 */
export async function settleStale(
  db: Kysely<Database>,
  at: Date,
  leaseStart: Date,
): Promise<{ expired: number; optedOut: number; interrupted: number; requeued: number }> {
  const expired = await db
    .updateTable('notification_outbox')
    .set({ status: 'expired', failed_at: at, failure_reason: 'expired' })
    .where('status', '=', 'queued')
    .where('expires_at', '<=', at)
    .executeTakeFirst();
  const optedOut = await db
    .updateTable('notification_outbox')
    .set({ status: 'failed', failed_at: at, failure_reason: 'opted_out' })
    .where('status', '=', 'queued')
    .where('requested', '=', false)
    .where('recipient_digest', 'in', (eb) =>
      eb.selectFrom('notification_opt_out').select('recipient_digest'),
    )
    .executeTakeFirst();
  const interrupted = await db
    .updateTable('notification_outbox')
    .set({ status: 'failed', failed_at: at, failure_reason: 'interrupted' })
    .where('status', '=', 'sending')
    .where('claimed_at', '<', leaseStart)
    .where('handed_at', 'is not', null)
    .executeTakeFirst();
  // Claimed and never handed: the claim's attempt stays counted, so the dead worker's claim
  // (claimed_at, attempts) can never match the row again (`recordHanded`).
  const requeued = await db
    .updateTable('notification_outbox')
    .set({ status: 'queued', next_attempt_at: null })
    .where('status', '=', 'sending')
    .where('claimed_at', '<', leaseStart)
    .where('handed_at', 'is', null)
    .executeTakeFirst();
  return {
    expired: Number(expired.numUpdatedRows),
    optedOut: Number(optedOut.numUpdatedRows),
    interrupted: Number(interrupted.numUpdatedRows),
    requeued: Number(requeued.numUpdatedRows),
  };
}

/**
 * Marks claimed messages as handed to the provider, just before they are: only rows this
 * claim still holds (still `sending`, same `claimed_at` and attempt; a lease that ran out may
 * have queued them again for another worker). Answers the ids the caller may send.
 */
export async function recordHanded(
  db: Kysely<Database>,
  claims: readonly { id: string; attempts: number }[],
  claimedAt: Date,
  at: Date,
): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    update notification_outbox o set handed_at = ${at}
    from (select unnest(${claims.map((claim) => claim.id)}::uuid[]) as id,
                 unnest(${claims.map((claim) => claim.attempts)}::int[]) as attempts) c
    where o.id = c.id and o.attempts = c.attempts and o.status = 'sending'
      and o.claimed_at = ${claimedAt} and o.handed_at is null
    returning o.id`.execute(db);
  return new Set(rows.map((row) => row.id));
}

/**
 * The provider accepted the message: sent, with one row per part naming the provider's id.
 * False when the row is no longer `sending` (an erasure cancelled it meanwhile).
 */
export async function recordAccepted(
  db: Kysely<Database>,
  input: { id: string; provider: string; partIds: readonly string[]; at: Date },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('notification_outbox')
      .set({
        status: 'sent',
        sent_at: input.at,
        provider: input.provider,
        segments: input.partIds.length,
      })
      .where('id', '=', input.id)
      .where('status', '=', 'sending')
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    if (input.partIds.length > 0) {
      await lockProviderIds(trx, input.provider, input.partIds);
      await trx
        .insertInto('notification_part')
        .values(
          input.partIds.map((providerMessageId, index) => ({
            message_id: input.id,
            part: index + 1,
            provider: input.provider,
            provider_message_id: providerMessageId,
            updated_at: input.at,
          })),
        )
        .execute();
      await applyEarlyReceipts(trx, input);
    }
    return true;
  });
}

/**
 * Receipts that arrived before the parts were recorded (an SMS centre can send the receipt
 * right after its submit_sm_resp, while this worker is still writing the parts): they were
 * kept as `unknown`, and are applied now, with the same rules as `recordReceipt` (a failed
 * part beats a success; delivered when every part is).
 */
async function applyEarlyReceipts(
  trx: Kysely<Database>,
  input: { id: string; provider: string; partIds: readonly string[]; at: Date },
): Promise<void> {
  const early = await trx
    .selectFrom('notification_receipt')
    .select(['provider_message_id', 'status', 'received_at'])
    .where('provider', '=', input.provider)
    .where('provider_message_id', 'in', [...input.partIds])
    .execute();
  if (early.length === 0) return;
  for (const receipt of early) {
    await trx
      .updateTable('notification_part')
      .set({ status: receipt.status, updated_at: receipt.received_at })
      .where('provider', '=', input.provider)
      .where('provider_message_id', '=', receipt.provider_message_id)
      .where('status', 'in', receipt.status === 'failed' ? ['sent', 'delivered'] : ['sent'])
      .execute();
  }
  const parts = await trx
    .selectFrom('notification_part')
    .select('status')
    .where('message_id', '=', input.id)
    .execute();
  const latest = new Date(Math.max(...early.map((receipt) => receipt.received_at.getTime())));
  if (parts.some((part) => part.status === 'failed')) {
    await trx
      .updateTable('notification_outbox')
      .set({ status: 'failed', failed_at: latest, failure_reason: 'part_undeliverable' })
      .where('id', '=', input.id)
      .where('status', '=', 'sent')
      .execute();
  } else if (parts.every((part) => part.status === 'delivered')) {
    await trx
      .updateTable('notification_outbox')
      .set({ status: 'delivered', delivered_at: latest })
      .where('id', '=', input.id)
      .where('status', '=', 'sent')
      .execute();
  }
}

/**
 * Serialises what is recorded about provider ids: the parts a worker records and a receipt
 * that names one of them take the same transaction-scoped advisory locks (`recordReceipt`
 * takes its id's). Without them, on PostgreSQL a receipt arriving while its parts are being
 * written sees no part (kept as unknown) while the parts' transaction sees no receipt yet,
 * and the message stays `sent` for ever. Ids are locked in order, so two never deadlock.
 */
export async function lockProviderIds(
  trx: Kysely<Database>,
  provider: string,
  providerMessageIds: readonly string[],
): Promise<void> {
  const keys = [...new Set(providerMessageIds.map((id) => `notification:${provider}:${id}`))];
  keys.sort();
  for (const key of keys) {
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
  }
}

/** Ends a message that is being sent: failed or expired, with a reason code. */
export async function recordEnded(
  db: Kysely<Database>,
  input: { id: string; status: 'failed' | 'expired'; reason: string; at: Date },
): Promise<void> {
  await db
    .updateTable('notification_outbox')
    .set({ status: input.status, failed_at: input.at, failure_reason: input.reason })
    .where('id', '=', input.id)
    .where('status', '=', 'sending')
    .execute();
}

/**
 * Messages sent (not requested) to each of these persons since `since`: the per-recipient
 * limit. The claim already leaves out persons at the limit; this catches several messages to
 * one person in the same batch.
 */
export async function sentSince(
  db: Kysely<Database>,
  personIds: readonly string[],
  since: Date,
): Promise<Map<string, number>> {
  if (personIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('notification_outbox')
    .select(['person_id', (eb) => eb.fn.countAll<bigint>().as('n')])
    .where('person_id', 'in', personIds)
    .where('requested', '=', false)
    .where('sent_at', '>', since)
    .groupBy('person_id')
    .execute();
  return new Map(rows.map((row) => [row.person_id ?? '', Number(row.n)]));
}

/** Gives claimed messages back unsent and uncounted, not to be claimed before `until`. */
export async function recordHeld(
  db: Kysely<Database>,
  ids: readonly string[],
  until: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notification_outbox')
    .set((eb) => ({
      status: 'queued',
      next_attempt_at: until,
      attempts: eb('attempts', '-', 1),
    }))
    .where('id', 'in', ids)
    .where('status', '=', 'sending')
    .execute();
}

/** Puts a message the provider did not take back in the queue until `nextAttemptAt`. */
export async function recordRetry(
  db: Kysely<Database>,
  input: { id: string; nextAttemptAt: Date },
): Promise<void> {
  await db
    .updateTable('notification_outbox')
    .set({ status: 'queued', next_attempt_at: input.nextAttemptAt })
    .where('id', '=', input.id)
    .where('status', '=', 'sending')
    .execute();
}
