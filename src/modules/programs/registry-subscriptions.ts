import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { RegistryEvents } from '../registry/index.js';

/**
 * The programs module's answer to the registry's lifecycle events (issue #13, point 8): a
 * death, a merge or an erasure ends the person's open entitlements, with the reason, inside
 * the registry write's transaction. Subscribed where the application is composed (`app.ts`).
 *
 * @example
 *   endEntitlementsOnRegistryEvents(events);
 */
export function endEntitlementsOnRegistryEvents(events: RegistryEvents): void {
  events.on('personDied', (trx, { personId }) => endEntitlements(trx, personId, 'death'));
  // The merged record's entitlements end; the survivor is entitled by its own record.
  events.on('personsMerged', (trx, { mergedId }) => endEntitlements(trx, mergedId, 'merge'));
  events.on('personErased', (trx, { personId }) => endEntitlements(trx, personId, 'erasure'));
}

async function endEntitlements(
  trx: Transaction<Database>,
  personId: string,
  reason: 'death' | 'merge' | 'erasure',
): Promise<void> {
  await trx
    .updateTable('entitlement')
    .set({ status: 'ended', ended_reason: reason, ended_at: new Date() })
    .where('person_id', '=', personId)
    .where('status', '=', 'open')
    .execute();
}
