import type { Generated } from 'kysely';
import type { EntitlementHoldReason } from '../../shared/api/entitlement-holds.js';
import { statisticsStockKinds } from '../../shared/statistics/aggregate-groups.js';
import type { OfflineTables } from './offline/offline-tables.js';

/** Which entitlement, basket item and closed cycle a carry-over (or a held one) comes from. */
interface CarryOverSource {
  from_entitlement_id: string;
  item: string;
  person_id: string;
  program_id: string;
  from_cycle_id: string;
  unit: string;
}

/** Kysely types of the distribution tables; `migrations/0050_distribution_points.sql` is the truth. */
export interface DistributionTables extends OfflineTables {
  distribution_point: {
    id: string;
    code: string;
    name: string;
    kind: PointKind;
    region_code: string;
    municipality_code: string | null;
    status: Generated<PointStatus>;
    created_by: string | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  distribution_point_program: {
    point_id: string;
    program_id: string;
    active: Generated<boolean>;
    changed_by: string | null;
    changed_at: Generated<Date>;
  };
  distribution_point_operator: {
    point_id: string;
    operator_id: string;
    active: Generated<boolean>;
    changed_by: string | null;
    changed_at: Generated<Date>;
  };
  /** Each change of an assignment, written by the database (migration 0144); read only. */
  distribution_point_operator_change: {
    id: Generated<string>;
    point_id: string;
    operator_id: string;
    active: boolean;
    changed_at: Date;
    changed_by: string | null;
  };
  stock_balance: {
    point_id: string;
    item: string;
    quantity: number;
    last_movement_id: string | null;
  };
  stock_movement: {
    id: string;
    point_id: string;
    item: string;
    kind: StockMovementKind;
    quantity_delta: number;
    balance_after: number;
    reason: AdjustmentReason | null;
    note: string | null;
    override_negative: Generated<boolean>;
    transfer_id: string | null;
    redemption_id: string | null;
    recorded_by: string | null;
    recorded_at: Generated<Date>;
  };
  /** Migration 0156: a physical count of one item at a point; moves no stock. */
  stock_count: {
    id: string;
    point_id: string;
    item: string;
    counted_quantity: number;
    expected_quantity: number;
    last_movement_id: string | null;
    counted_by: string;
    counted_at: Generated<Date>;
  };
  /** Migration 0123: stock sent to another point, in transit until the receiver decides. */
  stock_transfer: {
    id: string;
    from_point_id: string;
    to_point_id: string;
    item: string;
    quantity_sent: number;
    sent_by: string | null;
    sent_at: Generated<Date>;
  };
  stock_transfer_outcome: {
    transfer_id: string;
    outcome: TransferOutcome;
    quantity_received: number;
    shortfall: number;
    shortfall_reason: AdjustmentReason | null;
    note: string | null;
    decided_by: string | null;
    decided_at: Generated<Date>;
    /** Migration 0124: the sender's reason, with a cancellation only. */
    cancel_reason: TransferCancelReason | null;
  };
  entitlement_redemption_state: {
    entitlement_id: string;
    person_id: string;
    program_id: string;
    state: VoucherState;
    state_reason: StateReason | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  /** A supervisor's hold on one entitlement (migration 0151): the voucher state `blocked`. */
  entitlement_hold: {
    id: string;
    entitlement_id: string;
    person_id: string;
    program_id: string;
    region_code: string;
    reason: EntitlementHoldReason;
    note: string;
    placed_by: string;
    placed_at: Date;
    lapses_at: Date;
  };
  entitlement_hold_lift: {
    hold_id: string;
    lifted_by: string;
    lifted_at: Date;
    note: string;
  };
  /** That a hold's lapse was texted to its holder, once per hold (migration 0165). */
  entitlement_hold_lapse_notice: {
    hold_id: string;
    noticed_at: Date;
  };
  /** A person's objection to a hold (migration 0164). */
  entitlement_hold_objection: {
    id: string;
    hold_id: string;
    person_id: string;
    region_code: string;
    statement: string;
    filed_by_kind: 'citizen' | 'operator';
    filed_by: string;
    filed_at: Date;
    decide_due_at: Date;
  };
  entitlement_hold_objection_decision: {
    objection_id: string;
    outcome: 'upheld' | 'rejected';
    reason: string;
    decided_by: string;
    decided_at: Date;
  };
  entitlement_item_balance: {
    entitlement_id: string;
    item: string;
    unit: string;
    quantity_granted: number;
    quantity_remaining: number;
  };
  redemption: {
    id: string;
    entitlement_id: string;
    person_id: string;
    program_id: string;
    cycle_id: string;
    point_id: string;
    operator_id: string | null;
    mode: 'card' | 'assisted';
    credential_id: Buffer | null;
    assisted_id: string | null;
    redeemed_at: Date;
    receipt_signature: string;
  };
  assisted_redemption: {
    id: string;
    point_id: string;
    operator_id: string;
    person_id: string;
    reason: AssistedReason;
    method: AssistedMethod;
    code_hash: Buffer | null;
    code_expires_at: Date | null;
    code_attempts: Generated<number>;
    household_credential_id: Buffer | null;
    started_at: Date;
    started_day: string;
    verified_at: Date | null;
    failed_at: Date | null;
  };
  entitlement_carry_over: CarryOverSource & {
    quantity: number;
    /** Migration 0154: withdrawn by late offline receipts; what carries is the difference. */
    quantity_withdrawn: Generated<number>;
    carried_at: Date;
    into_entitlement_id: string | null;
    applied_at: Date | null;
    lapsed_at: Date | null;
  };
  /** Migration 0103: a carry-over held at a cycle's close while the entitlement is flagged. */
  entitlement_carry_over_held: CarryOverSource & {
    quantity_max: number;
    held_at: Date;
    next_cycle_closed_at: Date | null;
    released_at: Date | null;
  };
  reconciliation_sign_off: {
    id: string;
    point_id: string;
    cycle_id: string;
    signed_by: string;
    signed_at: Date;
    figures: unknown;
    figures_sha256: Buffer;
    note: string | null;
    /** `migrations/0161_reconciliation_figures_version.sql`: the figures' definition signed. */
    figures_version: number;
  };
  distribution_device: {
    id: string;
    point_id: string;
    public_key: Buffer;
    label: string;
    registered_by: string;
    registered_at: Date;
    revoked_at: Date | null;
    revoked_by: string | null;
    revocation_reason: DeviceRevocationReason | null;
    /** Null: `offline.receiptsPerSnapshotMax`. */
    receipts_max: number | null;
    /** Null: `offline.unitsPerSnapshotMax`. */
    units_max: number | null;
  };
  redemption_line: {
    redemption_id: string;
    item: string;
    unit: string;
    quantity: number;
    remaining_after: number;
  };
}

/**
 * An entitlement's state at the points, after the GovStack Payments building block's voucher
 * states, plus partially consumed, expired (a cycle closed without carry-over) and
 * conflict-flagged (two offline redemptions of the same entitlement; offline comes later).
 */
export const voucherStates = [
  'pre_activated',
  'activated',
  'partially_consumed',
  'consumed',
  'suspended',
  'blocked',
  'cancelled',
  'expired',
  'conflict_flagged',
] as const;
export type VoucherState = (typeof voucherStates)[number];

/** States in which an entitlement may be redeemed. */
export const redeemableStates: readonly VoucherState[] = ['activated', 'partially_consumed'];

export type StateReason =
  | 'death'
  | 'merge'
  | 'erasure'
  | 'cycle_closed'
  | 'suspended_by_program'
  | 'blocked_for_review'
  | 'offline_conflict';

export const pointKinds = ['kiosk', 'shop', 'warehouse', 'pharmacy', 'fuel_station'] as const;
export type PointKind = (typeof pointKinds)[number];

export const pointStatuses = ['open', 'closed'] as const;
export type PointStatus = (typeof pointStatuses)[number];

/** One list with the statistics aggregate's (`src/shared/statistics/aggregate-groups.ts`). */
export const stockMovementKinds = statisticsStockKinds;
export type StockMovementKind = (typeof stockMovementKinds)[number];

/**
 * A transfer's one outcome: the receiving point's acceptance or refusal (migration 0123), or the
 * sender's cancellation (migration 0124).
 */
export const transferOutcomes = ['accepted', 'refused', 'cancelled'] as const;
export type TransferOutcome = (typeof transferOutcomes)[number];

/** Why the sender cancelled a transfer in transit (migrations 0122, 0124). */
export const transferCancelReasons = [
  'sent_in_error',
  'wrong_point',
  'wrong_quantity',
  'not_dispatched',
] as const;
export type TransferCancelReason = (typeof transferCancelReasons)[number];

export const adjustmentReasons = ['loss', 'damage', 'count_correction'] as const;
export type AdjustmentReason = (typeof adjustmentReasons)[number];

/** Why a person has no card to show (issue #15, point 4). */
export const assistedReasons = ['lost', 'not_yet_issued', 'damaged', 'never_had'] as const;
export type AssistedReason = (typeof assistedReasons)[number];

/** The second check of a redemption without the card. */
export const assistedMethods = ['phone_code', 'photo_attested', 'household_card'] as const;
export type AssistedMethod = (typeof assistedMethods)[number];

/** Why a point's offline device was revoked. */
export const deviceRevocationReasons = ['lost', 'stolen', 'retired', 'compromised'] as const;
export type DeviceRevocationReason = (typeof deviceRevocationReasons)[number];
