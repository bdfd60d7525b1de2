/**
 * The payments module's public face (issue #16): the glue between programs and the ledger —
 * wallets, program funding, cash disbursement, statements, payouts. It sits above programs
 * and the ledger; only the composition (`src/app.ts`, the CLI) imports it. Re-exports only.
 */

export {
  derivedId,
  disbursementTransferId,
  fundingAccountId,
  settlementAccountId,
  settlementAccountIds,
  walletAccountId,
} from './accounts/account-ids.js';
export { freezeWalletsOnRegistryEvents } from './accounts/wallet-freeze.js';
export { ControlsError, type ControlsErrorCode } from './controls/controls-error.js';
export { merchantFanInScan, startPatternScan } from './controls/pattern-alerts.js';
export { pinSprayScan, staffTakeoverScan } from './controls/pin-alerts.js';
export { refuseOverDailyLimit } from './controls/wallet-limits.js';
export {
  type DisbursementProgress,
  disbursementProgress,
} from './disbursement/disbursement-progress.js';
export { disbursementRunner, type RunOptions } from './disbursement/disbursement-runner.js';
export { disbursementStarter } from './disbursement/disbursement-starter.js';
export { type FundingOutcome, programFunder } from './funding/program-funder.js';
export { paymentLimits } from './limits.js';
export {
  merchantSettler,
  type SettlementLine,
  settlementFile,
} from './merchants/merchant-settler.js';
export { amountFrom, currencyFrom } from './money-input.js';
export type { PaymentsContext, PaymentsDependencies } from './payments-context.js';
export { PaymentsError, type PaymentsErrorCode } from './payments-error.js';
export { type DebtorInput, debtorFor, storedPayingAccount } from './payouts/paying-account.js';
export {
  type PayoutLifecycleReason,
  payoutsOfPersonStopper,
  type StoppedPayouts,
  voidPayoutsOnRegistryEvents,
} from './payouts/payout-lifecycle.js';
export { type PaymentsPluginOptions, paymentsPlugin } from './plugin.js';
export { type PaymentGroup, paymentsByProgramMonth } from './statistics-read-model.js';
export type { DisbursementStatus, PaymentTables, WalletFreezeReason } from './tables.js';
