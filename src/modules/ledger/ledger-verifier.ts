import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

/** What `verifyLedger` found; every list empty means the ledger is sound. */
export interface LedgerVerification {
  accountsChecked: number;
  transfersChecked: number;
  /** Accounts whose stored balances differ from the sum of their applied transfers. */
  balanceMismatches: Array<{ accountId: string; stored: bigint[]; summed: bigint[] }>;
  /** Currencies whose debits and credits differ (pending and posted apart). */
  unbalancedCurrencies: Array<{ currency: string; debits: bigint[]; credits: bigint[] }>;
  /** Accounts that break their flags or hold a negative balance. */
  flagViolations: string[];
  /** Applied transfers naming an unknown account, or an account of another currency. */
  strayTransfers: string[];
  /** Pending transfers resolved more than once, or resolutions of no pending transfer. */
  badResolutions: string[];
}

/**
 * Recomputes every balance from the transfers and checks the ledger's invariants over the
 * whole table (issue #16, points 2 and 8): each balance equals the sum of its applied
 * transfers; debits equal credits per currency; no account breaks its flags; each pending
 * transfer is resolved at most once, by a post or void of the same accounts. Reads only.
 */
export async function verifyLedger(db: Kysely<Database>): Promise<LedgerVerification> {
  const mismatches = await sql<{
    id: string;
    stored: bigint[];
    summed: bigint[];
  }>`
    with ok as (select * from ledger_transfer where result = 'ok'),
    open_pending as (
      select p.* from ok p
       where p.flags & 2 = 2 and not exists (select 1 from ok r where r.pending_id = p.id)),
    effects as (
      select debit_account_id as account_id, amount as dp, 0::bigint as dpo, 0::bigint as cp, 0::bigint as cpo from open_pending
      union all select credit_account_id, 0, 0, amount, 0 from open_pending
      union all select debit_account_id, 0, amount, 0, 0 from ok where flags & 10 = 0
      union all select credit_account_id, 0, 0, 0, amount from ok where flags & 10 = 0),
    sums as (
      select account_id, sum(dp)::bigint as dp, sum(dpo)::bigint as dpo, sum(cp)::bigint as cp,
             sum(cpo)::bigint as cpo
        from effects group by account_id)
    select a.id,
           array[a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted] as stored,
           array[coalesce(s.dp, 0), coalesce(s.dpo, 0), coalesce(s.cp, 0), coalesce(s.cpo, 0)]::bigint[] as summed
      from ledger_account a left join sums s on s.account_id = a.id
     where (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
           is distinct from (coalesce(s.dp, 0), coalesce(s.dpo, 0), coalesce(s.cp, 0), coalesce(s.cpo, 0))
     order by a.id
  `.execute(db);
  const totals = await sql<{ currency: string; debits: bigint[]; credits: bigint[] }>`
    select currency,
           array[sum(debits_pending), sum(debits_posted)]::bigint[] as debits,
           array[sum(credits_pending), sum(credits_posted)]::bigint[] as credits
      from ledger_account group by currency
    having sum(debits_pending) <> sum(credits_pending) or sum(debits_posted) <> sum(credits_posted)
  `.execute(db);
  const flagViolations = await sql<{ id: string }>`
    select id from ledger_account
     where least(debits_pending, debits_posted, credits_pending, credits_posted) < 0
        or (flags & 2 = 2 and debits_pending + debits_posted > credits_posted)
        or (flags & 4 = 4 and credits_pending + credits_posted > debits_posted)
     order by id
  `.execute(db);
  const strays = await sql<{ id: string }>`
    select t.id from ledger_transfer t
      left join ledger_account d on d.id = t.debit_account_id
      left join ledger_account c on c.id = t.credit_account_id
     where t.result = 'ok'
       and (d.id is null or c.id is null or d.currency <> t.currency or c.currency <> t.currency)
     order by t.id
  `.execute(db);
  const badResolutions = await sql<{ id: string }>`
    select r.pending_id as id from ledger_transfer r
      left join ledger_transfer p on p.id = r.pending_id and p.result = 'ok' and p.flags & 2 = 2
     where r.result = 'ok' and r.pending_id is not null
     group by r.pending_id
    having count(*) > 1 or count(p.id) = 0
        or bool_or(p.debit_account_id <> r.debit_account_id or p.credit_account_id <> r.credit_account_id
                   or r.amount > p.amount)
  `.execute(db);
  const counts = await sql<{ accounts: bigint; transfers: bigint }>`
    select (select count(*) from ledger_account) as accounts,
           (select count(*) from ledger_transfer) as transfers
  `.execute(db);
  const count = counts.rows[0];
  return {
    accountsChecked: Number(count?.accounts ?? 0n),
    transfersChecked: Number(count?.transfers ?? 0n),
    balanceMismatches: mismatches.rows.map((row) => ({
      accountId: row.id,
      stored: row.stored,
      summed: row.summed,
    })),
    unbalancedCurrencies: totals.rows,
    flagViolations: flagViolations.rows.map((row) => row.id),
    strayTransfers: strays.rows.map((row) => row.id),
    badResolutions: badResolutions.rows.map((row) => row.id),
  };
}

/** True when the verification found nothing wrong. */
export function ledgerIsSound(verification: LedgerVerification): boolean {
  return (
    verification.balanceMismatches.length === 0 &&
    verification.unbalancedCurrencies.length === 0 &&
    verification.flagViolations.length === 0 &&
    verification.strayTransfers.length === 0 &&
    verification.badResolutions.length === 0
  );
}
