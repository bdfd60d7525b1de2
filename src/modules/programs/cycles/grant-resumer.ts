import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { programLimits } from '../limits.js';
import { entitlementGranter } from './entitlement-granter.js';

/**
 * Resumes, when the server starts, the grants a crash stopped: every approved or published
 * cycle whose entitlements are not all written (`entitlements_granted_at` unset). Before this,
 * such a grant waited for the cycle's publication or disbursement. One process at a time: the
 * one that takes the lease `grant_resume` (`program_job_lease`, migration 0106, a row with an
 * expiry that works the same on PostgreSQL and PGlite), renewed after each chunk and released
 * at the end; a process that finds it held leaves the work to its holder. Each grant resumes at
 * its first chunk not written, under the cycle's row lock, so nothing is written twice even if
 * two processes ever overlap. A grant that fails is logged (the cycle and the code, no
 * personal data) and the next one is tried; it stays resumable.
 *
 * @example
 *   const { resumed } = await pendingGrantsResumer(db, { log: app.log });
 */
export interface ResumeLog {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export async function pendingGrantsResumer(
  db: Kysely<Database>,
  props: { log: ResumeLog; holder?: string; leaseMs?: number },
): Promise<{ leased: boolean; resumed: string[] }> {
  const holder = props.holder ?? randomUUID();
  const leaseMs = props.leaseMs ?? programLimits.grantResumeLeaseMs;
  if (!(await takeLease(db, holder, leaseMs))) {
    props.log.info({ job: leaseName }, 'pending grants are being resumed by another process');
    return { leased: false, resumed: [] };
  }
  const resumed: string[] = [];
  try {
    for (const cycleId of await pendingGrants(db)) {
      props.log.info({ cycleId }, 'resuming a stopped grant');
      try {
        const { granted } = await entitlementGranter(db, {
          cycleId,
          onProgress: () => renewLease(db, holder, leaseMs),
        });
        if (granted) resumed.push(cycleId);
      } catch (error) {
        props.log.error(
          { cycleId, code: (error as { code?: string }).code },
          'resuming a stopped grant failed; it stays resumable',
        );
      }
    }
  } finally {
    await releaseLease(db, holder);
  }
  return { leased: true, resumed };
}

const leaseName = 'grant_resume';

async function pendingGrants(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('program_cycle')
    .select('id')
    .where('status', 'in', ['approved', 'published'])
    .where('entitlements_granted_at', 'is', null)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => row.id);
}

/** Takes the lease when nobody holds it or its holder let it expire; true when taken. */
async function takeLease(db: Kysely<Database>, holder: string, leaseMs: number): Promise<boolean> {
  const until = sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval`;
  const taken = await db
    .insertInto('program_job_lease')
    .values({ name: leaseName, holder, expires_at: until })
    .onConflict((conflict) =>
      conflict
        .column('name')
        .doUpdateSet({ holder, expires_at: until })
        .where('program_job_lease.expires_at', '<=', sql<Date>`now()`),
    )
    .returning('holder')
    .executeTakeFirst();
  return taken?.holder === holder;
}

async function renewLease(db: Kysely<Database>, holder: string, leaseMs: number): Promise<void> {
  await db
    .updateTable('program_job_lease')
    .set({ expires_at: sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval` })
    .where('name', '=', leaseName)
    .where('holder', '=', holder)
    .execute();
}

async function releaseLease(db: Kysely<Database>, holder: string): Promise<void> {
  await db
    .updateTable('program_job_lease')
    .set({ expires_at: sql<Date>`now()` })
    .where('name', '=', leaseName)
    .where('holder', '=', holder)
    .execute();
}
