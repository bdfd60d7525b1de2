import { sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import {
  type AccountKind,
  type LedgerCurrency,
  type TransferResult,
  transferFlags,
} from './ledger-codes.js';
import type { LedgerSnapshot } from './ledger-state.js';
import { ledgerLimits } from './limits.js';
import { resolvesPending, type TransferInput } from './transfer-validation.js';

/** A daily debit limit per account kind and currency, in minor units; absent: no limit. */
export type DailyDebitLimits = Partial<
  Record<AccountKind, Partial<Record<LedgerCurrency, bigint>>>
>;

/** The limits in force (`limits.ledger.dailyDebitMaxMinor`). */
export const defaultDailyDebitLimits: DailyDebitLimits = ledgerLimits.dailyDebitMaxMinor;

/**
 * Where the limits' day began for `now`: midnight of the civil day at
 * `limits.ledger.dailyLimitUtcOffsetMinutes` (Venezuela, UTC−4).
 *
 * @example
 *   limitDayStart(new Date('2026-12-05T02:00:00Z')); // 2026-12-04T04:00:00Z
 */
export function limitDayStart(now: Date): Date {
  const offsetMs = ledgerLimits.dailyLimitUtcOffsetMinutes * 60_000;
  const local = now.getTime() + offsetMs;
  return new Date(local - (((local % 86_400_000) + 86_400_000) % 86_400_000) - offsetMs);
}

/**
 * Marks each transfer of the batch that would take its debit account past its daily limit
 * `exceeds_daily_debit_limit` (issue #16, point 7: per-wallet daily limits). Runs in the
 * batch's transaction after the accounts are locked, so concurrent batches debiting one wallet
 * see each other's debits and cannot pass the limit together. Counted: every applied transfer
 * debiting the account since the day began, single-phase or pending (a reservation counts when
 * it is made, then what was posted of it; a voided or expired one counts nothing), then the
 * batch's own in order. A transfer
 * whose id was already written keeps its first answer and is not counted again. The refusal is
 * a validation: it is not written, so the same id may be sent again another day; in a linked
 * chain it fails the whole chain, so nothing of a refused payment is posted.
 */
export async function withinDailyDebitLimits(
  trx: Transaction<Database>,
  snapshot: LedgerSnapshot,
  transfers: readonly TransferInput[],
  validations: readonly (TransferResult | null)[],
  props: { now: Date; limits: DailyDebitLimits },
): Promise<readonly (TransferResult | null)[]> {
  const limitOf = (accountId: string): bigint | undefined => {
    const account = snapshot.accounts.get(accountId);
    return account === undefined ? undefined : props.limits[account.kind]?.[account.currency];
  };
  const candidates = transfers
    .map((transfer, index) => ({ transfer, index }))
    .filter(
      ({ transfer, index }) =>
        validations[index] === null &&
        !resolvesPending(transfer.flags) &&
        !snapshot.transfers.has(transfer.id) &&
        limitOf(transfer.debitAccountId) !== undefined,
    );
  if (candidates.length === 0) return validations;
  const spent = await debitedSince(
    trx,
    [...new Set(candidates.map(({ transfer }) => transfer.debitAccountId))],
    limitDayStart(props.now),
  );
  const limited = [...validations];
  for (const { transfer, index } of candidates) {
    const limit = limitOf(transfer.debitAccountId) ?? 0n;
    const total = (spent.get(transfer.debitAccountId) ?? 0n) + transfer.amountMinor;
    if (total > limit) {
      limited[index] = 'exceeds_daily_debit_limit';
      continue;
    }
    spent.set(transfer.debitAccountId, total);
  }
  return limited;
}

/**
 * What each account paid out since `since`: applied transfers, resolutions left out; a
 * reservation counts its amount while pending, what was posted of it once posted, and nothing
 * once voided or expired (the money never left the wallet).
 */
async function debitedSince(
  trx: Transaction<Database>,
  accountIds: readonly string[],
  since: Date,
): Promise<Map<string, bigint>> {
  const resolution = transferFlags.postPendingTransfer | transferFlags.voidPendingTransfer;
  const { rows } = await sql<{ debit_account_id: string; amount: string }>`
    select t.debit_account_id,
           sum(case when r.id is null then t.amount
                    when r.flags & ${transferFlags.postPendingTransfer} <> 0 then r.amount
                    else 0 end) as amount
      from ledger_transfer t
      left join ledger_transfer r
        on (t.flags & ${transferFlags.pending}) <> 0 and r.pending_id = t.id and r.result = 'ok'
     where t.debit_account_id = any(${[...accountIds]}::uuid[])
       and t.result = 'ok'
       and t.created_at >= ${since}
       and (t.flags & ${resolution}) = 0
     group by t.debit_account_id`.execute(trx);
  return new Map(rows.map((row) => [row.debit_account_id, BigInt(row.amount)]));
}
