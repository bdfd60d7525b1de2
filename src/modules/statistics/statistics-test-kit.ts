import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import type { TestDatabase } from '../../../test/db.js';
import { buildPerson } from '../../../test/factories.js';
import type { Database } from '../../platform/db/schema.js';
import { disbursementRunner } from '../payments/disbursement/disbursement-runner.js';
import { disbursementStarter } from '../payments/disbursement/disbursement-starter.js';
import { programFunder } from '../payments/funding/program-funder.js';
import { cashCycle } from '../payments/payments-test-kit.js';
import { publishedCycle, publishedProgram } from '../programs/programs-test-kit.js';
import { statisticsLimits } from './limits.js';

/**
 * A published count is its true count plus the keyed discrete Gaussian noise (σ² =
 * `limits.statistics.noiseVariance`), clamped to the threshold and rounded to the base
 * (`disclosure/cell-noise.ts`), so tests check it against the true count within six standard
 * deviations plus half the base (a miss has probability about 2·10⁻⁹ per cell).
 *
 * @example
 *   expectNoisyCount(cell.value, 52);
 */
export function expectNoisyCount(value: number | null | undefined, count: number): void {
  const { noiseVariance, threshold, roundingBase } = statisticsLimits;
  expect(value, `a published count near ${count}`).toEqual(expect.any(Number));
  const shown = value as number; // just checked
  expect(shown % roundingBase).toBe(0);
  expect(shown).toBeGreaterThanOrEqual(threshold);
  expect(Math.abs(shown - count)).toBeLessThanOrEqual(
    6 * Math.sqrt(noiseVariance) + roundingBase / 2,
  );
}

/**
 * A count from 1 to threshold − 1: primary suppression decides on the true count, so such a
 * cell is withheld, never published (not even as a noisy count; README "Differencing" says
 * what that leaves visible). Answers true, for the checks that follow from it.
 *
 * @example
 *   if (expectSmallCountProtected(cell.value, 3)) expect(margin.value).toBeNull();
 */
export function expectSmallCountProtected(
  value: number | null | undefined,
  count: number,
): boolean {
  expect(count).toBeGreaterThan(0);
  expect(count).toBeLessThan(statisticsLimits.threshold);
  expect(value).toBeNull();
  return true;
}

/**
 * The coverage scene of the real-data tests (issue #17): 41 adults in Anzoátegui — 26 in its
 * municipality VE-B-01 (parishes 01 and 02), 3 in VE-B-02 and 12 in VE-B-03 — and 12 children
 * in VE-B-01; a cash program `bono` (100.00 VES, everyone of age) with its approved cycle, so
 * the adults are eligible and entitled and the children enrolled but left out. Twenty of
 * VE-B-01's entitlements are redeemed at a point of VE-B (`stats-b`), two without the card;
 * the 12 children appeal, 4 upheld.
 */
export async function coverageScene(
  database: TestDatabase,
  masterKey: Buffer,
): Promise<{ programId: string; cycleId: string }> {
  const places = [
    { municipality: 'VE-B-01', parish: 'VE-B-01-01', count: 14 },
    { municipality: 'VE-B-01', parish: 'VE-B-01-02', count: 12 },
    { municipality: 'VE-B-02', parish: 'VE-B-02-01', count: 3 },
    { municipality: 'VE-B-03', parish: 'VE-B-03-01', count: 12 },
    { municipality: 'VE-B-01', parish: 'VE-B-01-01', count: 12, birthDate: '2015-05-01' },
  ];
  for (const place of places) {
    for (let i = 0; i < place.count; i++) {
      await buildPerson(
        { database, masterKey },
        {
          region: 'VE-B',
          attributes: {
            given_names: 'Ana',
            first_surname: 'Ruiz',
            sex: 'F',
            birth_date: place.birthDate ?? '1980-05-01',
            state_code: 'VE-B',
            municipality_code: place.municipality,
            parish_code: place.parish,
          },
        },
      );
    }
  }
  const cycle = await cashCycle(database.db, { code: 'bono', amountMinor: 100_00n });
  await redeemTwenty(database, cycle.cycleId);
  await childrenAppeal(database, cycle);
  return cycle;
}

/**
 * A cash program paying every adult already in the registry 250.00 VES through the ledger
 * (chunks of 3), one of them `largeMinor` instead when given (a benefit by household size):
 * the payments scene of the real-data tests.
 */
