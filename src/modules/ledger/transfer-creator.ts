import assert from 'node:assert/strict';
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import {
  type AccountInput,
  accountDifference,
  readAccountRows,
  validateAccount,
} from './account-service.js';
import {
  type DailyDebitLimits,
  defaultDailyDebitLimits,
  withinDailyDebitLimits,
} from './daily-debit-limits.js';
import type { AccountKind, TransferResult } from './ledger-codes.js';
import { zeroId } from './ledger-codes.js';
import { assertBatchInvariants, assertSound } from './ledger-invariants.js';
import {
  addToBalances,
  type BalanceDelta,
  insertAccounts,
  insertTransfers,
  readAccounts,
  readResolutions,
  readTransfers,
} from './ledger-repository.js';
import type { AccountState, LedgerSnapshot } from './ledger-state.js';
import { ledgerLimits } from './limits.js';
import type { BatchAppliedHook, TransferBatch } from './transfer-batch.js';
import { applyTransfers, type TransferOutcome } from './transfer-engine.js';
import { resolvesPending, type TransferInput, validateTransfer } from './transfer-validation.js';
import { postedWalletCredits, type WalletCreditHook } from './wallet-credits.js';

/**
 * Accounts whose balance row many transfers at once want (docs/LEDGER.md, "The hot funding
 * account"): every disbursement debits its program's funding account. A batch does not lock
 * them when it starts; it reads them, applies everything else, and adds its one aggregated
 * change to each at the very end, so the row is locked only from that statement to the
 * commit. The table's CHECK constraints still refuse an overdraft; if one does, or the stale
 * balance already refused a transfer, the batch runs again with every account locked first.
 */
export const deferredAccountKinds: readonly AccountKind[] = ['program_funding', 'settlement'];

export interface CreateTransfersOptions {
  /** The ledger's clock; tests move it. */
  now?: Date;
  /** False locks every account first (the way without the hot-account design; the bench compares). */
  deferHotAccounts?: boolean;
  /** Only the expiry sweep writes the reserved reason `pending_expired`. */
  allowReservedReason?: boolean;
  /**
   * Told, in the batch's transaction, of the money it posted to beneficiary wallets (the
   * "payment received" text is queued in the same commit; see `WalletCreditHook`).
   */
  onWalletCredited?: WalletCreditHook;
  /**
   * Daily debit limits by account kind and currency (`daily-debit-limits.ts`); the limits in
   * `limits.ledger.dailyDebitMaxMinor` unless given. `false` only for a two-person approved
   * adjustment (moving a frozen wallet's balance).
   */
  dailyDebitLimits?: DailyDebitLimits | false;
  /**
   * Accounts the batch opens when they do not exist yet, in its own transaction: a new one is
   * written once, with the balances the batch leaves it, instead of being created, locked and
   * updated (a disbursement chunk opens the wallets it credits; the bench measures it). One
   * that exists must have the same fields (an assertion: the caller derived it). On
   * TigerBeetle this is `create_accounts` followed by `create_transfers`.
   */
  openAccounts?: readonly AccountInput[];
  /**
   * Told, last in the batch's transaction, of the transfers sent and their answers (a
   * disbursement chunk releases the claims of refused credits and counts itself there, in the
   * commit of its money).
   */
  onApplied?: BatchAppliedHook;
  /**
   * The caller expects every transfer id to be new (a disbursement chunk whose entitlements it
   * has just claimed): the batch skips looking its own ids up. It stays exact: an id written
   * already makes the insert refuse the batch, which runs again looking them up.
   */
  transfersExpectedNew?: boolean;
  /**
   * Other modules' inserts that belong to the batch, chosen from its answers (a funding
   * request's audit entry, staged only when the transfer went through): written by the
   * transfers' own insert as data-modifying CTEs, so they commit with the money or not at all,
   * for no round trip more. Called once per attempt: a retried batch writes them again, and
   * only the last call's statements are the ones committed.
   */
  alsoWritten?: (outcomes: readonly TransferOutcome[]) => readonly RawBuilder<unknown>[];
}

/** A batch's answers, and the balances it left on the accounts it wrote, read as written. */
export interface AppliedBatch {
  outcomes: TransferOutcome[];
  /** Each account the batch opened or changed, as its write returned it (no second read). */
  balances: Map<string, AccountState>;
}

