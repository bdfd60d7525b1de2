import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { type AccountState, accountReferences, lookupAccounts } from '../../ledger/index.js';
import { frozenAmong, refuseFrozenInTransaction } from '../accounts/wallet-freeze.js';
import { PaymentsError } from '../payments-error.js';

/**
 * The holders of the beneficiary wallets among these accounts, in a stable order (a wallet's
 * ledger reference is its holder's person id). Other kinds of account hold no one's money.
 */
async function walletHolders(
  db: Kysely<Database>,
  accounts: readonly AccountState[],
): Promise<string[]> {
  const wallets = accounts.filter((account) => account.kind === 'beneficiary_wallet');
  if (wallets.length === 0) return [];
  const references = await accountReferences(
    db,
    wallets.map((wallet) => wallet.id),
  );
  return [...new Set(references.values())]
    .filter((holder): holder is string => holder !== null)
    .sort();
}

/**
 * Whether a manual adjustment between these accounts would touch a frozen wallet (issue #16,
 * point 7). A frozen wallet's balance moves only by the documented process
 * (`frozenBalanceProposer`: to the survivor's wallet or the estate account), so a manual
 * adjustment may neither debit nor credit one: a correction owed to a dead person is made on
 * the estate account, where the heirs are paid from.
 *
 * @example
 *   if (await touchesFrozenWallet(db, [debitAccountId, creditAccountId])) refuse();
 */
export async function touchesFrozenWallet(
  db: Kysely<Database>,
  accountIds: readonly string[],
): Promise<boolean> {
  const holders = await walletHolders(db, await lookupAccounts(db, accountIds));
  return (await frozenAmong(db, holders)).size > 0;
}

/**
 * The same check inside the ledger transaction that posts the adjustment, under the
 * per-person lock a freeze takes (`refuseFrozenInTransaction`): a death recorded between the
 * approval and the transfer is seen here, never lands between them. Answers whether the
 * transfer may be posted.
 */
export async function mayPostUnfrozen(
  trx: Transaction<Database>,
  accountIds: readonly string[],
): Promise<boolean> {
  for (const holder of await walletHolders(trx, await lookupAccounts(trx, accountIds))) {
    try {
      await refuseFrozenInTransaction(trx, holder);
    } catch (error) {
      if (error instanceof PaymentsError && error.code === 'AMP_WALLET_FROZEN') return false;
      throw error;
    }
  }
  return true;
}
