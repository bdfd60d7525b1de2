import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { eligibilityFactsRelation } from '../../registry/index.js';
import { eligiblePersonIds } from '../eligibility/eligibility-query.js';
import { insertRandomPopulation } from '../programs-test-kit.js';
import { checkRule } from './rule-checker.js';
import { evaluateFormula, evaluateRule } from './rule-evaluator.js';
import { compileFormula, compileRule } from './rule-sql.js';
import { boundedIntExpr, ruleSource } from './rule-test-kit.js';

/**
 * One rule, two evaluators that agree (issue #13, point 3): for random well-typed rules over a
 * random population (unknown facts included), the persons the compiled SQL selects are exactly
 * those for whom CEL in memory yields true; a formula's SQL value is CEL's, NULL where CEL
 * fails. On PGlite always, and on PostgreSQL whenever it runs.
 */
const dialects: Array<'pglite' | 'postgres'> =
  inject('testDatabase').kind === 'postgres' ? ['pglite', 'postgres'] : ['pglite'];
const referenceDate = '2026-12-01';

describe.each(dialects)('batch (SQL) and per-person (CEL) evaluation agree on %s', (kind) => {
  let database: TestDatabase;
  let facts: Array<Record<string, unknown>>;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await database.asAdmin((admin) => insertRandomPopulation(admin, { persons: 90, seed: 13 }));
    const relation = eligibilityFactsRelation({ referenceDate });
    facts = (
      await sql<Record<string, unknown>>`select * from ${relation} as f`.execute(database.db)
    ).rows;
  });
  afterAll(async () => database?.close());

  it('the population has unknown facts, households and persons without one', () => {
    expect(facts.length).toBeGreaterThan(60);
    for (const name of ['sex', 'age', 'income_band', 'household_size', 'civil_status']) {
      expect(
        facts.some((row) => row[name] === null),
        name,
      ).toBe(true);
      expect(
        facts.some((row) => row[name] !== null),
        name,
      ).toBe(true);
    }
    expect(typeof facts.find((row) => row.age !== null)?.age).toBe('bigint');
  });

  it('selects exactly the persons CEL finds eligible, for random rules', async () => {
    let eligibleSomewhere = 0;
    await fc.assert(
      fc.asyncProperty(ruleSource, async (source) => {
        const rule = checkRule(source, 'bool', '/eligibilityRule');
        const batch = await eligiblePersonIds(database.db, { rule, referenceDate, regions: [] });
        const single = facts
          .filter((row) => evaluateRule(rule, row) === 'true')
          .map((row) => String(row.person_id))
          .sort();
        if (single.length > 0 && single.length < facts.length) eligibleSomewhere += 1;
        expect(batch, source).toEqual(single);
      }),
      { numRuns: 150, seed: 20261204 },
    );
    // The generator must produce rules that split the population, not only all or none.
    expect(eligibleSomewhere).toBeGreaterThan(30);
  });

  it('computes the same formula values, NULL where CEL fails', async () => {
    await fc.assert(
      fc.asyncProperty(boundedIntExpr, async (source) => {
        const formula = checkRule(source, 'int', '/benefit/formula');
        const relation = eligibilityFactsRelation({ referenceDate });
        const rows = (
          await sql<{ person_id: string; amount: bigint | null }>`select f.person_id,
            ${compileFormula(formula, 'f')} as amount from ${relation} as f`.execute(database.db)
        ).rows;
        const inSql = new Map(rows.map((row) => [row.person_id, row.amount]));
        for (const row of facts) {
          const inMemory = evaluateFormula(formula, row) ?? null;
          expect(inSql.get(String(row.person_id)), source).toBe(inMemory);
        }
      }),
      { numRuns: 80, seed: 4 },
    );
  });

  it('narrows to the program’s regions', async () => {
    const rule = checkRule('true', 'bool', '/eligibilityRule');
    const inA = await eligiblePersonIds(database.db, { rule, referenceDate, regions: ['VE-A'] });
    const expected = facts
      .filter((row) => row.region_code === 'VE-A')
      .map((row) => String(row.person_id))
      .sort();
    expect(inA).toEqual(expected);
    expect(inA.length).toBeGreaterThan(0);
  });

  it('compiles representative rules to the pinned SQL, values as parameters', () => {
    const compiled = (source: string) => {
      const query = compileRule(checkRule(source, 'bool', '/r'), 'f').compile(database.db);
      return { sql: query.sql, parameters: query.parameters };
    };
    expect(compiled('income_band <= 2 && head_of_household')).toEqual({
      sql: '(("f"."income_band" <= $1::int8) and "f"."head_of_household")',
      parameters: ['2'],
    });
    expect(compiled('(sex == "F" && age >= 55) || (sex == "M" && age >= 60)')).toEqual({
      sql: '((("f"."sex" collate "C" = $1::text) and ("f"."age" >= $2::int8)) or (("f"."sex" collate "C" = $3::text) and ("f"."age" >= $4::int8)))',
      parameters: ['F', '55', 'M', '60'],
    });
    expect(compiled('state_code in ["VE-A", "VE-Z"] && !(members_under_18 / 0 > 1)')).toEqual({
      sql: '(("f"."state_code" in ($1::text, $2::text)) and (not (("f"."members_under_18" / nullif($3::int8, 0)) > $4::int8)))',
      parameters: ['VE-A', 'VE-Z', '0', '1'],
    });
    expect(compiled('sex == "\'; drop table person; --"').parameters).toEqual([
      "'; drop table person; --",
    ]);
  });
});
