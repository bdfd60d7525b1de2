import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { buildPerson } from '../../../../test/factories.js';
import { aggregateReadModels } from '../../../statistics-read-models.js';
import { firstRedemptionsRelation } from '../../distribution/index.js';
import { cashCycle } from '../../payments/payments-test-kit.js';
import { coverageByProgramCycle } from '../../programs/index.js';
import { expectNoisyCount } from '../statistics-test-kit.js';
import { publishedRate } from './rate-tables.js';
import { findTable, readTable } from './table-reader.js';
import { statisticsRefresher } from './table-refresher.js';

/**
 * Coverage by state × municipality × program × cycle from a real cycle (issue #17, points 1
 * and 2): 41 adults in Anzoátegui, 26 in its municipality VE-B-01 (parishes 01 and 02), 3 in
 * VE-B-02 and 12 in VE-B-03, all eligible and entitled by the cycle's run, which records each
 * member's municipality (migration 0049); 12 children in VE-B-01, whom the run considered
 * (enrolled, migration 0083) and the rule left out. Twenty of VE-B-01's entitlements are
 * redeemed, two of them without the card; the 12 children appealed, 4 upheld. The programs
 * module counts redeemed members through the distribution module's relation of first
 * redemptions, and the refreshed cube publishes each measure by municipality, withholding what
 * is from 1 to 9 and what would give it away; the appeals are a table of their own read from
 * the same protected cube.
 */
