import {
  firstRedemptionsRelation,
  redemptionsByCycleStateDay,
  stockMovementsByPointMonth,
} from './modules/distribution/index.js';
import { paymentsByProgramMonth } from './modules/payments/index.js';
import { coverageByProgramCycle } from './modules/programs/index.js';
import { peopleByAreaAgeSex } from './modules/registry/index.js';
import type { AggregateReadModels } from './modules/statistics/index.js';

/**
 * The aggregate read models statistics reads, wired at the composition root (issue #17): the
 * registry's people counts and the programs module's coverage counts (with the distribution
 * module's first redemptions joined in, so redeemed persons count where they live), each from its owner's
 * public face, the distribution module's redemptions by cycle, point state, mode and day, and
 * the payments module's disbursements by program and month.
 */
export function aggregateReadModels(): AggregateReadModels {
  return {
    people: (db, referenceDate) => peopleByAreaAgeSex(db, referenceDate),
    // Redeemed persons by the area they live in: the distribution module's relation of first
    // redemptions joined inside the programs module's query (no id leaves the database).
    coverage: (db) => coverageByProgramCycle(db, { firstRedemptions: firstRedemptionsRelation() }),
    redemptions: (db) => redemptionsByCycleStateDay(db),
    payments: (db) => paymentsByProgramMonth(db),
    stock: (db) => stockMovementsByPointMonth(db),
  };
}