/**
 * Creates a batch of transfers in one transaction (TigerBeetle `create_transfers`) and
 * answers each, in order. The batch is a list, or a function that chooses it inside the
 * transaction (`TransferBatch`). The batch is applied as if alone, whatever runs beside it: a
 * conflict with another batch (the same id written at once, a deadlock, a hot account that
 * ran short) rolls it back and it runs again, up to `batchAttemptsMax` times.
 *
 * @example
 *   const [outcome] = await transferCreator(db, [{ id, debitAccountId: funding,
 *     creditAccountId: wallet, amountMinor: 50_000n, flags: 0, currency: 'VES',
 *     reason: 'disbursement', referenceKind: 'entitlement', referenceId }]);
 *   outcome.result; // 'ok'
 */
export async function transferCreator(
  db: Kysely<Database>,
  batch: TransferBatch,
  options: CreateTransfersOptions = {},
): Promise<TransferOutcome[]> {
  return (await transferCreatorWithBalances(db, batch, options)).outcomes;
}

/**
 * `transferCreator` that also answers the balances the batch left on the accounts it wrote, as
 * its own update returned them: a caller that answers a balance (a funding request) needs no
 * read after the commit. An account the batch did not change (a replayed transfer's) is not
 * in `balances`.
 *
 * @example
 *   const { outcomes, balances } = await transferCreatorWithBalances(db, [transfer]);
 *   balances.get(transfer.creditAccountId)?.creditsPosted;
 */
export async function transferCreatorWithBalances(
  db: Kysely<Database>,
  batch: TransferBatch,
  options: CreateTransfersOptions = {},
): Promise<AppliedBatch> {
  return withAttempts(batch, options, (attempt) => db.transaction().execute(attempt));
}

/**
 * `transferCreator` inside a transaction the caller already holds (a registry lifecycle event's:
 * the erasure that voids the person's pending payouts commits with its voids, or not at all).
 * The batch runs under a savepoint: a conflict (the same id written at once, a deadlock) rolls
 * back to it and the batch runs again, as `transferCreator` runs a new transaction; any other
 * error rolls back what the batch wrote and reaches the caller, whose transaction can go on.
 * Locks the caller took before stay held across the attempts, so a deadlock that involves them
 * may come back each time: after `batchAttemptsMax` the error reaches the caller. On
 * TigerBeetle there is no shared transaction: the caller records its intent in its own
 * transaction and sends the batch after the commit, with the same derived ids (docs/LEDGER.md).
 *
 * @example
 *   await db.transaction().execute(async (trx) => {
 *     await recordSomething(trx);
 *     await transferCreatorInTransaction(trx, voids);
 *   });
 */
export async function transferCreatorInTransaction(
  trx: Transaction<Database>,
  batch: TransferBatch,
  options: CreateTransfersOptions = {},
): Promise<TransferOutcome[]> {
  // One name serves every batch: a savepoint's name refers to the most recent one of that name,
  // so batches nested in one transaction still roll back and release their own.
  const name = sql.raw('ledger_batch');
  const applied = await withAttempts(batch, options, async (attempt) => {
    await sql`savepoint ${name}`.execute(trx);
    try {
      const outcomes = await attempt(trx);
      await sql`release savepoint ${name}`.execute(trx);
      return outcomes;
    } catch (error) {
      await sql`rollback to savepoint ${name}`.execute(trx);
      await sql`release savepoint ${name}`.execute(trx);
      throw error;
    }
  });
  return applied.outcomes;
}

/**
 * The attempts of one batch: `run` gives each a transaction (a new one, or a savepoint of the
 * caller's); a conflict runs the batch again, the exact way after a hot account ran short.
 */
async function withAttempts(
  batch: TransferBatch,
  options: CreateTransfersOptions,
  run: (attempt: (trx: Transaction<Database>) => Promise<AppliedBatch>) => Promise<AppliedBatch>,
): Promise<AppliedBatch> {
  const openAccounts = options.openAccounts ?? [];
  for (const account of openAccounts)
    assert.equal(validateAccount(account), null, 'an account the batch opens is valid');
  let deferHot = options.deferHotAccounts !== false;
  let readOwn = options.transfersExpectedNew !== true;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run((trx) =>
        applyOnce(trx, batch, options, { deferHot, readOwn, openAccounts }),
      );
    } catch (error) {
      const conflict = conflictOf(error);
      if (conflict === null || attempt >= ledgerLimits.batchAttemptsMax) throw error;
      if (conflict === 'hot-account-short') deferHot = false;
      readOwn = true;
    }
  }
}

