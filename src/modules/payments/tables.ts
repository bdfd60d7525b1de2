import type { Generated } from 'kysely';
import type { LedgerCurrency } from '../ledger/index.js';
import type { MerchantTables } from './merchants/merchant-tables.js';
import type { PayoutTables } from './payouts/payout-tables.js';

/**
 * Kysely types of the payments tables; `migrations/0061_payments.sql` is the truth. The money
 * itself is in the ledger's tables, which payments reaches only through the ledger's face.
 * Parts of the module with their own tables (payouts) add an interface here.
 */
export interface PaymentTables extends PayoutTables, MerchantTables {
  /** `migrations/0071_entitlement_payment_claim.sql`: wallet or payout, whichever pays first. */
  payment_entitlement_claim: {
    entitlement_id: string;
    channel: 'wallet' | 'payout';
    payout_instruction_id: string | null;
    claimed_at: Generated<Date>;
  };
  payment_wallet_freeze: {
    person_id: string;
    reason: WalletFreezeReason;
    frozen_at: Generated<Date>;
    /** `migrations/0063_payment_adjustments.sql`: the survivor of a merge. */
    survivor_id: Generated<string | null>;
  };
  /** `migrations/0063_payment_adjustments.sql`: two-person adjustments. */
  payment_adjustment: {
    id: string;
    kind: 'manual' | 'frozen_balance';
    debit_account_id: string;
    credit_account_id: string;
    currency: LedgerCurrency;
    amount_minor: bigint;
    reason_code: AdjustmentReason;
    note: string;
    person_id: string | null;
    proposed_by: string;
    proposed_at: Generated<Date>;
    status: Generated<AdjustmentStatus>;
    decided_by: string | null;
    decided_at: Date | null;
    transfer_id: string | null;
    failure: string | null;
  };
  payment_disbursement: {
    id: string;
    cycle_id: string;
    program_id: string;
    currency: 'VES' | 'USD';
    funding_account_id: string;
    status: Generated<DisbursementStatus>;
    chunks_total: number;
    chunks_done: Generated<number>;
    entitlements_total: bigint;
    amount_total_minor: bigint;
    credited_count: Generated<bigint>;
    credited_minor: Generated<bigint>;
    skipped_count: Generated<bigint>;
    refused_count: Generated<bigint>;
    started_by: string | null;
    started_at: Generated<Date>;
    updated_at: Generated<Date>;
    finished_at: Date | null;
  };
  payment_disbursement_chunk: {
    disbursement_id: string;
    chunk: number;
    first_person_id: string;
    last_person_id: string;
    entitlements: Generated<number>;
    amount_minor: Generated<bigint>;
    status: Generated<'pending' | 'done'>;
    credited_count: Generated<number>;
    credited_minor: Generated<bigint>;
    skipped_count: Generated<number>;
    refused_count: Generated<number>;
    done_at: Date | null;
  };
  /** A counted chunk's two largest single credits (migration 0045; the p % rule of statistics). */
  payment_chunk_largest_credits: {
    disbursement_id: string;
    chunk: number;
    largest_minor: bigint;
    second_minor: bigint;
  };
}

export type WalletFreezeReason = 'death' | 'merge' | 'erasure';
export type DisbursementStatus = 'running' | 'finished';

export const adjustmentReasons = [
  'correction',
  'reversal',
  'suspense_resolution',
  'frozen_merge',
  'frozen_death',
  'frozen_erasure',
  'other',
] as const;
export type AdjustmentReason = (typeof adjustmentReasons)[number];
export type AdjustmentStatus = 'proposed' | 'approved' | 'rejected' | 'applied' | 'failed';
