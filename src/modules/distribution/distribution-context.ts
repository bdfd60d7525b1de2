import type { Kysely } from 'kysely';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { TransactionalAuditRecorder } from '../access/index.js';
import type { PersonNotifier } from '../notifications/index.js';

/**
 * What a redemption without the card asks of the registry, which distribution does not import:
 * `src/app.ts` passes the registry's `assistedIdentities(masterKey)`.
 */
export interface AssistedIdentities {
  activePersonByUin(db: Kysely<Database>, uin: string): Promise<{ personId: string } | undefined>;
  /** The photo on file (base64), or null. */
  photoOf(db: Kysely<Database>, personId: string): Promise<string | null>;
  sameHousehold(db: Kysely<Database>, personId: string, otherId: string): Promise<boolean>;
  /** Both persons in one household at `at`: an offline hand-over's check at sync. */
  sameHouseholdAt(
    db: Kysely<Database>,
    personId: string,
    otherId: string,
    at: Date,
  ): Promise<boolean>;
  /** Of each active person: the ID number and the other current members of their household. */
  householdsOf(
    db: Kysely<Database>,
    personIds: readonly string[],
  ): Promise<Map<string, { uin: string; memberIds: string[] }>>;
}

/** What every distribution verb needs: the database, the audit log, the keys and a clock. */
export interface DistributionDependencies {
  db: Kysely<Database>;
  audit: TransactionalAuditRecorder;
  /** Issuer keys verify cards; the master key derives the receipt-signing key. */
  keys: KeyStore;
  now?: () => Date;
  /** The issuer name cards carry (config `cards.issuerName`): an offline snapshot's trust list names it. */
  issuerName?: string;
  /** Redemption without the card: the registry's port. */
  identities?: AssistedIdentities;
  /**
   * Texts the one-time code of a redemption without the card, and the receipt of every
   * redemption in its transaction (`src/app.ts` passes the one notifier).
   */
  notifier?: PersonNotifier;
}

/** Who acts, why, and for which request. */
export interface DistributionContext {
  actor: Actor | null;
  purpose: Purpose | null;
  requestId: string;
}

export function nowOf(deps: DistributionDependencies): Date {
  return deps.now?.() ?? new Date();
}
