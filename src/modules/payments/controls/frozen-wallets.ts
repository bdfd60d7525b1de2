import type { OperatorActor } from '../../../shared/access/actor.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { consumePersonReads } from '../../access/index.js';
import { type LedgerCurrency, ledgerCurrencies, lookupAccounts } from '../../ledger/index.js';
import { walletAccountId } from '../accounts/account-ids.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { guardLedgerAction } from '../payments-guard.js';
import type { WalletFreezeReason } from '../tables.js';
import { frozenDestinations } from './frozen-destination.js';

/** A frozen wallet still holding money, and where the documented process sends it. */
export interface FrozenBalance {
  personId: string;
  reason: WalletFreezeReason;
  frozenAt: string;
  currency: LedgerCurrency;
  accountId: string;
  balanceMinor: bigint;
  /**
   * survivor (a merge: the wallet of the record that survives, not frozen) or estate (a death or
   * an erasure, also of the survivor: `frozenDestinations`).
   */
  destination: 'survivor' | 'estate';
  /** An adjustment already proposed or approved for it, waiting for its second person. */
  pendingAdjustmentId: string | null;
}

const listedMax = 50;

/**
 * The frozen wallets that still hold money (issue #16, point 7), for the finance officer who
 * moves them by a two-person adjustment. Each person listed is a person read: counted against
 * the operator's quota and audited on the person (the balance of a dead or merged person's
 * wallet is theirs), like a search. At most 50, oldest freeze first.
 */
export async function frozenBalanceLister(
  deps: PaymentsDependencies,
  context: PaymentsContext,
): Promise<FrozenBalance[]> {
  const grant = await guardLedgerAction(deps, context, 'payment.ledger_read', {
    type: 'ledger_account',
    id: null,
  });
  const freezes = await deps.db
    .selectFrom('payment_wallet_freeze')
    .select(['person_id', 'reason', 'survivor_id', 'frozen_at'])
    .orderBy('frozen_at')
    .limit(2_000)
    .execute();
  const destinations = await frozenDestinations(deps.db, freezes);
  const wallets = freezes.flatMap((freeze) =>
    ledgerCurrencies.map((currency) => ({
      freeze,
      currency,
      id: walletAccountId(freeze.person_id, currency),
    })),
  );
  const accounts = new Map(
    (
      await lookupAccounts(
        deps.db,
        wallets.map((wallet) => wallet.id),
      )
    ).map((a) => [a.id, a]),
  );
  const pending = await deps.db
    .selectFrom('payment_adjustment')
    .select(['id', 'debit_account_id'])
    .where('kind', '=', 'frozen_balance')
    .where('status', 'in', ['proposed', 'approved'])
    .execute();
  const pendingBy = new Map(pending.map((row) => [row.debit_account_id, row.id]));
  const listed = wallets
    .map((wallet) => {
      const account = accounts.get(wallet.id);
      const balance =
        account === undefined
          ? 0n
          : account.creditsPosted - account.debitsPosted - account.debitsPending;
      return { wallet, balance };
    })
    .filter(({ balance }) => balance > 0n)
    .slice(0, listedMax);
  const personIds = [...new Set(listed.map(({ wallet }) => wallet.freeze.person_id))];
  const actor = context.actor;
  if (actor?.kind === 'operator' && personIds.length > 0)
    await consumePersonReads(deps.db, actor, personIds.length);
  const write = {
    actor: actor as OperatorActor,
    action: 'payment.ledger_read',
    regionCode: null,
    grant,
  };
  for (const personId of personIds)
    await deps.audit.append(
      writeAuditEntry(
        write,
        { type: 'person', id: personId },
        ['wallet_balance'],
        context.requestId,
      ),
    );
  if (personIds.length === 0) await grant.record([]);
  return listed.map(({ wallet, balance }) => ({
    personId: wallet.freeze.person_id,
    reason: wallet.freeze.reason,
    frozenAt: wallet.freeze.frozen_at.toISOString(),
    currency: wallet.currency,
    accountId: wallet.id,
    balanceMinor: balance,
    destination: destinations.get(wallet.freeze.person_id) === 'estate' ? 'estate' : 'survivor',
    pendingAdjustmentId: pendingBy.get(wallet.id) ?? null,
  }));
}