export async function paidCashCycle(
  database: TestDatabase,
  code: string,
  largeMinor: bigint | null,
): Promise<{ programId: string; cycleId: string }> {
  const { programId, cycleId } = await cashCycle(database.db, { code, amountMinor: 250_00n });
  if (largeMinor !== null) {
    await database.asAdmin(async (admin) => {
      const one = await admin
        .selectFrom('entitlement')
        .select('id')
        .where('cycle_id', '=', cycleId)
        .orderBy('person_id', 'desc')
        .executeTakeFirstOrThrow();
      await admin
        .updateTable('entitlement')
        .set({ amount_minor: largeMinor })
        .where('id', '=', one.id)
        .execute();
    });
  }
  await disburseCycle(database.db, {
    programId,
    cycleId,
    currency: 'VES',
    fundMinor: 2_000_000_00n,
  });
  return { programId, cycleId };
}

/**
 * Pays a published cash cycle through the payments module's own verbs: funds the program with
 * `fundMinor`, starts the disbursement (chunks of 3) and runs it to the end.
 */
async function disburseCycle(
  db: Kysely<Database>,
  props: { programId: string; cycleId: string; currency: 'VES' | 'USD'; fundMinor: bigint },
): Promise<void> {
  await programFunder(db, {
    programId: props.programId,
    currency: props.currency,
    amountMinor: String(props.fundMinor),
    transferId: randomUUID(),
  });
  const started = await disbursementStarter(db, {
    cycleId: props.cycleId,
    operatorId: null,
    chunkEntitlements: 3,
  });
  const done = await disbursementRunner(db, { disbursementId: started.id, workers: 1 });
  expect(done.status).toBe('finished');
}

/**
 * A small cash disbursement in `currency`: a program of `region` paying each adult who lives
 * there `amountMinor`, published, its cycle approved and paid through the real programs and
 * payments verbs. For scenes that need a payments table to exist (the authorisation matrix's
 * amount tables), not its values: with a handful of payees its cells are withheld.
 *
 * @example
 *   await smallDisbursement(db, { code: 'paid_usd', region: 'VE-M', currency: 'USD', amountMinor: 20_00n });
 */
export async function smallDisbursement(
  db: Kysely<Database>,
  props: { code: string; region: string; currency: 'VES' | 'USD'; amountMinor: bigint },
): Promise<{ programId: string; cycleId: string }> {
  const { programId } = await publishedProgram(db, {
    code: props.code,
    content: {
      nameEs: 'Pago pequeño',
      nameEn: 'Small payment',
      descriptionEs: '',
      descriptionEn: '',
      kind: 'cash',
      unit: 'person',
      regions: [props.region],
      cadence: 'on_demand',
      benefit: { amountMinor: props.amountMinor, currency: props.currency },
      budgetCap: 1_000_000_00n,
      eligibilityRule: 'age >= 18',
    },
  });
  const { cycleId } = await publishedCycle(db, programId);
  await disburseCycle(db, {
    programId,
    cycleId,
    currency: props.currency,
    fundMinor: 1_000_000_00n,
  });
  return { programId, cycleId };
}

/**
 * Stock movements at two points of VE-B, written as the database owner (the stock routes are
 * tested in the distribution module; here only the aggregates matter): a busy point with 12
 * deliveries of 50 units and 30 hand-overs of 2, one of the deliveries 900 units (it dominates
 * the month's deliveries); a quiet point with 3 hand-overs (few movements) and 11 deliveries of 20.
 */
export async function stockScene(database: TestDatabase): Promise<void> {
  await database.asAdmin((admin) =>
    admin.transaction().execute(async (trx) => {
      const points = [
        { code: 'stock-busy', moves: [...Array(11).fill(['delivery', 50]), ['delivery', 900]] },
        { code: 'stock-quiet', moves: Array(11).fill(['delivery', 20]) },
      ];
      points[0]?.moves.push(...Array(30).fill(['redemption', -2]));
      points[1]?.moves.push(...Array(3).fill(['redemption', -2]));
      for (const point of points) {
        const pointId = randomUUID();
        await sql`insert into distribution_point (id, code, name, kind, region_code)
          values (${pointId}, ${point.code}, ${point.code}, 'kiosk', 'VE-B')`.execute(trx);
        for (const [kind, delta] of point.moves as [string, number][]) {
          const redemptionId = kind === 'redemption' ? randomUUID() : null;
          await sql`insert into stock_movement (id, point_id, item, kind, quantity_delta,
                      balance_after, redemption_id)
            values (${randomUUID()}, ${pointId}, 'rice_kg', ${kind}, ${delta}, 10000,
                    ${redemptionId})`.execute(trx);
        }
      }
    }),
  );
}

