import { csvRow } from '../../../platform/csv.js';
import {
  accountReferences,
  accountTransfers,
  lookupAccounts,
  postedBalance,
  trialBalance,
} from '../../ledger/index.js';
import { paymentLimits } from '../limits.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { guardLedgerAction, guardWallet } from '../payments-guard.js';

/** One line of a statement: a transfer and the posted balance after it. */
export interface StatementLine {
  seq: bigint;
  createdAt: Date;
  transferId: string;
  reason: string;
  referenceKind: string | null;
  referenceId: string | null;
  debitMinor: bigint | null;
  creditMinor: bigint | null;
  balanceMinor: bigint;
}

/** An account's statement, oldest first: what the CSV and the PDF both write. */
export interface Statement {
  accountId: string;
  kind: string;
  currency: string;
  lines: StatementLine[];
  /** True when older transfers were left out (beyond `rowsMax`). */
  truncated: boolean;
  balanceMinor: bigint;
}

/**
 * An account's statement (issue #16, point 8), oldest first with the running posted balance.
 * A wallet's statement is the person's data (`payment.wallet_read`, audited on the person);
 * any other account's is `payment.ledger_read`. At most `rowsMax` of the latest transfers.
 */
export async function statementReader(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  accountId: string,
  rowsMax: number = paymentLimits.statementRowsMax,
): Promise<Statement> {
  const [account] = await lookupAccounts(deps.db, [accountId]);
  const referenceId =
    account?.kind === 'beneficiary_wallet'
      ? ((await accountReferences(deps.db, [accountId])).get(accountId) ?? null)
      : null;
  const grant =
    account?.kind === 'beneficiary_wallet' && referenceId !== null
      ? await guardWallet(deps, context, referenceId)
      : await guardLedgerAction(
          deps,
          context,
          'payment.ledger_read',
          { type: 'ledger_account', id: accountId },
          account !== undefined,
        );
  if (account === undefined) {
    throw new PaymentsError('AMP_ACCOUNT_NOT_FOUND', 'No ledger account has this id');
  }
  const entries = [];
  let before: bigint | undefined;
  let truncated = false;
  while (entries.length < rowsMax) {
    const page = await accountTransfers(deps.db, {
      accountId,
      beforeSeq: before,
      limit: Math.min(5_000, rowsMax - entries.length),
    });
    entries.push(...page);
    if (page.length === 0 || page.length < 5_000) break;
    before = page.at(-1)?.seq;
  }
  if (entries.length >= rowsMax) {
    const older = await accountTransfers(deps.db, {
      accountId,
      beforeSeq: entries.at(-1)?.seq,
      limit: 1,
    });
    truncated = older.length > 0;
  }
  entries.reverse();
  const moved = entries.reduce(
    (sum, entry) =>
      sum + (entry.creditAccountId === accountId ? entry.amountMinor : -entry.amountMinor),
    0n,
  );
  let balance = postedBalance(account) - moved;
  const lines = entries.map((entry): StatementLine => {
    const credit = entry.creditAccountId === accountId;
    balance += credit ? entry.amountMinor : -entry.amountMinor;
    return {
      seq: entry.seq,
      createdAt: entry.createdAt,
      transferId: entry.id,
      reason: entry.reason,
      referenceKind: entry.referenceKind,
      referenceId: entry.referenceId,
      debitMinor: credit ? null : entry.amountMinor,
      creditMinor: credit ? entry.amountMinor : null,
      balanceMinor: balance,
    };
  });
  await grant.record(['ledger_statement']);
  return {
    accountId,
    kind: account.kind,
    currency: account.currency,
    lines,
    truncated,
    balanceMinor: postedBalance(account),
  };
}

/** The statement as spreadsheet-safe CSV (`csvRow`). */
export async function statementWriter(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  accountId: string,
): Promise<{ fileName: string; csv: string }> {
  const statement = await statementReader(deps, context, accountId);
  const rows = [
    csvRow([
      'seq',
      'date',
      'transfer_id',
      'reason',
      'reference_kind',
      'reference_id',
      'debit_minor',
      'credit_minor',
      'balance_minor',
      'currency',
    ]),
    ...statement.lines.map((line) =>
      csvRow([
        line.seq,
        line.createdAt.toISOString(),
        line.transferId,
        line.reason,
        line.referenceKind,
        line.referenceId,
        line.debitMinor ?? '',
        line.creditMinor ?? '',
        line.balanceMinor,
        statement.currency,
      ]),
    ),
  ];
  return { fileName: `statement-${accountId}.csv`, csv: rows.join('') };
}

/** The trial balance, by currency and account kind (`payment.ledger_read`, audited). */
export async function trialBalanceReader(deps: PaymentsDependencies, context: PaymentsContext) {
  const grant = await guardLedgerAction(deps, context, 'payment.ledger_read', {
    type: 'ledger_account',
    id: null,
  });
  const lines = await trialBalance(deps.db);
  await grant.record([]);
  const totals = new Map<string, { debits: bigint; credits: bigint }>();
  for (const line of lines) {
    const total = totals.get(line.currency) ?? { debits: 0n, credits: 0n };
    total.debits += line.debitsPosted;
    total.credits += line.creditsPosted;
    totals.set(line.currency, total);
  }
  return {
    lines: lines.map((line) => ({
      currency: line.currency,
      kind: line.kind,
      accounts: line.accounts,
      debitsPostedMinor: line.debitsPosted.toString(),
      creditsPostedMinor: line.creditsPosted.toString(),
      debitsPendingMinor: line.debitsPending.toString(),
      creditsPendingMinor: line.creditsPending.toString(),
    })),
    currencies: [...totals].map(([currency, total]) => ({
      currency,
      debitsPostedMinor: total.debits.toString(),
      creditsPostedMinor: total.credits.toString(),
      balanced: total.debits === total.credits,
    })),
  };
}
