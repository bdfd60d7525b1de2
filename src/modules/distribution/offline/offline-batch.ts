import { localDate } from '../../notifications/index.js';
import type { EntitlementForRedemption } from '../../programs/index.js';
import type { VoucherState } from '../tables.js';
import type { OfflineReceiptInput } from './offline-receipt.js';

/** A receipt that passed the checks made before the transaction. */
export interface Candidate {
  receipt: OfflineReceiptInput;
  entitlement: EntitlementForRedemption;
  snapshotIssuedAt: Date;
  snapshotExpiresAt: Date;
}

/** What remains of one item of an entitlement. */
export interface Balance {
  unit: string;
  remaining: number;
}

/** An entitlement of the batch, locked: each receipt sees what the one before it left. */
export interface Entitled {
  entitlement: EntitlementForRedemption;
  state: VoucherState;
  items: Map<string, Balance>;
  changed: boolean;
  /** Counted in this batch, by item: taken after any snapshot of it. */
  takenHere: Map<string, number>;
  /**
   * Its state row was created by this batch (no point had touched it): its item balances are
   * not in the database yet. They are inserted once, with what remains, when the batch is
   * written: they commit with the state row, which no other transaction sees or locks before.
   */
  created: boolean;
}

/** The local day a receipt was made on, by the device's clock: the day its bound counts. */
export const dayOf = (receipt: OfflineReceiptInput) => localDate(new Date(receipt.deviceTime));