/**
 * Twenty first redemptions of VE-B-01's entitlements, two assisted, at a point of VE-B.
 */
async function redeemTwenty(database: TestDatabase, cycleId: string): Promise<void> {
  await redeemedAtPoint(database, {
    cycleId,
    point: { code: 'stats-b', region: 'VE-B' },
    members: { municipality: 'VE-B-01' },
    count: 20,
    assisted: 2,
  });
}

/**
 * First redemptions of `count` of a cycle's entitlements, of its members in a municipality or
 * a state (as frozen with the cycle), at a new point; the first `assisted` without the card.
 * Written as the database owner (the distribution routes are tested in their module; here
 * only the counts matter).
 *
 * @example
 *   await redeemedAtPoint(database, { cycleId, point: { code: 'p', region: 'VE-A' },
 *     members: { state: 'VE-A' }, count: 15, assisted: 1 });
 */
export async function redeemedAtPoint(
  database: TestDatabase,
  props: {
    cycleId: string;
    point: { code: string; region: string };
    members: { municipality: string } | { state: string };
    count: number;
    assisted: number;
  },
): Promise<void> {
  const { cycleId, point } = props;
  const where =
    'municipality' in props.members
      ? sql`m.municipality_code = ${props.members.municipality}`
      : sql`m.region_code = ${props.members.state}`;
  await database.asAdmin((admin) =>
    admin.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      const pointId = randomUUID();
      await sql`insert into distribution_point (id, code, name, kind, region_code)
        values (${pointId}, ${point.code}, ${`Punto ${point.code}`}, 'kiosk', ${point.region})`.execute(
        trx,
      );
      const chosen = await sql<{ id: string; person_id: string; program_id: string }>`
        select e.id, e.person_id, e.program_id from entitlement e
          join program_cycle_member m on m.cycle_id = e.cycle_id and m.person_id = e.person_id
         where e.cycle_id = ${cycleId} and ${where}
         order by e.id limit ${props.count}`.execute(trx);
      expect(chosen.rows.length).toBe(props.count);
      for (const [i, row] of chosen.rows.entries()) {
        const assisted = i < props.assisted;
        const assistedId = assisted ? randomUUID() : null;
        if (assistedId !== null) {
          await sql`insert into assisted_redemption (id, point_id, operator_id, person_id, reason,
                      method, started_at, started_day, verified_at)
            values (${assistedId}, ${pointId}, ${randomUUID()}, ${row.person_id}, 'lost',
                    'photo_attested', '2026-12-02', '2026-12-02', '2026-12-02')`.execute(trx);
        }
        await sql`insert into redemption (id, entitlement_id, person_id, program_id, cycle_id,
                    point_id, mode, credential_id, assisted_id, redeemed_at, receipt_signature)
          values (${randomUUID()}, ${row.id}, ${row.person_id}, ${row.program_id}, ${cycleId},
                  ${pointId}, ${assisted ? 'assisted' : 'card'},
                  ${assisted ? null : Buffer.from([0])}, ${assistedId}, '2026-12-02', 'test')`.execute(
          trx,
        );
      }
    }),
  );
}

/**
 * The 12 children of VE-B-01 appeal being left out, 4 upheld: written as the database owner
 * with the municipality the appeal records when filed (the filing route is tested in the
 * programs module; here only the counts matter).
 */
async function childrenAppeal(
  database: TestDatabase,
  cycle: { programId: string; cycleId: string },
): Promise<void> {
  await database.asAdmin(async (admin) => {
    await sql`insert into appeal (id, person_id, program_id, cycle_id, version, region_code,
                municipality_code, statement, filed_by_kind, filed_by, status, assign_due_at,
                decide_due_at, outcome, decided_by)
      select gen_random_uuid(), m.id, ${cycle.programId}::uuid, ${cycle.cycleId}::uuid, 1,
             'VE-B', 'VE-B-01', 'test', 'citizen', m.id, 'decided', now(), now(),
             case when m.n <= 4 then 'upheld' else 'rejected' end, gen_random_uuid()
        from (select p.id, row_number() over (order by p.id) as n from person p
               where not exists (select 1 from program_cycle_member c where c.person_id = p.id)) m`.execute(
      admin,
    );
  });
}
