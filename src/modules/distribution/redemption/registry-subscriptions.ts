import type { Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { RegistryEvents } from '../../registry/index.js';

/**
 * Distribution's answer to the registry's lifecycle events (issue #15, point 8): a death, a
 * merge or an erasure cancels the redemption state of the person's entitlements that are still
 * redeemable, with the reason, inside the registry write's transaction (programs ends the
 * entitlements themselves in the same commit). An entitlement no point has seen yet needs no
 * row: its answer follows the entitlement programs ended. An erasure also blanks the person's
 * words in their objections to holds (migration 0164). Subscribed in `app.ts`.
 *
 * @example
 *   cancelRedemptionsOnRegistryEvents(events);
 */
export function cancelRedemptionsOnRegistryEvents(events: RegistryEvents): void {
  events.on('personDied', (trx, { personId }) => cancelOpen(trx, personId, 'death'));
  events.on('personsMerged', (trx, { mergedId }) => cancelOpen(trx, mergedId, 'merge'));
  events.on('personErased', async (trx, { personId }) => {
    await cancelOpen(trx, personId, 'erasure');
    // The person's words in their objections to holds are personal data (migration 0164): the
    // one change the table allows. The decision's reason is the officer's, and stays.
    await trx
      .updateTable('entitlement_hold_objection')
      .set({ statement: '' })
      .where('person_id', '=', personId)
      .execute();
  });
}

async function cancelOpen(
  trx: Transaction<Database>,
  personId: string,
  reason: 'death' | 'merge' | 'erasure',
): Promise<void> {
  // Every state row of the person is locked first, in id order: a conflict being cleared holds
  // its row, and the update below must see the state it leaves (a flagged row it sets redeemable
  // is then cancelled here; one still flagged stays so, and its clearing reads the entitlement
  // ended and leaves it cancelled).
  await trx
    .selectFrom('entitlement_redemption_state')
    .select('entitlement_id')
    .where('person_id', '=', personId)
    .orderBy('entitlement_id')
    .forUpdate()
    .execute();
  await trx
    .updateTable('entitlement_redemption_state')
    .set({ state: 'cancelled', state_reason: reason, updated_at: new Date() })
    .where('person_id', '=', personId)
    .where('state', 'in', [
      'pre_activated',
      'activated',
      'partially_consumed',
      'suspended',
      'blocked',
    ])
    .execute();
}
