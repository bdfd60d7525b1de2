import assert from 'node:assert/strict';
import { amountMax, transferFlags } from './ledger-codes.js';
import type { AccountState, StoredTransfer } from './ledger-state.js';
import { breaksFlags } from './transfer-engine.js';
import { resolvesPending } from './transfer-validation.js';

/**
 * The invariants every batch is checked against before it commits (TigerBeetle style: a
 * broken one is a bug, so it throws an AssertionError, the transaction rolls back and the
 * failure is loud). `before` and `after` are the touched accounts as read and as the batch
 * leaves them; `rows` the rows it writes; `pendingOf` finds a resolved pending transfer.
 *
 * - each account's change is exactly the sum of the batch's applied transfers on it;
 * - debits equal credits per currency (pending and posted apart);
 * - no balance is negative or beyond bigint, and no account breaks its flags;
 * - each id is written at most once, and each pending transfer resolved at most once.
 */
export function assertBatchInvariants(
  before: ReadonlyMap<string, AccountState>,
  after: ReadonlyMap<string, AccountState>,
  rows: readonly StoredTransfer[],
  pendingOf: (id: string) => StoredTransfer | undefined,
): void {
  const ids = new Set(rows.map((row) => row.id));
  assert.equal(ids.size, rows.length, 'a batch writes each transfer id once');
  const resolved = rows.filter((row) => row.result === 'ok' && row.pendingId !== null);
  const resolvedIds = new Set(resolved.map((row) => row.pendingId));
  assert.equal(resolvedIds.size, resolved.length, 'a pending transfer is resolved once');
  const expected = expectedChanges(rows, pendingOf);
  const totals = new Map<string, bigint[]>();
  for (const [id, account] of after) {
    const original = before.get(id);
    assert.ok(original !== undefined, `account ${id} was read before it changed`);
    const change = difference(original, account);
    assert.deepEqual(
      change,
      expected.get(id) ?? [0n, 0n, 0n, 0n],
      `account ${id} changed by its transfers`,
    );
    assertSound(account);
    const total = totals.get(account.currency) ?? [0n, 0n, 0n, 0n];
    totals.set(
      account.currency,
      total.map((value, index) => value + (change[index] ?? 0n)),
    );
  }
  for (const id of expected.keys()) assert.ok(after.has(id), `account ${id} was updated`);
  for (const [currency, [debitsPending, debitsPosted, creditsPending, creditsPosted]] of totals) {
    assert.equal(
      debitsPending,
      creditsPending,
      `pending debits equal pending credits in ${currency}`,
    );
    assert.equal(debitsPosted, creditsPosted, `posted debits equal posted credits in ${currency}`);
  }
}

/** No balance below zero or beyond bigint, and the account's flags hold. */
export function assertSound(account: AccountState): void {
  for (const balance of [
    account.debitsPending,
    account.debitsPosted,
    account.creditsPending,
    account.creditsPosted,
  ]) {
    assert.ok(balance >= 0n && balance <= amountMax, `account ${account.id} balance in range`);
  }
  assert.equal(breaksFlags(account), null, `account ${account.id} keeps its flags`);
}

function difference(before: AccountState, after: AccountState): bigint[] {
  return [
    after.debitsPending - before.debitsPending,
    after.debitsPosted - before.debitsPosted,
    after.creditsPending - before.creditsPending,
    after.creditsPosted - before.creditsPosted,
  ];
}

/** [debits pending, debits posted, credits pending, credits posted] per account, from rows. */
function expectedChanges(
  rows: readonly StoredTransfer[],
  pendingOf: (id: string) => StoredTransfer | undefined,
): Map<string, bigint[]> {
  const changes = new Map<string, bigint[]>();
  const add = (id: string, index: number, amount: bigint): void => {
    const change = changes.get(id) ?? [0n, 0n, 0n, 0n];
    change[index] = (change[index] ?? 0n) + amount;
    changes.set(id, change);
  };
  for (const row of rows) {
    if (row.result !== 'ok') continue;
    if ((row.flags & transferFlags.pending) !== 0) {
      add(row.debitAccountId, 0, row.amountMinor);
      add(row.creditAccountId, 2, row.amountMinor);
      continue;
    }
    if (resolvesPending(row.flags)) {
      const pending = pendingOf(row.pendingId ?? '');
      assert.ok(pending !== undefined, `pending transfer of ${row.id} was read`);
      add(row.debitAccountId, 0, -pending.amountMinor);
      add(row.creditAccountId, 2, -pending.amountMinor);
      if ((row.flags & transferFlags.voidPendingTransfer) !== 0) continue;
    }
    add(row.debitAccountId, 1, row.amountMinor);
    add(row.creditAccountId, 3, row.amountMinor);
  }
  return changes;
}
