import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { benefitStatus } from '../src/modules/programs/appeals/benefit-status.js';
import { cycleApprover, cycleCreator } from '../src/modules/programs/cycles/cycle-service.js';
import type { ProgramContent } from '../src/modules/programs/program-content.js';
import {
  programCreator,
  publicationDecider,
  publicationRequester,
} from '../src/modules/programs/program-service.js';
import { insertRandomPopulation } from '../src/modules/programs/programs-test-kit.js';
import {
  closePglite,
  kyselyOverPglite,
  openPglite,
  switchToAppRole,
} from '../src/platform/db/database.js';
import { migrateUp } from '../src/platform/db/migrator.js';
import type { Database } from '../src/platform/db/schema.js';
import { addPersons, throwawayDatabase } from './lib/program-population.js';

/**
 * One person's explanation ("my benefits", issue #13): for a random person, every published
 * program in scope, in or out at its latest approved cycle, each clause explained in es/en —
 * `benefitStatus`, what `GET /api/persons/:id/benefits` runs after the access guard. Three
 * programs like the demo's (household food box, old-age pension, one-off bonus), each with
 * an approved cycle over a random population. Target: p99 ≤ 20 ms. The database is a
 * throwaway one (PostgreSQL, or PGlite with AMPARO_TEST_DATABASE=pglite).
 *
 *   npm run bench -- benefit-explanation [persons=100000] [queries=2000] [pglite|postgres]
 *
 * On `postgres` (a throwaway database; TEST_DATABASE_URL as for the other benchmarks) the
 * population is generated with SQL (bench/lib/program-population.ts), households of four.
 */
const base: Omit<ProgramContent, 'nameEs' | 'nameEn' | 'eligibilityRule'> = {
  descriptionEs: '',
  descriptionEn: '',
  kind: 'cash',
  unit: 'person',
  regions: [],
  cadence: 'monthly',
  benefit: { amountMinor: 1_000_00n, currency: 'VES' },
  budgetCap: 1_000_000_000_000_00n,
};

const programs: Array<[string, Partial<ProgramContent> & { eligibilityRule: string }]> = [
  ['food_box', { unit: 'household', eligibilityRule: 'income_band <= 2' }],
  ['pension', { eligibilityRule: '(sex == "F" && age >= 55) || (sex == "M" && age >= 60)' }],
  ['bonus', { eligibilityRule: 'sex == "F" && head_of_household && members_under_18 >= 1' }],
];

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Number(args[0] ?? 100_000);
  const queryCount = Number(args[1] ?? 2_000);
  const dialect = args[2] === 'postgres' ? 'postgres' : 'pglite';
  const database = dialect === 'postgres' ? await postgresDatabase(persons) : await benchDatabase();
  try {
    const setupStarted = performance.now();
    if (dialect === 'pglite') {
      await database.asAdmin((admin) => insertRandomPopulation(admin, { persons, seed: 11 }));
      // Fresh tables have no statistics (PGlite runs no autovacuum): give the planner some.
      await database.asAdmin((admin) => sql`analyze`.execute(admin));
    }
    const db = database.db;
    for (const [code, content] of programs) {
      const { programId } = await programCreator(db, {
        code,
        operatorId: randomUUID(),
        content: { ...base, nameEs: code, nameEn: code, ...content },
      });
      const { publicationId } = await publicationRequester(db, {
        programId,
        version: 1,
        operatorId: randomUUID(),
      });
      await publicationDecider(db, { publicationId, approve: true, operatorId: randomUUID() });
      const { cycleId } = await cycleCreator(db, {
        programId,
        referenceDate: '2026-12-01',
        operatorId: null,
      });
      const first = await cycleApprover(db, { cycleId, operatorId: randomUUID() });
      const second =
        first.status === 'approved'
          ? first
          : await cycleApprover(db, { cycleId, operatorId: randomUUID() });
      await second.granting;
    }
    const setupMs = performance.now() - setupStarted;
    const ids = (
      await db.selectFrom('person').select('id').where('status', '=', 'active').execute()
    ).map((row) => row.id);
    const now = new Date('2026-12-04T12:00:00Z');
    // Warm-up: the first call checks and caches each program version's rule.
    for (const id of ids.slice(0, 20)) await benefitStatus(db, id, now);
    const latencies: number[] = [];
    let lines = 0;
    for (let query = 0; query < queryCount; query += 1) {
      const id = ids[Math.floor(Math.random() * ids.length)] as string;
      const started = performance.now();
      lines += (await benefitStatus(db, id, now)).length;
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const quantile = (q: number) =>
      +(latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(2);
    return {
      command: `npm run bench -- benefit-explanation ${persons} ${queryCount} ${dialect}`,
      dialect,
      persons,
      queries: latencies.length,
      programsPerAnswerMean: +(lines / Math.max(1, latencies.length)).toFixed(2),
      setupSeconds: +(setupMs / 1000).toFixed(1),
      latencyMsP50: quantile(0.5),
      latencyMsP95: quantile(0.95),
      latencyMsP99: quantile(0.99),
      latencyMsMax: quantile(1),
      targetMsP99: 20,
      loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
    };
  } finally {
    await database.close();
  }
}

/** A throwaway PostgreSQL database with the population generated in SQL. */
async function postgresDatabase(persons: number) {
  const database = await throwawayDatabase('explanation');
  await addPersons(database.admin, 0, Math.ceil(persons / 4) * 4);
  return {
    db: database.app,
    asAdmin: <T>(work: (admin: Kysely<Database>) => Promise<T>): Promise<T> => work(database.admin),
    close: () => database.close(),
  };
}

/** A migrated PGlite in memory, as the application role (the test helper needs vitest). */
async function benchDatabase() {
  const pglite = await openPglite('memory://');
  const db: Kysely<Database> = kyselyOverPglite(pglite);
  await migrateUp(db);
  await switchToAppRole(db);
  return {
    db,
    async asAdmin<T>(work: (admin: Kysely<Database>) => Promise<T>): Promise<T> {
      await sql`reset role`.execute(db);
      try {
        return await work(db);
      } finally {
        await switchToAppRole(db);
      }
    },
    close: () => closePglite(db, pglite),
  };
}
