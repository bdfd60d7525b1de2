import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { AccountKind } from './ledger-codes.js';
import type { AccountState, Resolution, StoredTransfer } from './ledger-state.js';
import type { LedgerTables } from './tables.js';

/**
 * The ledger's SQL. Every call takes the transaction it runs in; none opens one. Arrays are
 * bound as one parameter per column (`unnest`), so a batch of any size is a handful of
 * statements.
 */

type AccountRow = Selectable<LedgerTables['ledger_account']>;
type TransferRow = Selectable<LedgerTables['ledger_transfer']>;

export function toAccountState(row: AccountRow): AccountState {
  return {
    id: row.id,
    currency: row.currency,
    kind: row.kind,
    flags: row.flags,
    debitsPending: row.debits_pending,
    debitsPosted: row.debits_posted,
    creditsPending: row.credits_pending,
    creditsPosted: row.credits_posted,
  };
}

function toStoredTransfer(row: TransferRow): StoredTransfer {
  return {
    id: row.id,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amountMinor: row.amount,
    pendingId: row.pending_id,
    flags: row.flags,
    timeoutSeconds: row.timeout_seconds,
    expiresAt: row.expires_at,
    currency: row.currency,
    reason: row.reason,
    referenceKind: row.reference_kind,
    referenceId: row.reference_id,
    result: row.result,
    createdAt: row.created_at,
  };
}

/**
 * The accounts among `ids` whose kind is (or, with `kindsExcluded`, is not) one of `kinds`,
 * locked FOR UPDATE in id order when `lock` (one order for every batch, so two batches never
 * wait for each other in a circle).
 */
export async function readAccounts(
  trx: Kysely<Database>,
  ids: readonly string[],
  filter: { kinds: readonly AccountKind[]; kindsExcluded: boolean; lock: boolean },
): Promise<AccountState[]> {
  if (ids.length === 0) return [];
  let query = trx
    .selectFrom('ledger_account')
    .selectAll()
    .where('id', '=', sql<string>`any(${[...ids]}::uuid[])`)
    .orderBy('id');
  if (filter.kinds.length > 0) {
    const kinds = [...filter.kinds];
    query = filter.kindsExcluded
      ? query.where('kind', '<>', sql<AccountKind>`all(${kinds}::text[])`)
      : query.where('kind', '=', sql<AccountKind>`any(${kinds}::text[])`);
  } else if (!filter.kindsExcluded) {
    return [];
  }
  const rows = await (filter.lock ? query.forUpdate() : query).execute();
  return rows.map(toAccountState);
}

/** Transfers with these ids (a batch's own, and the pending transfers it resolves). */
export async function readTransfers(
  trx: Kysely<Database>,
  ids: readonly string[],
): Promise<StoredTransfer[]> {
  if (ids.length === 0) return [];
  const rows = await trx
    .selectFrom('ledger_transfer')
    .selectAll()
    .where('id', '=', sql<string>`any(${[...ids]}::uuid[])`)
    .execute();
  return rows.map(toStoredTransfer);
}

/** How each of these pending transfers was resolved, for those that were. */
export async function readResolutions(
  trx: Kysely<Database>,
  pendingIds: readonly string[],
): Promise<Map<string, Resolution>> {
  const resolutions = new Map<string, Resolution>();
  if (pendingIds.length === 0) return resolutions;
  const rows = await trx
    .selectFrom('ledger_transfer')
    .select(['pending_id', 'flags', 'reason'])
    .where('pending_id', '=', sql<string>`any(${[...pendingIds]}::uuid[])`)
    .where('result', '=', 'ok')
    .execute();
  for (const row of rows) {
    if (row.pending_id === null) continue;
    const resolution: Resolution =
      (row.flags & 4) !== 0 ? 'posted' : row.reason === 'pending_expired' ? 'expired' : 'voided';
    resolutions.set(row.pending_id, resolution);
  }
  return resolutions;
}

/**
 * Writes the batch's rows in one statement, in order (their `seq` follows it), with other
 * modules' inserts that belong to the batch (`alsoWritten`, e.g. a staged audit entry) as
 * data-modifying CTEs of the same statement: one round trip, not one more each. With no rows,
 * those inserts are sent alone.
 */
