import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

/**
 * Cards staff issued to some persons between two instants, with who issued each: what the
 * payments module's alert on one account issuing a card and resetting the same person's PIN
 * reads (docs/PAYMENTS-PIN.md). Batch issuance (no operator) is left out.
 *
 * @example
 *   await cardsIssued(db, { since, until, personIds: [personId] });
 *   // [{ personId, issuedBy: operatorId, issuedAt }]
 */
export async function cardsIssued(
  db: Kysely<Database>,
  props: { since: Date; until: Date; personIds: readonly string[] },
): Promise<{ personId: string; issuedBy: string; issuedAt: Date }[]> {
  if (props.personIds.length === 0) return [];
  const rows = await db
    .selectFrom('credential')
    .select(['person_id', 'issued_by', 'issued_at'])
    .where('issued_by', 'is not', null)
    .where('person_id', 'in', props.personIds)
    .where('issued_at', '>=', props.since)
    .where('issued_at', '<=', props.until)
    .execute();
  return rows.map((row) => ({
    personId: row.person_id,
    // Safe: filtered on issued_by above.
    issuedBy: row.issued_by as string,
    issuedAt: row.issued_at,
  }));
}