async function applyOnce(
  trx: Transaction<Database>,
  batch: TransferBatch,
  options: CreateTransfersOptions,
  attempt: { deferHot: boolean; readOwn: boolean; openAccounts: readonly AccountInput[] },
): Promise<AppliedBatch> {
  const transfers = typeof batch === 'function' ? await batch(trx) : batch;
  assert.ok(transfers.length <= ledgerLimits.transfersPerBatchMax, 'batch within its limit');
  const validations = transfers.map((transfer) =>
    validateTransfer(transfer, { allowReservedReason: options.allowReservedReason === true }),
  );
  const applied = await applyBatch(trx, transfers, validations, {
    now: options.now ?? new Date(),
    deferHot: attempt.deferHot,
    readOwn: attempt.readOwn,
    openAccounts: namedBy(transfers, attempt.openAccounts),
    onWalletCredited: options.onWalletCredited,
    alsoWritten: options.alsoWritten,
    dailyDebitLimits:
      options.dailyDebitLimits === false
        ? null
        : (options.dailyDebitLimits ?? defaultDailyDebitLimits),
  });
  await options.onApplied?.(trx, transfers, applied.outcomes);
  return applied;
}

/** The accounts to open that a transfer of the batch names: no other is opened. */
function namedBy(
  transfers: readonly TransferInput[],
  openAccounts: readonly AccountInput[],
): readonly AccountInput[] {
  if (openAccounts.length === 0) return openAccounts;
  const named = new Set(transfers.flatMap((t) => [t.debitAccountId, t.creditAccountId]));
  return openAccounts.filter((account) => named.has(account.id));
}

/** Raised inside the transaction when the optimistic path must give way to the exact one. */
class HotAccountShort extends Error {
  override readonly name = 'HotAccountShort';
}

/**
 * Raised inside the transaction when a pending transfer the batch resolves was committed by
 * another batch between the batch's first read and its locks: its accounts were not locked.
 */
class PendingCommittedMeanwhile extends Error {
  override readonly name = 'PendingCommittedMeanwhile';
}

type Conflict = 'hot-account-short' | 'retry';

function conflictOf(error: unknown): Conflict | null {
  if (error instanceof HotAccountShort) return 'hot-account-short';
  if (error instanceof PendingCommittedMeanwhile) return 'retry';
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  // 23514: a CHECK constraint refused the hot account's final change (it ran short).
  if (code === '23514') return 'hot-account-short';
  // 23505: the same transfer id, or a resolution of the same pending transfer, was written
  // by a batch that committed meanwhile; 40P01, 40001: deadlock or serialisation failure.
  if (code === '23505' || code === '40P01' || code === '40001') return 'retry';
  return null;
}

