/**
 * Kysely types of the notifications tables; `migrations/0005_sessions.sql` and
 * `migrations/0012_erasure_redaction.sql` are the truth.
 */
export interface NotificationTables {
  notification_outbox: {
    id: string;
    channel: 'sms';
    /** Null once the person was erased (the message is then cancelled, or was sent). */
    recipient_sealed: Buffer | null;
    template_id: string;
    parameters: Record<string, string>;
    created_at: Date;
    sent_at: Date | null;
    /** Null for rows queued before migration 0012. */
    person_id: string | null;
    cancelled_at: Date | null;
  };
}
