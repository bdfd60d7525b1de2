import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { RegistryEvents } from '../registry/index.js';
import { revokeInTransaction } from './credential-issuer.js';
import { lockActiveCredential } from './credential-repository.js';
import type { RevocationReason } from './revocation-list.js';

/**
 * Credentials' part in the registry's life cycle: a person's active card is revoked in the
 * registry write's own transaction when a death, a merge or an erasure is recorded, so a card
 * never keeps verifying for a holder who no longer exists, and a failed revocation refuses the
 * write. Subscribed where the application is composed (`src/app.ts`).
 *
 * @example
 *   const events = new RegistryEvents();
 *   revokeCardsOnRegistryEvents(events);
 */
export function revokeCardsOnRegistryEvents(events: RegistryEvents): void {
  events.on('personDied', (trx, { personId }) => revokePersonCard(trx, personId, 'deceased'));
  // The merged record's card is superseded by the survivor's.
  events.on('personsMerged', (trx, { mergedId }) => revokePersonCard(trx, mergedId, 'reissued'));
  // `deceased` is the closest published reason for "this holder no longer exists"; the
  // credential row and the audit log say why.
  events.on('personErased', (trx, { personId }) => revokePersonCard(trx, personId, 'deceased'));
}

/** Revokes a person's active card, if any, inside the caller's transaction. */
async function revokePersonCard(
  trx: Transaction<Database>,
  personId: string,
  reason: RevocationReason,
): Promise<void> {
  const active = await lockActiveCredential(trx, personId);
  if (active !== undefined) await revokeInTransaction(trx, active, reason, null);
}
