import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { checkRule, evaluateRule } from '../programs/index.js';
import { insertRandomPopulation } from '../programs/programs-test-kit.js';
import { eligibilityFactsRelation } from '../registry/index.js';
import { demoPrograms, seedDemoPrograms } from './demo-programs.js';

/**
 * The three programs `npm start` seeds (issue #13, point 11): each published, its first cycle
 * computed by its rule, approved and published, and its entitlements exactly the persons the rule selects
 * (for the household food box, the heads of the households it selects).
 */
describe('the demo programs', () => {
  let database: TestDatabase;
  const referenceDate = '2026-12-01';
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.asAdmin((admin) => insertRandomPopulation(admin, { persons: 160, seed: 13 }));
  });
  afterAll(async () => database?.close());

  it('seeds a food box, an old-age pension and a mothers’ bonus, each with its rule’s entitlements', async () => {
    const db = database.db;
    const [askerId, approverId] = [crypto.randomUUID(), crypto.randomUUID()];
    // Publication tells the holders through this hook, inside its transaction (the server
    // gives it the collection notices).
    const told: string[] = [];
    const seeded = await seedDemoPrograms(db, {
      askerId,
      approverId,
      referenceDate,
      onPublished: async (_trx, cycle) => {
        told.push(cycle.id);
      },
    });
    expect(seeded).toMatchObject({ programs: 3, published: true });
    expect(new Set(told).size).toBe(3);
    expect(demoPrograms.map((program) => program.content.eligibilityRule)).toEqual([
      'income_band <= 2',
      '(sex == "F" && age >= 55) || (sex == "M" && age >= 60)',
      'sex == "F" && head_of_household && age >= 18 && members_under_18 >= 1',
    ]);
    const facts = await sql<Record<string, unknown>>`select * from ${eligibilityFactsRelation({
      referenceDate,
    })} as f`.execute(db);
    let total = 0;
    for (const { code, content } of demoPrograms) {
      const rule = checkRule(content.eligibilityRule, 'bool', '/eligibilityRule');
      const expected = facts.rows
        .filter((row) => content.unit === 'person' || row.head_of_household === true)
        .filter((row) => evaluateRule(rule, row) === 'true')
        .map((row) => String(row.person_id))
        .sort();
      expect({ code, some: expected.length > 0 }).toEqual({ code, some: true });
      const granted = await db
        .selectFrom('entitlement as e')
        .innerJoin('program as p', 'p.id', 'e.program_id')
        .innerJoin('program_cycle as c', 'c.id', 'e.cycle_id')
        .select(['e.person_id', 'e.basis', 'c.status', 'p.status as programStatus'])
        .where('p.code', '=', code)
        .execute();
      expect(granted.map((row) => row.person_id).sort()).toEqual(expected);
      expect(
        new Set(granted.map((row) => `${row.basis} ${row.status} ${row.programStatus}`)),
      ).toEqual(new Set(['rule published published']));
      total += expected.length;
    }
    expect(seeded.entitlements).toBe(BigInt(total));
  });
});
