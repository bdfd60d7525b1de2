/**
 * The shapes of the aggregate read models that owning modules publish for statistics (issue
 * #17): the distribution module's first redemptions and the payments module's disbursements.
 * One definition for the module that answers and the statistics module that reads, which may
 * not import each other. Counts and sums by group only; there is no field for a person.
 */

/** Entitlements first redeemed in one cycle, point state, mode and day. */
export interface RedemptionGroup {
  cycleId: string;
  /** The state of the point where the entitlement was first redeemed. */
  stateCode: string;
  /** `assisted` = handed over without the card (safeguard 9). */
  mode: 'card' | 'assisted';
  /** The day of the first redemption, YYYY-MM-DD (UTC). */
  day: string;
  /** Entitlements whose first redemption falls in this group. */
  entitlements: number;
}

/** What one cycle's cash disbursement paid. */
export interface PaymentGroup {
  programId: string;
  cycleId: string;
  currency: 'VES' | 'USD';
  /** The month the disbursement started, YYYY-MM (UTC). */
  month: string;
  /** Persons credited. */
  payees: number;
  /** The amount credited, minor units. */
  amountMinor: bigint;
  /** The two largest single payments, when the source keeps them (the p % rule). */
  largestMinor?: readonly bigint[];
}

/** The kinds of stock movement (the distribution module's `stockMovementKinds`), for statistics. */
export const statisticsStockKinds = [
  'delivery',
  'redemption',
  'transfer_out',
  'transfer_in',
  'transfer_return',
  'adjustment',
] as const;

/**
 * Stock moved at one distribution point, of one item, by one kind of movement, in one month.
 * Points are places, not people, but a point's redemptions in a month can be few persons:
 * statistics protects these cells like amounts (movements as contributors, the p % rule on
 * the two largest movements).
 */
export interface StockGroup {
  /** The point's public code (printed on receipts). */
  pointCode: string;
  /** The point's state. */
  stateCode: string;
  item: string;
  kind: (typeof statisticsStockKinds)[number];
  /** The month of the movements, YYYY-MM (UTC). */
  month: string;
  /** Movements in the group (for redemptions: hand-overs, about one per person served). */
  movements: number;
  /** Units moved, whatever the direction. */
  units: number;
  /** The two largest movements' units (0 when fewer). */
  largest: readonly [number, number];
}
