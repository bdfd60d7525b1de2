import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';

/*
 * All SQL of households and their memberships. A membership is closed (valid_to set), never
 * deleted, so a household's history stays readable; "current" means valid_to is null.
 */

type Trx = Transaction<Database>;

export async function findHousehold(
  db: Kysely<Database> | Trx,
  householdId: string,
): Promise<{ id: string; regionCode: string } | undefined> {
  const row = await db
    .selectFrom('household')
    .select(['id', 'region_code'])
    .where('id', '=', householdId)
    .executeTakeFirst();
  return row ? { id: row.id, regionCode: row.region_code } : undefined;
}

export async function insertHousehold(
  trx: Trx,
  householdId: string,
  regionCode: string,
): Promise<void> {
  await trx.insertInto('household').values({ id: householdId, region_code: regionCode }).execute();
}

/**
 * Current members of a household with their relationship, in person id order: for the
 * household view, and for a join, which holds the household's join lock while it counts them
 * and looks for a head (household-membership.ts).
 */
export async function currentMembers(
  db: Kysely<Database> | Trx,
  householdId: string,
): Promise<Array<{ personId: string; relationship: string }>> {
  const rows = await db
    .selectFrom('household_membership')
    .select(['person_id', 'relationship'])
    .where('household_id', '=', householdId)
    .where('valid_to', 'is', null)
    .orderBy('person_id')
    .execute();
  return rows.map((row) => ({ personId: row.person_id, relationship: row.relationship }));
}

export async function closeMembership(trx: Trx, personId: string): Promise<void> {
  await trx
    .updateTable('household_membership')
    // The database clock, like valid_from's default, so valid_to >= valid_from always holds.
    .set({ valid_to: sql<Date>`now()` })
    .where('person_id', '=', personId)
    .where('valid_to', 'is', null)
    .execute();
}

export async function openMembership(
  trx: Trx,
  props: { householdId: string; personId: string; relationship: string; recordedBy: string | null },
): Promise<void> {
  await trx
    .insertInto('household_membership')
    .values({
      household_id: props.householdId,
      person_id: props.personId,
      relationship: props.relationship,
      recorded_by: props.recordedBy,
    })
    .execute();
}

export async function currentHousehold(
  db: Kysely<Database>,
  personId: string,
): Promise<{ householdId: string; relationship: string } | undefined> {
  const row = await db
    .selectFrom('household_membership')
    .select(['household_id', 'relationship'])
    .where('person_id', '=', personId)
    .where('valid_to', 'is', null)
    .executeTakeFirst();
  return row ? { householdId: row.household_id, relationship: row.relationship } : undefined;
}
