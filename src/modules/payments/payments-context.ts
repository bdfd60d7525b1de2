import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { TransactionalAuditRecorder } from '../access/index.js';
import type { WalletCreditHook } from '../ledger/index.js';

/** What every payments verb needs: the database, the audit log, a clock, the credit hook. */
export interface PaymentsDependencies {
  db: Kysely<Database>;
  audit: TransactionalAuditRecorder;
  now?: () => Date;
  /**
   * Told in the ledger batch's transaction of the money that reached persons' wallets:
   * `src/app.ts` passes notifications' `paymentNotices(notifier)` ("payment received").
   */
  onWalletCredited?: WalletCreditHook;
}

/** Who acts, why, and for which request. */
export interface PaymentsContext {
  actor: Actor | null;
  purpose: Purpose | null;
  requestId: string;
}

export function contextOf(request: {
  actor: Actor | null;
  id: string;
  query: { purpose?: Purpose | undefined };
}): PaymentsContext {
  return { actor: request.actor, purpose: request.query.purpose ?? null, requestId: request.id };
}

export function nowOf(deps: Pick<PaymentsDependencies, 'now'>): Date {
  return deps.now?.() ?? new Date();
}
