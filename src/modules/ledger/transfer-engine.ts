import assert from 'node:assert/strict';
import {
  accountFlags,
  amountMax,
  isModifiedRequest,
  type LedgerCurrency,
  type ReferenceKind,
  type TransferReason,
  type TransferResult,
  transferFlags,
  zeroId,
} from './ledger-codes.js';
import type { AccountState, LedgerSnapshot, Resolution, StoredTransfer } from './ledger-state.js';
import { compareWithStored } from './transfer-identity.js';
import { isLinked, resolvesPending, type TransferInput } from './transfer-validation.js';

/** The answer for one transfer of a batch, in the batch's order. */
export interface TransferOutcome {
  id: string;
  result: TransferResult;
  /** True when the id was already written with this body and this is its first answer. */
  replayed: boolean;
}

/** What applying a batch in memory decided: the answers and the rows to write. */
export interface EngineOutcome {
  outcomes: TransferOutcome[];
  rows: StoredTransfer[];
}

/**
 * Applies a batch to the snapshot in memory, in order, as TigerBeetle does: each transfer
 * alone, except a linked chain (consecutive transfers flagged `linked`, closed by the first
 * that is not), which applies all or none. `validations` holds each transfer's body-only
 * refusal (or null). The snapshot's accounts and resolutions end as the batch leaves them.
 *
 * Refusals that depend on the ledger's state (an account not found, not enough credit, a
 * pending transfer already posted) are written as rows, so the id stays failed; refusals that
 * depend on the body alone, and "modified request" answers, are not.
 */
export function applyTransfers(
  snapshot: LedgerSnapshot,
  transfers: readonly TransferInput[],
  validations: readonly (TransferResult | null)[],
  now: Date,
): EngineOutcome {
  const outcomes: TransferOutcome[] = [];
  const rows: StoredTransfer[] = [];
  let start = 0;
  while (start < transfers.length) {
    let end = start;
    while (end < transfers.length && isLinked(transfers[end]?.flags ?? 0)) end += 1;
    const chainOpen = end === transfers.length;
    if (chainOpen) end = transfers.length - 1;
    const chain = transfers.slice(start, end + 1);
    const chainValidations = validations.slice(start, end + 1);
    const applied = applyChain(snapshot, chain, chainValidations, now, chainOpen);
    outcomes.push(...applied.outcomes);
    rows.push(...applied.rows);
    start = end + 1;
  }
  return { outcomes, rows };
}

interface Undo {
  accounts: Map<string, AccountState>;
  resolutions: string[];
  transfers: string[];
}

function applyChain(
  snapshot: LedgerSnapshot,
  chain: readonly TransferInput[],
  validations: readonly (TransferResult | null)[],
  now: Date,
  chainOpen: boolean,
): EngineOutcome {
  const undo: Undo = { accounts: new Map(), resolutions: [], transfers: [] };
  const outcomes: TransferOutcome[] = [];
  const applied: StoredTransfer[] = [];
  for (const [index, transfer] of chain.entries()) {
    const existing = snapshot.transfers.get(transfer.id);
    let result: TransferResult;
    let replayed = false;
    if (validations[index] !== null && validations[index] !== undefined) {
      result = validations[index];
    } else if (chainOpen && index === chain.length - 1) {
      result = 'linked_event_chain_open';
    } else if (existing !== undefined) {
      result = compareWithStored(transfer, existing);
      replayed = !isModifiedRequest(result);
    } else {
      result = applyOne(snapshot, transfer, now, undo);
    }
    outcomes.push({ id: transfer.id, result, replayed });
    if (result !== 'ok') {
      rollBack(snapshot, undo);
      return failChain(snapshot, chain, outcomes, now);
    }
    if (!replayed) {
      const row = storedRow(snapshot, transfer, 'ok', now);
      applied.push(row);
      snapshot.transfers.set(row.id, row);
      undo.transfers.push(row.id);
    }
  }
  return { outcomes, rows: applied };
}

function rollBack(snapshot: LedgerSnapshot, undo: Undo): void {
  for (const [id, before] of undo.accounts) snapshot.accounts.set(id, before);
  for (const pendingId of undo.resolutions) snapshot.resolutions.delete(pendingId);
  for (const id of undo.transfers) snapshot.transfers.delete(id);
}

/**
 * A chain failed at its last answered transfer, which keeps its own refusal (written when it
 * depends on the ledger's state). Every other transfer of the chain that was new gets
 * `linked_event_failed`, not written: the client may mend the chain and send the same ids
 * again. A transfer whose id was already written keeps its first answer.
 */
