import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { foldedAudit, type TransactionalAuditRecorder } from '../../access/index.js';
import {
  type AccountInput,
  accountCreator,
  accountFlags,
  isModifiedRequest,
  lookupAccounts,
  postedBalance,
  transferCreatorWithBalances,
} from '../../ledger/index.js';
import { programForFunding } from '../../programs/index.js';
import { fundingAccountId, fundingSettlementAccountId } from '../accounts/account-ids.js';
import { settlementAccountsOpener } from '../accounts/settlement-accounts.js';
import { amountFrom, currencyFrom } from '../money-input.js';
import { PaymentsError } from '../payments-error.js';

export interface FundingOutcome {
  transferId: string;
  fundingAccountId: string;
  currency: 'VES' | 'USD';
  amountMinor: bigint;
  balanceMinor: bigint;
  replayed: boolean;
  /** The `audit` entry is in the log, committed with the transfer (false: none was given). */
  audited: boolean;
}

/** The program as `programForFunding` answers it (a caller that read it already passes it). */
export type FundedProgram = Awaited<ReturnType<typeof programForFunding>>;

export interface FundingOptions {
  /** The program, already read by the caller (the route reads it for its gate): not read again. */
  program?: FundedProgram;
  /**
   * The request's audit entry, staged by the transfer's own insert when the transfer goes
   * through (a replay included), and moved into the log before `programFunder` answers: it
   * commits with the money or not at all (a refused transfer stages nothing).
   */
  audit?: { recorder: TransactionalAuditRecorder; entry: AuditEntryInput };
}

/**
 * Funds a program (issue #16): money the agency's bank received moves from the settlement
 * account to the program's funding account in the program's currency. The client's transfer id
 * is the idempotency key: the same request again answers the first result; the same id with
 * another amount is refused (Mojaloop 3106). Bad input posts nothing.
 *
 * @example
 *   await programFunder(db, { programId, currency: 'VES', amountMinor: '5000000', transferId });
 */
export async function programFunder(
  db: Kysely<Database>,
  props: { programId: string; currency: string; amountMinor: string | bigint; transferId: string },
  options: FundingOptions = {},
): Promise<FundingOutcome> {
  const amountMinor = amountFrom(props.amountMinor);
  const currency = currencyFrom(props.currency);
  const program =
    options.program !== undefined && options.program.programId === props.programId
      ? options.program
      : await programForFunding(db, props.programId);
  if (program === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such program' });
  if (program.currency !== currency) {
    throw new PaymentsError(
      'AMP_CURRENCY_MISMATCH',
      `The program pays in ${program.currency ?? 'no currency'}, not ${currency}`,
      [{ field: '/currency', reason: `the program's currency is ${program.currency ?? 'none'}` }],
    );
  }
  const funding = fundingAccountId(program.programId, currency);
  // One of the currency's settlement sub-accounts, by the transfer id: requests at once debit
  // different rows (docs/LEDGER.md), and a request sent again names the same one.
  const settlement = fundingSettlementAccountId(currency, props.transferId);
  await settlementAccountsOpener(db, currency);
  await openOnce(db, [
    {
      id: funding,
      currency,
      kind: 'program_funding',
      flags: accountFlags.debitsMustNotExceedCredits,
      referenceId: program.programId,
    },
  ]);
  // The entry staged by the attempt that committed (a retried batch stages it again).
  let settle: (() => Promise<void>) | undefined;
  const audit = options.audit;
  const {
    outcomes: [outcome],
    balances,
  } = await transferCreatorWithBalances(
    db,
    [
      {
        id: props.transferId,
        debitAccountId: settlement,
        creditAccountId: funding,
        amountMinor,
        flags: 0,
        currency,
        reason: 'funding',
      },
    ],
    audit === undefined
      ? {}
      : {
          alsoWritten: ([answer]) => {
            const folded =
              answer?.result === 'ok' ? foldedAudit(audit.recorder, [audit.entry]) : undefined;
            settle = folded?.settle;
            return folded === undefined ? [] : [folded.statement];
          },
        },
  );
  if (outcome === undefined || outcome.result !== 'ok') {
    const result = outcome?.result ?? 'unknown';
    throw new PaymentsError(
      'AMP_TRANSFER_REFUSED',
      isModifiedRequest(outcome?.result ?? 'ok')
        ? `The transfer id was already used for another request (${result})`
        : `The ledger refused the transfer: ${result}`,
    );
  }
  // The balance the transfer's own update returned; a replay changed nothing, so it is read.
  const account = balances.get(funding) ?? (await lookupAccounts(db, [funding]))[0];
  // Safe: `settle` is assigned in the `alsoWritten` callback, which narrowing does not follow.
  const settled = settle as (() => Promise<void>) | undefined;
  if (settled !== undefined) await settled();
  return {
    transferId: props.transferId,
    fundingAccountId: funding,
    currency,
    amountMinor,
    balanceMinor: account === undefined ? 0n : postedBalance(account),
    replayed: outcome.replayed,
    audited: settled !== undefined,
  };
}

/**
 * Derived accounts (a program's funding account) this process
 * has seen opened as asked. A ledger account is never deleted and its currency, kind and flags
 * never change (the application role may not), so once opened it needs no second look: each
 * funding request otherwise spent a transaction of four statements opening accounts that
 * exist (bench/ledger-tpcb.ts, single transfers over HTTP). Per database handle (the ids are
 * derived, so the same in every database); bounded: past the bound it starts again empty.
 */
const openedAccountIds = new WeakMap<Kysely<Database>, Set<string>>();
const openedAccountIdsMax = 10_000;

/** Opens the accounts unless this process saw them opened in this database before. */
async function openOnce(db: Kysely<Database>, accounts: readonly AccountInput[]): Promise<void> {
  const seen = openedAccountIds.get(db) ?? new Set<string>();
  if (accounts.every((account) => seen.has(account.id))) return;
  const opened = await accountCreator(db, accounts);
  if (opened.some((outcome) => outcome.result !== 'ok')) throw new Error('derived account refused');
  if (seen.size + accounts.length > openedAccountIdsMax) seen.clear();
  for (const account of accounts) seen.add(account.id);
  openedAccountIds.set(db, seen);
}
