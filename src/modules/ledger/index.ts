/**
 * The ledger's public face (issue #16): money only. It knows accounts and transfers, in
 * TigerBeetle's model (docs/LEDGER.md), never programs or persons: what an account belongs
 * to and what caused a transfer are opaque references. It imports only platform and shared.
 * Re-exports only.
 */
export {
  type AccountEntry,
  accountTransfers,
  type TrialBalanceLine,
  trialBalance,
} from './account-history.js';
export {
  type AccountInput,
  type AccountOutcome,
  type AccountResult,
  accountCreator,
  accountReferences,
  accountsOfKinds,
  lookupAccounts,
  postedBalance,
} from './account-service.js';
export {
  type DailyDebitLimits,
  defaultDailyDebitLimits,
  limitDayStart,
} from './daily-debit-limits.js';
export {
  type AccountKind,
  accountFlags,
  accountKindCodes,
  amountMax,
  isModifiedRequest,
  type LedgerCurrency,
  ledgerCurrencies,
  ledgerNumbers,
  type ReferenceKind,
  referenceKindCodes,
  type TransferReason,
  type TransferResult,
  transferFlags,
  transferReasonCodes,
  transferResults,
  zeroId,
} from './ledger-codes.js';
export type { AccountState } from './ledger-state.js';
export { type LedgerVerification, ledgerIsSound, verifyLedger } from './ledger-verifier.js';
export { ledgerLimits } from './limits.js';
export { expiryId, pendingExpirer } from './pending-expirer.js';
export type { LedgerTables } from './tables.js';
export type { BatchAppliedHook, TransferBatch } from './transfer-batch.js';
export {
  type AppliedBatch,
  type CreateTransfersOptions,
  deferredAccountKinds,
  transferCreator,
  transferCreatorInTransaction,
  transferCreatorWithBalances,
} from './transfer-creator.js';
export type { TransferOutcome } from './transfer-engine.js';
export {
  referencedTransfers,
  referencedTransfersRelation,
  transfersOfReference,
} from './transfer-references.js';
export type { TransferInput } from './transfer-validation.js';
export type { WalletCredit, WalletCreditHook } from './wallet-credits.js';
