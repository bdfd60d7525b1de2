import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkChangeTrail } from '../../audit/change-trail-check.js';
import { buildErasureTestKit, type ErasureTestKit } from './erasure-test-kit.js';

/**
 * Issue #11, point 3: the tests act as an attacker holding the application's database role
 * (`amparo_app`: the test database's own connection, a pool with the application role's URL on
 * PostgreSQL and `set role amparo_app` on PGlite) — an SQL injection or a stolen password —
 * and try to erase a person without two administrators. The database refuses each attempt;
 * what it cannot refuse (naming two real administrators) `amparo audit verify` reports.
 */
describe('the database refuses an erasure that two administrators did not ask and approve', () => {
  let t: ErasureTestKit;
  beforeAll(async () => {
    t = await buildErasureTestKit();
  });
  afterAll(async () => t?.close());

  const app = () => t.kit.database.db;
  const refused = (work: Promise<unknown>) => expect(work).rejects.toMatchObject({ code: '42501' });
  const ids = () => t.operators;

  async function pendingRequest(personId: string): Promise<string> {
    const response = await t.post(
      `/api/persons/${personId}/erasure-requests?purpose=appeal`,
      t.cookies.firstAdmin,
      { reasonCode: 'court_order', reference: 'TSJ-2026-001' },
    );
    expect(response.statusCode).toBe(201);
    return response.json().id;
  }
  const keyOf = async (personId: string) =>
    (
      await app()
        .selectFrom('person_key')
        .select('wrapped_key')
        .where('person_id', '=', personId)
        .executeTakeFirstOrThrow()
    ).wrapped_key;

  it('refuses a request inserted already executed, or asked by someone who is not an administrator of the region', async () => {
    const person = await t.person();
    const base = {
      person_id: person.id,
      reason_code: 'court_order' as const,
      reference: 'TSJ-2026-002',
      requested_at: new Date(),
    };
    await refused(
      app()
        .insertInto('erasure_request')
        .values({
          ...base,
          id: randomUUID(),
          requested_by: ids().supervisor.id,
          status: 'executed',
          approved_by: ids().firstAdmin.id,
          approved_at: new Date(),
          executed_at: new Date(),
        })
        .execute(),
    );
    for (const requester of [ids().supervisor, ids().otherRegionAdmin]) {
      await refused(
        app()
          .insertInto('erasure_request')
          .values({ ...base, id: randomUUID(), requested_by: requester.id })
          .execute(),
      );
    }
  });

  it('refuses an approval by the requester, a non-administrator, or in the request’s own transaction', async () => {
    const person = await t.person();
    const id = await pendingRequest(person.id);
    const approve = (approvedBy: string) =>
      app()
        .updateTable('erasure_request')
        .set({
          status: 'executed',
          approved_by: approvedBy,
          approved_at: new Date(),
          executed_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
    await expect(approve(ids().firstAdmin.id)).rejects.toBeTruthy();
    await refused(approve(ids().supervisor.id));
    await refused(approve(ids().otherRegionAdmin.id));
    const other = await t.person();
    await refused(
      app()
        .transaction()
        .execute(async (trx) => {
          const forged = randomUUID();
          await trx
            .insertInto('erasure_request')
            .values({
              id: forged,
              person_id: other.id,
              requested_by: ids().firstAdmin.id,
              reason_code: 'court_order',
              reference: 'TSJ-2026-003',
              requested_at: new Date(),
            })
            .execute();
          await trx
            .updateTable('erasure_request')
            .set({
              status: 'executed',
              approved_by: ids().secondAdmin.id,
              approved_at: new Date(),
              executed_at: new Date(),
            })
            .where('id', '=', forged)
            .execute();
        }),
    );
  });

  it('refuses destroying a key, marking a person erased or emptying their records outside an approved erasure', async () => {
    const person = await t.person();
    await refused(
      app()
        .updateTable('person_key')
        .set({ wrapped_key: null, shredded_at: new Date() })
        .where('person_id', '=', person.id)
        .execute(),
    );
    await refused(
      app().updateTable('person').set({ status: 'erased' }).where('id', '=', person.id).execute(),
    );
    // A properly executed erasure of someone else does not open the door later.
    const victim = await t.person();
    const id = await pendingRequest(victim.id);
    const approved = await t.post(`/api/erasure-requests/${id}/approve`, t.cookies.secondAdmin);
    expect(approved.statusCode).toBe(200);
    await refused(sql`select erase_person_records(${id}::uuid)`.execute(app()));
    await refused(
      app()
        .updateTable('erasure_request')
        .set({ status: 'withdrawn', withdrawn_by: ids().firstAdmin.id, withdrawn_at: new Date() })
        .where('id', '=', id)
        .execute(),
    );
    expect(await keyOf(person.id)).not.toBeNull();
  });

  it('what the database cannot refuse — two real administrators named by SQL — audit verify reports', async () => {
    const person = await t.person();
    const id = await pendingRequest(person.id);
    // The attacker approves "as" the second administrator, in a separate transaction.
    await app()
      .transaction()
      .execute(async (trx) => {
        await trx
          .updateTable('erasure_request')
          .set({
            status: 'executed',
            approved_by: ids().secondAdmin.id,
            approved_at: new Date(),
            executed_at: new Date(),
          })
          .where('id', '=', id)
          .execute();
        await trx
          .updateTable('person_key')
          .set({ wrapped_key: null, shredded_at: new Date() })
          .where('person_id', '=', person.id)
          .execute();
      });
    expect(await keyOf(person.id)).toBeNull();
    const report = await checkChangeTrail(app(), t.kit.keys);
    const erasureProblems = report.problems.filter(
      (problem) => problem.kind === 'erasure_unaudited',
    );
    expect(erasureProblems).toEqual([
      expect.objectContaining({ recordId: id, what: 'person.erasure_approve' }),
    ]);
  });
});
