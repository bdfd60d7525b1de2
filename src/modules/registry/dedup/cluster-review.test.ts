import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../shared/access/roles.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestPerson,
} from '../../access/access-test-kit.js';
import { signedInOperator } from '../persons/person-test-kit.js';
import { generateUin } from '../uin/index.js';

describe('/api/dedup-clusters: reviewing what the batch run found', () => {
  let kit: AccessTestApp;
  const cookies: Record<string, string> = {};
  let runId = '';

  async function signIn(username: string, roles: Role[], regions: string[]) {
    cookies[username] = (await signedInOperator(kit, username, roles, regions)).cookie;
  }

  async function person(region = 'VE-A'): Promise<string> {
    const { id } = await createTestPerson(kit, { uin: generateUin(), phone: null });
    if (region !== 'VE-A') {
      await kit.database.asAdmin((admin) =>
        sql`update person set region_code = ${region} where id = ${id}`.execute(admin),
      );
    }
    return id;
  }

  async function cluster(clusterId: number, personIds: string[], score: number) {
    await kit.database.asAdmin((admin) =>
      sql`insert into dedup_cluster (run_id, cluster_id, person_ids, max_score)
        values (${runId}, ${clusterId}, ${personIds}::uuid[], ${score})`.execute(admin),
    );
  }

  const as = (username: string) => ({ amparo_session: cookies[username] ?? '' });
  const list = (username: string, purpose = 'enrolment') =>
    kit.app.inject({ url: `/api/dedup-clusters?purpose=${purpose}`, cookies: as(username) });
  const review = (username: string, clusterId: number, distinct: boolean) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/dedup-clusters/${runId}/${clusterId}/review?purpose=enrolment`,
      cookies: as(username),
      payload: { distinct },
    });

  async function auditOutcomes(requestId: string): Promise<string[]> {
    const rows = await kit.database.asAdmin((admin) =>
      sql<{ outcome: string }>`select entry::json->>'outcome' as outcome from audit_entry
        where entry::json->>'requestId' = ${requestId}`.execute(admin),
    );
    return rows.rows.map((row) => row.outcome);
  }

  let pair: string[] = [];
  let spanning: string[] = [];
  beforeAll(async () => {
    kit = await buildAccessTestApp();
    await signIn('supervisor', ['registry_supervisor'], ['VE-A']);
    await signIn('clerk', ['enrolment_clerk'], ['VE-A']);
    runId = randomUUID();
    await kit.database.asAdmin((admin) =>
      sql`insert into dedup_run (id, status, finished_at, persons, clusters)
        values (${runId}, 'finished', now(), 5, 2)`.execute(admin),
    );
    pair = [await person(), await person()];
    spanning = [await person(), await person('VE-B')];
    await cluster(1, spanning, 40);
    await cluster(2, pair, 30);
  });
  afterAll(async () => kit?.close());

  it('lists, with ids only, the clusters lying wholly in the supervisor regions', async () => {
    const response = await list('supervisor');
    expect(response.statusCode).toBe(200);
    const items = response.json().items as Array<{ clusterId: number; persons: unknown[] }>;
    expect(items.map((item) => item.clusterId)).toEqual([2]);
    expect(items[0]?.persons).toEqual(
      pair.map((personId) => ({ personId, status: 'active', regionCode: 'VE-A' })),
    );
    expect(await auditOutcomes(String(response.headers['x-request-id']))).toEqual(['allowed']);
  });

  it('refuses, and audits, a clerk and a purpose that does not allow merging', async () => {
    const clerk = await list('clerk');
    expect(clerk.statusCode).toBe(403);
    expect(await auditOutcomes(String(clerk.headers['x-request-id']))).toEqual(['denied']);
    expect((await list('supervisor', 'appeal')).statusCode).toBe(403);
    // A cluster with a record outside the supervisor's regions does not exist for them.
    expect((await review('supervisor', 1, true)).statusCode).toBe(404);
  });

  it('marks a cluster reviewed only once its duplicates are merged or judged distinct', async () => {
    const early = await review('supervisor', 2, false);
    expect(early.statusCode).toBe(409);
    expect(early.json().errors).toEqual([
      { field: 'body/distinct', reason: 'records are still active' },
    ]);
    const merged = await kit.app.inject({
      method: 'POST',
      url: `/api/persons/${pair[1]}/merge?purpose=enrolment`,
      cookies: as('supervisor'),
      payload: { clientId: randomUUID(), survivorId: pair[0] },
    });
    expect(merged.statusCode).toBe(200);
    const done = await review('supervisor', 2, false);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ runId, clusterId: 2, status: 'reviewed' });
    expect((await review('supervisor', 2, true)).statusCode).toBe(409);
    expect((await list('supervisor')).json().items).toEqual([]);
    const stored = await kit.database.db
      .selectFrom('dedup_cluster')
      .select(['status', 'reviewed_by'])
      .where('run_id', '=', runId)
      .orderBy('cluster_id')
      .execute();
    expect(stored.map((row) => row.status)).toEqual(['open', 'reviewed']);
    expect(stored[1]?.reviewed_by).not.toBeNull();
  });
});
