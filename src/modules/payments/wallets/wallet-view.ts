import {
  type AccountEntry,
  accountTransfers,
  type LedgerCurrency,
  ledgerCurrencies,
  lookupAccounts,
  postedBalance,
} from '../../ledger/index.js';
import { walletAccountId } from '../accounts/account-ids.js';
import { walletFreezeOf } from '../accounts/wallet-freeze.js';
import { paymentLimits } from '../limits.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { guardWallet } from '../payments-guard.js';

export interface WalletLine {
  transferId: string;
  seq: string;
  direction: 'credit' | 'debit';
  amountMinor: string;
  currency: LedgerCurrency;
  reason: string;
  at: string;
}

export interface WalletView {
  personId: string;
  frozen: boolean;
  frozenReason: string | null;
  wallets: Array<{
    currency: LedgerCurrency;
    accountId: string;
    balanceMinor: string;
    reservedMinor: string;
  }>;
  currency: LedgerCurrency;
  history: WalletLine[];
  /** Pass as `before` for the next (older) page; null at the end. */
  nextBefore: string | null;
}

/**
 * A person's wallets (a wallet not yet opened is left out), and one page of the history of the
 * one in `currency`, newest first: the citizen's own, or an operator's read with a purpose
 * (audited on the person). The history says why money moved (disbursement, payment …), never
 * the program or the other party's person.
 */
export async function walletReader(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  props: { personId: string; currency?: LedgerCurrency; before?: string; limit?: number },
): Promise<WalletView> {
  const grant = await guardWallet(deps, context, props.personId);
  const currency = props.currency ?? 'VES';
  const accounts = await lookupAccounts(
    deps.db,
    ledgerCurrencies.map((each) => walletAccountId(props.personId, each)),
  );
  const accountId = walletAccountId(props.personId, currency);
  const limit = Math.min(props.limit ?? 50, paymentLimits.historyPageMax);
  const entries = accounts.some((account) => account.id === accountId)
    ? await accountTransfers(deps.db, {
        accountId,
        beforeSeq: props.before === undefined ? undefined : BigInt(props.before),
        limit,
      })
    : [];
  const freeze = await walletFreezeOf(deps.db, props.personId);
  await grant.record(['wallet_balance', 'wallet_history']);
  return {
    personId: props.personId,
    frozen: freeze !== undefined,
    frozenReason: freeze?.reason ?? null,
    wallets: accounts.map((account) => ({
      currency: account.currency,
      accountId: account.id,
      balanceMinor: postedBalance(account).toString(),
      reservedMinor: account.debitsPending.toString(),
    })),
    currency,
    history: entries.map((entry) => lineOf(entry, accountId)),
    nextBefore: entries.length === limit ? String(entries.at(-1)?.seq) : null,
  };
}

function lineOf(entry: AccountEntry, accountId: string): WalletLine {
  return {
    transferId: entry.id,
    seq: entry.seq.toString(),
    direction: entry.creditAccountId === accountId ? 'credit' : 'debit',
    amountMinor: entry.amountMinor.toString(),
    currency: entry.currency,
    reason: entry.reason,
    at: entry.createdAt.toISOString(),
  };
}
