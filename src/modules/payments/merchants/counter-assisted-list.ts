import type { Kysely } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import type { CounterAssistedListAnswer } from '../../../shared/api/merchants.js';

type Try = CounterAssistedListAnswer['tries'][number];

/**
 * A merchant's tries at paying without the card on a local day, for the supervisor (finance
 * officer) and the auditor: who of the staff, why, which check, when, how it ended, wrong codes,
 * the price. Never the person, and a refused try is one outcome whatever the reason.
 *
 * @example
 *   const { tries } = await counterAssistedLister(db, { merchantId, day: '2026-12-05', triesMax: 20 });
 */
export async function counterAssistedLister(
  db: Kysely<Database>,
  props: { merchantId: string; day: string; triesMax: number },
): Promise<CounterAssistedListAnswer> {
  const rows = await db
    .selectFrom('counter_assisted_payment as c')
    .innerJoin('payment_request as r', 'r.id', 'c.request_id')
    .select([
      'c.id',
      'c.operator_id',
      'c.reason',
      'c.method',
      'c.started_at',
      'c.refused_at',
      'c.verified_at',
      'c.failed_at',
      'c.paid_at',
      'c.code_attempts',
      'r.amount_minor',
      'r.currency',
    ])
    .where('c.merchant_id', '=', props.merchantId)
    .where('c.started_day', '=', props.day)
    .orderBy('c.started_at')
    .orderBy('c.id')
    .limit(limits.merchants.counterAssistedListMax)
    .execute();
  return {
    day: props.day,
    triesMax: props.triesMax,
    tries: rows.map(
      (row): Try => ({
        assistedId: row.id,
        operatorId: row.operator_id,
        reason: row.reason,
        method: row.method,
        startedAt: row.started_at.toISOString(),
        outcome: outcomeOf(row),
        codeAttempts: row.code_attempts,
        amountMinor: row.amount_minor.toString(),
        currency: row.currency,
      }),
    ),
  };
}

function outcomeOf(row: {
  refused_at: Date | null;
  failed_at: Date | null;
  verified_at: Date | null;
  paid_at: Date | null;
}): Try['outcome'] {
  if (row.refused_at !== null) return 'refused';
  if (row.paid_at !== null) return 'paid';
  if (row.failed_at !== null) return 'failed';
  if (row.verified_at !== null) return 'verified';
  return 'started';
}
