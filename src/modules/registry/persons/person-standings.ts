import { type RawBuilder, sql } from 'kysely';

/** Where a record stands: only an `active` person can receive anything new. */
export type PersonStatus = 'active' | 'deceased' | 'merged' | 'erased';

/**
 * The person records that are no longer active (died, merged into another, erased), one row
 * each, `person_id` and `status`, as a relation to join in a module's own statement: the
 * programs module grants entitlements only to members absent from it, and counts the others by
 * reason. Nothing else about the person leaves the registry. They are few, and read through a
 * partial index (migration 0092); given an id range, only that range is read, so a job working
 * chunk by chunk reads one chunk's inactive records.
 *
 * @example
 *   sql`select m.person_id from program_cycle_member m
 *         left join ${inactivePersonsRelation({ personIdRange })} s on s.person_id = m.person_id
 *        where s.person_id is null`;
 */
export function inactivePersonsRelation(
  options: { personIdRange?: { from: string; to: string | undefined } } = {},
): RawBuilder<{ person_id: string; status: Exclude<PersonStatus, 'active'> }> {
  const range = options.personIdRange;
  const from = range === undefined ? sql`` : sql`and sp.id >= ${range.from}::uuid`;
  const to = range?.to === undefined ? sql`` : sql`and sp.id < ${range.to}::uuid`;
  return sql<{
    person_id: string;
    status: Exclude<PersonStatus, 'active'>;
  }>`(select sp.id as person_id, sp.status
      from person sp where sp.status <> 'active' ${from} ${to})`;
}
