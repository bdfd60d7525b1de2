import type {
  AccountKind,
  LedgerCurrency,
  ReferenceKind,
  TransferReason,
  TransferResult,
} from './ledger-codes.js';

/** An account's balances as one batch sees and changes them (TigerBeetle `Account`). */
export interface AccountState {
  id: string;
  currency: LedgerCurrency;
  kind: AccountKind;
  flags: number;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

/** A transfer row as written: applied (`result` ok) or refused with a state-dependent code. */
export interface StoredTransfer {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amountMinor: bigint;
  pendingId: string | null;
  flags: number;
  timeoutSeconds: number;
  expiresAt: Date | null;
  currency: LedgerCurrency;
  reason: TransferReason;
  referenceKind: ReferenceKind | null;
  referenceId: string | null;
  result: TransferResult;
  createdAt: Date;
}

/** How a pending transfer was resolved, if it was. */
export type Resolution = 'posted' | 'voided' | 'expired';

/**
 * What one batch reads before it applies anything: the accounts it touches, the transfers
 * that already carry its ids or are the pending transfers it resolves, and how those pending
 * transfers were resolved. The engine changes it as it applies the batch.
 */
export interface LedgerSnapshot {
  accounts: Map<string, AccountState>;
  transfers: Map<string, StoredTransfer>;
  resolutions: Map<string, Resolution>;
}

export function copyAccount(account: AccountState): AccountState {
  return { ...account };
}
