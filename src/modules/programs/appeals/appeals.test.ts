import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import type { Role } from '../../../shared/access/roles.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  citizenSession,
  createTestOperator,
  sessionCookieFrom,
} from '../../access/access-test-kit.js';
import { RegistryEvents } from '../../registry/index.js';
import { cycleApprover, cycleCreator } from '../cycles/cycle-service.js';
import { programCreator, publicationDecider, publicationRequester } from '../program-service.js';
import { womenPension } from '../programs-test-kit.js';
import { closeAppealsOnRegistryEvents } from './appeal-lifecycle.js';

/**
 * Appeals end to end through the real application (issue #13, point 7): "my benefits" names
 * the clause that failed; the person or a clerk files; an officer other than the filer takes
 * and decides; upheld grants the entitlement by appeal, once; a data error waits for the
 * registry correction; a closed cycle and the registry's events are answered.
 */
const pension = womenPension;

describe('appeals', () => {
  let kit: AccessTestApp;
  let programId: string;
  let cycleId: string;
  const cookies: Record<string, Record<string, string>> = {};
  const persons: Record<string, { id: string; uin: string }> = {};

  async function signIn(username: string, roles: Role[]) {
    const operator = await createTestOperator(kit, { username, roles, regions: ['VE-A'] });
    kit.advance(30_000);
    const response = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username, password: operator.password, totp: operator.totp() },
    });
    expect(response.statusCode).toBe(200);
    cookies[username] = { amparo_session: sessionCookieFrom(response) ?? '' };
  }

  const call = (
    who: string,
    method: 'GET' | 'POST',
    url: string,
    payload?: Record<string, unknown>,
  ) => kit.app.inject({ method, url, cookies: cookies[who], ...(payload ? { payload } : {}) });

  async function person(name: string, attributes: Record<string, unknown>, phone?: string) {
    const built = await buildPerson(kit, {
      region: 'VE-A',
      attributes: { given_names: name, first_surname: 'Prueba', state_code: 'VE-A', ...attributes },
      ...(phone ? { phone } : {}),
    });
    persons[name] = { id: built.id, uin: built.uin };
  }

  beforeAll(async () => {
    kit = await buildAccessTestApp({ rateLimitRequestsMax: 10_000 });
    await person(
      'Ana',
      { sex: 'F', birth_date: '1990-03-04', municipality_code: 'VE-A-01' },
      '+584121230001',
    );
    await person('Rosa', { sex: 'F', birth_date: '1950-03-04' });
    await person('Luis', { sex: 'M', birth_date: '1950-03-04' });
    await person('Eva', { sex: 'F', birth_date: '1991-03-04' });
    await person('Inés', { sex: 'F', birth_date: '1992-03-04' });
    const db = kit.database.db;
    const officer = randomUUID();
    ({ programId } = await programCreator(db, {
      code: 'pension',
      content: pension,
      operatorId: officer,
    }));
    const { publicationId } = await publicationRequester(db, {
      programId,
      version: 1,
      operatorId: officer,
    });
    await publicationDecider(db, { publicationId, approve: true, operatorId: randomUUID() });
    const zulia = await programCreator(db, {
      code: 'zulia',
      content: { ...pension, regions: ['VE-Z'] },
      operatorId: officer,
    });
    const zuliaPublication = await publicationRequester(db, {
      programId: zulia.programId,
      version: 1,
      operatorId: officer,
    });
    await publicationDecider(db, {
      publicationId: zuliaPublication.publicationId,
      approve: true,
      operatorId: randomUUID(),
    });
    ({ cycleId } = await cycleCreator(db, {
      programId,
      referenceDate: '2026-12-01',
      operatorId: officer,
    }));
    await (await cycleApprover(db, { cycleId, operatorId: randomUUID() })).granting;
    await signIn('clerk', ['enrolment_clerk']);
    await signIn('officer', ['program_officer']);
    await signIn('officer2', ['program_officer']);
    await signIn('both', ['enrolment_clerk', 'program_officer']);
    await signIn('supervisor', ['registry_supervisor']);
    cookies.ana = await citizenSession(kit, {
      personId: persons.Ana?.id ?? '',
      uin: persons.Ana?.uin ?? '',
    });
  }, 60_000);
  afterAll(async () => kit?.close());

  it('shows the citizen each program in scope, in or out, the failed clause and the rule version', async () => {
    const response = await call(
      'ana',
      'GET',
      `/api/persons/${persons.Ana?.id}/benefits?purpose=self`,
    );
    expect(response.statusCode).toBe(200);
    const { benefits } = response.json();
    expect(benefits.map((line: { code: string }) => line.code)).toEqual(['pension']);
    expect(benefits[0]).toMatchObject({
      version: 1,
      basis: 'cycle',
      included: false,
      appealable: true,
      failedClause: {
        source: 'age >= 55',
        text: { es: 'la edad es al menos 55', en: 'age is at least 55' },
        outcome: 'false',
        facts: { age: '36' },
        factWords: [{ es: 'la edad: 36', en: 'age: 36' }],
      },
    });
    const audited = await kit.database.asAdmin((admin) =>
      sql<{ fields: string }>`select entry::json->>'fields' as fields from audit_entry
        where entry::json->>'action' = 'person.benefits'
          and entry::json->>'outcome' = 'allowed'`.execute(admin),
    );
    expect(audited.rows.map((row) => JSON.parse(row.fields))).toContainEqual(['age', 'sex']);
    const rosa = await call(
      'officer',
      'GET',
      `/api/persons/${persons.Rosa?.id}/benefits?purpose=appeal`,
    );
    expect(rosa.json().benefits[0]).toMatchObject({
      included: true,
      entitlement: { basis: 'rule', status: 'open' },
      failedClause: null,
      appealable: false,
    });
  });

  it('files once per cycle, decided only after being taken, by someone other than the filer; one of two concurrent decisions takes effect', async () => {
    const anaId = persons.Ana?.id ?? '';
    const filed = await call('ana', 'POST', `/api/persons/${anaId}/appeals?purpose=self`, {
      programId,
      statement: 'Nací en 1960, no en 1990.',
    });
    expect(filed.statusCode).toBe(201);
    const { appealId } = filed.json();
    // Her municipality of residence is recorded at filing, for appeals by municipality (#17).
    const recorded = await kit.database.db
      .selectFrom('appeal')
      .select('municipality_code')
      .where('id', '=', appealId)
      .executeTakeFirstOrThrow();
    expect(recorded.municipality_code).toBe('VE-A-01');
    const again = await call('ana', 'POST', `/api/persons/${anaId}/appeals?purpose=self`, {
      programId,
      statement: 'Otra vez',
    });
    expect(again.statusCode).toBe(409);
    const early = await call(
      'officer',
      'POST',
      `/api/appeals/${appealId}/decision?purpose=appeal`,
      {
        outcome: 'upheld',
        reason: 'x',
      },
    );
    expect(early.statusCode).toBe(409);
    const queue = await call('officer', 'GET', '/api/appeals?purpose=appeal&view=open');
    expect(queue.json().appeals).toEqual([
      expect.objectContaining({ id: appealId, statement: '', status: 'filed', overdue: false }),
    ]);
    expect(
      (await call('officer', 'POST', `/api/appeals/${appealId}/assign?purpose=appeal`, {}))
        .statusCode,
    ).toBe(200);
    const decisions = await Promise.all([
      call('officer', 'POST', `/api/appeals/${appealId}/decision?purpose=appeal`, {
        outcome: 'upheld',
        reason: 'La fecha de nacimiento consta en la partida.',
      }),
      call('officer', 'POST', `/api/appeals/${appealId}/decision?purpose=appeal`, {
        outcome: 'rejected',
        reason: 'No consta.',
      }),
    ]);
    expect(decisions.map((response) => response.statusCode).sort()).toEqual([200, 409]);
    const entitlements = await kit.database.db
      .selectFrom('entitlement')
      .select(['basis'])
      .where('person_id', '=', anaId)
      .execute();
    const upheld = decisions.some(
      (response) => response.statusCode === 200 && response.json().entitlementId !== null,
    );
    expect(entitlements).toEqual(upheld ? [{ basis: 'appeal' }] : []);
    // The person is texted the appeal's reference, queued in the decision's own commit.
    const texts = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('notification_outbox')
        .select('parameters')
        .where('person_id', '=', anaId)
        .where('template_id', '=', 'programs.appeal_decided')
        .execute(),
    );
    expect(texts).toEqual([
      { parameters: { reference: `AP-${String(appealId).slice(0, 8).toUpperCase()}` } },
    ]);
    const mine = await call('ana', 'GET', `/api/persons/${anaId}/appeals?purpose=self`);
    expect(mine.json().appeals[0]).toMatchObject({
      status: 'decided',
      statement: 'Nací en 1960, no en 1990.',
      steps: [
        { step: 1, kind: 'filed', actorKind: 'citizen', actorRole: 'citizen' },
        { step: 2, kind: 'assigned', actorKind: 'operator', actorRole: 'program_officer' },
        { step: 3, kind: upheld ? 'upheld' : 'rejected', actorRole: 'program_officer' },
      ],
    });
  });

  it('refuses a filer deciding, and an appeal by someone already entitled', async () => {
    const luis = persons.Luis?.id ?? '';
    const filed = await call('both', 'POST', `/api/persons/${luis}/appeals?purpose=appeal`, {
      programId,
      statement: 'Soy mujer.',
    });
    expect(filed.statusCode).toBe(201);
    const taken = await call(
      'both',
      'POST',
      `/api/appeals/${filed.json().appealId}/assign?purpose=appeal`,
      {},
    );
    expect(taken.statusCode).toBe(403);
    const rosa = await call(
      'clerk',
      'POST',
      `/api/persons/${persons.Rosa?.id}/appeals?purpose=appeal`,
      {
        programId,
        statement: 'x',
      },
    );
    expect(rosa.statusCode).toBe(409);
  });

  it('sends a data error to a registry correction and grants after it, naming the corrected version', async () => {
    const eva = persons.Eva?.id ?? '';
    const filed = await call('clerk', 'POST', `/api/persons/${eva}/appeals?purpose=appeal`, {
      programId,
      statement: 'Mi fecha de nacimiento es 1951.',
    });
    const { appealId } = filed.json();
    await call('officer2', 'POST', `/api/appeals/${appealId}/assign?purpose=appeal`, {});
    const dataError = await call(
      'officer2',
      'POST',
      `/api/appeals/${appealId}/decision?purpose=appeal`,
      {
        outcome: 'data_error',
        reason: 'La partida dice 1951.',
        fields: ['age'],
      },
    );
    expect(dataError.json()).toMatchObject({ status: 'awaiting_correction' });
    const tooEarly = await call(
      'officer2',
      'POST',
      `/api/appeals/${appealId}/decision?purpose=appeal`,
      {
        outcome: 'upheld',
        reason: 'Corregido.',
      },
    );
    expect(tooEarly.statusCode).toBe(409);
    const corrected = await call(
      'supervisor',
      'POST',
      `/api/persons/${eva}/corrections?purpose=appeal`,
      {
        clientId: randomUUID(),
        attributes: { birth_date: '1951-03-04' },
        reason: 'clerical_error',
      },
    );
    expect(corrected.statusCode).toBe(200);
    const decided = await call(
      'officer2',
      'POST',
      `/api/appeals/${appealId}/decision?purpose=appeal`,
      {
        outcome: 'upheld',
        reason: 'Corregido en el registro.',
      },
    );
    expect(decided.statusCode).toBe(200);
    const view = await call('officer2', 'GET', `/api/appeals/${appealId}?purpose=appeal`);
    expect(view.json()).toMatchObject({
      outcome: 'upheld',
      dataErrorFields: ['age'],
      correctionVersion: corrected.json().version,
      explanation: { outcome: 'true' },
      steps: [
        { kind: 'filed', actorRole: 'enrolment_clerk' },
        { kind: 'assigned' },
        { kind: 'data_error' },
        { kind: 'upheld' },
      ],
    });
  });

  it('lists overdue appeals, refuses a closed cycle, and closes open appeals on a death', async () => {
    const ines = persons.Ines ?? persons.Inés;
    const filed = await call('clerk', 'POST', `/api/persons/${ines?.id}/appeals?purpose=appeal`, {
      programId,
      statement: 'Revisen.',
    });
    const { appealId } = filed.json();
    await kit.database.asAdmin((admin) =>
      sql`update appeal set assign_due_at = now() - interval '1 hour' where id = ${appealId}`.execute(
        admin,
      ),
    );
    const overdue = await call('officer', 'GET', '/api/appeals?purpose=appeal&view=overdue');
    expect(overdue.json().appeals.map((appeal: { id: string }) => appeal.id)).toEqual([appealId]);
    const died = await call(
      'supervisor',
      'POST',
      `/api/persons/${ines?.id}/death?purpose=enrolment`,
      {
        clientId: randomUUID(),
        dateOfDeath: '2026-12-02',
      },
    );
    expect(died.statusCode).toBe(200);
    const closed = await kit.database.db
      .selectFrom('appeal')
      .selectAll()
      .where('id', '=', appealId)
      .executeTakeFirstOrThrow();
    expect(closed).toMatchObject({ status: 'closed', closed_reason: 'death' });
    await kit.database.asAdmin((admin) =>
      sql`update program_cycle set status = 'closed' where id = ${cycleId}`.execute(admin),
    );
    const late = await call(
      'clerk',
      'POST',
      `/api/persons/${persons.Luis?.id}/appeals?purpose=appeal`,
      {
        programId,
        statement: 'x',
      },
    );
    // Luis has an open appeal already: the closed cycle is answered first.
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('AMP_APPEAL_CYCLE_CLOSED');
    await kit.database.asAdmin((admin) =>
      sql`update program_cycle set status = 'approved' where id = ${cycleId}`.execute(admin),
    );
  });

  it('blanks the words of every appeal of an erased person and closes the open ones', async () => {
    const luis = persons.Luis?.id ?? '';
    const events = new RegistryEvents();
    closeAppealsOnRegistryEvents(events);
    await kit.database.db
      .transaction()
      .execute((trx) => events.publish(trx, 'personErased', { personId: luis }));
    const rows = await kit.database.db
      .selectFrom('appeal')
      .selectAll()
      .where('person_id', '=', luis)
      .execute();
    expect(rows.map((row) => [row.status, row.closed_reason, row.statement])).toEqual([
      ['closed', 'erasure', ''],
    ]);
  });

  /** The denied entries the request left (the error handler audits a refusal after the gate). */
  async function deniedOf(response: { headers: Record<string, unknown> }) {
    const requestId = String(response.headers['x-request-id']);
    const rows = await kit.database.asAdmin((admin) =>
      sql<{ action: string; reason: string | null }>`select entry::json->>'action' as action,
          entry::json->>'reasonCode' as reason from audit_entry
        where entry::json->>'requestId' = ${requestId}
          and entry::json->>'outcome' = 'denied'`.execute(admin),
    );
    return rows.rows;
  }

  /** A person's appeal filed by the clerk and taken by `officer2`, ready to be decided. */
  async function takenAppeal(personId: string, appealedProgramId: string): Promise<string> {
    const filed = await call('clerk', 'POST', `/api/persons/${personId}/appeals?purpose=appeal`, {
      programId: appealedProgramId,
      statement: 'Revisen mi caso.',
    });
    expect(filed.statusCode).toBe(201);
    const { appealId } = filed.json();
    const taken = await call(
      'officer2',
      'POST',
      `/api/appeals/${appealId}/assign?purpose=appeal`,
      {},
    );
    expect(taken.statusCode).toBe(200);
    return appealId;
  }

  const decide = (appealId: string, outcome: 'upheld' | 'rejected', reason: string) =>
    call('officer2', 'POST', `/api/appeals/${appealId}/decision?purpose=appeal`, {
      outcome,
      reason,
    });

  async function appealState(appealId: string) {
    const row = await kit.database.db
      .selectFrom('appeal')
      .select(['status', 'entitlement_id'])
      .where('id', '=', appealId)
      .executeTakeFirstOrThrow();
    return row;
  }

  it('refuses deciding an appeal once its cycle is closed, audited as denied; nothing is granted', async () => {
    await person('Marta', { sex: 'F', birth_date: '1993-03-04' });
    const marta = persons.Marta?.id ?? '';
    const appealId = await takenAppeal(marta, programId);
    await kit.database.asAdmin((admin) =>
      sql`update program_cycle set status = 'closed' where id = ${cycleId}`.execute(admin),
    );
    try {
      const decided = await decide(appealId, 'upheld', 'Tiene razón.');
      expect(decided.statusCode).toBe(409);
      expect(decided.json().code).toBe('AMP_APPEAL_CYCLE_CLOSED');
      expect(await deniedOf(decided)).toEqual([
        { action: 'appeal.decide', reason: 'AMP_APPEAL_CYCLE_CLOSED' },
      ]);
      expect(await appealState(appealId)).toEqual({ status: 'assigned', entitlement_id: null });
    } finally {
      await kit.database.asAdmin((admin) =>
        sql`update program_cycle set status = 'approved' where id = ${cycleId}`.execute(admin),
      );
    }
  });

  it('refuses upholding an appeal that would take the cycle over its budget cap, with the figures, audited', async () => {
    const db = kit.database.db;
    // Nobody is selected by the rule: the cycle costs nothing, and one appeal passes the cap.
    const tight = await programCreator(db, {
      code: 'tight',
      content: { ...pension, budgetCap: 100_00n, eligibilityRule: 'sex == "F" && age >= 120' },
      operatorId: randomUUID(),
    });
    const asked = await publicationRequester(db, {
      programId: tight.programId,
      version: 1,
      operatorId: randomUUID(),
    });
    await publicationDecider(db, {
      publicationId: asked.publicationId,
      approve: true,
      operatorId: randomUUID(),
    });
    const cycle = await cycleCreator(db, {
      programId: tight.programId,
      referenceDate: '2026-12-01',
      operatorId: null,
    });
    expect(cycle.summary.eligible).toBe(0n);
    await (await cycleApprover(db, { cycleId: cycle.cycleId, operatorId: randomUUID() })).granting;
    const marta = persons.Marta?.id ?? '';
    const appealId = await takenAppeal(marta, tight.programId);
    const decided = await decide(appealId, 'upheld', 'Tiene razón.');
    expect(decided.statusCode).toBe(409);
    expect(decided.json()).toMatchObject({
      code: 'AMP_BUDGET_EXCEEDED',
      detail:
        'Upholding would bring the cycle to 13000000 (0 by the rule, 0 by appeal before this one), over the cap of 10000; the appeal stays assigned',
    });
    expect(await deniedOf(decided)).toEqual([
      { action: 'appeal.decide', reason: 'AMP_BUDGET_EXCEEDED' },
    ]);
    expect(await appealState(appealId)).toEqual({ status: 'assigned', entitlement_id: null });
    // Rejecting it costs nothing and is not refused.
    const rejected = await decide(appealId, 'rejected', 'No hay presupuesto en este ciclo.');
    expect(rejected.statusCode).toBe(200);
  });

  it('refuses, in the database, an entitlement by appeal without an upheld appeal', async () => {
    const error = await kit.database.db
      .insertInto('entitlement')
      .values({
        id: randomUUID(),
        cycle_id: cycleId,
        program_id: programId,
        person_id: persons.Luis?.id ?? '',
        basis: 'appeal',
        amount_minor: 1n,
      })
      .execute()
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(String(error)).toMatch(/upheld appeal/);
  });
});
