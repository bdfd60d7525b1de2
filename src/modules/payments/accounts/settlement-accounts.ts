import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { accountCreator, accountFlags, type LedgerCurrency } from '../../ledger/index.js';
import { settlementAccountIds } from './account-ids.js';

/**
 * Currencies whose settlement sub-accounts this process has seen opened, per database handle.
 * A ledger account is never deleted and its kind never changes, so once opened they need no
 * second look (funding requests otherwise spend a transaction on them: bench/ledger-tpcb.ts).
 */
const openedCurrencies = new WeakMap<Kysely<Database>, Set<LedgerCurrency>>();

/**
 * Opens a currency's settlement account — all its sub-accounts (`settlementAccountIds`, docs/
 * LEDGER.md) together, in one statement — wherever the currency's settlement is first needed:
 * funding (which debits any one of them), payouts and bank files, merchant settlement. So
 * whichever comes first, every sub-account exists after it, and adjustments, payouts and
 * statements that name the first find it. Idempotent and safe at once: the ledger inserts the
 * same derived ids in the same order and skips those present, so two first uses at the same
 * moment open each sub-account once (the second waits for the first's row, then skips it).
 *
 * @example
 *   await settlementAccountsOpener(db, 'VES'); // the 16 VES sub-accounts exist after it
 */
export async function settlementAccountsOpener(
  db: Kysely<Database>,
  currency: LedgerCurrency,
): Promise<void> {
  const seen = openedCurrencies.get(db) ?? new Set<LedgerCurrency>();
  if (seen.has(currency)) return;
  const opened = await accountCreator(
    db,
    settlementAccountIds(currency).map((id) => ({
      id,
      currency,
      kind: 'settlement' as const,
      flags: accountFlags.none,
    })),
  );
  if (opened.some((outcome) => outcome.result !== 'ok'))
    throw new Error('a settlement sub-account was refused');
  seen.add(currency);
  openedCurrencies.set(db, seen);
}
