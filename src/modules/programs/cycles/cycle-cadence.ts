import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { ProgramsError } from '../programs-error.js';
import type { Cadence } from '../tables.js';

/**
 * What a program's cadence allows (issue #13, point 1; docs/APPEALS.md, "Cycles and
 * cadence"): a `once` program has one cycle ever; a `monthly` one, one per calendar month of
 * the reference date; a `quarterly` one, one per calendar quarter (January–March, …); an
 * `on_demand` one, any number (one per reference date, as for every program). A cycle closed
 * before its approval was complete (abandoned) does not count: it granted nothing.
 *
 * @example
 *   cadencePeriod('quarterly', '2026-11-15'); // { from: '2026-10-01', to: '2027-01-01', label: '2026-Q4' }
 */
export function cadencePeriod(
  cadence: Cadence,
  referenceDate: string,
): { from: string; to: string; label: string } | 'ever' | 'none' {
  if (cadence === 'on_demand') return 'none';
  if (cadence === 'once') return 'ever';
  const year = Number(referenceDate.slice(0, 4));
  const month = Number(referenceDate.slice(5, 7));
  const months = cadence === 'monthly' ? 1 : 3;
  const first = Math.floor((month - 1) / months) * months + 1;
  const day = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}-01`;
  const next = first + months;
  const to = next > 12 ? day(year + 1, next - 12) : day(year, next);
  const label =
    cadence === 'monthly'
      ? referenceDate.slice(0, 7)
      : `${year}-Q${Math.floor((first - 1) / 3) + 1}`;
  return { from: day(year, first), to, label };
}

/**
 * Refuses (`AMP_CYCLE_CADENCE`, naming the cycle that holds the period) a new cycle the
 * program's cadence does not allow. Locks the program's row first (no key update: references
 * to it are not blocked), so two cycles opened at once for one period take turns and the
 * second sees the first; the lock lasts until the opening transaction ends.
 */
export async function refuseOffCadence(
  trx: Transaction<Database>,
  props: { programId: string; cadence: Cadence; referenceDate: string },
): Promise<void> {
  const period = cadencePeriod(props.cadence, props.referenceDate);
  if (period === 'none') return;
  await trx
    .selectFrom('program')
    .select('id')
    .where('id', '=', props.programId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  const within =
    period === 'ever'
      ? sql``
      : sql`and c.reference_date >= ${period.from}::date and c.reference_date < ${period.to}::date`;
  const held = await sql<{ reference_date: string }>`select c.reference_date::text as reference_date
      from program_cycle c
     where c.program_id = ${props.programId} ${within}
       and (c.status <> 'closed'
            or (select count(*) from program_cycle_approval a
                 where a.cycle_id = c.id and a.round = c.round) >= c.approvals_required)
     order by c.reference_date limit 1`.execute(trx);
  const other = held.rows[0];
  if (other === undefined) return;
  throw new ProgramsError(
    'AMP_CYCLE_CADENCE',
    period === 'ever'
      ? `The program is paid once and already has its cycle (reference date ${other.reference_date})`
      : `The program is ${props.cadence} and already has a cycle for ${period.label} (reference date ${other.reference_date})`,
  );
}
