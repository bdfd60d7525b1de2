import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import {
  buildErasureTestKit,
  type ErasureTestKit,
} from '../../registry/erasure/erasure-test-kit.js';
import { publishedProgram, womenPension } from '../programs-test-kit.js';
import { cycleApprover, cycleCreator } from './cycle-service.js';
import { cycleView } from './cycle-view.js';

/**
 * A cycle's set is frozen when it is computed; a death, a merge or an erasure recorded after
 * that, through the registry's real routes, must not leave anyone an open entitlement: before
 * the grant the member gets none (counted on the cycle by reason), after it the entitlement
 * ends with the reason (issue #13, points 4 and 8).
 */

describe('the grant and the registry’s death, merge and erasure, through the real routes', () => {
  let t: ErasureTestKit;
  const persons: Record<string, string> = {};

  beforeAll(async () => {
    t = await buildErasureTestKit({ rateLimitRequestsMax: 10_000 });
    for (const name of ['died', 'merged', 'erased', 'survivor', 'stays']) {
      const built = await buildPerson(t.kit, {
        region: 'VE-A',
        attributes: {
          given_names: name,
          first_surname: 'Prueba',
          sex: 'F',
          birth_date: '1950-03-04',
          state_code: 'VE-A',
        },
      });
      persons[name] = built.id;
    }
  }, 60_000);
  afterAll(async () => t?.close());

  const id = (name: string) => persons[name] ?? '';
  const supervisor = () => t.cookies.supervisor;
  const recordDeath = (personId: string) =>
    t.post(`/api/persons/${personId}/death?purpose=enrolment`, supervisor(), {
      clientId: randomUUID(),
      dateOfDeath: '2026-12-02',
    });

  async function entitlementsOf(personId: string) {
    return t.kit.database.db
      .selectFrom('entitlement')
      .select(['status', 'ended_reason'])
      .where('person_id', '=', personId)
      .execute();
  }

  it('grants nobody who died, was merged or erased after the freeze, and counts them by reason; a later death ends the entitlement', async () => {
    const db = t.kit.database.db;
    const { programId } = await publishedProgram(db, {
      code: 'pension_lifecycle',
      content: womenPension,
    });
    const { cycleId, summary } = await cycleCreator(db, {
      programId,
      referenceDate: '2026-12-01',
      operatorId: null,
    });
    expect(summary.eligible).toBe(5n);

    // Between the freeze and the approval, through the registry's routes.
    expect((await recordDeath(id('died'))).statusCode).toBe(200);
    const merged = await t.post(
      `/api/persons/${id('merged')}/merge?purpose=enrolment`,
      supervisor(),
      {
        clientId: randomUUID(),
        survivorId: id('survivor'),
      },
    );
    expect(merged.statusCode).toBe(200);
    const requested = await t.post(
      `/api/persons/${id('erased')}/erasure-requests?purpose=appeal`,
      t.cookies.firstAdmin,
      { reasonCode: 'court_order', reference: 'TSJ-2026-00991' },
    );
    expect(requested.statusCode).toBe(201);
    const erased = await t.post(
      `/api/erasure-requests/${requested.json().id}/approve`,
      t.cookies.secondAdmin,
    );
    expect(erased.statusCode).toBe(200);

    const approved = await cycleApprover(db, { cycleId, operatorId: randomUUID() });
    expect(approved.status).toBe('approved');
    expect(await approved.granting).toEqual({ granted: true });
    for (const name of ['died', 'merged', 'erased']) {
      expect({ name, entitlements: await entitlementsOf(id(name)) }).toEqual({
        name,
        entitlements: [],
      });
    }
    for (const name of ['survivor', 'stays']) {
      expect(await entitlementsOf(id(name))).toEqual([{ status: 'open', ended_reason: null }]);
    }
    const view = await cycleView(db, cycleId);
    expect(view.grant).toMatchObject({
      chunksDone: 1,
      chunksTotal: 1,
      skipped: { death: 1, merge: 1, erasure: 1 },
    });
    expect(view.grant.finishedAt).not.toBeNull();
    expect(view.entitlements).toEqual({ open: '2', ended: '0' });

    // After the grant, the real death route ends the open entitlement, with the reason.
    expect((await recordDeath(id('stays'))).statusCode).toBe(200);
    expect(await entitlementsOf(id('stays'))).toEqual([{ status: 'ended', ended_reason: 'death' }]);
    expect(await entitlementsOf(id('survivor'))).toEqual([{ status: 'open', ended_reason: null }]);
  }, 60_000);
});
