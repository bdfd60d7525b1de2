import type { PointGrant } from '../point-gate.js';

/** What the sync answers for one offline receipt. */
export interface SyncResult {
  receiptId: string;
  /** counted: a redemption was written; conflict: kept, counted nowhere, entitlement flagged. */
  outcome: 'counted' | 'conflict' | 'refused';
  /** Why refused (an AMP_… code), else null. */
  code: string | null;
  redemptionId: string | null;
  /** True when this receipt was synced before: the first answer, unchanged. */
  replayed: boolean;
}

/** The point's gate, and the gate of hand-overs without the card when the batch has some. */
export type SyncGate = PointGrant & { assisted: PointGrant | null };
