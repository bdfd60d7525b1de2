import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { PaymentGroup } from '../../shared/statistics/aggregate-groups.js';

export type { PaymentGroup };

/**
 * The payments module's aggregate read model for statistics (issue #17, point 2): per cycle's
 * disbursement, the persons credited and the amount, from this module's own disbursement
 * totals. No person id, wallet or transfer leaves the query. The two largest single credits
 * of a disbursement (what the p % dominance rule needs) are not kept by this module: the
 * statistics table applies the rule where a read model gives them.
 *
 * @example
 *   const groups = await paymentsByProgramMonth(db);
 *   groups[0]; // { programId, cycleId, currency: 'VES', month: '2026-11', payees: 1200, amountMinor: 156000000n }
 */
export async function paymentsByProgramMonth(db: Kysely<Database>): Promise<PaymentGroup[]> {
  const result = await sql<{
    program_id: string;
    cycle_id: string;
    currency: 'VES' | 'USD';
    month: string;
    payees: string | number;
    amount_minor: string | number | bigint;
  }>`
    select program_id, cycle_id, currency,
           to_char(started_at at time zone 'UTC', 'YYYY-MM') as month,
           credited_count as payees, credited_minor as amount_minor
      from payment_disbursement
     where credited_count > 0`.execute(db);
  return result.rows.map((row) => ({
    programId: row.program_id,
    cycleId: row.cycle_id,
    currency: row.currency,
    month: row.month,
    payees: Number(row.payees),
    amountMinor: BigInt(row.amount_minor),
  }));
}
