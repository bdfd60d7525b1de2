import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { listStates } from '../src/modules/geography/index.js';
import {
  programCreator,
  publicationDecider,
  publicationRequester,
} from '../src/modules/programs/program-service.js';
import { statisticsRefresher } from '../src/modules/statistics/index.js';
import type { Database } from '../src/platform/db/schema.js';
import { aggregateReadModels } from '../src/statistics-read-models.js';
import {
  addPersons,
  loadAverage,
  seconds,
  throwawayDatabase,
  untilQuiet,
} from './lib/program-population.js';

/**
 * Refreshing every published statistics table (issue #17, point 6: ≤ 60 s over 1,000,000
 * persons and 12 cycles), then reading dashboard pages (≤ 1 s each), in a throwaway
 * PostgreSQL database. The population comes from the programs benchmarks' builder
 * (`addPersons`: households of four, ages, sexes and states derived from the person's
 * number); the 12 monthly cycles of one program, what each run considered by area (everyone),
 * their members (about 80 %), entitlements (about 90 % of members), appeals (0.5 %) and first redemptions at one point per state
 * (about 75 % of entitlements, 1 in 12 assisted, spread over 40 days), a stock movement per
 * redemption and four deliveries per point and cycle, and a cash disbursement per cycle paying
 * every entitlement (chunks of 1,000 with their two largest credits) are written with
 * `generate_series`, as the database owner, never through the API. The refresh itself runs
 * as the application role, through the same read models the server wires.
 *
 *   npm run bench -- statistics-refresh [persons=1000000] [cycles=12]
 *
 * With `AMPARO_BENCH_QUIET_LOAD=2` the refresh waits, after the set-up, for the load average
 * to fall below 2.
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Math.floor(Number(args[0] ?? 1_000_000) / 4) * 4;
  const cycles = Number(args[1] ?? 12);
  const database = await throwawayDatabase('statistics');
  try {
    const generateSeconds = await addPersons(database.admin, 0, persons);
    let started = performance.now();
    await writeCycles(database.app, database.admin, cycles);
    const cyclesSeconds = seconds(started);
    const counts = await sql<{
      members: number;
      entitlements: number;
      redemptions: number;
      stockMovements: number;
      paymentChunks: number;
    }>`
      select (select count(*) from program_cycle_member)::int as members,
             (select count(*) from entitlement)::int as entitlements,
             (select count(*) from redemption)::int as redemptions,
             (select count(*) from stock_movement)::int as "stockMovements",
             (select count(*) from payment_disbursement_chunk)::int as "paymentChunks"`.execute(
      database.admin,
    );
    await untilQuiet();
    const loadBefore = loadAverage();
    const perTable: Record<string, number> = {};
    started = performance.now();
    await statisticsRefresher(
      { db: database.app, models: aggregateReadModels() },
      { onProgress: (p) => (perTable[p.table] = +(p.durationMs / 1000).toFixed(2)) },
    );
    const refreshSeconds = seconds(started);
    const loadAfter = loadAverage();
    const pages = await dashboardPages(database.app);
    return {
      persons,
      cycles,
      ...counts.rows[0],
      generateSeconds,
      cyclesSeconds,
      refreshSeconds,
      perTableSeconds: perTable,
      dashboardPageMs: pages,
      loadBefore,
      loadAfter,
    };
  } finally {
    await database.close();
  }
}

/** One published program, `cycles` monthly cycles over the population, and what follows. */
export async function writeCycles(app: Kysely<Database>, admin: Kysely<Database>, cycles: number) {
  const operatorId = randomUUID();
  const { programId } = await programCreator(app, {
    code: 'bench_food_box',
    operatorId,
    content: {
      nameEs: 'Caja',
      nameEn: 'Box',
      descriptionEs: '',
      descriptionEn: '',
      kind: 'in_kind',
      unit: 'person',
      regions: [],
      cadence: 'monthly',
      benefit: { basket: [{ item: 'rice_kg', quantity: 2, unit: 'kg' }] },
      budgetCap: 1_000_000_000n,
      eligibilityRule: 'age >= 0',
    },
  });
  const { publicationId } = await publicationRequester(app, { programId, version: 1, operatorId });
  await publicationDecider(app, { publicationId, approve: true, operatorId: randomUUID() });
  // One point per letter the population's states use (the builder's A to X include a Q).
  await sql`insert into distribution_point (id, code, name, kind, region_code)
    select md5('point' || s)::uuid, 'bench-' || lower(s), 'Punto ' || s, 'kiosk', 'VE-' || s
      from (select chr(65 + n) as s from generate_series(0, 25) n) letters`.execute(admin);
  // Every municipality, numbered within its state, to give members one (see below).
  const municipalities = listStates().flatMap((state) =>
    state.municipalities.map((municipality, ordinal) => ({
      state: state.code,
      code: municipality.code,
      ordinal,
      ofState: state.municipalities.length,
    })),
  );
  await sql`create table bench_municipality as
    select * from unnest(${municipalities.map((m) => m.state)}::text[],
                         ${municipalities.map((m) => m.code)}::text[],
                         ${municipalities.map((m) => m.ordinal)}::int[],
                         ${municipalities.map((m) => m.ofState)}::int[])
      as m(state_code, code, ordinal, of_state)`.execute(admin);
  // A bulk load consistent by construction: the owner's connection skips foreign-key and
  // per-statement check triggers while it writes (they would check millions of rows again).
  await sql`set session_replication_role = replica`.execute(admin);
  // A person's municipality: one of their state's, fixed by their id.
  const benchMunicipality = sql`left join bench_municipality bm on bm.state_code = p.region_code
         and bm.ordinal = abs(hashtext(p.id::text)) % bm.of_state`;
  for (let c = 0; c < cycles; c++) {
    const cycleId = randomUUID();
    const month = `2026-${String((c % 12) + 1).padStart(2, '0')}-01`;
    const referenceDate = c < 12 ? month : `${2026 + Math.floor(c / 12)}${month.slice(4)}`;
    await sql`insert into program_cycle (id, program_id, version, reference_date, status)
      values (${cycleId}, ${programId}, 1, ${referenceDate}::date, 'approved')`.execute(admin);
    // Members: persons whose number hashed with the cycle falls in 80 %, with their state and
    // a municipality of it (the population builder names none; coverage is by municipality).
    await sql`insert into program_cycle_member (cycle_id, round, person_id, region_code, municipality_code)
      select ${cycleId}::uuid, 1, p.id, p.region_code, bm.code from person p ${benchMunicipality}
       where abs(hashtext(p.id::text || ${c}::text)) % 100 < 80`.execute(admin);
    // What the cycle's run considered (everyone: the program has no regions), by area.
    await sql`insert into program_cycle_area_count (cycle_id, round, chunk_from, region_code,
                municipality_code, persons)
      select ${cycleId}::uuid, 1, '00000000-0000-0000-0000-000000000000'::uuid, p.region_code,
             coalesce(bm.code, ''), count(*)
        from person p ${benchMunicipality}
       group by p.region_code, coalesce(bm.code, '')`.execute(admin);
    await sql`insert into entitlement (id, cycle_id, program_id, person_id, basis)
      select md5(m.person_id::text || ${cycleId})::uuid, m.cycle_id, ${programId}::uuid,
             m.person_id, 'rule'
        from program_cycle_member m
       where m.cycle_id = ${cycleId} and abs(hashtext(m.person_id::text)) % 100 < 90`.execute(
      admin,
    );
    await sql`insert into appeal (id, person_id, program_id, cycle_id, version, region_code,
                municipality_code, statement, filed_by_kind, filed_by, status, assign_due_at,
                decide_due_at, outcome)
      select gen_random_uuid(), p.id, ${programId}::uuid, ${cycleId}::uuid, 1, p.region_code,
             bm.code, 'bench', 'citizen', p.id, 'decided', now(), now(),
             case when abs(hashtext(p.id::text)) % 3 = 0 then 'upheld' else 'rejected' end
        from person p ${benchMunicipality} where abs(hashtext(p.id::text || 'appeal' || ${c}::text)) % 1000 < 5`.execute(
      admin,
    );
    await redemptionsOf(admin, programId, cycleId, referenceDate);
    await stockOf(admin, cycleId, referenceDate);
    await paymentsOf(admin, programId, cycleId, referenceDate);
  }
  await sql`set session_replication_role = origin`.execute(admin);
  await sql`analyze`.execute(admin);
}

