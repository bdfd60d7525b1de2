import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import type { OperatorActor } from './actor.js';
import { readQuotaFor } from './policy.js';

const hourMs = 3_600_000;

/**
 * Counts person reads per operator per clock hour and refuses reads beyond the quota of the
 * operator's roles (safeguard 10). The first read over the quota in an hour raises one
 * alert for auditors; every refused read is answered 429 AMP_QUOTA_EXCEEDED.
 *
 * Counting happens before the read, so a refused read reveals nothing, and in the
 * database, so several server processes share one count.
 *
 * @example
 *   await consumePersonReads(db, actor, 1); // throws AMP_QUOTA_EXCEEDED past the quota
 */
export async function consumePersonReads(
  db: Kysely<Database>,
  actor: OperatorActor,
  count: number,
  now: Date = new Date(),
): Promise<void> {
  const quota = readQuotaFor(actor.roles);
  const windowStart = new Date(Math.floor(now.getTime() / hourMs) * hourMs);
  const row = await db
    .insertInto('operator_read_window')
    .values({ operator_id: actor.operatorId, window_start: windowStart, reads: count })
    .onConflict((conflict) =>
      conflict.columns(['operator_id', 'window_start']).doUpdateSet((eb) => ({
        reads: eb('operator_read_window.reads', '+', count),
      })),
    )
    .returning('reads')
    .executeTakeFirstOrThrow();
  if (row.reads <= quota) return;
  if (row.reads - count <= quota) {
    await db
      .insertInto('security_alert')
      .values({
        id: randomUUID(),
        kind: 'read_quota_exceeded',
        operator_id: actor.operatorId,
        details: {
          quotaPerHour: quota,
          readsThisHour: row.reads,
          windowStart: windowStart.toISOString(),
          roles: [...actor.roles],
        },
      })
      .execute();
  }
  throw new AmparoError('AMP_QUOTA_EXCEEDED', {
    detail: `The read quota of ${quota} person records per hour is used up; it resets at ${new Date(windowStart.getTime() + hourMs).toISOString()}`,
  });
}
