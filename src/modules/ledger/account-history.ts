import assert from 'node:assert/strict';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { AccountKind, LedgerCurrency, ReferenceKind, TransferReason } from './ledger-codes.js';

/** One applied transfer as an account's history shows it. */
export interface AccountEntry {
  id: string;
  seq: bigint;
  debitAccountId: string;
  creditAccountId: string;
  amountMinor: bigint;
  flags: number;
  currency: LedgerCurrency;
  reason: TransferReason;
  referenceKind: ReferenceKind | null;
  referenceId: string | null;
  createdAt: Date;
}

/**
 * The applied transfers on an account (debited or credited), newest first, before `beforeSeq`
 * (keyset paging), at most `limit` (TigerBeetle `get_account_transfers`). Refused transfers are
 * not history: they moved nothing.
 *
 * @example
 *   const page = await accountTransfers(db, { accountId: wallet, limit: 50 });
 *   const next = await accountTransfers(db, { accountId: wallet, beforeSeq: page.at(-1)?.seq, limit: 50 });
 */
export async function accountTransfers(
  db: Kysely<Database>,
  props: { accountId: string; beforeSeq?: bigint | undefined; limit: number },
): Promise<AccountEntry[]> {
  assert.ok(props.limit > 0 && props.limit <= 100_000, 'page within its limit');
  const before = props.beforeSeq ?? 2n ** 63n - 1n;
  const select = (column: 'debit_account_id' | 'credit_account_id') =>
    db
      .selectFrom('ledger_transfer')
      .selectAll()
      .where(column, '=', props.accountId)
      .where('result', '=', 'ok')
      .where('seq', '<', before)
      .orderBy('seq', 'desc')
      .limit(props.limit);
  // Two index scans (one per side, each with its partial index) merged, rather than an OR.
  const rows = [
    ...(await select('debit_account_id').execute()),
    ...(await select('credit_account_id').execute()),
  ]
    .sort((a, b) => (BigInt(b.seq) > BigInt(a.seq) ? 1 : -1))
    .slice(0, props.limit);
  return rows.map((row) => ({
    id: row.id,
    seq: BigInt(row.seq),
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amountMinor: BigInt(row.amount),
    flags: row.flags,
    currency: row.currency,
    reason: row.reason,
    referenceKind: row.reference_kind,
    referenceId: row.reference_id,
    createdAt: row.created_at,
  }));
}

/** One line of the trial balance: the accounts of a kind in a currency, summed. */
export interface TrialBalanceLine {
  currency: LedgerCurrency;
  kind: AccountKind;
  accounts: number;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

/**
 * The trial balance (issue #16, point 8): every account summed by currency and kind. In a
 * sound ledger the debits and the credits of each currency are equal (`verifyLedger` proves it
 * from the transfers; this reads the balances).
 */
export async function trialBalance(db: Kysely<Database>): Promise<TrialBalanceLine[]> {
  const { rows } = await sql<{
    currency: LedgerCurrency;
    kind: AccountKind;
    accounts: string;
    debits_posted: string;
    credits_posted: string;
    debits_pending: string;
    credits_pending: string;
  }>`select currency, kind, count(*) as accounts,
        sum(debits_posted) as debits_posted, sum(credits_posted) as credits_posted,
        sum(debits_pending) as debits_pending, sum(credits_pending) as credits_pending
      from ledger_account group by currency, kind order by currency, kind`.execute(db);
  return rows.map((row) => ({
    currency: row.currency,
    kind: row.kind,
    accounts: Number(row.accounts),
    debitsPosted: BigInt(row.debits_posted),
    creditsPosted: BigInt(row.credits_posted),
    debitsPending: BigInt(row.debits_pending),
    creditsPending: BigInt(row.credits_pending),
  }));
}
