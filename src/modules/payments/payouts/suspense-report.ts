import { sql } from 'kysely';
import { limits } from '../../../limits.js';
import { csvRow } from '../../../platform/csv.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { decimal } from './iso20022/minor-units.js';
import { guardPayoutList } from './payout-gate.js';

const header = [
  'recorded_at',
  'kind',
  'currency',
  'amount',
  'end_to_end_id',
  'bank_reference',
  'reason',
  'booking_date',
  'file_format',
  'file_message_id',
  'location',
  'transfer_id',
  'reversed_by_transfer_id',
];

/**
 * The suspense report (issue #16, point 4) as CSV for a spreadsheet: every payment the bank
 * returned and every statement movement that matched no payout, newest first, with where it
 * was reported and the ledger transfer that moved it. No creditor's name or account: the
 * end-to-end id leads to the payout for those allowed to see it. A return a second finance
 * officer rejected (the bank did not give the payment back) names the transfer that moved its
 * money back out of suspense (`reversed_by_transfer_id`; its row is never edited). Every cell goes through the
 * platform's `csvRow` (formulas neutralised), with a UTF-8 byte-order mark.
 *
 * @example
 *   reply.type('text/csv; charset=utf-8').send(await suspenseReport(deps, context));
 */
export async function suspenseReport(
  deps: PaymentsDependencies,
  context: PaymentsContext,
): Promise<string> {
  const { grant } = await guardPayoutList(deps, context, 'bank_file');
  const rows = await deps.db
    .selectFrom('payout_suspense as s')
    .innerJoin('payout_bank_file as f', 'f.id', 's.bank_file_id')
    .leftJoin('payout_return_rejection as r', 'r.suspense_id', 's.id')
    .select([
      's.id',
      's.created_at',
      's.kind',
      's.currency',
      's.amount_minor',
      's.end_to_end_id',
      's.bank_reference',
      's.reason',
      sql<string | null>`to_char(s.booking_date, 'YYYY-MM-DD')`.as('booking_day'),
      's.location',
      'f.format',
      'f.message_id',
      'r.reversal_transfer_id',
    ])
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id')
    .limit(limits.payouts.suspenseReportRowsMax)
    .execute();
  await grant.record([]);
  const lines = rows.map((row) =>
    csvRow([
      row.created_at.toISOString(),
      row.kind,
      row.currency,
      decimal(BigInt(row.amount_minor)),
      row.end_to_end_id,
      row.bank_reference,
      row.reason,
      row.booking_day,
      row.format,
      row.message_id,
      row.location,
      row.id,
      row.reversal_transfer_id,
    ]),
  );
  return `\uFEFF${csvRow(header)}${lines.join('')}`;
}
