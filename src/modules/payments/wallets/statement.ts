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

/**
 * An account's statement as CSV (issue #16, point 8), oldest first with the running posted
 * balance, through the platform's spreadsheet-safe writer. A wallet's statement is the person's
 * data (`payment.wallet_read`, audited on the person); any other account's is
 * `payment.ledger_read`. At most `limits.payments.statementRowsMax` of the latest transfers.
 */
export async function statementWriter(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  accountId: string,
): Promise<{ fileName: string; csv: string }> {
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
  while (entries.length < paymentLimits.statementRowsMax) {
    const page = await accountTransfers(deps.db, {
      accountId,
      beforeSeq: before,
      limit: Math.min(5_000, paymentLimits.statementRowsMax - entries.length),
    });
    entries.push(...page);
    if (page.length === 0 || page.length < 5_000) break;
    before = page.at(-1)?.seq;
  }
  entries.reverse();
  const moved = entries.reduce(
    (sum, entry) =>
      sum + (entry.creditAccountId === accountId ? entry.amountMinor : -entry.amountMinor),
    0n,
  );
  let balance = postedBalance(account) - moved;
  const lines = [
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
  ];
  for (const entry of entries) {
    const credit = entry.creditAccountId === accountId;
    balance += credit ? entry.amountMinor : -entry.amountMinor;
    lines.push(
      csvRow([
        entry.seq,
        entry.createdAt.toISOString(),
        entry.id,
        entry.reason,
        entry.referenceKind,
        entry.referenceId,
        credit ? '' : entry.amountMinor,
        credit ? entry.amountMinor : '',
        balance,
        entry.currency,
      ]),
    );
  }
  await grant.record(['ledger_statement']);
  return { fileName: `statement-${accountId}.csv`, csv: lines.join('') };
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
