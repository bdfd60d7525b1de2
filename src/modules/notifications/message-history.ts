import type { Kysely } from 'kysely';
import { limits } from '../../limits.js';
import type { Database } from '../../platform/db/schema.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import {
  type AccessGuard,
  guardPersonRecord,
  type PersonRegionLookup,
} from '../../shared/access/guard-port.js';
import type { MessageLanguage, MessageStatus } from './tables.js';
import { maskedText } from './templates.js';

export interface MessageHistoryDependencies {
  db: Kysely<Database>;
  guard: AccessGuard;
  personRegion: PersonRegionLookup;
}

export interface MessageLine {
  id: string;
  queuedAt: string;
  templateId: string;
  language: MessageLanguage;
  /**
   * The words as sent, with any code hidden: the outbox keeps no code in clear (its secret
   * values are sealed, then cleared once the message ends), and one shown later could be
   * replayed.
   */
  text: string;
  status: MessageStatus;
  sentAt: string | null;
  deliveredAt: string | null;
  /** failed, expired: why (a code such as opted_out, expired, not_e164). */
  failureReason: string | null;
}

/**
 * "What did Amparo text me": the messages queued for a person, newest first — the person
 * themself (`self`) or an auditor (`audit`), through the one person-access guard, audited.
 * Never the phone number; one-time codes (the templates' secret values) shown as ••••••.
 *
 * @example
 *   const lines = await messageHistory(deps, { actor, personId, purpose: 'self', requestId });
 */
export async function messageHistory(
  deps: MessageHistoryDependencies,
  props: { actor: Actor | null; personId: string; purpose: Purpose | null; requestId: string },
): Promise<MessageLine[]> {
  const grant = await guardPersonRecord(deps, {
    actor: props.actor,
    action: 'person.messages',
    personId: props.personId,
    purpose: props.purpose,
    requestId: props.requestId,
    countsAsPersonRead: true,
  });
  const rows = await deps.db
    .selectFrom('notification_outbox')
    .select([
      'id',
      'created_at',
      'template_id',
      'language',
      'parameters',
      'status',
      'sent_at',
      'delivered_at',
      'failure_reason',
    ])
    .where('person_id', '=', props.personId)
    .orderBy('created_at', 'desc')
    .limit(limits.notifications.citizenListMax)
    .execute();
  await grant.record(['messages']);
  return rows.map((row) => ({
    id: row.id,
    queuedAt: row.created_at.toISOString(),
    templateId: row.template_id,
    language: row.language,
    text: shownText(row.template_id, row.language, row.parameters),
    status: row.status,
    sentAt: row.sent_at?.toISOString() ?? null,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    failureReason: row.failure_reason,
  }));
}

/**
 * A message's words as the person and the dashboard see them: its secret values as dots; the
 * template's id when the row no longer fits its template (a template removed since).
 */
export function shownText(
  templateId: string,
  language: MessageLanguage,
  parameters: Record<string, string>,
): string {
  try {
    return maskedText(templateId, language, parameters);
  } catch {
    return templateId;
  }
}