/** First redemptions of about 75 % of a cycle's entitlements at their state's point. */
async function redemptionsOf(
  admin: Kysely<Database>,
  programId: string,
  cycleId: string,
  referenceDate: string,
) {
  const chosen = sql`from entitlement e join person p on p.id = e.person_id
    where e.cycle_id = ${cycleId} and abs(hashtext(e.id::text)) % 100 < 75`;
  await sql`insert into entitlement_redemption_state (entitlement_id, person_id, program_id, state)
    select e.id, e.person_id, e.program_id, 'consumed' ${chosen}`.execute(admin);
  const assisted = sql`abs(hashtext(e.id::text)) % 12 = 0`;
  const day = sql`${referenceDate}::date + (abs(hashtext(e.person_id::text)) % 40) * interval '1 day'`;
  const point = sql`md5('point' || substr(p.region_code, 4))::uuid`;
  await sql`insert into assisted_redemption (id, point_id, operator_id, person_id, reason, method,
              started_at, started_day, verified_at)
    select md5('a' || e.id::text)::uuid, ${point}, ${randomUUID()}::uuid, e.person_id, 'lost',
           'photo_attested', ${day}, (${day})::date, ${day}
    ${chosen} and ${assisted}`.execute(admin);
  await sql`insert into redemption (id, entitlement_id, person_id, program_id, cycle_id, point_id,
              mode, credential_id, assisted_id, redeemed_at, receipt_signature)
    select md5('r' || e.id::text)::uuid, e.id, e.person_id, ${programId}::uuid, e.cycle_id,
           ${point},
           case when ${assisted} then 'assisted' else 'card' end,
           case when ${assisted} then null else '\\x00'::bytea end,
           case when ${assisted} then md5('a' || e.id::text)::uuid else null end,
           ${day}, 'bench'
    ${chosen}`.execute(admin);
}

