import type { Generated } from 'kysely';

/** Kysely types of the offline tables; `migrations/0056_offline_redemption.sql` is the truth. */
export interface OfflineTables {
  distribution_snapshot: {
    id: string;
    point_id: string;
    device_id: string;
    issued_at: Date;
    expires_at: Date;
    entries: number;
    /**
     * `migrations/0139_offline_snapshot_scope.sql`: the entitlements it held (snapshot-scope.ts);
     * null for snapshots issued before, whose receipts are refused.
     */
    entitlement_scope: Buffer | null;
    payload_sha256: Buffer;
    issued_by: string;
    /**
     * `migrations/0148_snapshot_person_history.sql`: the leaf of the snapshot's audit entry and
     * the area it was built for (snapshot-history.ts); null for snapshots built before.
     */
    audit_leaf_index: Generated<bigint | number | null>;
    region_code: Generated<string | null>;
    municipality_code: Generated<string | null>;
    /** `migrations/0158_offline_proof_key_version.sql`: the card-proof key version it published. */
    proof_key_version: Generated<number>;
  };
  /**
   * `migrations/0158_offline_proof_key_version.sql`: card-proof key versions (proof-key-versions.ts);
   * `0166_offline_proof_key_console.sql`: made in the console too.
   */
  offline_proof_key: {
    version: number;
    created_at: Date;
    created_by: 'migration' | 'command_line' | 'console';
  };
  offline_receipt: {
    id: string;
    device_id: string;
    point_id: string;
    snapshot_id: string;
    entitlement_id: string;
    cycle_id: string;
    device_time: Date;
    /** Written as JSON text; read back parsed (text on PGlite). */
    lines: OfflineLine[] | string;
    signature: string;
    synced_at: Date;
    synced_by: string;
    outcome: 'counted' | 'conflict';
    redemption_id: string | null;
    /** `migrations/0074_offline_conflict_later_stands.sql`: null for receipts synced before. */
    credential_id: Buffer | null;
    /** `migrations/0125_offline_assisted_receipt.sql`: a hand-over without the card. */
    assisted_id: Generated<string | null>;
    /**
     * `migrations/0140_offline_conflict_hold.sql`: a conflict's hold, taken out of the
     * entitlement's balance until it is cleared; null for counted receipts and for conflicts
     * synced before, which flag the whole entitlement. Written as JSON text; read back parsed
     * (text on PGlite).
     */
    held: Generated<OfflineLine[] | string | null>;
    /**
     * `migrations/0159_offline_receipt_served_by.sql`: the operator the device signed in as having
     * made the hand-over; null for receipts synced before (their snapshot's issuer stands for it).
     */
    served_by: Generated<string | null>;
  };
  offline_conflict_resolution: {
    receipt_id: string;
    entitlement_id: string;
    decision: 'counted_stands' | 'later_stands';
    goods_left: boolean;
    note: string | null;
    resolved_by: string;
    resolved_at: Date;
    /** `migrations/0074_offline_conflict_later_stands.sql`: later_stands only. */
    redemption_id: string | null;
  };
  /** `migrations/0149_offline_receipt_refusal.sql`: a receipt the sync refused. */
  offline_receipt_refusal: {
    id: string;
    point_id: string;
    device_id: string;
    receipt_id: string;
    entitlement_id: string;
    cycle_id: string | null;
    device_time: Date;
    /** Written as JSON text; read back parsed (text on PGlite). */
    lines: OfflineLine[] | string;
    reason: string;
    synced_at: Date;
    synced_by: string;
  };
  redemption_reversal: {
    redemption_id: string;
    receipt_id: string;
    goods_returned: boolean;
    reversed_by: string;
    reversed_at: Date;
  };
  /** `migrations/0154_carry_over_withdrawal.sql`: what a late receipt withdrew of a carry-over. */
  carry_over_withdrawal: {
    receipt_id: string;
    item: string;
    from_entitlement_id: string;
    unit: string;
    quantity: number;
    into_entitlement_id: string | null;
    taken_back: number;
    disputed: number;
    recorded_at: Date;
  };
  /** `migrations/0155_carry_over_dispute_decision.sql`: a carry-over dispute decided, once. */
  carry_over_dispute_decision: {
    receipt_id: string;
    item: string;
    point_id: string;
    outcome: DisputeOutcome;
    quantity_returned: number;
    quantity_written_off: number;
    reason: string;
    decided_by: string;
    decided_at: Date;
  };
}

/** A carry-over dispute's outcome: a loss of the program, or what the person chose to bring back. */
export const disputeOutcomes = ['written_off', 'returned'] as const;
export type DisputeOutcome = (typeof disputeOutcomes)[number];

export interface OfflineLine {
  item: string;
  quantity: number;
}
