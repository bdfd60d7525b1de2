import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { blindIndex } from '../../platform/crypto/envelope.js';
import type { Database } from '../../platform/db/schema.js';
import { sealedParameters, sealInOutbox } from './outbox-seal.js';
import type { MessageLanguage } from './tables.js';
import { checkParameters, templateFor } from './templates.js';

/** A text message to queue: who it is for, where it goes, and which words (by template). */
export interface TextMessage {
  /** The message's id; a new UUID when absent (a deferred notice passes its own). */
  id?: string;
  /** The person the message is for, so that erasure can cancel it. */
  personId: string;
  /** The phone number it goes to (E.164); sealed under the master key before it is stored. */
  phone: string;
  /** The person's preferred language; anything but English is sent in Spanish. */
  language?: string | null;
  /** The person's state (ISO 3166-2:VE): scopes the operators' delivery dashboard. */
  regionCode?: string | null;
  /** Which message text (templates.ts), e.g. `citizen.sign_in_code`. */
  templateId: string;
  /**
   * Values for the template's typed variables; never personal attributes. Those the template
   * declares secret (a one-time code) are sealed, never stored in clear.
   */
  parameters: Record<string, string>;
  queuedAt: Date;
}

/** A phone number in E.164: +, country code, at most 15 digits. */
export const e164 = /^\+[1-9]\d{6,14}$/;

/** The keyed hash an opt-out is recorded under (the number itself is not kept). */
export function recipientDigest(masterKey: Buffer, phone: string): Buffer {
  return blindIndex(masterKey, 'sms_recipient', phone);
}

/**
 * Queues a text message in `notification_outbox`, the phone sealed under the master key
 * (associated data `notification_outbox|recipient|<id>`), and so are the parameters the
 * template declares secret, its one-time code (`notification_outbox|secret_parameters|<id>`):
 * only the sending worker opens them, and the database clears them once the message has ended
 * (migration 0142). A message that cannot be sent (not E.164) keeps no secret at all. Pass the
 * transaction of the change that causes the message, so that the two commit together or not
 * at all (transactional outbox). An unknown template or parameters that do not fit it throw a
 * `TemplateError` (a bug in the caller); a phone that is not E.164 is kept as a failed message
 * (`not_e164`), so the person's view shows that a text could not be sent. Resolves to the
 * message's id.
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
  const [id] = await enqueueTexts(db, masterKey, [message]);
  if (id === undefined) throw new Error('a queued message has no id');
  return id;
}

/**
 * `enqueueText` for many messages in one statement (a cycle's entitlements), each checked
 * against its template first: one wrong message refuses them all. Resolves to the ids in order.
 */
export async function enqueueTexts(
  db: Kysely<Database>,
  masterKey: Buffer,
  messages: readonly TextMessage[],
): Promise<string[]> {
  if (messages.length === 0) return [];
  const rows = messages.map((message) => {
    const template = templateFor(message.templateId);
    checkParameters(template, message.parameters);
    const id = message.id ?? randomUUID();
    const valid = e164.test(message.phone);
    const language: MessageLanguage = message.language === 'en' ? 'en' : 'es';
    const stored = sealedParameters(masterKey, id, template, message.parameters);
    return {
      id,
      channel: 'sms' as const,
      recipient_sealed: sealInOutbox(masterKey, id, 'recipient', message.phone),
      recipient_digest: valid ? recipientDigest(masterKey, message.phone) : null,
      person_id: message.personId,
      region_code: message.regionCode ?? null,
      template_id: message.templateId,
      parameters: stored.parameters,
      secret_parameters_sealed: valid ? stored.secretParametersSealed : null,
      language,
      requested: template.requested,
      created_at: message.queuedAt,
      expires_at: new Date(message.queuedAt.getTime() + template.ttlMs),
      ...(valid
        ? {}
        : { status: 'failed' as const, failed_at: message.queuedAt, failure_reason: 'not_e164' }),
    };
  });
  // Rows with and without the failed columns take the same columns in one insert.
  await db
    .insertInto('notification_outbox')
    .values(
      rows.map((row) => ({
        status: 'queued' as const,
        failed_at: null,
        failure_reason: null,
        ...row,
      })),
    )
    .execute();
  return rows.map((row) => row.id);
}
