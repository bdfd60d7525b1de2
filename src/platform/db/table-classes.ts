/**
 * Every table is declared here with its class, and the privilege test fails for a table
 * that is missing. The class decides what the application role may do to it:
 *
 * - `personal`: holds data about a person. No DELETE, no TRUNCATE (safeguard 5).
 * - `history`: append-only (versions, audit). No UPDATE, no DELETE, no TRUNCATE.
 * - `operational`: no personal attributes (idempotency records, counters). May DELETE
 *   expired rows; never TRUNCATE.
 */
export type TableClass = 'personal' | 'history' | 'operational';

export const tableClasses: Readonly<Record<string, TableClass>> = {
  amparo_migration: 'history',
  idempotency_record: 'operational',
  person: 'personal',
  person_version: 'history',
  person_key: 'personal',
  person_blind_index: 'personal',
  household: 'personal',
  household_membership: 'personal',
  person_search: 'personal',
  duplicate_review: 'personal',
  operator: 'personal',
  operator_read_window: 'operational',
  security_alert: 'history',
  auth_session: 'personal',
  sign_in_attempt: 'operational',
  citizen_sign_in_code: 'personal',
  notification_outbox: 'personal',
  notification_part: 'personal',
  notification_receipt: 'history',
  notification_opt_out: 'personal',
  notification_deferred: 'personal',
  audit_entry: 'history',
  audit_tree_head: 'history',
  audit_pending: 'history',
  import_job: 'operational',
  import_batch: 'history',
  import_row: 'personal',
  household_version: 'history',
  erasure_request: 'personal',
  dedup_run: 'operational',
  dedup_cluster: 'personal',
  card_batch: 'operational',
  credential: 'personal',
  revocation_list_entry: 'history',
  trust_list_version: 'history',
  // Staff-account grants and enrolments are kept for ever: who asked and who approved.
  operator_change: 'personal',
  operator_enrolment: 'personal',
  change_trail: 'history',
  // Programs hold no person data but name the operators who wrote and published them, and
  // are never deleted: a decision must always trace back to its program.
  program: 'personal',
  program_version: 'history',
  program_status_change: 'history',
  program_publication: 'personal',
  program_text_naming: 'history',
  program_cycle: 'personal',
  program_cycle_member: 'history',
  program_cycle_approval: 'history',
  program_cycle_run: 'personal',
  // Which chunks of a round are written (migration 0082): ids of a cycle and numbers only.
  program_cycle_run_chunk: 'history',
  // Counts per household id while a round is computed (migration 0042): no attribute value and
  // no person id, derived from the registry and deleted once the round's frozen set is written.
  program_cycle_household: 'operational',
  program_cycle_area_count: 'history',
  program_job_lease: 'operational',
  entitlement: 'personal',
  // A wallet's account names its holder by an opaque reference: never deleted. Transfers are
  // written once and never changed (migration 0060 refuses it for every role).
  ledger_account: 'personal',
  ledger_transfer: 'history',
  // An appeal holds the person's statement and the decider's reason (blanked by an erasure);
  // its steps hold identifiers only and are append-only.
  appeal: 'personal',
  appeal_step: 'history',
  // Points and their lists name the operators who set them up and are never deleted; the
  // stock ledger is append-only, its balance row a counter the movements can rebuild.
  distribution_point: 'personal',
  distribution_point_program: 'personal',
  distribution_point_operator: 'personal',
  stock_balance: 'operational',
  stock_movement: 'history',
  // A transfer between points and its one outcome (the receiving point's acceptance or
  // refusal, or the sender's cancellation; migration 0124): append-only.
  stock_transfer: 'history',
  stock_transfer_outcome: 'history',
  // What happened to each entitlement at the points: state and remaining quantities change,
  // redemptions and their lines never do.
  entitlement_redemption_state: 'personal',
  entitlement_item_balance: 'personal',
  redemption: 'history',
  redemption_line: 'history',
  // A redemption without the card: its check passes or fails once (those columns only change).
  assisted_redemption: 'personal',
  // What a closed cycle carried over: taken in or lapsed once (those columns only change).
  entitlement_carry_over: 'personal',
  // A carry-over held for a conflict's review: released once (those columns only change).
  entitlement_carry_over_held: 'personal',
  // A supervisor's sign-off of a point's figures for a cycle: append-only.
  reconciliation_sign_off: 'history',
  // A point's offline device: registered once, revoked once (those columns only change).
  distribution_device: 'personal',
  // Payments (issue #16): a frozen wallet names its person and is never unfrozen by deletion;
  // a disbursement and its chunks only move forward (status and figures change).
  payment_wallet_freeze: 'history',
  // Which way a cash entitlement is paid (migration 0071): ids only; a wallet claim whose
  // credit the ledger refused is deleted, a released payout's is taken over (updated).
  payment_entitlement_claim: 'operational',
  // Two-person adjustments: decided once, never removed (migration 0063).
  payment_adjustment: 'personal',
  payment_disbursement: 'personal',
  payment_disbursement_chunk: 'personal',
  // A counted chunk's two largest credits (amounts only, written once): statistics' p % rule.
  payment_chunk_largest_credits: 'history',
  // Bank payouts (issue #16): instructions hold creditors' names and accounts (sealed under the
  // person's data key, migration 0067) and
  // only move forward (status changes); a bank file's status and summary are written once it is
  // applied; the suspense report is append-only.
  payout_batch: 'personal',
  payout_instruction: 'personal',
  payout_bank_file: 'personal',
  payout_suspense: 'history',
  // A sent payment whose person died, was merged or erased: listed for the finance officer.
  payout_flag: 'history',
  // A second finance officer's confirmation of a return a statement reported (migration 0131).
  payout_return_confirmation: 'history',
  payout_return_rejection: 'history',
  // Each person's payee account, one sealed row per change, never updated (migration 0116), and
  // the entitlements a batch left out for want of one.
  payee_account: 'history',
  // A held change's stop code (hashed) and its stop (migration 0126): the count and the stop change.
  payee_account_stop: 'personal',
  payout_exclusion: 'history',
  // The agency's paying account of a program or of the merchant settlement (migration 0129):
  // an organisation's account, one row per change, never updated.
  paying_account: 'history',
  // Merchant payments (issue #16): a merchant holds a sealed settlement account and is never
  // deleted; staff, subsidies, requests, payments and refunds are append-only; a PIN's hash and
  // its wrong-try count change.
  merchant: 'personal',
  merchant_staff: 'history',
  merchant_subsidy: 'history',
  payment_request: 'history',
  payment_pin: 'personal',
  payment_pin_check: 'personal',
  payment_pin_change: 'history',
  merchant_pin_failure: 'history',
  merchant_payment: 'history',
  merchant_refund: 'history',
  counter_assisted_payment: 'personal',
  subsidy_allowance_use: 'history',
  merchant_settlement_run: 'history',
  merchant_settlement: 'history',
  // A snapshot a device downloaded, and the receipts it signed offline: both append-only.
  distribution_snapshot: 'history',
  offline_receipt: 'history',
  // A receipt the sync refused, kept for the point's reconciliation (migration 0149).
  offline_receipt_refusal: 'history',
  // Which card-proof key versions exist (the keys are derived, never stored); append-only.
  offline_proof_key: 'history',
  offline_conflict_resolution: 'history',
  // Each change of an operator's assignment to a point (0144), written by a trigger only.
  distribution_point_operator_change: 'history',
  // A physical count of an item at a point (migration 0156): append-only, no person.
  stock_count: 'history',
  // What a late offline receipt withdrew of a carry-over (migration 0154): append-only.
  carry_over_withdrawal: 'history',
  // A carry-over dispute decided once (migration 0155): append-only.
  carry_over_dispute_decision: 'history',
  redemption_reversal: 'history',
  // A supervisor's hold on an entitlement and its lift (migration 0151): append-only.
  entitlement_hold: 'history',
  entitlement_hold_lift: 'history',
  // A person's objection to a hold (migration 0164): their words, blanked by an erasure; its
  // decision is append-only.
  entitlement_hold_objection: 'personal',
  entitlement_hold_objection_decision: 'history',
  // That a lapsed hold's holder was texted, once per hold (migration 0165): append-only.
  entitlement_hold_lapse_notice: 'history',
  // Published statistics: protected counts only, no person data; a refresh replaces a table.
  statistics_table: 'operational',
  statistics_refresh: 'operational',
  // One row: the refresh schedule's lease and the last refresh's time and outcome (no person).
  statistics_refresh_schedule: 'operational',
  // The secret key of the noise on published counts: written once, never changed (0046).
  statistics_noise_key: 'history',
};

/** What the application role must never hold, per class. */
export const forbiddenPrivileges: Readonly<Record<TableClass, readonly string[]>> = {
  personal: ['DELETE', 'TRUNCATE'],
  history: ['UPDATE', 'DELETE', 'TRUNCATE'],
  operational: ['TRUNCATE'],
};