export async function insertTransfers(
  trx: Kysely<Database>,
  rows: readonly StoredTransfer[],
  alsoWritten: readonly RawBuilder<unknown>[] = [],
): Promise<void> {
  if (rows.length === 0) {
    for (const statement of alsoWritten) await statement.execute(trx);
    return;
  }
  const column = <T>(pick: (row: StoredTransfer) => T): T[] => rows.map(pick);
  const also =
    alsoWritten.length === 0
      ? sql``
      : sql`with ${sql.join(
          alsoWritten.map((statement, index) => sql`${sql.raw(`also_${index}`)} as (${statement})`),
        )} `;
  await sql`
    ${also}insert into ledger_transfer (id, debit_account_id, credit_account_id, amount, pending_id,
      flags, timeout_seconds, expires_at, currency, reason, reference_kind, reference_id,
      result, created_at)
    select * from unnest(
      ${column((row) => row.id)}::uuid[], ${column((row) => row.debitAccountId)}::uuid[],
      ${column((row) => row.creditAccountId)}::uuid[],
      ${column((row) => row.amountMinor.toString())}::bigint[],
      ${column((row) => row.pendingId)}::uuid[], ${column((row) => String(row.flags))}::smallint[],
      ${column((row) => String(row.timeoutSeconds))}::integer[],
      ${column((row) => row.expiresAt?.toISOString() ?? null)}::timestamptz[],
      ${column((row) => row.currency)}::text[], ${column((row) => row.reason)}::text[],
      ${column((row) => row.referenceKind)}::text[], ${column((row) => row.referenceId)}::uuid[],
      ${column((row) => row.result)}::text[],
      ${column((row) => row.createdAt.toISOString())}::timestamptz[])
  `.execute(trx);
}

/**
 * Writes accounts a batch opens, with the balances the batch left them (one statement, no
 * conflict clause: an account another batch opened meanwhile raises 23505 and the batch runs
 * again, finding it). The CHECK constraints hold as for an update.
 */
export async function insertAccounts(
  trx: Kysely<Database>,
  accounts: ReadonlyArray<AccountState & { referenceId: string | null }>,
): Promise<void> {
  if (accounts.length === 0) return;
  const column = <T>(pick: (account: AccountState & { referenceId: string | null }) => T): T[] =>
    accounts.map(pick);
  await sql`
    insert into ledger_account (id, currency, kind, flags, reference_id, debits_pending,
      debits_posted, credits_pending, credits_posted)
    select * from unnest(
      ${column((a) => a.id)}::uuid[], ${column((a) => a.currency)}::text[],
      ${column((a) => a.kind)}::text[], ${column((a) => String(a.flags))}::smallint[],
      ${column((a) => a.referenceId)}::uuid[],
      ${column((a) => a.debitsPending.toString())}::bigint[],
      ${column((a) => a.debitsPosted.toString())}::bigint[],
      ${column((a) => a.creditsPending.toString())}::bigint[],
      ${column((a) => a.creditsPosted.toString())}::bigint[])
  `.execute(trx);
}

/** A change to one account's four balances. */
export interface BalanceDelta {
  id: string;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

/**
 * Adds each delta to its account in one statement and returns the balances as they are
 * now. The table's CHECK constraints refuse a balance below zero or one that breaks the
 * account's flags (SQLSTATE 23514), whatever the caller computed.
 */
export async function addToBalances(
  trx: Kysely<Database>,
  deltas: readonly BalanceDelta[],
): Promise<AccountState[]> {
  if (deltas.length === 0) return [];
  const column = (pick: (delta: BalanceDelta) => bigint): string[] =>
    deltas.map((delta) => pick(delta).toString());
  const result = await sql<AccountRow>`
    update ledger_account a
       set debits_pending = a.debits_pending + d.debits_pending,
           debits_posted = a.debits_posted + d.debits_posted,
           credits_pending = a.credits_pending + d.credits_pending,
           credits_posted = a.credits_posted + d.credits_posted
      from unnest(${deltas.map((delta) => delta.id)}::uuid[],
                  ${column((delta) => delta.debitsPending)}::bigint[],
                  ${column((delta) => delta.debitsPosted)}::bigint[],
                  ${column((delta) => delta.creditsPending)}::bigint[],
                  ${column((delta) => delta.creditsPosted)}::bigint[])
           as d(id, debits_pending, debits_posted, credits_pending, credits_posted)
     where a.id = d.id
    returning a.*
  `.execute(trx);
  return result.rows.map(toAccountState);
}
