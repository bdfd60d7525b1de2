import { sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { type LedgerCurrency, transferFlags } from './ledger-codes.js';
import type { StoredTransfer } from './ledger-state.js';

/**
 * Money that reached a beneficiary's wallet in a batch: a posted transfer (plain, or the post
 * of a pending one) crediting an account of kind `beneficiary_wallet`. The ledger knows no
 * person: `ownerReferenceId` is the wallet's opaque `reference_id`, which the module that
 * opened the wallet chose (the person's id).
 */
export interface WalletCredit {
  transferId: string;
  walletAccountId: string;
  ownerReferenceId: string | null;
  amountMinor: bigint;
  currency: LedgerCurrency;
  postedAt: Date;
}

/**
 * Called by `transferCreator` inside the batch's transaction, after its rows and balances are
 * written, with the wallet credits the batch posted (issue 14, point 6: "payment received" is
 * queued in the same commit as the money). It runs again if the batch is retried (the earlier
 * run was rolled back with it), and an error it throws rolls the batch back.
 */
export type WalletCreditHook = (
  trx: Transaction<Database>,
  credits: readonly WalletCredit[],
) => Promise<void>;

const notPosted = transferFlags.pending | transferFlags.voidPendingTransfer;

/** The posted credits to beneficiary wallets among the rows a batch wrote. */
export async function postedWalletCredits(
  trx: Transaction<Database>,
  rows: readonly StoredTransfer[],
): Promise<WalletCredit[]> {
  const posted = rows.filter(
    (row) => row.result === 'ok' && (row.flags & notPosted) === 0 && row.amountMinor > 0n,
  );
  if (posted.length === 0) return [];
  const wallets = await trx
    .selectFrom('ledger_account')
    .select(['id', 'reference_id'])
    .where(
      'id',
      '=',
      sql<string>`any(${[...new Set(posted.map((row) => row.creditAccountId))]}::uuid[])`,
    )
    .where('kind', '=', 'beneficiary_wallet')
    .execute();
  const owners = new Map(wallets.map((wallet) => [wallet.id, wallet.reference_id]));
  return posted
    .filter((row) => owners.has(row.creditAccountId))
    .map((row) => ({
      transferId: row.id,
      walletAccountId: row.creditAccountId,
      ownerReferenceId: owners.get(row.creditAccountId) ?? null,
      amountMinor: row.amountMinor,
      currency: row.currency,
      postedAt: row.createdAt,
    }));
}
