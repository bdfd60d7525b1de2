import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import type { Database } from '../../../platform/db/schema.js';
import {
  eligibilityFactsRelation,
  householdCountsRelation,
  readEligibilityFacts,
} from './eligibility-facts.js';

/**
 * Household facts are read at the reference date (migration 0093, docs/APPEALS.md "Facts at
 * the reference date"): the memberships in force at the end of that date, a person's first
 * membership standing for the time before it. The batch relation, a cycle's chunks (counts
 * computed once) and one person's facts all read the same memberships.
 *
 * H1 from 2026-01-10: Ana (head), Beto (born 2010), Caro (born 2023). H2 from 2026-01-10: Dora (head).
 * 2026-03-15 12:00 UTC Beto moves to H2. 2026-05-01 Ana leaves H1 and Caro becomes its head.
 * Eli (born 2024) is enrolled into H2 today: their first membership, read as always held.
 */
const people = ['Ana', 'Beto', 'Caro', 'Dora', 'Eli'] as const;
type Name = (typeof people)[number];
const born: Record<Name, string> = {
  Ana: '1970-02-03',
  Beto: '2010-05-06',
  Caro: '2023-06-01',
  Dora: '1955-07-08',
  Eli: '2024-01-01',
};

describe('household facts at the reference date', () => {
  let database: TestDatabase;
  const ids = {} as Record<Name, string>;
  const [h1, h2] = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.asAdmin(async (admin) => {
      let uin = 2_900_000_000;
      for (const name of people) {
        ids[name] = randomUUID();
        uin += 1;
        await sql`insert into person (id, uin, status, region_code)
          values (${ids[name]}, ${String(uin)}, 'active', 'VE-A')`.execute(admin);
        const attributes = { birth_date: born[name], state_code: 'VE-A', sex: 'F' };
        await sql`insert into person_version (person_id, version, attributes, reason)
          values (${ids[name]}, 1, ${JSON.stringify(attributes)}::jsonb, 'demo')`.execute(admin);
      }
      for (const household of [h1, h2]) {
        await sql`insert into household (id, region_code) values (${household}, 'VE-A')`.execute(
          admin,
        );
      }
      const join = (
        household: string,
        name: Name,
        relationship: string,
        from: string | null,
        to: string | null = null,
      ) => membership(admin, { household, person: ids[name], relationship, from, to });
      await join(h1, 'Ana', 'head', '2026-01-10T09:00Z', '2026-05-01T10:00Z');
      await join(h1, 'Beto', 'child', '2026-01-10T09:00Z', '2026-03-15T12:00Z');
      await join(h1, 'Caro', 'grandchild', '2026-01-10T09:00Z', '2026-05-01T10:00Z');
      await join(h2, 'Dora', 'head', '2026-01-10T09:00Z');
      await join(h2, 'Beto', 'other_relative', '2026-03-15T12:00Z');
      await join(h1, 'Caro', 'head', '2026-05-01T10:00Z');
      await join(h2, 'Eli', 'grandchild', null);
    });
  });
  afterAll(async () => database?.close());

  const facts = [
    'household_size',
    'members_under_5',
    'members_under_18',
    'head_of_household',
  ] as const;

  /** Each person's household facts by the three readers, which must agree. */
  async function read(referenceDate: string) {
    const select = async (relation: ReturnType<typeof eligibilityFactsRelation>) =>
      (await sql<Record<string, unknown>>`select * from ${relation} as f`.execute(database.db))
        .rows;
    const batch = await select(eligibilityFactsRelation({ referenceDate }));
    const chunked = await select(
      eligibilityFactsRelation({
        referenceDate,
        personIdRange: { from: '00000000-0000-0000-0000-000000000000', to: undefined },
        householdCounts: householdCountsRelation({ referenceDate }),
      }),
    );
    const byName = {} as Record<Name, Record<string, unknown>>;
    for (const name of people) {
      const pick = (row: Record<string, unknown> | undefined) =>
        Object.fromEntries(facts.map((fact) => [fact, row?.[fact] ?? null]));
      const one = pick(await readEligibilityFacts(database.db, ids[name], referenceDate));
      expect(pick(batch.find((row) => row.person_id === ids[name])), name).toEqual(one);
      expect(pick(chunked.find((row) => row.person_id === ids[name])), name).toEqual(one);
      byName[name] = one;
    }
    return byName;
  }

  const household = (size: number, under5: number, under18: number, head: boolean) => ({
    household_size: BigInt(size),
    members_under_5: BigInt(under5),
    members_under_18: BigInt(under18),
    head_of_household: head,
  });

  it('marks a person’s first membership when it is written, whatever the writer sends', async () => {
    const rows = await database.asAdmin((admin) =>
      sql<{ person_id: string; household_id: string; first_of_person: boolean }>`
        select person_id, household_id, first_of_person from household_membership
         where person_id = ${ids.Beto}`.execute(admin),
    );
    expect(
      Object.fromEntries(rows.rows.map((row) => [row.household_id, row.first_of_person])),
    ).toEqual({ [h1]: true, [h2]: false });
  });

  it('reads the memberships in force at the end of the reference date', async () => {
    // Before Beto's move: H1 has Ana, Beto and Caro; H2 has Dora and Eli (enrolled later).
    const february = await read('2026-02-01');
    expect(february.Ana).toEqual(household(3, 1, 2, true));
    expect(february.Beto).toEqual(household(3, 1, 2, false));
    expect(february.Dora).toEqual(household(2, 1, 1, true));
    expect(february.Eli).toEqual(household(2, 1, 1, false));
    // The day of the move counts as after it; the day before, as before.
    expect((await read('2026-03-14')).Beto).toEqual(household(3, 1, 2, false));
    const afterMove = await read('2026-03-15');
    expect(afterMove.Beto).toEqual(household(3, 1, 2, false));
    expect(afterMove.Ana).toEqual(household(2, 1, 1, true));
    // Ana has left: no household at all (unknown, never a household of one); Caro heads H1.
    const june = await read('2026-06-01');
    expect(june.Ana).toEqual({
      household_size: null,
      members_under_5: null,
      members_under_18: null,
      head_of_household: null,
    });
    expect(june.Caro).toEqual(household(1, 1, 1, true));
  });

  it('reads first memberships as held before they were recorded', async () => {
    // Before anyone's membership was recorded: each person's first household. Caro (born 2023)
    // is under 5 and her first membership is in H1; Beto's later one in H2 does not count.
    const before = await read('2025-06-01');
    expect(before.Ana).toEqual(household(3, 1, 2, true));
    expect(before.Beto).toEqual(household(3, 1, 2, false));
    expect(before.Caro).toEqual(household(3, 1, 2, false));
    expect(before.Dora).toEqual(household(2, 1, 1, true));
  });
});

async function membership(
  admin: Kysely<Database>,
  props: {
    household: string;
    person: string;
    relationship: string;
    /** Null: now, as enrolment records it. */
    from: string | null;
    to: string | null;
  },
): Promise<void> {
  const from = props.from === null ? sql`now()` : sql`${props.from}::timestamptz`;
  await sql`insert into household_membership (household_id, person_id, relationship, valid_from, valid_to)
    values (${props.household}, ${props.person}, ${props.relationship}, ${from}, ${props.to}::timestamptz)`.execute(
    admin,
  );
}
