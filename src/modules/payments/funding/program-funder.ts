import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import {
  accountCreator,
  accountFlags,
  isModifiedRequest,
  lookupAccounts,
  postedBalance,
  transferCreator,
} from '../../ledger/index.js';
import { programForFunding } from '../../programs/index.js';
import { fundingAccountId, settlementAccountId } from '../accounts/account-ids.js';
import { amountFrom, currencyFrom } from '../money-input.js';
import { PaymentsError } from '../payments-error.js';

export interface FundingOutcome {
  transferId: string;
  fundingAccountId: string;
  currency: 'VES' | 'USD';
  amountMinor: bigint;
  balanceMinor: bigint;
  replayed: boolean;
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
): Promise<FundingOutcome> {
  const amountMinor = amountFrom(props.amountMinor);
  const currency = currencyFrom(props.currency);
  const program = await programForFunding(db, props.programId);
  if (program === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such program' });
  if (program.currency !== currency) {
    throw new PaymentsError(
      'AMP_CURRENCY_MISMATCH',
      `The program pays in ${program.currency ?? 'no currency'}, not ${currency}`,
      [{ field: '/currency', reason: `the program's currency is ${program.currency ?? 'none'}` }],
    );
  }
  const funding = fundingAccountId(program.programId, currency);
  const settlement = settlementAccountId(currency);
  const opened = await accountCreator(db, [
    { id: settlement, currency, kind: 'settlement', flags: accountFlags.none },
    {
      id: funding,
      currency,
      kind: 'program_funding',
      flags: accountFlags.debitsMustNotExceedCredits,
      referenceId: program.programId,
    },
  ]);
  if (opened.some((outcome) => outcome.result !== 'ok')) throw new Error('derived account refused');
  const [outcome] = await transferCreator(db, [
    {
      id: props.transferId,
      debitAccountId: settlement,
      creditAccountId: funding,
      amountMinor,
      flags: 0,
      currency,
      reason: 'funding',
    },
  ]);
  if (outcome === undefined || outcome.result !== 'ok') {
    const result = outcome?.result ?? 'unknown';
    throw new PaymentsError(
      'AMP_TRANSFER_REFUSED',
      isModifiedRequest(outcome?.result ?? 'ok')
        ? `The transfer id was already used for another request (${result})`
        : `The ledger refused the transfer: ${result}`,
    );
  }
  const [account] = await lookupAccounts(db, [funding]);
  return {
    transferId: props.transferId,
    fundingAccountId: funding,
    currency,
    amountMinor,
    balanceMinor: account === undefined ? 0n : postedBalance(account),
    replayed: outcome.replayed,
  };
}
