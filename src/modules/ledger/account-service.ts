import assert from 'node:assert/strict';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import {
  type AccountKind,
  accountFlags,
  accountKindCodes,
  type LedgerCurrency,
  ledgerNumbers,
  zeroId,
} from './ledger-codes.js';
import { readAccounts, toAccountState } from './ledger-repository.js';
import type { AccountState } from './ledger-state.js';
import { ledgerLimits } from './limits.js';

/** One account as a client asks for it (TigerBeetle `Account`). */
export interface AccountInput {
  id: string;
  currency: string;
  kind: string;
  /** `accountFlags` bits: at most one of the two limits. */
  flags: number;
  /** Opaque id of what the account belongs to (TigerBeetle user_data_128). */
  referenceId?: string | undefined;
}

/** TigerBeetle `CreateAccountResult` names; `ok` with `replayed` is its `exists`. */
export type AccountResult =
  | 'ok'
  | 'id_must_not_be_zero'
  | 'flags_are_mutually_exclusive'
  | 'currency_not_supported'
  | 'kind_not_supported'
  | 'exists_with_different_flags'
  | 'exists_with_different_user_data_128'
  | 'exists_with_different_ledger'
  | 'exists_with_different_code';

export interface AccountOutcome {
  id: string;
  result: AccountResult;
  replayed: boolean;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Creates accounts (TigerBeetle `create_accounts`), each on its own: an id already created
 * with the same fields answers `ok` again, with other fields it is refused and unchanged.
 *
 * @example
 *   await accountCreator(db, [{ id, currency: 'VES', kind: 'beneficiary_wallet',
 *     flags: accountFlags.debitsMustNotExceedCredits, referenceId: holderId }]);
 */
export async function accountCreator(
  db: Kysely<Database>,
  accounts: readonly AccountInput[],
): Promise<AccountOutcome[]> {
  assert.ok(accounts.length <= ledgerLimits.accountsPerBatchMax, 'batch within its limit');
  const refusals = accounts.map(validateAccount);
  const valid = accounts.filter((_, index) => refusals[index] === null);
  return db.transaction().execute(async (trx) => {
    const inserted = new Set<string>();
    if (valid.length > 0) {
      const rows = await trx
        .insertInto('ledger_account')
        .values(
          valid.map((account) => ({
            id: account.id,
            // Safe: validateAccount accepted the currency and the kind.
            currency: account.currency as LedgerCurrency,
            kind: account.kind as AccountKind,
            flags: account.flags,
            reference_id: account.referenceId ?? null,
          })),
        )
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning('id')
        .execute();
      for (const row of rows) inserted.add(row.id);
    }
    const existing = new Map(
      (
        await readAccountRows(
          trx,
          valid.filter((a) => !inserted.has(a.id)).map((a) => a.id),
        )
      ).map((row) => [row.id, row]),
    );
    return accounts.map((account, index): AccountOutcome => {
      const refusal = refusals[index];
      if (refusal !== null && refusal !== undefined) {
        return { id: account.id, result: refusal, replayed: false };
      }
      if (inserted.delete(account.id)) return { id: account.id, result: 'ok', replayed: false };
      const row = existing.get(account.id);
      assert.ok(row !== undefined, 'an account not inserted exists');
      const result = accountDifference(account, row);
      return { id: account.id, result, replayed: result === 'ok' };
    });
  });
}

export function validateAccount(account: AccountInput): AccountResult | null {
  for (const id of [account.id, account.referenceId ?? zeroId]) {
    if (!uuidPattern.test(id)) throw new TypeError(`not a lowercase UUID: ${id}`);
  }
  if (account.id === zeroId) return 'id_must_not_be_zero';
  const allowed = [
    accountFlags.none,
    accountFlags.debitsMustNotExceedCredits,
    accountFlags.creditsMustNotExceedDebits,
  ] as number[];
  if (!allowed.includes(account.flags)) return 'flags_are_mutually_exclusive';
  if (!Object.hasOwn(ledgerNumbers, account.currency)) return 'currency_not_supported';
  if (!Object.hasOwn(accountKindCodes, account.kind)) return 'kind_not_supported';
  return null;
}

export interface AccountRow {
  id: string;
  currency: string;
  kind: string;
  flags: number;
  reference_id: string | null;
}

export async function readAccountRows(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<AccountRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('ledger_account')
    .select(['id', 'currency', 'kind', 'flags', 'reference_id'])
    .where('id', '=', sql<string>`any(${[...ids]}::uuid[])`)
    .execute();
}

export function accountDifference(account: AccountInput, row: AccountRow): AccountResult {
  if (account.flags !== row.flags) return 'exists_with_different_flags';
  if ((account.referenceId ?? null) !== row.reference_id) {
    return 'exists_with_different_user_data_128';
  }
  if (account.currency !== row.currency) return 'exists_with_different_ledger';
  if (account.kind !== row.kind) return 'exists_with_different_code';
  return 'ok';
}

/**
 * The accounts with these ids and their balances (TigerBeetle `lookup_accounts`), in the
 * order asked; ids not found are left out.
 */
export async function lookupAccounts(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<AccountState[]> {
  assert.ok(ids.length <= ledgerLimits.accountsPerBatchMax, 'lookup within its limit');
  const found = new Map(
    (await readAccounts(db, ids, { kinds: [], kindsExcluded: true, lock: false })).map(
      (account) => [account.id, account],
    ),
  );
  return ids.flatMap((id) => {
    const account = found.get(id);
    return account === undefined ? [] : [account];
  });
}

/** What an account holds: posted credits minus posted debits (a wallet's spendable balance is this minus pending debits). */
export function postedBalance(account: AccountState): bigint {
  return account.creditsPosted - account.debitsPosted;
}

/** What each of these accounts belongs to (its opaque `reference_id`, TigerBeetle user_data_128). */
export async function accountReferences(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Map<string, string | null>> {
  const rows = await readAccountRows(db, ids);
  return new Map(rows.map((row) => [row.id, row.reference_id]));
}

/**
 * Every account of these kinds with what it belongs to (its opaque reference), in kind and id
 * order, at most `limit`: the ledger's own accounts (funding, settlement, suspense) are few —
 * one per program and currency, sixteen per currency, one or two per currency — unlike wallets.
 *
 * @example
 *   const own = await accountsOfKinds(db, ['settlement', 'suspense'], 1_000);
 */
export async function accountsOfKinds(
  db: Kysely<Database>,
  kinds: readonly AccountKind[],
  limit: number,
): Promise<Array<AccountState & { referenceId: string | null }>> {
  if (kinds.length === 0) return [];
  const rows = await db
    .selectFrom('ledger_account')
    .selectAll()
    .where('kind', '=', sql<AccountKind>`any(${[...kinds]}::text[])`)
    .orderBy('kind')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...toAccountState(row), referenceId: row.reference_id }));
}
