import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { seal } from '../../platform/crypto/envelope.js';
import type { Database } from '../../platform/db/schema.js';

/** A text message to queue: who it is for, where it goes, and which words (by template). */
export interface TextMessage {
  /** The person the message is for, so that erasure can cancel it. */
  personId: string;
  /** The phone number it goes to; sealed under the master key before it is stored. */
  phone: string;
  /** Which message text (rendered by the sender), e.g. `citizen.sign_in_code`. */
  templateId: string;
  /** Values for the template; never personal attributes. */
  parameters: Record<string, string>;
  queuedAt: Date;
}

/**
 * Queues a text message in `notification_outbox`, the phone sealed under the master key
 * (associated data `notification_outbox|recipient|<id>`). Pass the transaction of the change
 * that causes the message, so that the two commit together or not at all (transactional
 * outbox). Resolves to the message's id.
 *
 * @example
 *   await db.transaction().execute((trx) =>
 *     enqueueText(trx, masterKey, { personId, phone, templateId, parameters, queuedAt }));
 */
export async function enqueueText(
  db: Kysely<Database>,
  masterKey: Buffer,
  message: TextMessage,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('notification_outbox')
    .values({
      id,
      channel: 'sms',
      recipient_sealed: seal(masterKey, Buffer.from(message.phone, 'utf8'), {
        table: 'notification_outbox',
        column: 'recipient',
        recordId: id,
      }),
      person_id: message.personId,
      template_id: message.templateId,
      parameters: message.parameters,
      created_at: message.queuedAt,
    })
    .execute();
  return id;
}
