import type { Kysely } from 'kysely';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { TransactionalAuditRecorder } from '../access/index.js';

/** What every distribution verb needs: the database, the audit log, the keys and a clock. */
export interface DistributionDependencies {
  db: Kysely<Database>;
  audit: TransactionalAuditRecorder;
  /** Issuer keys verify cards; the master key derives the receipt-signing key. */
  keys: KeyStore;
  now?: () => Date;
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