/**
 * The stock ledger of a cycle: one redemption movement (2 units) per first redemption, at its
 * point and time, and four deliveries of 50,000 units to each point.
 */
async function stockOf(admin: Kysely<Database>, cycleId: string, referenceDate: string) {
  await sql`insert into stock_movement (id, point_id, item, kind, quantity_delta, balance_after,
              redemption_id, recorded_at)
    select md5('s' || r.id::text)::uuid, r.point_id, 'rice_kg', 'redemption', -2, 0, r.id,
           r.redeemed_at
      from redemption r where r.cycle_id = ${cycleId}`.execute(admin);
  await sql`insert into stock_movement (id, point_id, item, kind, quantity_delta, balance_after,
              recorded_at)
    select md5('d' || p.id::text || ${cycleId} || k)::uuid, p.id, 'rice_kg', 'delivery', 50000,
           50000, ${referenceDate}::date + k * interval '7 days'
      from distribution_point p, generate_series(0, 3) k`.execute(admin);
}

/**
 * A cash disbursement per cycle (the payments read model's source): every entitlement of the
 * cycle credited 250.00 to 400.00 VES, in chunks of 1,000 with each chunk's two largest credits.
 */
async function paymentsOf(
  admin: Kysely<Database>,
  programId: string,
  cycleId: string,
  referenceDate: string,
) {
  const disbursementId = randomUUID();
  await sql`drop table if exists bench_chunk`.execute(admin);
  await sql`create table bench_chunk as
    with credits as (
      select e.person_id, 25000 + (abs(hashtext(e.id::text)) % 4) * 5000 as amount,
             (row_number() over (order by e.person_id) - 1) / 1000 as chunk
        from entitlement e where e.cycle_id = ${cycleId}
    )
    select chunk::int as chunk, min(person_id::text)::uuid as first_person_id,
           max(person_id::text)::uuid as last_person_id, count(*)::int as n,
           sum(amount)::bigint as total,
           (array_agg(amount order by amount desc))[1]::bigint as largest,
           coalesce((array_agg(amount order by amount desc))[2], 0)::bigint as second
      from credits group by chunk`.execute(admin);
  await sql`insert into payment_disbursement (id, cycle_id, program_id, currency,
              funding_account_id, status, chunks_total, chunks_done, entitlements_total,
              amount_total_minor, credited_count, credited_minor, started_at, finished_at)
    select ${disbursementId}::uuid, ${cycleId}::uuid, ${programId}::uuid, 'VES',
           md5('funding')::uuid, 'finished', count(*), count(*), sum(n), sum(total), sum(n),
           sum(total), ${referenceDate}::timestamptz, ${referenceDate}::timestamptz
      from bench_chunk`.execute(admin);
  await sql`insert into payment_disbursement_chunk (disbursement_id, chunk, first_person_id,
              last_person_id, entitlements, amount_minor, status, credited_count, credited_minor,
              done_at)
    select ${disbursementId}::uuid, chunk, first_person_id, last_person_id, n, total, 'done', n,
           total, ${referenceDate}::timestamptz
      from bench_chunk`.execute(admin);
  await sql`insert into payment_chunk_largest_credits (disbursement_id, chunk, largest_minor,
              second_minor)
    select ${disbursementId}::uuid, chunk, largest, second from bench_chunk`.execute(admin);
  await sql`drop table bench_chunk`.execute(admin);
}

/** A dashboard page is one table at one breakdown: the time to answer each, as the route does. */
async function dashboardPages(db: Kysely<Database>): Promise<Record<string, number>> {
  const { publishedTables } = await import('../src/modules/statistics/index.js');
  const { findTable, readTable } = await import(
    '../src/modules/statistics/published/table-reader.js'
  );
  const answers: Record<string, number> = {};
  for (const table of publishedTables) {
    for (const by of table.breakdowns.keys()) {
      const summary = findTable(table.code, false);
      const started = performance.now();
      const levels = Object.entries(summary.levels)
        .filter(([, level]) => (table.breakdowns[by]?.[level.dimension] ?? 0) === level.depth)
        .map(([name]) => name);
      try {
        await readTable(db, summary, levels);
        answers[`${table.code}?by=${levels.join(',')}`] = +(performance.now() - started).toFixed(1);
      } catch {
        // A table whose read model gave nothing here was not refreshed: no page to time.
      }
    }
  }
  return answers;
}
