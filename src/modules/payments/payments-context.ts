import type { Options as HashOptions } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { TransactionalAuditRecorder } from '../access/index.js';
import type { WalletCreditHook } from '../ledger/index.js';
import type { PersonNotifier } from '../notifications/index.js';
import type { PinGuardSettings } from './merchants/pin-guard-settings.js';

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
  /**
   * Tries at paying without the card one merchant may start in a local day (America/Caracas) (config
   * `AMPARO_COUNTER_ASSISTED_PER_DAY`); default `limits.merchants.counterAssistedPerMerchantPerDayDefault`.
   */
  counterAssistedPerDayMax?: number;
  /**
   * Texts to a person about their payment PIN and wallet (a counter payment's one-time code, the
   * PIN second check's code, "your PIN was changed", "a payment left your wallet"): `src/app.ts`
   * passes the one notifier. Without it no text is sent, and a check by texted code is refused as
   * if there were no phone.
   */
  notifier?: PersonNotifier;
  /** Bounds of the PIN guard other than `limits.merchants.pinGuard` (tests; a deployment). */
  pinGuard?: Partial<PinGuardSettings>;
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
