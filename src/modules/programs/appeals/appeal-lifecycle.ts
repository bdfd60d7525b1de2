import type { Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { RegistryEvents } from '../../registry/index.js';
import { addStep } from './appeal-service.js';

/**
 * Appeals answer the registry's lifecycle events inside the registry write's transaction
 * (issue #13, points 7 and 8): a death, a merge or an erasure closes the person's open
 * appeals with the reason, as a step the record keeps. An erasure also blanks the words of
 * every appeal of the person (their statement, the decider's reason), which are personal data;
 * the steps hold identifiers only and stay (docs/ERASURE.md).
 *
 * @example
 *   closeAppealsOnRegistryEvents(events); // in src/app.ts
 */
export function closeAppealsOnRegistryEvents(events: RegistryEvents): void {
  events.on('personDied', (trx, { personId }) => closeAppeals(trx, personId, 'death'));
  events.on('personsMerged', (trx, { mergedId }) => closeAppeals(trx, mergedId, 'merge'));
  events.on('personErased', async (trx, { personId }) => {
    await closeAppeals(trx, personId, 'erasure');
    await trx
      .updateTable('appeal')
      .set({ statement: '', decision_reason: null, updated_at: new Date() })
      .where('person_id', '=', personId)
      .execute();
  });
}

async function closeAppeals(
  trx: Transaction<Database>,
  personId: string,
  reason: 'death' | 'merge' | 'erasure',
): Promise<void> {
  const closed = await trx
    .updateTable('appeal')
    .set({ status: 'closed', closed_reason: reason, updated_at: new Date() })
    .where('person_id', '=', personId)
    .where('status', 'in', ['filed', 'assigned', 'awaiting_correction'])
    .returning('id')
    .execute();
  for (const { id } of closed) await addStep(trx, id, 'closed', null, null);
}