describe('coverage by area, program and cycle, from a real cycle', () => {
  let database: TestDatabase;
  const masterKey = randomBytes(32);
  let cycleId = '';
  const places = [
    { municipality: 'VE-B-01', parish: 'VE-B-01-01', count: 14 },
    { municipality: 'VE-B-01', parish: 'VE-B-01-02', count: 12 },
    { municipality: 'VE-B-02', parish: 'VE-B-02-01', count: 3 },
    { municipality: 'VE-B-03', parish: 'VE-B-03-01', count: 12 },
    { municipality: 'VE-B-01', parish: 'VE-B-01-01', count: 12, birthDate: '2015-05-01' },
  ];

  beforeAll(async () => {
    database = await createTestDatabase();
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
    cycleId = cycle.cycleId;
    await redeemTwenty(database, cycleId);
    await childrenAppeal(database, cycle);
  }, 120_000);
  afterAll(async () => database?.close());

  it('records each member’s municipality and counts redeemed members where they live', async () => {
    const members = await database.db
      .selectFrom('program_cycle_member')
      .select(['municipality_code', (eb) => eb.fn.countAll<string>().as('members')])
      .where('cycle_id', '=', cycleId)
      .groupBy('municipality_code')
      .orderBy('municipality_code')
      .execute();
    expect(members.map((row) => [row.municipality_code, Number(row.members)])).toEqual([
      ['VE-B-01', 26],
      ['VE-B-02', 3],
      ['VE-B-03', 12],
    ]);
    const groups = await coverageByProgramCycle(database.db, {
      firstRedemptions: firstRedemptionsRelation(),
    });
    const of = (municipality: string) =>
      groups.find((group) => group.municipalityCode === municipality);
    expect(of('VE-B-01')).toMatchObject({
      stateCode: 'VE-B',
      enrolled: 38,
      eligible: 26,
      entitled: 26,
      redeemed: 20,
      redeemedWithoutCard: 2,
      appealsFiled: 12,
      appealsUpheld: 4,
    });
    expect(of('VE-B-02')).toMatchObject({ enrolled: 3, eligible: 3, entitled: 3, redeemed: 0 });
    // What the run considered, recorded by its chunk in the members' statement: everyone active.
    const considered = await database.db
      .selectFrom('program_cycle_area_count')
      .select((eb) => eb.fn.sum<string>('persons').as('persons'))
      .where('cycle_id', '=', cycleId)
      .executeTakeFirstOrThrow();
    expect(Number(considered.persons)).toBe(53);
    // Without the relation nothing is redeemed, and the rest is the same.
    const alone = await coverageByProgramCycle(database.db);
    expect(alone.find((group) => group.municipalityCode === 'VE-B-01')).toMatchObject({
      eligible: 26,
      redeemed: 0,
    });
  });

  it('publishes the measures by municipality as one protected cube, and people by parish', async () => {
    await statisticsRefresher({ db: database.db, models: aggregateReadModels() });
    const answer = await readTable(database.db, findTable('coverage_by_program_cycle_area', true), [
      'region.municipality',
      'program.cycle',
      'measure',
    ]);
    const value = (place: string, measure: string) =>
      answer.cells.find(
        (cell) =>
          cell.key[0] === place && cell.key[1]?.startsWith('bono/') && cell.key[2] === measure,
      )?.value;
    expectNoisyCount(value('VE-B', 'enrolled'), 53);
    expectNoisyCount(value('VE-B-01', 'not_eligible'), 12);
    expectNoisyCount(value('VE-B', 'eligible'), 41);
    expectNoisyCount(value('VE-B-01', 'redeemed'), 20);
    expect(value('VE-B-02', 'eligible')).toBeNull(); // 3
    expect(value('VE-B-01', 'redeemed_without_card')).toBeNull(); // 2
    expect(value('VE-B-01', 'not_redeemed')).toBeNull(); // 6
    // 18 with the card would give the 2 away (20 − 18): withheld too.
    expect(value('VE-B-01', 'redeemed_with_card')).toBeNull();
    for (const cell of answer.cells) {
      expect(cell.value === null || cell.value === 0 || cell.value >= 10).toBe(true);
      expect(cell.key[2]).not.toMatch(/^appeals_/);
    }
    // The appeals: not open data, read from the same protected cube.
    expect(() => findTable('appeals_by_program_cycle_area', true)).toThrow();
    const appeals = await readTable(
      database.db,
      findTable('appeals_by_program_cycle_area', false),
      [],
    );
    const appealed = (place: string, measure: string) =>
      appeals.cells.find(
        (cell) =>
          cell.key[0] === place && cell.key[1]?.startsWith('bono/') && cell.key[2] === measure,
      )?.value;
    expect(new Set(appeals.cells.map((cell) => cell.key[2]))).toEqual(
      new Set(['appeals_filed', 'appeals_upheld', 'appeals_not_upheld']),
    );
    expect(appealed('VE-B-01', 'appeals_upheld')).toBeNull(); // 4
    expect(appealed('VE-B-01', 'appeals_not_upheld')).toBeNull(); // 8
    // 12 filed would bound both parts tighter than their protection (4 + 10 upheld leaves no
    // room below 12): withheld too, with what would give it away.
    expect(appealed('VE-B-01', 'appeals_filed')).toBeNull();
    for (const cell of appeals.cells) {
      expect(cell.value === null || cell.value === 0 || cell.value >= 10).toBe(true);
    }
    const parishes = await readTable(database.db, findTable('people_by_age_sex_region', true), [
      'region.parish',
    ]);
    const parish = (code: string) => parishes.cells.find((cell) => cell.key[0] === code)?.value;
    expectNoisyCount(parish('VE-B-01-01'), 26);
    expectNoisyCount(parish('VE-B-01-02'), 12);
    expect(parish('VE-B-02-01')).toBeNull(); // 3
    expect(parish('VE-B-02')).toBeNull(); // the same 3
  });

  it('publishes the redemption rate from the published coverage, in the members’ geography', async () => {
    const coverage = await readTable(
      database.db,
      findTable('coverage_by_program_cycle_area', true),
      ['region.state', 'program.cycle', 'measure'],
    );
    const published = (place: string, cycle: string, measure: string) => {
      const found = coverage.cells.find(
        (cell) => cell.key[0] === place && cell.key[1] === cycle && cell.key[2] === measure,
      );
      expect(found).toBeDefined();
      return found?.value ?? null;
    };
    const rates = await readTable(
      database.db,
      findTable('redemption_rate_by_program_cycle_state', true),
      [],
    );
    expect(rates.unit).toBe('percent');
    expect(rates.by).toEqual(['region.state', 'program.cycle']);
    const cycle = coverage.cells.find((cell) => cell.key[1]?.startsWith('bono/'))?.key[1] ?? '';
    const rateOf = (place: string) =>
      rates.cells.find((cell) => cell.key[0] === place && cell.key[1] === cycle)?.value;
    // 20 of Anzoátegui's 41 entitled redeemed, both published (noisy): about 49 %.
    const state = rateOf('VE-B');
    expect(state).toBe(
      publishedRate(published('VE-B', cycle, 'redeemed'), published('VE-B', cycle, 'entitled')),
    );
    expect(state).toBeGreaterThan(25);
    expect(state).toBeLessThan(80);
    expect(rateOf('VE')).toBe(
      publishedRate(published('VE', cycle, 'redeemed'), published('VE', cycle, 'entitled')),
    );
    // Every rate is its two published figures' quotient, withheld with either.
    for (const rate of rates.cells) {
      const [place = '', program = ''] = rate.key;
      expect(rate.depths[0]).toBeLessThanOrEqual(1);
      expect(rate.value).toBe(
        publishedRate(published(place, program, 'redeemed'), published(place, program, 'entitled')),
      );
    }
    // Below a state there is no rate: a municipality is finer than published.
    await expect(
      readTable(database.db, findTable('redemption_rate_by_program_cycle_state', true), [
        'region.municipality',
      ]),
    ).rejects.toMatchObject({ code: 'AMP_STATISTICS_UNKNOWN_DIMENSION' });
  });
});

/**
 * Twenty first redemptions of VE-B-01's entitlements, two assisted, written as the database
 * owner (the distribution routes are tested in their module; here only the counts matter).
 */
async function redeemTwenty(database: TestDatabase, cycleId: string): Promise<void> {
  await database.asAdmin((admin) =>
    admin.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      const pointId = randomUUID();
      await sql`insert into distribution_point (id, code, name, kind, region_code)
        values (${pointId}, 'stats-b', 'Punto B', 'kiosk', 'VE-B')`.execute(trx);
      const chosen = await sql<{ id: string; person_id: string; program_id: string }>`
        select e.id, e.person_id, e.program_id from entitlement e
          join program_cycle_member m on m.cycle_id = e.cycle_id and m.person_id = e.person_id
         where e.cycle_id = ${cycleId} and m.municipality_code = 'VE-B-01'
         order by e.id limit 20`.execute(trx);
      for (const [i, row] of chosen.rows.entries()) {
        const assisted = i < 2;
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
