import type { Generated } from 'kysely';

/** Kysely types for `migrations/0006_read_quotas.sql`. */
export interface QuotaTables {
  operator_read_window: {
    operator_id: string;
    window_start: Date;
    reads: Generated<number>;
  };
  security_alert: {
    id: string;
    kind:
      | 'read_quota_exceeded'
      | 'audit_signing_failed'
      | 'audit_log_rolled_back'
      | 'payment_merchant_fan_in'
      | 'grant_tracking_evicted'
      | 'payment_pin_staff_takeover'
      | 'payment_pin_spray'
      | 'payment_subsidy_large'
      | 'payout_payee_collusion'
      | 'payee_account_takeover';
    operator_id: string | null;
    details: Record<string, unknown>;
    created_at: Generated<Date>;
  };
}
