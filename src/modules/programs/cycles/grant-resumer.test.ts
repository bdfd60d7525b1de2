import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { createTestKeyStore } from '../../../../test/keys.js';
import { logCapture } from '../../../../test/log-capture.js';
import { build } from '../../../app.js';
import { loadConfig } from '../../../config.js';
import {
  crashedGrant,
  insertRandomPopulation,
  publishedProgram,
  womenPension,
} from '../programs-test-kit.js';
import { approvalRecorder, cycleCreator } from './cycle-service.js';

/**
 * A grant stopped by a crash (some chunks committed, then the process gone) is completed when
 * a server starts, with nobody granted twice; a start while another process holds the resume
 * lease leaves the work to that process.
 */
describe('grants resume when the server starts', () => {
  let database: TestDatabase;
  const logs = logCapture();
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.asAdmin((admin) => insertRandomPopulation(admin, { persons: 120, seed: 17 }));
  });
  afterAll(async () => database?.close());

  /** Starts the app as the server does (resuming grants), then closes it: closing waits. */
  async function serverStart(): Promise<void> {
    const app = await build(loadConfig({ LOG_LEVEL: 'info', AMPARO_WEB_DIR: '/nonexistent' }), {
      database: database.handle,
      keys: createTestKeyStore(),
      logDestination: logs.stream,
      resumeGrants: true,
    });
    await app.ready();
    await app.close();
  }

  const grantState = async (cycleId: string) => {
    const cycle = await database.db
      .selectFrom('program_cycle')
      .select(['grant_chunks_done', 'entitlements_granted_at'])
      .where('id', '=', cycleId)
      .executeTakeFirstOrThrow();
    const written = await sql<{ n: number; persons: number }>`select count(*)::int as n,
      count(distinct person_id)::int as persons from entitlement where cycle_id = ${cycleId}`.execute(
      database.db,
    );
    return { ...cycle, ...written.rows[0] };
  };

  it('completes a grant a crash stopped, without duplicates, one process at a time', async () => {
    const db = database.db;
    const { programId } = await publishedProgram(db, { code: 'resumed', content: womenPension });
    const { cycleId, summary } = await cycleCreator(db, {
      programId,
      referenceDate: '2026-12-01',
      operatorId: randomUUID(),
    });
    const eligible = Number(summary.eligible);
    expect(eligible).toBeGreaterThan(5);
    await approvalRecorder(db, { cycleId, operatorId: randomUUID(), grantChunks: 16 });
    expect(await crashedGrant(db, cycleId, 5)).toMatch(/killed/);
    const partial = await grantState(cycleId);
    expect(partial).toMatchObject({ grant_chunks_done: 5, entitlements_granted_at: null });
    expect(partial.n).toBeLessThan(eligible);

    // Another process holds the lease: this start leaves the grant to it.
    await database.asAdmin((admin) =>
      admin
        .insertInto('program_job_lease')
        .values({
          name: 'grant_resume',
          holder: randomUUID(),
          expires_at: sql<Date>`now() + interval '1 hour'`,
        })
        .execute(),
    );
    await serverStart();
    expect(await grantState(cycleId)).toMatchObject({ grant_chunks_done: 5, n: partial.n });
    expect(logs.text()).toContain('resumed by another process');

    // Its holder died: once the lease has expired, the next start completes the grant.
    await database.asAdmin((admin) =>
      admin
        .updateTable('program_job_lease')
        .set({ expires_at: sql<Date>`now() - interval '1 second'` })
        .where('name', '=', 'grant_resume')
        .execute(),
    );
    await serverStart();
    expect(logs.text()).toContain('resuming a stopped grant');
    expect(logs.text()).toContain(cycleId);
    const done = await grantState(cycleId);
    expect(done.grant_chunks_done).toBe(16);
    expect(done.entitlements_granted_at).not.toBeNull();
    expect(done).toMatchObject({ n: eligible, persons: eligible });
    // The lease was released at the end: free for the next start.
    const lease = await database.db
      .selectFrom('program_job_lease')
      .select(sql<boolean>`expires_at <= now()`.as('free'))
      .where('name', '=', 'grant_resume')
      .executeTakeFirstOrThrow();
    expect(lease.free).toBe(true);
    // Two full app starts: slow on a loaded machine with the embedded database.
  }, 120_000);
});
