import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  cycleApprover,
  cycleCreator,
  cyclePublisher,
} from '../src/modules/programs/cycles/cycle-service.js';
import { cycleView } from '../src/modules/programs/cycles/cycle-view.js';
import { programLimits } from '../src/modules/programs/limits.js';
import {
  programCreator,
  publicationDecider,
  publicationRequester,
} from '../src/modules/programs/program-service.js';
import { addPersons, loadAverage, seconds, throwawayDatabase } from './lib/program-population.js';

/**
 * A cycle over a whole population (issue #13, performance), in a throwaway PostgreSQL
 * database: computing the frozen set of beneficiaries with their amounts (one chunk per
 * `limits.programs.cycleChunkPersons` persons, each committed with its progress, two written
 * at once), then the approval that completes the two required as the
 * `/approvals` route makes it (`cycleApprover`, which answers once the decision is recorded —
 * a summary of the frozen round and the cycle's new status — then the cycle view the route
 * answers with: `approveRouteSeconds`), then the entitlements its grant writes in chunks after
 * that answer (one per beneficiary still active, migration 0033/0091; `entitlementsSeconds`
 * from the approval to the last chunk), then publication. Targets: entitlements for 1M
 * beneficiaries ≤ 30 s; approving a cycle of 1M entitlements ≤ 10 s (the route's answer).
 *
 * The second argument picks the rule: `all` (`age >= 0`, everyone; the default) or
 * `household` (`household_size >= 1 && members_under_18 >= 0`, everyone too, but every chunk
 * needs its persons' household counts: the demo's one-off bonus reads one).
 *
 * The third, optional, is how many chunks are written at once (default
 * `limits.programs.cycleChunkWorkers`, 2; `1` writes them one after another, for an A/B).
 *
 *   npm run bench -- programs-cycle 1000000
 *   npm run bench -- programs-cycle 100000 household
 *   npm run bench -- programs-cycle 1000000 all 1
 */
const rules: Record<string, string> = {
  all: 'age >= 0',
  household: 'household_size >= 1 && members_under_18 >= 0',
};

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Number(args[0] ?? 1_000_000);
  const variant = args[1] ?? 'all';
  // Chunks written at once; default `limits.programs.cycleChunkWorkers` (1: one after another).
  const workers = args[2] === undefined ? undefined : Number(args[2]);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) {
    throw new Error(`Chunks written at once must be a whole number from 1, not ${args[2]}`);
  }
  const eligibilityRule = rules[variant];
  if (eligibilityRule === undefined) {
    throw new Error(`Unknown rule variant ${variant}: one of ${Object.keys(rules).join(', ')}`);
  }
  const database = await throwawayDatabase('cycle');
  try {
    const generateSeconds = await addPersons(database.admin, 0, persons);
    const db = database.app;
    const { programId } = await programCreator(db, {
      code: 'bench_bonus',
      operatorId: randomUUID(),
      content: {
        nameEs: 'Bono',
        nameEn: 'Bonus',
        descriptionEs: '',
        descriptionEn: '',
        kind: 'cash',
        unit: 'person',
        regions: [],
        cadence: 'once',
        benefit: { amountMinor: 100_00n, currency: 'VES' },
        budgetCap: 1_000_000_000_000_00n,
        eligibilityRule,
      },
    });
    const { publicationId } = await publicationRequester(db, {
      programId,
      version: 1,
      operatorId: randomUUID(),
    });
    await publicationDecider(db, { publicationId, approve: true, operatorId: randomUUID() });
    const loadBefore = loadAverage();
    let started = performance.now();
    const { cycleId, summary } = await cycleCreator(db, {
      programId,
      referenceDate: '2026-12-01',
      operatorId: null,
      ...(workers === undefined ? {} : { workers }),
    });
    const computeSeconds = seconds(started);
    // The approval that completes the number required, as the route makes it: the route
    // answers with the cycle's view once `cycleApprover` has recorded it; the grant it started
    // runs on and is awaited apart.
    const approveAsTheRoute = async () => {
      const began = performance.now();
      const outcome = await cycleApprover(db, { cycleId, operatorId: randomUUID() });
      await cycleView(db, cycleId);
      return { outcome, routeSeconds: seconds(began), began };
    };
    let approval = await approveAsTheRoute();
    if (approval.outcome.status === 'computed') approval = await approveAsTheRoute();
    const approveSeconds = approval.routeSeconds;
    await approval.outcome.granting;
    const entitlementsSeconds = seconds(approval.began);
    started = performance.now();
    const published = await cyclePublisher(db, { cycleId, operatorId: randomUUID() });
    const publishSeconds = seconds(started);
    const entitlements = await sql<{ count: string }>`select count(*) as count from entitlement
      where cycle_id = ${cycleId}`.execute(db);
    return {
      command: `npm run bench -- programs-cycle ${persons} ${variant}${workers === undefined ? '' : ` ${workers}`}`,
      chunkWorkers: workers ?? programLimits.cycleChunkWorkers,
      rule: eligibilityRule,
      database: 'postgres',
      persons,
      beneficiaries: Number(summary.eligible),
      entitlements: Number(entitlements.rows[0]?.count ?? 0),
      generateSeconds: +generateSeconds.toFixed(1),
      computeSetSeconds: computeSeconds,
      approvalsRequired: approval.outcome.required,
      approveRouteSeconds: approveSeconds,
      entitlementsSeconds,
      entitlementsPerSecond: Math.round(Number(summary.eligible) / entitlementsSeconds),
      publishSeconds,
      publishedEntitlements: published.entitlements,
      targets: { entitlementsSeconds: 30, approveRouteSeconds: 10 },
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadAverage(),
    };
  } finally {
    await database.close();
  }
}
