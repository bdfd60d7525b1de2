import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

/**
 * What statistics reads, and all it reads (issue #17, safeguard 8): the aggregate read models
 * the owning modules publish through their public faces, handed in by `src/app.ts` (the
 * composition root), so this module imports no module that owns person data and its SQL
 * touches only its own tables. Every source answers counts by groups, never a row per person.
 *
 * `redemptions` (distribution) and `payments` are optional: a published table whose source is
 * absent is not refreshed (a deployment without those modules still publishes the rest).
 */
export interface PeopleGroup {
  stateCode: string;
  municipalityCode: string | null;
  /** Absent or null when the record names no parish. */
  parishCode?: string | null;
  ageBandFrom: number | null;
  sex: string | null;
  persons: number;
}

export interface CoverageGroup {
  programCode: string;
  cycleId: string;
  referenceDate: string;
  stateCode: string;
  /** Null when unknown (members frozen, appeals filed, before it was recorded). */
  municipalityCode: string | null;
  /** Active persons the cycle's run considered in the program's regions (≥ eligible). */
  enrolled: number;
  /** Members of the cycle's frozen set. */
  eligible: number;
  /** …with an entitlement of the cycle (≤ eligible). */
  entitled: number;
  /** …whose entitlement was redeemed (≤ entitled). */
  redeemed: number;
  /** …first redeemed without the card (≤ redeemed). */
  redeemedWithoutCard: number;
  /** Appeals filed against the cycle by persons living in the area when filing. */
  appealsFiled: number;
  /** …decided in the person's favour (≤ filed). */
  appealsUpheld: number;
}

import type {
  PaymentGroup,
  RedemptionGroup,
  StockGroup,
} from '../../shared/statistics/aggregate-groups.js';

/** The distribution module's `redemptionsByCycleStateDay` and the payments module's `paymentsByProgramMonth`. */
export type { PaymentGroup, RedemptionGroup, StockGroup };

export interface AggregateReadModels {
  /** The registry's `peopleByAreaAgeSex`. */
  people(db: Kysely<Database>, referenceDate: string): Promise<readonly PeopleGroup[]>;
  /** The programs module's `coverageByProgramCycle`. */
  coverage(db: Kysely<Database>): Promise<readonly CoverageGroup[]>;
  /** The distribution module's `redemptionsByCycleStateDay`; absent = its tables are skipped. */
  redemptions?: (db: Kysely<Database>) => Promise<readonly RedemptionGroup[]>;
  /** The payments module's `paymentsByProgramMonth`; absent = its tables are skipped. */
  payments?: (db: Kysely<Database>) => Promise<readonly PaymentGroup[]>;
  /** The distribution module's `stockMovementsByPointMonth`; absent = its table is skipped. */
  stock?: (db: Kysely<Database>) => Promise<readonly StockGroup[]>;
}