async function applyBatch(
  trx: Transaction<Database>,
  transfers: readonly TransferInput[],
  validations: readonly (TransferResult | null)[],
  batch: {
    now: Date;
    deferHot: boolean;
    readOwn: boolean;
    openAccounts: readonly AccountInput[];
    onWalletCredited: WalletCreditHook | undefined;
    alsoWritten: CreateTransfersOptions['alsoWritten'];
    dailyDebitLimits: DailyDebitLimits | null;
  },
): Promise<AppliedBatch> {
  const { now, deferHot } = batch;
  const snapshot = await readSnapshot(trx, transfers, validations, {
    deferHot,
    openAccounts: batch.openAccounts,
    readOwn: batch.readOwn,
  });
  const opened = await openMissing(trx, snapshot, batch.openAccounts);
  const limited =
    batch.dailyDebitLimits === null
      ? validations
      : await withinDailyDebitLimits(trx, snapshot, transfers, validations, {
          now,
          limits: batch.dailyDebitLimits,
        });
  const before = new Map(snapshot.accounts);
  const pendingTransfers = new Map(snapshot.transfers);
  const { outcomes, rows } = applyTransfers(snapshot, transfers, limited, now);
  const pendingOf = (id: string) => pendingTransfers.get(id) ?? snapshot.transfers.get(id);
  const touched = new Set(
    rows
      .filter((row) => row.result === 'ok')
      .flatMap((row) => [row.debitAccountId, row.creditAccountId]),
  );
  const after = new Map([...touched].map((id) => [id, snapshot.accounts.get(id) as AccountState]));
  assertBatchInvariants(before, after, rows, pendingOf);
  const hot = deferHot ? new Set(deferredIds(before)) : new Set<string>();
  if (deferHot && shortOnHotAccount(outcomes, transfers, hot, pendingOf)) {
    throw new HotAccountShort();
  }
  await insertAccounts(
    trx,
    [...opened].map(([id, referenceId]) => ({
      ...(snapshot.accounts.get(id) as AccountState),
      referenceId,
    })),
  );
  await insertTransfers(trx, rows, batch.alsoWritten?.(outcomes) ?? []);
  const deltas = [...touched]
    .filter((id) => !opened.has(id))
    .map((id) => deltaOf(before, after, id));
  const updated = await addToBalances(
    trx,
    deltas.filter((delta) => !hot.has(delta.id)),
  );
  for (const account of updated)
    assert.deepEqual(account, after.get(account.id), 'balances as computed');
  const hotDeltas = deltas.filter((delta) => hot.has(delta.id)).sort(byId);
  if (hotDeltas.length > 1)
    await readAccounts(
      trx,
      hotDeltas.map((delta) => delta.id),
      { kinds: [], kindsExcluded: true, lock: true },
    );
  const hotUpdated = await addToBalances(trx, hotDeltas);
  for (const account of hotUpdated) assertSound(account);
  if (batch.onWalletCredited) {
    const credits = await postedWalletCredits(trx, rows);
    if (credits.length > 0) await batch.onWalletCredited(trx, credits);
  }
  const balances = new Map<string, AccountState>();
  // An account the batch opened was inserted with the balances the batch left it.
  for (const id of opened.keys()) {
    const state = snapshot.accounts.get(id);
    if (state !== undefined) balances.set(id, state);
  }
  for (const account of [...updated, ...hotUpdated]) balances.set(account.id, account);
  return { outcomes, balances };
}

/**
 * Reads what the batch needs: the pending transfers it resolves (their rows never change, so
 * unlocked), then the accounts (all but the hot kinds locked in id order, then the hot kinds,
 * locked too unless deferred), then its own ids and the resolutions, after the locks, so
 * they include whatever a batch that held those accounts committed. A pending transfer that
 * only the second read finds was committed in between, on accounts the batch may not hold:
 * the batch runs again (`PendingCommittedMeanwhile`), and its first read then finds it.
 */
async function readSnapshot(
  trx: Transaction<Database>,
  transfers: readonly TransferInput[],
  validations: readonly (TransferResult | null)[],
  read: {
    deferHot: boolean;
    /** Accounts to open: read (and locked) with the others when they exist. */
    openAccounts: readonly AccountInput[];
    /** False when the caller expects every id of the batch to be new (`transfersExpectedNew`). */
    readOwn: boolean;
  },
): Promise<LedgerSnapshot> {
  const { deferHot, readOwn } = read;
  const valid = transfers.filter((_, index) => validations[index] === null);
  const pendingIds = [
    ...new Set(valid.filter((t) => resolvesPending(t.flags)).map((t) => t.pendingId ?? zeroId)),
  ];
  const pendings = await readTransfers(trx, pendingIds);
  const accountIds = new Set<string>(read.openAccounts.map((account) => account.id));
  for (const transfer of valid) {
    accountIds.add(transfer.debitAccountId).add(transfer.creditAccountId);
  }
  for (const pending of pendings)
    accountIds.add(pending.debitAccountId).add(pending.creditAccountId);
  accountIds.delete(zeroId);
  const ids = [...accountIds];
  const ordinary = await readAccounts(trx, ids, {
    kinds: deferredAccountKinds,
    kindsExcluded: true,
    lock: true,
  });
  // An account to open of an ordinary kind is not looked for among the hot kinds: if it exists,
  // its kind is the one asked (`openMissing` asserts it), so the read above found it. A
  // disbursement chunk's hot read then looks up its funding account, not its 4,000 wallets.
  const ordinaryToOpen = new Set(
    read.openAccounts
      // Safe: withAttempts validated every account to open (its kind is a ledger kind).
      .filter((account) => !deferredAccountKinds.includes(account.kind as AccountKind))
      .map((account) => account.id),
  );
  const hot = await readAccounts(
    trx,
    ids.filter((id) => !ordinaryToOpen.has(id)),
    {
      kinds: deferredAccountKinds,
      kindsExcluded: false,
      lock: !deferHot,
    },
  );
  // Ids the caller expects to be new are not looked up: one that exists after all makes the
  // insert's primary key refuse the batch (23505), which then runs again reading them. The
  // pending transfers the first read did not find are looked up again with them: one that a
  // batch committed since names accounts this batch neither read nor locked, so it runs again.
  const found = new Set(pendings.map((pending) => pending.id));
  const unseen = pendingIds.filter((id) => !found.has(id));
  const ownIds = readOwn ? valid.map((transfer) => transfer.id) : [];
  const own = await readTransfers(trx, [...new Set([...ownIds, ...unseen])]);
  if (own.some((row) => unseen.includes(row.id))) throw new PendingCommittedMeanwhile();
  const resolutions = await readResolutions(trx, pendingIds);
  return {
    accounts: new Map([...ordinary, ...hot].map((account) => [account.id, account])),
    transfers: new Map([...pendings, ...own].map((transfer) => [transfer.id, transfer])),
    resolutions,
  };
}

