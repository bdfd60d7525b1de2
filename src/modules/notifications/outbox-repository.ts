import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

/** A queued message as a sender needs it: the recipient is still sealed. */
export interface QueuedMessage {
  id: string;
  channel: 'sms';
  recipientSealed: Buffer;
  templateId: string;
  parameters: Record<string, string>;
  createdAt: Date;
}

/**
 * Messages waiting to be sent, oldest first: not sent, not cancelled (an erased person's
 * messages are cancelled and their recipient blanked).
 *
 * Senders read the outbox and mark rows sent, the one column the application role may update;
 * `enqueueText` (outbox-enqueuer.ts) queues them.
 */
export async function unsentMessages(
  db: Kysely<Database>,
  limit: number,
): Promise<QueuedMessage[]> {
  const rows = await db
    .selectFrom('notification_outbox')
    .select(['id', 'channel', 'recipient_sealed', 'template_id', 'parameters', 'created_at'])
    .where('sent_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .where('recipient_sealed', 'is not', null)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.flatMap((row) =>
    row.recipient_sealed === null
      ? []
      : [
          {
            id: row.id,
            channel: row.channel,
            recipientSealed: Buffer.from(row.recipient_sealed),
            templateId: row.template_id,
            parameters: row.parameters,
            createdAt: row.created_at,
          },
        ],
  );
}

/** Marks messages sent; a row another sender marked first keeps its time. */
export async function markSent(
  db: Kysely<Database>,
  ids: readonly string[],
  at: Date,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('notification_outbox')
    .set({ sent_at: at })
    .where('id', 'in', ids)
    .where('sent_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