function failChain(
  snapshot: LedgerSnapshot,
  chain: readonly TransferInput[],
  answered: readonly TransferOutcome[],
  now: Date,
): EngineOutcome {
  const failedAt = answered.length - 1;
  const failed = answered[failedAt];
  assert.ok(failed !== undefined);
  const rows: StoredTransfer[] = [];
  const outcomes = chain.map((transfer, index): TransferOutcome => {
    if (index === failedAt) return failed;
    const existing = snapshot.transfers.get(transfer.id);
    if (existing === undefined) {
      return { id: transfer.id, result: 'linked_event_failed', replayed: false };
    }
    const result = compareWithStored(transfer, existing);
    return { id: transfer.id, result, replayed: !isModifiedRequest(result) };
  });
  const transfer = chain[failedAt];
  assert.ok(transfer !== undefined);
  if (!failed.replayed && isStoredFailure(failed.result)) {
    const row = storedRow(snapshot, transfer, failed.result, now);
    rows.push(row);
    snapshot.transfers.set(row.id, row);
  }
  return { outcomes, rows };
}

/** Refusals that depend on the ledger's state: written, so a retry gets the same answer. */
export function isStoredFailure(result: TransferResult): boolean {
  return storedFailures.has(result);
}

const storedFailures = new Set<TransferResult>([
  'debit_account_not_found',
  'credit_account_not_found',
  'accounts_must_have_the_same_ledger',
  'transfer_must_have_the_same_ledger_as_accounts',
  'pending_transfer_not_found',
  'pending_transfer_not_pending',
  'pending_transfer_has_different_debit_account_id',
  'pending_transfer_has_different_credit_account_id',
  'pending_transfer_has_different_ledger',
  'pending_transfer_has_different_amount',
  'exceeds_pending_transfer_amount',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_expired',
  'overflows_debits',
  'overflows_credits',
  'exceeds_credits',
  'exceeds_debits',
]);

/**
 * One transfer whose id is new against the snapshot; on success its balances change
 * (recorded in `undo`).
 */
function applyOne(
  snapshot: LedgerSnapshot,
  transfer: TransferInput,
  now: Date,
  undo: Undo,
): TransferResult {
  if (resolvesPending(transfer.flags)) return resolvePending(snapshot, transfer, now, undo);
  const debit = snapshot.accounts.get(transfer.debitAccountId);
  const credit = snapshot.accounts.get(transfer.creditAccountId);
  if (debit === undefined) return 'debit_account_not_found';
  if (credit === undefined) return 'credit_account_not_found';
  if (debit.currency !== credit.currency) return 'accounts_must_have_the_same_ledger';
  if (transfer.currency !== debit.currency) return 'transfer_must_have_the_same_ledger_as_accounts';
  const pending = (transfer.flags & transferFlags.pending) !== 0;
  const amount = transfer.amountMinor;
  const nextDebit = pending
    ? { ...debit, debitsPending: debit.debitsPending + amount }
    : { ...debit, debitsPosted: debit.debitsPosted + amount };
  const nextCredit = pending
    ? { ...credit, creditsPending: credit.creditsPending + amount }
    : { ...credit, creditsPosted: credit.creditsPosted + amount };
  const refusal = balanceRefusal(nextDebit, nextCredit);
  if (refusal !== null) return refusal;
  setAccount(snapshot, undo, nextDebit);
  setAccount(snapshot, undo, nextCredit);
  return 'ok';
}

function resolvePending(
  snapshot: LedgerSnapshot,
  transfer: TransferInput,
  now: Date,
  undo: Undo,
): TransferResult {
  const pendingId = transfer.pendingId ?? zeroId;
  const pending = snapshot.transfers.get(pendingId);
  if (pending === undefined || pending.result !== 'ok') return 'pending_transfer_not_found';
  if ((pending.flags & transferFlags.pending) === 0) return 'pending_transfer_not_pending';
  const mismatch = pendingMismatch(transfer, pending);
  if (mismatch !== null) return mismatch;
  const resolution = snapshot.resolutions.get(pendingId);
  if (resolution === 'posted') return 'pending_transfer_already_posted';
  if (resolution === 'voided') return 'pending_transfer_already_voided';
  if (resolution === 'expired') return 'pending_transfer_expired';
  const expiring = transfer.reason === 'pending_expired';
  const expired = pending.expiresAt !== null && pending.expiresAt.getTime() <= now.getTime();
  if (expired !== expiring) return expired ? 'pending_transfer_expired' : 'reason_reserved';
  const debit = snapshot.accounts.get(pending.debitAccountId);
  const credit = snapshot.accounts.get(pending.creditAccountId);
  assert.ok(debit !== undefined && credit !== undefined, 'a pending transfer names its accounts');
  const posting = (transfer.flags & transferFlags.postPendingTransfer) !== 0;
  const posted = posting ? postedAmount(transfer, pending) : 0n;
  const nextDebit = {
    ...debit,
    debitsPending: debit.debitsPending - pending.amountMinor,
    debitsPosted: debit.debitsPosted + posted,
  };
  const nextCredit = {
    ...credit,
    creditsPending: credit.creditsPending - pending.amountMinor,
    creditsPosted: credit.creditsPosted + posted,
  };
  const refusal = balanceRefusal(nextDebit, nextCredit);
  if (refusal !== null) return refusal;
  setAccount(snapshot, undo, nextDebit);
  setAccount(snapshot, undo, nextCredit);
  const outcome: Resolution = posting ? 'posted' : expiring ? 'expired' : 'voided';
  snapshot.resolutions.set(pendingId, outcome);
  undo.resolutions.push(pendingId);
  return 'ok';
}

