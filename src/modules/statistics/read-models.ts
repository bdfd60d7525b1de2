import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

/**
 * What statistics reads, and all it reads (issue #17, safeguard 8): the aggregate read models
 * the owning modules publish through their public faces, handed in by `src/app.ts` (the
 * composition root), so this module imports no module that owns person data and its SQL
 * touches only its own tables. Every source answers counts by groups, never a row per person.
 *
 * Seams: `distribution` (redemptions, redemptions without the card, time to redeem, stock
 * movements by point) and `payments` (amounts by program and month, from the payments module
 * of issue #16) are optional; a published table whose source is absent is not refreshed.
 */
export interface PeopleGroup {
  stateCode: string;
  municipalityCode: string | null;
  ageBandFrom: number | null;
  sex: string | null;
  persons: number;
}

export interface CoverageGroup {
  programCode: string;
  cycleId: string;
  referenceDate: string;
  stateCode: string;
  eligible: number;
  entitled: number;
  appealsFiled: number;
  appealsUpheld: number;
}

export interface AggregateReadModels {
  /** The registry's `peopleByAreaAgeSex`. */
  people(db: Kysely<Database>, referenceDate: string): Promise<readonly PeopleGroup[]>;
  /** The programs module's `coverageByProgramCycle`. */
  coverage(db: Kysely<Database>): Promise<readonly CoverageGroup[]>;
  /** Seam for the distribution module's aggregate (not wired yet). */
  distribution?: (db: Kysely<Database>) => Promise<readonly Record<string, unknown>[]>;
  /** Seam for the payments module's amounts by program and month (issue #16; not wired yet). */
  payments?: (db: Kysely<Database>) => Promise<readonly Record<string, unknown>[]>;
}
