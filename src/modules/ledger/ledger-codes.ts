/**
 * The ledger's vocabulary and its TigerBeetle numbers (docs/LEDGER.md). The names are what the
 * database stores and an auditor reads; the numbers are what a TigerBeetle cluster would hold
 * in `ledger`, `code`, `flags` and `user_data_32`, so moving the ledger there is a mapping, not
 * a redesign.
 */

/** ISO 4217 currency → TigerBeetle `ledger` (the ISO numeric code). */
export const ledgerNumbers = { VES: 928, USD: 840 } as const;
export type LedgerCurrency = keyof typeof ledgerNumbers;
export const ledgerCurrencies = Object.keys(ledgerNumbers) as readonly LedgerCurrency[];

/** Account kind → TigerBeetle account `code`. */
export const accountKindCodes = {
  program_funding: 1,
  beneficiary_wallet: 2,
  merchant: 3,
  settlement: 4,
  suspense: 5,
} as const;
export type AccountKind = keyof typeof accountKindCodes;

/** TigerBeetle `AccountFlags` bits that the ledger uses. */
export const accountFlags = {
  none: 0,
  debitsMustNotExceedCredits: 2,
  creditsMustNotExceedDebits: 4,
} as const;

/** TigerBeetle `TransferFlags` bits that the ledger uses. */
export const transferFlags = {
  none: 0,
  linked: 1,
  pending: 2,
  postPendingTransfer: 4,
  voidPendingTransfer: 8,
} as const;

/**
 * Why money moved → TigerBeetle transfer `code`. `pending_expired` is the ledger's own: only
 * the expiry sweep writes it, to release a pending transfer whose timeout passed.
 */
export const transferReasonCodes = {
  funding: 1,
  disbursement: 2,
  payment: 3,
  subsidy: 4,
  refund: 5,
  settlement: 6,
  adjustment: 7,
  return: 8,
  suspense: 9,
  pending_expired: 100,
} as const;
export type TransferReason = keyof typeof transferReasonCodes;

/** What caused a transfer → TigerBeetle `user_data_32`; its id goes in `user_data_128`. */
export const referenceKindCodes = {
  entitlement: 1,
  payment_request: 2,
  payout: 3,
  batch: 4,
  statement: 5,
  adjustment: 6,
} as const;
export type ReferenceKind = keyof typeof referenceKindCodes;

/**
 * Result codes of `createTransfers`, TigerBeetle's names where TigerBeetle has the case, and
 * the few the ledger adds (marked). `ok` with `replayed` is TigerBeetle's `exists`.
 */
export const transferResults = [
  'ok',
  'linked_event_failed',
  'linked_event_chain_open',
  'id_must_not_be_zero',
  'id_already_failed',
  'flags_are_mutually_exclusive',
  'debit_account_id_must_not_be_zero',
  'credit_account_id_must_not_be_zero',
  'accounts_must_be_different',
  'pending_id_must_be_zero',
  'pending_id_must_not_be_zero',
  'pending_id_must_be_different',
  'timeout_reserved_for_pending_transfer',
  'amount_must_not_be_zero',
  /** Ledger's own: TigerBeetle amounts are unsigned. */
  'amount_must_not_be_negative',
  /** Ledger's own: amounts are PostgreSQL bigint, at most 2^63 − 1. */
  'amount_exceeds_maximum',
  /** Ledger's own: TigerBeetle's `ledger_must_not_be_zero` for a currency it does not know. */
  'currency_not_supported',
  /** Ledger's own: TigerBeetle's `code_must_not_be_zero` for a reason it does not know. */
  'reason_not_supported',
  /** Ledger's own: a reason only the ledger itself may write. */
  'reason_reserved',
  /** Ledger's own: a reference needs both its kind and its id. */
  'reference_incomplete',
  'debit_account_not_found',
  'credit_account_not_found',
  'accounts_must_have_the_same_ledger',
  'transfer_must_have_the_same_ledger_as_accounts',
  'pending_transfer_not_found',
  'pending_transfer_not_pending',
  'pending_transfer_has_different_debit_account_id',
  'pending_transfer_has_different_credit_account_id',
  'pending_transfer_has_different_ledger',
  'pending_transfer_has_different_amount',
  'exceeds_pending_transfer_amount',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_expired',
  'exists_with_different_flags',
  'exists_with_different_pending_id',
  'exists_with_different_timeout',
  'exists_with_different_debit_account_id',
  'exists_with_different_credit_account_id',
  'exists_with_different_amount',
  'exists_with_different_ledger',
  'exists_with_different_code',
  'exists_with_different_user_data_128',
  'exists_with_different_user_data_32',
  'overflows_debits',
  'overflows_credits',
  'exceeds_credits',
  'exceeds_debits',
  /** Ledger's own: the debit account's daily debit limit (`limits.ledger.dailyDebitMaxMinor`). */
  'exceeds_daily_debit_limit',
] as const;
export type TransferResult = (typeof transferResults)[number];

/**
 * Results that say "this id was already used for another request": Mojaloop's 3106
 * "modified request". The first answer stands; the new request is refused and not stored.
 */
export function isModifiedRequest(result: TransferResult): boolean {
  return result === 'id_already_failed' || result.startsWith('exists_with_different_');
}

/** The nil UUID: TigerBeetle's zero id, "not given". */
export const zeroId = '00000000-0000-0000-0000-000000000000';

/** Largest amount or balance: PostgreSQL bigint (TigerBeetle's are u128). */
export const amountMax = 2n ** 63n - 1n;
