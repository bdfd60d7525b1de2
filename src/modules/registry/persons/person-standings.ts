import { type RawBuilder, sql } from 'kysely';

/** Where a record stands: only an `active` person can receive anything new. */
export type PersonStatus = 'active' | 'deceased' | 'merged' | 'erased';

/**
 * Every person record's standing, one row each, `person_id` and `status` (one of
 * `PersonStatus`), as a relation to join in a module's own statement (the programs module
 * grants entitlements only to members still active, and counts the others by reason). Nothing
 * else about the person leaves the registry. Given an id range, only that range is read, so a
 * job working chunk by chunk reads one chunk of records through the primary key instead of all.
 *
 * @example
 *   sql`select m.person_id from program_cycle_member m
 *         join ${personStandingsRelation({ personIdRange })} s on s.person_id = m.person_id
 *        where s.status = 'active'`;
 */
export function personStandingsRelation(
  options: { personIdRange?: { from: string; to: string | undefined } } = {},
): RawBuilder<{ person_id: string; status: PersonStatus }> {
  const range = options.personIdRange;
  const from = range === undefined ? sql`` : sql`where sp.id >= ${range.from}::uuid`;
  const to = range?.to === undefined ? sql`` : sql`and sp.id < ${range.to}::uuid`;
  return sql<{ person_id: string; status: PersonStatus }>`(select sp.id as person_id, sp.status
      from person sp ${from} ${to})`;
}
