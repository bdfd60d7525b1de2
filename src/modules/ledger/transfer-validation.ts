import {
  amountMax,
  ledgerNumbers,
  referenceKindCodes,
  type TransferResult,
  transferFlags,
  transferReasonCodes,
  zeroId,
} from './ledger-codes.js';
import { ledgerLimits } from './limits.js';

/**
 * One transfer as a client asks for it (TigerBeetle `Transfer`, with names instead of
 * numbers). For a post or a void, the accounts may be the zero id (the pending transfer's are
 * taken) and the amount 0 (all of it).
 *
 * @example
 *   { id: uuidv7(), debitAccountId: funding, creditAccountId: wallet, amountMinor: 50_000n,
 *     flags: transferFlags.none, currency: 'VES', reason: 'disbursement',
 *     referenceKind: 'entitlement', referenceId: entitlementId }
 */
export interface TransferInput {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amountMinor: bigint;
  /** The pending transfer a post or void resolves; absent (or the zero id) otherwise. */
  pendingId?: string | undefined;
  /** `transferFlags` bits. */
  flags: number;
  /** For a pending transfer: seconds after which it can no longer be posted; 0 never. */
  timeoutSeconds?: number | undefined;
  currency: string;
  reason: string;
  referenceKind?: string | undefined;
  referenceId?: string | undefined;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const knownFlags =
  transferFlags.linked |
  transferFlags.pending |
  transferFlags.postPendingTransfer |
  transferFlags.voidPendingTransfer;

/** Post or void: the transfer resolves a pending one. */
export function resolvesPending(flags: number): boolean {
  return (flags & (transferFlags.postPendingTransfer | transferFlags.voidPendingTransfer)) !== 0;
}

export function isLinked(flags: number): boolean {
  return (flags & transferFlags.linked) !== 0;
}

/**
 * What can be said of a transfer without the database: the refusal, or null when it may go
 * on. A refusal here depends on the body alone, so it is not stored: the same body is refused
 * the same way every time. Ids must be lowercase UUID text (the HTTP schema checks the format);
 * anything else is a programming error and throws.
 */
export function validateTransfer(
  transfer: TransferInput,
  options: { allowReservedReason?: boolean } = {},
): TransferResult | null {
  for (const id of [transfer.id, transfer.debitAccountId, transfer.creditAccountId]) {
    if (!uuidPattern.test(id)) throw new TypeError(`not a lowercase UUID: ${id}`);
  }
  const pendingId = transfer.pendingId ?? zeroId;
  if (!uuidPattern.test(pendingId)) throw new TypeError(`not a lowercase UUID: ${pendingId}`);
  if (transfer.id === zeroId) return 'id_must_not_be_zero';
  const flagsResult = validateFlags(transfer, pendingId);
  if (flagsResult !== null) return flagsResult;
  const amountResult = validateAmount(transfer);
  if (amountResult !== null) return amountResult;
  if (!Object.hasOwn(ledgerNumbers, transfer.currency)) return 'currency_not_supported';
  if (!Object.hasOwn(transferReasonCodes, transfer.reason)) return 'reason_not_supported';
  if (transfer.reason === 'pending_expired' && options.allowReservedReason !== true) {
    return 'reason_reserved';
  }
  return validateReference(transfer);
}

function validateFlags(transfer: TransferInput, pendingId: string): TransferResult | null {
  const flags = transfer.flags;
  const timeoutSeconds = transfer.timeoutSeconds ?? 0;
  const exclusive = [
    transferFlags.pending,
    transferFlags.postPendingTransfer,
    transferFlags.voidPendingTransfer,
  ].filter((bit) => (flags & bit) !== 0).length;
  if (!Number.isInteger(flags) || (flags & ~knownFlags) !== 0 || exclusive > 1) {
    return 'flags_are_mutually_exclusive';
  }
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0) {
    return 'timeout_reserved_for_pending_transfer';
  }
  if (resolvesPending(flags)) {
    if (pendingId === zeroId) return 'pending_id_must_not_be_zero';
    if (pendingId === transfer.id) return 'pending_id_must_be_different';
    if (timeoutSeconds !== 0) return 'timeout_reserved_for_pending_transfer';
    return null;
  }
  if (pendingId !== zeroId) return 'pending_id_must_be_zero';
  if (transfer.debitAccountId === zeroId) return 'debit_account_id_must_not_be_zero';
  if (transfer.creditAccountId === zeroId) return 'credit_account_id_must_not_be_zero';
  if (transfer.debitAccountId === transfer.creditAccountId) return 'accounts_must_be_different';
  if (timeoutSeconds !== 0 && (flags & transferFlags.pending) === 0) {
    return 'timeout_reserved_for_pending_transfer';
  }
  if (timeoutSeconds > ledgerLimits.pendingTimeoutSecondsMax) {
    return 'timeout_reserved_for_pending_transfer';
  }
  return null;
}

function validateAmount(transfer: TransferInput): TransferResult | null {
  if (transfer.amountMinor < 0n) return 'amount_must_not_be_negative';
  if (transfer.amountMinor > amountMax) return 'amount_exceeds_maximum';
  if (transfer.amountMinor === 0n && !resolvesPending(transfer.flags)) {
    return 'amount_must_not_be_zero';
  }
  return null;
}

function validateReference(transfer: TransferInput): TransferResult | null {
  const hasKind = transfer.referenceKind !== undefined;
  const hasId = transfer.referenceId !== undefined;
  if (hasKind !== hasId) return 'reference_incomplete';
  if (transfer.referenceKind !== undefined && transfer.referenceId !== undefined) {
    if (!Object.hasOwn(referenceKindCodes, transfer.referenceKind)) return 'reference_incomplete';
    if (!uuidPattern.test(transfer.referenceId)) {
      throw new TypeError(`not a lowercase UUID: ${transfer.referenceId}`);
    }
  }
  return null;
}
