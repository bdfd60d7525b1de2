import type { Generated } from 'kysely';
import type { PayoutStatus } from '../../../shared/api/payouts.js';

/** Whose paying account: a program's payout batches, or a currency's merchant settlement. */
export type PayingAccountScope = 'program' | 'merchant_settlement';

/** Kysely types of the payout tables; `migrations/0065_payouts.sql` is the truth. */
export interface PayoutTables {
  payout_batch: {
    id: string;
    client_id: string;
    program_id: string;
    currency: 'VES' | 'USD';
    funding_account_id: string;
    status: Generated<PayoutBatchStatus>;
    message_id: string;
    payment_information_id: string;
    requested_execution_date: string;
    debtor_name: string;
    debtor_account: string;
    debtor_bank_code: string | null;
    debtor_bic: string | null;
    payments_count: number;
    amount_total_minor: bigint;
    file_sha256: string | null;
    /** `migrations/0087_payout_person_lifecycle.sql`: the file's first download. */
    sent_at: Date | null;
    /** `migrations/0104_payout_batch_cancel.sql`: cancelled before its file was sent. */
    cancelled_at: Date | null;
    cancelled_by: string | null;
    /** `migrations/0114_two_person_money.sql`: the second finance officer's approval. */
    approved_by: string | null;
    approved_at: Date | null;
    payee_changes_confirmed: number | null;
    /** `migrations/0119_payout_batch_preparation_lease.sql`: who prepares it, until when. */
    prepare_holder: Generated<string | null>;
    prepare_lease_until: Generated<Date | null>;
    /** `migrations/0116_payee_account.sql`: instructions left out (no usable payee account). */
    excluded_count: Generated<number>;
    excluded_amount_minor: Generated<bigint>;
    created_by: string | null;
    created_at: Generated<Date>;
  };
  payout_instruction: {
    id: string;
    batch_id: string;
    seq: number;
    end_to_end_id: string;
    reference_kind: 'entitlement' | 'disbursement';
    reference_id: string;
    /** `migrations/0067_payout_creditor_sealed.sql`: the person paid. */
    person_id: string;
    /** `migrations/0104_payout_batch_cancel.sql`: the entitlement's cycle (null before). */
    cycle_id: string | null;
    /** Name, account and cédula sealed under the person's data key (`creditor-seal.ts`). */
    creditor_sealed: Buffer;
    account_kind: 'bank_account' | 'mobile_money';
    bank_code: string | null;
    bank_bic: string | null;
    amount_minor: bigint;
    remittance: string | null;
    status: Generated<PayoutStatus>;
    status_reason: string | null;
    updated_at: Generated<Date>;
  };
  payout_bank_file: {
    id: string;
    sha256: string;
    format: BankFileFormat;
    message_id: string;
    status: Generated<'applying' | 'applied'>;
    summary: BankFileSummary | null;
    received_by: string | null;
    received_at: Generated<Date>;
    applied_at: Date | null;
  };
  /** `migrations/0116_payee_account.sql`: each person's payee account, one row per change. */
  payee_account: {
    id: string;
    person_id: string;
    account_kind: 'bank_account' | 'mobile_money';
    bank_code: string | null;
    bank_bic: string | null;
    /** Holder's name, cédula and account sealed under the person's data key (`payee-seal`). */
    payee_sealed: Buffer;
    set_method: 'staff_phone_code' | 'staff_two_person';
    set_by: string;
    approved_by: string | null;
    check_id: string;
    set_at: Date;
    held_until: Date | null;
    /** Why it is held (migration 0150); null when not held. */
    hold_reason: PayeeHoldReason | null;
    /** The change of phone within the window before the set (migration 0150); null when none. */
    phone_changed_at: Date | null;
    phone_changed_by: string | null;
  };
  /** `migrations/0129_paying_account.sql`: the agency's paying account, one row per change. */
  paying_account: {
    id: string;
    scope: PayingAccountScope;
    /** The program's id, or the currency of the merchant settlement. */
    scope_key: string;
    version: number;
    holder_name: string;
    account_number: string;
    bank_code: string;
    bic: string | null;
    set_by: string;
    set_at: Generated<Date>;
  };
  /** `migrations/0126_payee_account_stop.sql`: a held change's stop code, and its stop. */
  payee_account_stop: {
    payee_account_id: string;
    person_id: string;
    /** HMAC of the stop code texted to the person (`payee-account-stop.ts`). */
    code_hash: Buffer;
    code_attempts: Generated<number>;
    expires_at: Date;
    stopped_at: Date | null;
    stopped_reason: 'person_code' | 'stop_code_attempts' | null;
  };
  /** `migrations/0116_payee_account.sql`: what a batch's request named but left out. */
  payout_exclusion: {
    batch_id: string;
    seq: number;
    reference_id: string;
    person_id: string;
    amount_minor: bigint;
    reason: PayoutExclusionReason;
    held_until: Date | null;
  };
  /** `migrations/0087_payout_person_lifecycle.sql`. */
  payout_flag: {
    instruction_id: string;
    reason: 'death' | 'merge' | 'erasure';
    status_when_flagged: string;
    flagged_at: Generated<Date>;
  };
  /** `migrations/0131_payout_return_confirmation.sql`. */
  payout_return_confirmation: {
    instruction_id: string;
    suspense_id: string;
    /** Filled by the database's trigger from the file that reported the return. */
    reported_by: Generated<string | null>;
    confirmed_by: string;
    confirmed_at: Generated<Date>;
  };
  /** `migrations/0135_payout_return_rejection.sql`. */
  payout_return_rejection: {
    instruction_id: string;
    suspense_id: string;
    /** Filled by the database's trigger from the file that reported the return. */
    reported_by: Generated<string | null>;
    rejected_by: string;
    reason: string;
    restored_status: ReturnedFrom;
    reversal_transfer_id: string;
    rejected_at: Generated<Date>;
  };
  payout_suspense: {
    id: string;
    bank_file_id: string;
    location: string;
    kind: SuspenseKind;
    instruction_id: string | null;
    end_to_end_id: string | null;
    bank_reference: string | null;
    currency: 'VES' | 'USD';
    amount_minor: bigint;
    reason: string | null;
    booking_date: string | null;
    /** A return's payment status when reported (migration 0135); null otherwise or before it. */
    returned_from: ReturnedFrom | null;
    created_at: Generated<Date>;
  };
}

/** A payment's status when a statement reported it returned: what a rejection restores. */
export type ReturnedFrom = 'accepted' | 'settled';

export type PayoutExclusionReason =
  | 'no_payee_account'
  | 'payee_account_held'
  | 'payee_account_phone_changed';
/**
 * Why a payee account change is held (migration 0150): set without the texted code, or set within
 * the phone-change window after a change of the phone on file.
 */
export type PayeeHoldReason = 'staff_two_person' | 'phone_changed';
export type PayoutBatchStatus = 'preparing' | 'ready' | 'cancelled';
export type { PayoutStatus };
export type BankFileFormat = 'pain.002' | 'camt.053' | 'camt.054' | 'mt940';
export type SuspenseKind = 'returned' | 'unmatched_credit' | 'unmatched_debit';

/** What one bank file did, counted by payment (or movement, for suspense). */
export interface BankFileSummary {
  accepted: number;
  rejected: number;
  settled: number;
  returned: number;
  suspense: number;
  unchanged: number;
  /** Transfers the ledger refused (each named by its result in the ledger's table). */
  refused: number;
}
