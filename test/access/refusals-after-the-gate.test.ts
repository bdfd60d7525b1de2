import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../../src/modules/access/access-test-kit.js';
import {
  accountCreator,
  accountFlags,
  transferCreator,
  transferFlags,
} from '../../src/modules/ledger/index.js';
import { settlementAccountId, walletAccountId } from '../../src/modules/payments/index.js';
import { cycleApprover, cycleCreator, programCreator } from '../../src/modules/programs/index.js';
import type { Role } from '../../src/shared/access/roles.js';
import { buildPerson } from '../factories.js';

/**
 * Refusals decided after the access gate let a request through (docs/ACCESS.md, "Audited
 * grants"): an insider holding, in one account, the roles for both halves of a two-person
 * action is refused the second half (separation of duties) with 403 and a denied audit entry
 * carrying the refusal's code, once; the same action by someone else leaves no denied entry.
 * Other error answers after a grant (a conflict, a service's validation, a failure) are audited
 * the same way with their code; a request refused by schema validation never reached the gate
 * and leaves nothing.
 */
describe('refusals after the access gate', () => {
  let kit: AccessTestApp;
  const cookies: Record<string, Record<string, string>> = {};

  interface Entry {
    action: string;
    outcome: 'allowed' | 'denied';
    reasonCode: string | null;
    fields: string[];
    actor: { kind: string; id: string; role: string | null; region: string | null };
    resource: { type: string; id: string | null };
  }

  /** Every audit entry of one request, in log order. */
  async function entriesOf(response: { headers: Record<string, unknown> }): Promise<Entry[]> {
    const requestId = String(response.headers['x-request-id']);
    const rows = await kit.database.asAdmin((admin) =>
      sql<{ entry: string }>`select entry from audit_entry
        where entry::json->>'requestId' = ${requestId} order by leaf_index`.execute(admin),
    );
    return rows.rows.map((row) => JSON.parse(row.entry) as Entry);
  }

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
    return operator.id;
  }

  const post = (who: string, url: string, payload: Record<string, unknown>) =>
    kit.app.inject({ method: 'POST', url, cookies: cookies[who], payload });

  /** The one denied entry a refused request leaves: the code, no fields, no role. */
  function expectOneDenial(entries: Entry[], action: string, code: string) {
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action,
      outcome: 'denied',
      reasonCode: code,
      fields: [],
      actor: { kind: 'operator', role: null, region: null },
    });
  }

  let programId: string;

  beforeAll(async () => {
    kit = await buildAccessTestApp({
      signInRequestsPerMinuteMax: 10_000,
      rateLimitRequestsMax: 10_000,
    });
    await signIn('insider', ['program_officer', 'program_supervisor']);
    await signIn('supervisor', ['program_supervisor']);
    await signIn('filer', ['enrolment_clerk', 'program_officer']);
    await signIn('officer', ['program_officer']);
    await signIn('finance.a', ['finance_officer']);
    await signIn('finance.b', ['finance_officer']);
    ({ programId } = await programCreator(kit.database.db, {
      code: 'refusals',
      content: {
        nameEs: 'Pensión',
        nameEn: 'Pension',
        descriptionEs: '',
        descriptionEn: '',
        kind: 'cash',
        unit: 'person',
        regions: ['VE-A'],
        cadence: 'monthly',
        benefit: { amountMinor: 130_000_00n, currency: 'VES' },
        budgetCap: 1_000_000_000_00n,
        eligibilityRule: 'sex == "F" && age >= 55',
      },
      operatorId: randomUUID(),
    }));
  }, 120_000);
  afterAll(async () => kit?.close());

  it('refuses a publication decided by its requester, audited as denied with the code; another decides it unrefused, and deciding it again is a conflict audited as denied', async () => {
    const asked = await post(
      'insider',
      `/api/programs/${programId}/publication-requests?purpose=eligibility_review`,
      { version: 1 },
    );
    expect(asked.statusCode).toBe(201);
    const decide = (who: string) =>
      post(
        who,
        `/api/program-publications/${asked.json().publicationId}/decision?purpose=eligibility_review`,
        { approve: true },
      );
    const refused = await decide('insider');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'AMP_FORBIDDEN' });
    expectOneDenial(await entriesOf(refused), 'program.publish_decide', 'AMP_FORBIDDEN');
    expect((await entriesOf(refused))[0]?.resource).toEqual({ type: 'program', id: programId });

    const approved = await decide('supervisor');
    expect(approved.statusCode).toBe(200);
    expect((await entriesOf(approved)).map((entry) => entry.outcome)).toEqual(['allowed']);

    const again = await decide('supervisor');
    expect(again.statusCode).toBe(409);
    expectOneDenial(await entriesOf(again), 'program.publish_decide', 'AMP_CONFLICT');
  });

  it('refuses the filer of an appeal taking or deciding it; another officer takes it, and a reason of blanks is refused by the service and audited', async () => {
    const { cycleId } = await cycleCreator(kit.database.db, {
      programId,
      referenceDate: '2026-12-01',
      operatorId: randomUUID(),
    });
    await (await cycleApprover(kit.database.db, { cycleId, operatorId: randomUUID() })).granting;
    const luis = await buildPerson(kit, {
      region: 'VE-A',
      attributes: {
        given_names: 'Luis',
        first_surname: 'Prueba',
        state_code: 'VE-A',
        sex: 'M',
        birth_date: '1950-03-04',
      },
    });
    const filed = await post('filer', `/api/persons/${luis.id}/appeals?purpose=appeal`, {
      programId,
      statement: 'Soy mujer.',
    });
    expect(filed.statusCode).toBe(201);
    const appeal = `/api/appeals/${filed.json().appealId}`;

    const taken = await post('filer', `${appeal}/assign?purpose=appeal`, {});
    expect(taken.statusCode).toBe(403);
    expectOneDenial(await entriesOf(taken), 'appeal.decide', 'AMP_FORBIDDEN');
    const decided = await post('filer', `${appeal}/decision?purpose=appeal`, {
      outcome: 'upheld',
      reason: 'Consta en la partida.',
    });
    expect(decided.statusCode).toBe(403);
    const denial = await entriesOf(decided);
    expectOneDenial(denial, 'appeal.decide', 'AMP_FORBIDDEN');
    // No more than the allowed entry would hold: the person the appeal is about.
    expect(denial[0]?.resource).toEqual({ type: 'person', id: luis.id });

    const assigned = await post('officer', `${appeal}/assign?purpose=appeal`, {});
    expect(assigned.statusCode).toBe(200);
    expect((await entriesOf(assigned)).map((entry) => entry.outcome)).toEqual(['allowed']);
    const blank = await post('officer', `${appeal}/decision?purpose=appeal`, {
      outcome: 'rejected',
      reason: '   ',
    });
    expect(blank.statusCode).toBe(400);
    expectOneDenial(await entriesOf(blank), 'appeal.decide', 'AMP_VALIDATION');
    // Refused by the route's schema before the handler: the gate never ran, nothing to audit.
    const malformed = await post('officer', `${appeal}/decision?purpose=appeal`, {
      outcome: 'maybe',
      reason: 'x',
    });
    expect(malformed.statusCode).toBe(400);
    expect(await entriesOf(malformed)).toEqual([]);
  }, 60_000);

  it('refuses an adjustment decided by its proposer once, with its own code; the other finance officer approves it unrefused', async () => {
    const settlement = settlementAccountId('VES');
    const personId = randomUUID();
    const wallet = walletAccountId(personId, 'VES');
    await accountCreator(kit.database.db, [
      { id: settlement, currency: 'VES', kind: 'settlement', flags: accountFlags.none },
      {
        id: wallet,
        currency: 'VES',
        kind: 'beneficiary_wallet',
        flags: accountFlags.debitsMustNotExceedCredits,
        referenceId: personId,
      },
    ]);
    await transferCreator(kit.database.db, [
      {
        id: randomUUID(),
        debitAccountId: settlement,
        creditAccountId: wallet,
        amountMinor: 100_00n,
        flags: transferFlags.none,
        currency: 'VES',
        reason: 'funding',
      },
    ]);
    const proposed = await post('finance.a', '/api/payments/adjustments?purpose=distribution', {
      debitAccountId: settlement,
      creditAccountId: wallet,
      currency: 'VES',
      amountMinor: '2500',
      reasonCode: 'correction',
      note: 'Ticket 4411: a disbursement paid short',
    });
    expect(proposed.statusCode).toBe(201);
    const decide = (who: string) =>
      post(who, `/api/payments/adjustments/${proposed.json().id}/decision?purpose=distribution`, {
        decision: 'approve',
      });
    const refused = await decide('finance.a');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'AMP_ADJUSTMENT_SAME_PERSON' });
    // The payments module audits this refusal itself; the error handler does not add another.
    const denial = await entriesOf(refused);
    expect(denial.map((entry) => [entry.outcome, entry.reasonCode])).toEqual([
      ['denied', 'AMP_ADJUSTMENT_SAME_PERSON'],
    ]);

    const approved = await decide('finance.b');
    expect(approved.statusCode).toBe(200);
    expect((await entriesOf(approved)).every((entry) => entry.outcome === 'allowed')).toBe(true);
  });

  it('audits a grant whose request then fails (500) as denied with AMP_INTERNAL, once', async () => {
    const other = await programCreator(kit.database.db, {
      code: 'failing',
      content: {
        nameEs: 'Bono',
        nameEn: 'Bonus',
        descriptionEs: '',
        descriptionEn: '',
        kind: 'cash',
        unit: 'person',
        regions: ['VE-A'],
        cadence: 'once',
        benefit: { amountMinor: 10_00n, currency: 'VES' },
        budgetCap: 1_000_000_00n,
        eligibilityRule: 'age >= 18',
      },
      operatorId: randomUUID(),
    });
    // A real failure inside the service, after the gate: the database refuses the insert.
    await kit.database.asAdmin(async (admin) => {
      await sql`create function refusals_test_fail() returns trigger language plpgsql
        as $$ begin raise exception 'refusals test: the disk is on fire'; end $$`.execute(admin);
      await sql`create trigger refusals_test_fail before insert on program_publication
        for each row execute function refusals_test_fail()`.execute(admin);
    });
    try {
      const failed = await post(
        'insider',
        `/api/programs/${other.programId}/publication-requests?purpose=eligibility_review`,
        { version: 1 },
      );
      expect(failed.statusCode).toBe(500);
      expectOneDenial(await entriesOf(failed), 'program.manage', 'AMP_INTERNAL');
    } finally {
      await kit.database.asAdmin(async (admin) => {
        await sql`drop trigger refusals_test_fail on program_publication`.execute(admin);
        await sql`drop function refusals_test_fail()`.execute(admin);
      });
    }
  });
});
