import type { Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { CycleStatus } from '../tables.js';

/**
 * Locks the cycle's row until the caller's transaction ends: approvals, grant chunks,
 * publication and closing of one cycle take turns on it (`update`, the default); the chunks of
 * one round's computation share it (`share`), so approval and closing wait for them.
 *
 * @example
 *   const cycle = await lockCycle(trx, cycleId); // AMP_NOT_FOUND when there is none
 */
export async function lockCycle(
  trx: Transaction<Database>,
  cycleId: string,
  mode: 'update' | 'share' = 'update',
) {
  const query = trx.selectFrom('program_cycle').selectAll().where('id', '=', cycleId);
  const cycle = await (mode === 'share' ? query.forShare() : query.forUpdate()).executeTakeFirst();
  if (cycle === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such cycle' });
  return cycle;
}

/** Refuses (`AMP_CONFLICT`, naming the status) a step the cycle's status does not allow. */
export function refuseUnless(cycle: { status: CycleStatus }, ...allowed: CycleStatus[]): void {
  if (!allowed.includes(cycle.status)) {
    throw new AmparoError('AMP_CONFLICT', { detail: `The cycle is ${cycle.status}` });
  }
}
