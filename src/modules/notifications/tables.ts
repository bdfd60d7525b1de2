import type { Generated } from 'kysely';

/**
 * Kysely types of the notifications tables; `migrations/0005_sessions.sql`,
 * `migrations/0012_erasure_redaction.sql` and `migrations/0026_notification_delivery.sql` are
 * the truth.
 */
export interface NotificationTables {
  notification_outbox: {
    id: string;
    channel: 'sms';
    /** Null once the person was erased (the message is then cancelled, or was sent). */
    recipient_sealed: Buffer | null;
    template_id: string;
    /** The template's clear values; a secret one (a one-time code) never (migration 0142). */
    parameters: Record<string, string>;
    /**
     * `migrations/0142_notification_secret_parameters.sql`: the template's secret values, sealed
     * under the master key; null when it has none, and from the moment the message ends (sent,
     * delivered, failed, expired or cancelled: the table's trigger clears it).
     */
    secret_parameters_sealed: Buffer | null;
    created_at: Date;
    sent_at: Date | null;
    /** Null for rows queued before migration 0012. */
    person_id: string | null;
    cancelled_at: Date | null;
    status: Generated<MessageStatus>;
    language: Generated<MessageLanguage>;
    requested: Generated<boolean>;
    recipient_digest: Buffer | null;
    expires_at: Date | null;
    attempts: Generated<number>;
    next_attempt_at: Date | null;
    claimed_at: Date | null;
    handed_at: Date | null;
    provider: string | null;
    segments: number | null;
    delivered_at: Date | null;
    failed_at: Date | null;
    failure_reason: string | null;
    /** `migrations/0027_notification_region.sql`: the person's state when queued. */
    region_code: string | null;
  };
  /** `migrations/0095_notification_deferred.sql`: notices whose contact the worker resolves. */
  notification_deferred: {
    id: string;
    person_id: string;
    /** A `PersonNotice` (JSON). */
    notice: unknown;
    created_at: Date;
    resolved_at: Date | null;
  };
  notification_part: {
    message_id: string;
    part: number;
    provider: string;
    provider_message_id: string;
    status: Generated<PartStatus>;
    updated_at: Date;
  };
  notification_receipt: {
    id: string;
    provider: string;
    provider_message_id: string;
    status: 'delivered' | 'failed';
    received_at: Date;
  };
  notification_opt_out: {
    recipient_digest: Buffer;
    keyword: 'BAJA' | 'STOP';
    opted_out_at: Date;
  };
}

export type MessageStatus =
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'failed'
  | 'expired'
  | 'cancelled';
export type MessageLanguage = 'es' | 'en';
export type PartStatus = 'sent' | 'delivered' | 'failed';
