import type { Generated } from 'kysely';

/** Who set a payment PIN last, and how (migration 0111). */
export type PinSetMethod = 'self' | 'staff_phone_code' | 'staff_two_person';

/** Why a PIN is held (migration 0137; docs/PAYMENTS-PIN.md). */
export type PinHoldReason = 'staff_two_person' | 'first_pin' | 'phone_changed';

/** Kysely types of the merchant payment tables; `migrations/0066_merchants.sql` is the truth. */
export interface MerchantTables {
  merchant: {
    id: string;
    name: string;
    state_code: string;
    currency: 'VES' | 'USD';
    settlement_bank_code: string;
    settlement_holder_kind: 'person' | 'organisation';
    settlement_account_clear: string | null;
    settlement_account_sealed: Buffer | null;
    registered_by: string;
    registered_at: Generated<Date>;
    /** `migrations/0114_two_person_money.sql`: a second finance officer's approval. */
    approved_by: Generated<string | null>;
    approved_at: Generated<Date | null>;
  };
  merchant_staff: { merchant_id: string; operator_id: string; added_at: Generated<Date> };
  merchant_subsidy: {
    merchant_id: string;
    program_id: string;
    share_basis_points: number;
    added_at: Generated<Date>;
  };
  payment_request: {
    id: string;
    merchant_id: string;
    amount_minor: bigint;
    currency: 'VES' | 'USD';
    reference: string;
    program_id: string | null;
    expires_at: Date;
    created_by: string;
    created_at: Generated<Date>;
  };
  payment_pin: {
    person_id: string;
    pin_hash: string;
    failed_attempts: Generated<number>;
    locked_at: Date | null;
    set_at: Generated<Date>;
    hash_version: Generated<1 | 2>;
    set_method: Generated<PinSetMethod>;
    held_until: Date | null;
    /** `migrations/0137_pin_hold_phone_change.sql`: null exactly when `held_until` is. */
    hold_reason: Generated<PinHoldReason | null>;
  };
  payment_pin_check: {
    id: string;
    person_id: string;
    operator_id: string;
    method: 'phone_code' | 'two_person';
    /** `migrations/0116_payee_account.sql`: what the check sets. */
    subject: Generated<'payment_pin' | 'payee_account'>;
    code_hash: Buffer | null;
    code_attempts: Generated<number>;
    photo_checked: Generated<boolean>;
    approved_by: string | null;
    approved_at: Date | null;
    created_at: Date;
    expires_at: Date;
    used_at: Date | null;
    failed_at: Date | null;
  };
  payment_pin_change: {
    id: string;
    person_id: string;
    method: PinSetMethod;
    operator_id: string | null;
    approved_by: string | null;
    changed_at: Date;
    /** `migrations/0137_pin_hold_phone_change.sql`. */
    held_until: Generated<Date | null>;
    phone_changed_at: Generated<Date | null>;
    phone_changed_by: Generated<string | null>;
  };
  merchant_pin_failure: {
    id: string;
    merchant_id: string;
    person_id: string;
    failed_at: Date;
    failed_day: string;
  };
  merchant_payment: {
    request_id: string;
    merchant_id: string;
    payer_person_id: string;
    channel: PaymentChannel;
    currency: 'VES' | 'USD';
    amount_minor: bigint;
    payer_minor: bigint;
    subsidy_minor: bigint;
    program_id: string | null;
    payer_transfer_id: string | null;
    subsidy_transfer_id: string | null;
    paid_at: Generated<Date>;
  };
  merchant_settlement_run: {
    settlement_date: string;
    currency: 'VES' | 'USD';
    debtor_name: string;
    debtor_account: string;
    debtor_bank_code: string;
    created_by: string;
    created_at: Generated<Date>;
  };
  merchant_settlement: {
    settlement_date: string;
    currency: 'VES' | 'USD';
    merchant_id: string;
    amount_minor: bigint;
    payments: number;
    transfer_id: string;
    created_at: Generated<Date>;
  };
  /** `migrations/0086_merchant_partial_refunds.sql`: one row per refund, in full or in part. */
  merchant_refund: {
    request_id: string;
    refund_id: string;
    seq: Generated<bigint>;
    amount_minor: bigint;
    payer_minor: bigint;
    subsidy_minor: bigint;
    refunded_by: string;
    refunded_at: Generated<Date>;
  };
  /** `migrations/0099_counter_assisted_payment.sql`: one try at paying without the card. */
  counter_assisted_payment: {
    id: string;
    merchant_id: string;
    operator_id: string;
    request_id: string;
    person_id: string | null;
    reason: 'lost' | 'not_yet_issued' | 'damaged' | 'never_had';
    method: 'phone_code' | 'photo_attested' | 'household_card';
    code_hash: Buffer | null;
    code_expires_at: Date | null;
    code_attempts: Generated<number>;
    household_credential_id: Buffer | null;
    started_at: Date;
    started_day: string;
    refused_at: Date | null;
    verified_at: Date | null;
    failed_at: Date | null;
    paid_at: Date | null;
    /** Migration 0120: the chosen check could not be done (no phone, no photo); not counted. */
    check_unavailable: Generated<'no_phone' | 'no_photo' | null>;
  };
  /** `migrations/0113_subsidy_allowance.sql`: what a payment drew on the payer's entitlement. */
  subsidy_allowance_use: {
    request_id: string;
    entitlement_id: string;
    program_id: string;
    currency: 'VES' | 'USD';
    subsidy_minor: bigint;
    allowance_minor: bigint;
    used_at: Generated<Date>;
  };
}

export type PaymentChannel = 'wallet' | 'counter' | 'assisted';
