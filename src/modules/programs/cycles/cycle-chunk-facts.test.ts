import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { eligibilityFactsRelation, householdCountsRelation } from '../../registry/index.js';
import { insertRandomPopulation } from '../programs-test-kit.js';
import { chunkRange } from './cycle-chunks.js';

/**
 * A cycle computes its set chunk by chunk of the person-id space (cycle-run.ts); the facts a
 * chunk reads must be the facts the whole relation gives those persons, household counts
 * included (their households' other members may lie in other chunks), whichever facts the
 * rule reads (the relation computes only those).
 */
describe('facts read by chunks are the whole relation’s facts', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.asAdmin((admin) => insertRandomPopulation(admin, { persons: 150, seed: 41 }));
  });
  afterAll(async () => database?.close());

  const readFacts = async (
    only: readonly string[],
    range?: { from: string; to: string | undefined },
    countsOnce = false,
  ) => {
    const referenceDate = '2026-12-01';
    const relation = eligibilityFactsRelation({
      referenceDate,
      only,
      ...(range === undefined ? {} : { personIdRange: range }),
      // As a cycle's chunks read them: every household's counts computed once, then joined.
      ...(countsOnce ? { householdCounts: householdCountsRelation({ referenceDate }) } : {}),
    });
    const result = await sql<Record<string, unknown>>`select * from ${relation} as f
      order by f.person_id`.execute(database.db);
    return result.rows;
  };

  it.each([
    [
      'household counts',
      ['household_size', 'members_under_5', 'members_under_18', 'members_over_65', 'age'],
    ],
    ['household, no counts', ['income_band', 'head_of_household', 'sex']],
    ['person only', ['age', 'sex']],
  ])('%s', async (_, only) => {
    const whole = await readFacts(only);
    const chunks = 7;
    const pieces = [];
    const piecesWithCounts = [];
    for (let index = 0; index < chunks; index += 1) {
      pieces.push(...(await readFacts(only, chunkRange(index, chunks))));
      piecesWithCounts.push(...(await readFacts(only, chunkRange(index, chunks), true)));
    }
    expect(whole.length).toBeGreaterThan(100);
    // Households with several members exist, so the counts are really tested across chunks.
    if (only.includes('household_size')) {
      expect(whole.some((row) => Number(row.household_size) > 2)).toBe(true);
    }
    expect(pieces).toEqual(whole);
    expect(piecesWithCounts).toEqual(whole);
  });
});
