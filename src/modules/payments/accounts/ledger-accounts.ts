import { accountsOfKinds, type LedgerCurrency, postedBalance } from '../../ledger/index.js';
import { programChoices } from '../../programs/index.js';
import { estateAccountId } from '../controls/adjustments.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { guardLedgerAction } from '../payments-guard.js';
import { suspenseAccountId } from '../payouts/payout-ids.js';
import { settlementAccountIds } from './account-ids.js';

/** What one of the ledger's own accounts is, as the console names it. */
export type OwnAccountRole = 'program_funding' | 'settlement' | 'suspense' | 'estate';

/** One of the ledger's non-personal accounts with its balances. */
export interface OwnLedgerAccount {
  accountId: string;
  role: OwnAccountRole;
  currency: LedgerCurrency;
  /** The funded program (program funding only). */
  programId: string | null;
  /** The program's names when it is published or suspended; null otherwise. */
  programName: { es: string; en: string } | null;
  /** The settlement sub-account's place, 0 to 15 (settlement only; 0 is the one payouts use). */
  subAccount: number | null;
  balanceMinor: bigint;
  debitsPendingMinor: bigint;
  creditsPendingMinor: bigint;
}

/** At most this many of the ledger's own accounts are listed (they are few; wallets are not). */
const ownAccountsMax = 2_000;

/**
 * The ledger's non-personal accounts (issue #16, point 8): each program's funding account per
 * currency, the settlement sub-accounts per currency (docs/LEDGER.md) with their sum, the
 * suspense and the estate account per currency, with balances. `payment.ledger_read`, like the
 * trial balance, audited; no wallet and no merchant (those are reached from their person or
 * merchant). The console's statement panel and adjustment form pick an account from it.
 *
 * @example
 *   const { accounts, settlementTotals } = await ledgerAccountsReader(deps, context);
 */
export async function ledgerAccountsReader(deps: PaymentsDependencies, context: PaymentsContext) {
  const grant = await guardLedgerAction(deps, context, 'payment.ledger_read', {
    type: 'ledger_account',
    id: null,
  });
  const [rows, programs] = await Promise.all([
    accountsOfKinds(deps.db, ['program_funding', 'settlement', 'suspense'], ownAccountsMax),
    programChoices(deps.db),
  ]);
  const names = new Map(programs.map((program) => [program.programId, program.name]));
  const accounts = rows.flatMap((row): OwnLedgerAccount[] => {
    const base = {
      accountId: row.id,
      currency: row.currency,
      programId: null,
      programName: null,
      subAccount: null,
      balanceMinor: postedBalance(row),
      debitsPendingMinor: row.debitsPending,
      creditsPendingMinor: row.creditsPending,
    };
    if (row.kind === 'program_funding') {
      const programId = row.referenceId;
      return [
        {
          ...base,
          role: 'program_funding',
          programId,
          programName: programId === null ? null : (names.get(programId) ?? null),
        },
      ];
    }
    if (row.kind === 'settlement') {
      const shard = settlementAccountIds(row.currency).indexOf(row.id);
      return [{ ...base, role: 'settlement', subAccount: shard < 0 ? null : shard }];
    }
    if (row.id === suspenseAccountId(row.currency)) return [{ ...base, role: 'suspense' }];
    if (row.id === estateAccountId(row.currency)) return [{ ...base, role: 'estate' }];
    return [];
  });
  const order: Record<OwnAccountRole, number> = {
    program_funding: 0,
    settlement: 1,
    suspense: 2,
    estate: 3,
  };
  accounts.sort(
    (a, b) =>
      order[a.role] - order[b.role] ||
      a.currency.localeCompare(b.currency) ||
      (a.subAccount ?? 0) - (b.subAccount ?? 0) ||
      a.accountId.localeCompare(b.accountId),
  );
  const totals = new Map<LedgerCurrency, { balance: bigint; subAccounts: number }>();
  for (const account of accounts) {
    if (account.role !== 'settlement') continue;
    const total = totals.get(account.currency) ?? { balance: 0n, subAccounts: 0 };
    total.balance += account.balanceMinor;
    total.subAccounts += 1;
    totals.set(account.currency, total);
  }
  await grant.record([]);
  return {
    accounts,
    settlementTotals: [...totals].map(([currency, total]) => ({
      currency,
      balanceMinor: total.balance,
      subAccounts: total.subAccounts,
    })),
  };
}