function pendingMismatch(transfer: TransferInput, pending: StoredTransfer): TransferResult | null {
  if (transfer.debitAccountId !== zeroId && transfer.debitAccountId !== pending.debitAccountId) {
    return 'pending_transfer_has_different_debit_account_id';
  }
  if (transfer.creditAccountId !== zeroId && transfer.creditAccountId !== pending.creditAccountId) {
    return 'pending_transfer_has_different_credit_account_id';
  }
  if (transfer.currency !== pending.currency) return 'pending_transfer_has_different_ledger';
  const posting = (transfer.flags & transferFlags.postPendingTransfer) !== 0;
  if (posting && transfer.amountMinor > pending.amountMinor) {
    return 'exceeds_pending_transfer_amount';
  }
  if (!posting && transfer.amountMinor !== 0n && transfer.amountMinor !== pending.amountMinor) {
    return 'pending_transfer_has_different_amount';
  }
  return null;
}

/** A post of 0 posts the whole pending amount; a void always releases all of it. */
function postedAmount(transfer: TransferInput, pending: StoredTransfer): bigint {
  if ((transfer.flags & transferFlags.postPendingTransfer) === 0) return pending.amountMinor;
  return transfer.amountMinor === 0n ? pending.amountMinor : transfer.amountMinor;
}

/** The refusal the accounts' flags or bigint limits give these balances, or null. */
function balanceRefusal(debit: AccountState, credit: AccountState): TransferResult | null {
  if (debit.debitsPending + debit.debitsPosted > amountMax) return 'overflows_debits';
  if (credit.creditsPending + credit.creditsPosted > amountMax) return 'overflows_credits';
  if (breaksFlags(debit) === 'debits') return 'exceeds_credits';
  if (breaksFlags(credit) === 'credits') return 'exceeds_debits';
  assert.equal(breaksFlags(debit), null, 'a debit cannot break a credits limit');
  assert.equal(breaksFlags(credit), null, 'a credit cannot break a debits limit');
  return null;
}

/** Which of its flags an account's balances break, if any. */
export function breaksFlags(account: AccountState): 'debits' | 'credits' | null {
  if (
    (account.flags & accountFlags.debitsMustNotExceedCredits) !== 0 &&
    account.debitsPending + account.debitsPosted > account.creditsPosted
  ) {
    return 'debits';
  }
  if (
    (account.flags & accountFlags.creditsMustNotExceedDebits) !== 0 &&
    account.creditsPending + account.creditsPosted > account.debitsPosted
  ) {
    return 'credits';
  }
  return null;
}

function setAccount(snapshot: LedgerSnapshot, undo: Undo, next: AccountState): void {
  const before = snapshot.accounts.get(next.id);
  assert.ok(before !== undefined);
  if (!undo.accounts.has(next.id)) undo.accounts.set(next.id, before);
  snapshot.accounts.set(next.id, next);
}

/** The row written for a transfer: a post or void carries its pending transfer's accounts. */
function storedRow(
  snapshot: LedgerSnapshot,
  transfer: TransferInput,
  result: TransferResult,
  now: Date,
): StoredTransfer {
  const pending =
    result === 'ok' && resolvesPending(transfer.flags)
      ? snapshot.transfers.get(transfer.pendingId ?? zeroId)
      : undefined;
  const timeoutSeconds = transfer.timeoutSeconds ?? 0;
  const isPending = (transfer.flags & transferFlags.pending) !== 0;
  return {
    id: transfer.id,
    debitAccountId: pending?.debitAccountId ?? transfer.debitAccountId,
    creditAccountId: pending?.creditAccountId ?? transfer.creditAccountId,
    amountMinor: pending === undefined ? transfer.amountMinor : postedAmount(transfer, pending),
    pendingId: resolvesPending(transfer.flags) ? (transfer.pendingId ?? zeroId) : null,
    flags: transfer.flags,
    timeoutSeconds,
    expiresAt:
      isPending && timeoutSeconds > 0 ? new Date(now.getTime() + timeoutSeconds * 1000) : null,
    // Safe: validateTransfer accepted these names before the engine ran.
    currency: transfer.currency as LedgerCurrency,
    reason: transfer.reason as TransferReason,
    referenceKind: (transfer.referenceKind ?? null) as ReferenceKind | null,
    referenceId: transfer.referenceId ?? null,
    result,
    createdAt: now,
  };
}