/**
 * Adds the accounts to open that the snapshot did not find, with zero balances, and answers
 * them (id → reference): nobody else sees them before the batch commits, so they need no
 * lock. Those found must match what was asked.
 */
async function openMissing(
  trx: Transaction<Database>,
  snapshot: LedgerSnapshot,
  openAccounts: readonly AccountInput[],
): Promise<Map<string, string | null>> {
  const opened = new Map<string, string | null>();
  if (openAccounts.length === 0) return opened;
  const found = openAccounts.filter((account) => snapshot.accounts.has(account.id));
  if (found.length > 0) {
    const rows = new Map(
      (
        await readAccountRows(
          trx,
          found.map((account) => account.id),
        )
      ).map((row) => [row.id, row]),
    );
    for (const account of found) {
      const row = rows.get(account.id);
      assert.ok(row !== undefined);
      assert.equal(accountDifference(account, row), 'ok', 'an open account has the fields asked');
    }
  }
  for (const account of openAccounts) {
    if (snapshot.accounts.has(account.id)) continue;
    snapshot.accounts.set(account.id, {
      id: account.id,
      // Safe: validated by transferCreator.
      currency: account.currency as AccountState['currency'],
      kind: account.kind as AccountState['kind'],
      flags: account.flags,
      debitsPending: 0n,
      debitsPosted: 0n,
      creditsPending: 0n,
      creditsPosted: 0n,
    });
    opened.set(account.id, account.referenceId ?? null);
  }
  return opened;
}

function deferredIds(accounts: ReadonlyMap<string, AccountState>): string[] {
  return [...accounts.values()]
    .filter((account) => deferredAccountKinds.includes(account.kind))
    .map((account) => account.id);
}

/**
 * True when a transfer was refused for a balance on a hot account that was read without a
 * lock: another batch may have changed it since, so only the exact path can say.
 */
function shortOnHotAccount(
  outcomes: readonly TransferOutcome[],
  transfers: readonly TransferInput[],
  hot: ReadonlySet<string>,
  pendingOf: (id: string) => { debitAccountId: string; creditAccountId: string } | undefined,
): boolean {
  const balanceRefusals = new Set<TransferResult>([
    'exceeds_credits',
    'exceeds_debits',
    'overflows_debits',
    'overflows_credits',
  ]);
  return outcomes.some((outcome, index) => {
    if (outcome.replayed || !balanceRefusals.has(outcome.result)) return false;
    const transfer = transfers[index];
    if (transfer === undefined) return false;
    const pending = resolvesPending(transfer.flags)
      ? pendingOf(transfer.pendingId ?? zeroId)
      : undefined;
    const debit = pending?.debitAccountId ?? transfer.debitAccountId;
    const credit = pending?.creditAccountId ?? transfer.creditAccountId;
    return hot.has(debit) || hot.has(credit);
  });
}

function deltaOf(
  before: ReadonlyMap<string, AccountState>,
  after: ReadonlyMap<string, AccountState>,
  id: string,
): BalanceDelta {
  const from = before.get(id);
  const to = after.get(id);
  assert.ok(from !== undefined && to !== undefined);
  return {
    id,
    debitsPending: to.debitsPending - from.debitsPending,
    debitsPosted: to.debitsPosted - from.debitsPosted,
    creditsPending: to.creditsPending - from.creditsPending,
    creditsPosted: to.creditsPosted - from.creditsPosted,
  };
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
