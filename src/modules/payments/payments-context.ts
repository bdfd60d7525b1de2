import type { Options as HashOptions } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { TransactionalAuditRecorder } from '../access/index.js';
import type { WalletCreditHook } from '../ledger/index.js';
import type { PersonNotifier } from '../notifications/index.js';

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
  /**
   * The server's keys, for merchant payments: the master key signs payment requests (a derived
   * key) and seals a person's settlement account; the issuer keys verify a card at the counter.
   * Without them the merchant routes answer 503.
   */
  keys?: KeyStore;
  /** argon2id parameters of payment PINs: the operators' password parameters; tests cheaper. */
  pinHashOptions?: HashOptions;
  /** Texts the one-time code of a payment at the counter without the card (the one notifier). */
  notifier?: PersonNotifier;
  /**
   * Tries at paying without the card one merchant may start in a UTC day (config
   * `AMPARO_COUNTER_ASSISTED_PER_DAY`); default `limits.merchants.counterAssistedPerMerchantPerDayDefault`.
   */
  counterAssistedPerDayMax?: number;
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
