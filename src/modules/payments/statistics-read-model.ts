import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { PaymentGroup } from '../../shared/statistics/aggregate-groups.js';

export type { PaymentGroup };

/**
 * The payments module's aggregate read model for statistics (issue #17, point 2): per cycle's
 * disbursement, the persons credited and the amount, from this module's own disbursement
 * totals, and the two largest single credits (the p % dominance rule, point 3), the two
 * largest of its chunks' (each chunk's two are kept when it is counted: `payment_chunk_largest_credits`, migration 0045).
 * When a chunk that credited someone was counted before those were kept, the disbursement's
 * two largest are unknown and `largestMinor` is absent. No person id, wallet or transfer
 * leaves the query.
 *
 * @example
 *   const groups = await paymentsByProgramMonth(db);
 *   groups[0]; // { programId, cycleId, currency: 'VES', month: '2026-11', payees: 1200, amountMinor: 156000000n, largestMinor: [250000n, 250000n] }
 */
export async function paymentsByProgramMonth(db: Kysely<Database>): Promise<PaymentGroup[]> {
  const result = await sql<{
    id: string;
    program_id: string;
    cycle_id: string;
    currency: 'VES' | 'USD';
    month: string;
    payees: string | number;
    amount_minor: string | number | bigint;
  }>`
    select id, program_id, cycle_id, currency,
           to_char(started_at at time zone 'UTC', 'YYYY-MM') as month,
           credited_count as payees, credited_minor as amount_minor
      from payment_disbursement
     where credited_count > 0`.execute(db);
  const chunks = await sql<{
    disbursement_id: string;
    largest: string | number | bigint | null;
    second: string | number | bigint | null;
  }>`
    select c.disbursement_id, l.largest_minor as largest, l.second_minor as second
      from payment_disbursement_chunk c
      join payment_disbursement d on d.id = c.disbursement_id
      left join payment_chunk_largest_credits l
        on l.disbursement_id = c.disbursement_id and l.chunk = c.chunk
     where d.credited_count > 0 and c.status = 'done' and c.credited_count > 0`.execute(db);
  const largest = new Map<string, bigint[] | null>();
  for (const chunk of chunks.rows) {
    const known = largest.get(chunk.disbursement_id);
    if (known === null) continue;
    if (chunk.largest === null || chunk.second === null) {
      largest.set(chunk.disbursement_id, null);
      continue;
    }
    const two = [...(known ?? []), BigInt(chunk.largest), BigInt(chunk.second)]
      .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
      .slice(0, 2);
    largest.set(chunk.disbursement_id, two);
  }
  return result.rows.map((row) => {
    const two = largest.get(row.id);
    return {
      programId: row.program_id,
      cycleId: row.cycle_id,
      currency: row.currency,
      month: row.month,
      payees: Number(row.payees),
      amountMinor: BigInt(row.amount_minor),
      ...(two == null ? {} : { largestMinor: two }),
    };
  });
}
