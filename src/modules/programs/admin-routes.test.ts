import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/access/roles.js';
import type { CycleView } from '../../shared/api/programs.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../access/access-test-kit.js';
import {
  eligibilityFactsRelation,
  openSealedFacts,
  type SealedFactsRow,
} from '../registry/index.js';
import { expectProtected } from './eligibility/preview-test-kit.js';
import { smallCountMin } from './eligibility/rule-preview.js';
import { insertRandomPopulation, populationStates } from './programs-test-kit.js';
import { checkRule } from './rules/rule-checker.js';
import { evaluateRule } from './rules/rule-evaluator.js';

/**
 * Program management over HTTP (issue #13): the two-person publication, a cycle computed
 * with progress, recomputed with its difference, refused over the budget with the figures,
 * approved by exactly one of two concurrent approvers, published and closed.
 */
const purpose = '?purpose=eligibility_review';
const regions = [...populationStates];

function content(overrides: Record<string, unknown> = {}) {
  return {
    nameEs: 'Caja de alimentos',
    nameEn: 'Food box',
    descriptionEs: 'Una caja por hogar.',
    descriptionEn: 'One box per household.',
    kind: 'in_kind',
    unit: 'household',
    regions,
    cadence: 'monthly',
    benefit: { basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
    budgetCap: '100000',
    eligibilityRule: 'household_size >= 1',
    ...overrides,
  };
}

describe('program management routes', () => {
  let kit: AccessTestApp;
  const cookies: Record<string, Record<string, string>> = {};

  async function signIn(username: string, roles: Role[], held: string[]) {
    const operator = await createTestOperator(kit, { username, roles, regions: held });
    kit.advance(30_000);
    const response = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username, password: operator.password, totp: operator.totp() },
    });
    expect(response.statusCode).toBe(200);
    cookies[username] = { amparo_session: sessionCookieFrom(response) ?? '' };
  }

  const call = (who: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    kit.app.inject({
      method,
      url: `${url}${purpose}`,
      cookies: cookies[who] ?? {},
      ...(payload === undefined ? {} : { payload }),
    });

  async function publishedProgram(code: string, body = content()): Promise<string> {
    const created = await call('officer', 'POST', '/api/programs', { code, content: body });
    expect(created.statusCode).toBe(201);
    const { programId } = created.json() as { programId: string };
    const asked = await call('officer', 'POST', `/api/programs/${programId}/publication-requests`, {
      version: 1,
    });
    expect(asked.statusCode).toBe(201);
    const { publicationId } = asked.json() as { publicationId: string };
    const decided = await call(
      'supervisor',
      'POST',
      `/api/program-publications/${publicationId}/decision`,
      { approve: true },
    );
    expect(decided.json()).toEqual({ status: 'approved' });
    return programId;
  }

  async function computedCycle(programId: string, referenceDate: string): Promise<CycleView> {
    const created = await call('officer', 'POST', `/api/programs/${programId}/cycles`, {
      referenceDate,
    });
    expect(created.statusCode).toBe(202);
    const { cycleId } = created.json() as { cycleId: string };
    for (;;) {
      const view = (
        await call('officer', 'GET', `/api/program-cycles/${cycleId}`)
      ).json() as CycleView;
      expect(view.progress.chunksDone).toBeLessThanOrEqual(view.progress.chunksTotal);
      if (view.cycle.status !== 'computing') return view;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The cycle once the entitlements its approval started writing are all written. */
  async function grantedCycle(cycleId: string): Promise<CycleView> {
    for (;;) {
      const view = (
        await call('officer', 'GET', `/api/program-cycles/${cycleId}`)
      ).json() as CycleView;
      expect(view.grant.chunksDone).toBeLessThanOrEqual(view.grant.chunksTotal);
      if (view.grant.finishedAt !== null) return view;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    kit = await buildAccessTestApp({
      signInRequestsPerMinuteMax: 1000,
      rateLimitRequestsMax: 10_000,
    });
    await kit.database.asAdmin((admin) =>
      insertRandomPopulation(admin, { persons: 150, seed: 11, masterKey: kit.masterKey }),
    );
    await signIn('officer', ['program_officer'], regions);
    await signIn('supervisor', ['program_supervisor'], regions);
    await signIn('supervisor2', ['program_supervisor'], regions);
    await signIn('local', ['program_officer'], ['VE-A']);
    await signIn('both', ['program_officer', 'program_supervisor'], regions);
    // Four sign-ins and a population: over a minute on PGlite on a busy two-core machine.
  }, 180_000);
  afterAll(async () => kit?.close());

  it('publishes a version only when a different person with the right decides', async () => {
    const created = await call('officer', 'POST', '/api/programs', {
      code: 'food_box',
      content: content(),
    });
    const { programId } = created.json() as { programId: string };
    const saved = await call('officer', 'POST', `/api/programs/${programId}/versions`, {
      content: content({ eligibilityRule: 'income_band <= 2' }),
    });
    expect(saved.json()).toEqual({ version: 2 });
    const asked = await call('officer', 'POST', `/api/programs/${programId}/publication-requests`, {
      version: 2,
    });
    const { publicationId } = asked.json() as { publicationId: string };
    // The officer holds no right to decide; the supervisor does.
    const self = await call(
      'officer',
      'POST',
      `/api/program-publications/${publicationId}/decision`,
      {
        approve: true,
      },
    );
    expect(self.statusCode).toBe(403);
    const decided = await call(
      'supervisor',
      'POST',
      `/api/program-publications/${publicationId}/decision`,
      { approve: true },
    );
    expect(decided.json()).toEqual({ status: 'approved' });
    const detail = (await call('officer', 'GET', `/api/programs/${programId}`)).json();
    expect(detail.program).toMatchObject({ status: 'published', publishedVersion: 2 });
    expect(detail.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(detail.versions[1].content.eligibilityRule).toBe('income_band <= 2');
    expect(detail.publications).toMatchObject([{ version: 2, status: 'approved' }]);
    // A program naming states the operator does not hold is as if it did not exist.
    expect((await call('local', 'GET', `/api/programs/${programId}`)).statusCode).toBe(200);
    const elsewhere = await call('local', 'POST', `/api/programs/${programId}/status`, {
      to: 'suspended',
    });
    expect(elsewhere.statusCode).toBe(404);
    const listed = (await call('officer', 'GET', '/api/programs/managed')).json();
    expect(listed.programs.map((p: { code: string }) => p.code)).toContain('food_box');
  });

  it('computes a cycle with progress, recomputes it with the difference, approves, publishes and closes', async () => {
    const programId = await publishedProgram('monthly_box');
    const view = await computedCycle(programId, '2026-12-01');
    expect(view.cycle.status).toBe('computed');
    // A small population is one chunk (`limits.programs.cycleChunkPersons` a chunk).
    expect(view.progress).toMatchObject({ chunksDone: 1, chunksTotal: 1 });
    expect(Number(view.summary.eligible)).toBeGreaterThan(0);
    // The officer created it: they are not offered the approval, the supervisor is.
    expect(view.approvals).toEqual({ required: 1, given: [], byViewerAllowed: false });
    const seen = (await call('supervisor', 'GET', `/api/program-cycles/${view.cycle.id}`)).json();
    expect(seen.approvals.byViewerAllowed).toBe(true);
    const recomputed = await call(
      'officer',
      'POST',
      `/api/program-cycles/${view.cycle.id}/recompute`,
      {},
    );
    expect(recomputed.statusCode).toBe(200);
    const again = recomputed.json() as CycleView;
    expect(again.cycle.round).toBe(2);
    expect(again.diffPreviousRound).toEqual({ entered: [], left: [] });
    const approved = await call(
      'supervisor',
      'POST',
      `/api/program-cycles/${view.cycle.id}/approvals`,
      {},
    );
    expect(approved.json().cycle.status).toBe('approved');
    // The approval answers once recorded; its entitlements are written after the answer.
    const granted = await grantedCycle(view.cycle.id);
    expect(granted.entitlements.open).toBe(view.summary.eligible);
    expect(granted.grant).toMatchObject({
      chunksDone: 1,
      chunksTotal: 1,
      skipped: { death: 0, merge: 0, erasure: 0 },
    });
    const published = await call(
      'officer',
      'POST',
      `/api/program-cycles/${view.cycle.id}/publish`,
      {},
    );
    expect(published.json().cycle.status).toBe('published');
    const next = await computedCycle(programId, '2027-01-01');
    expect(next.previousCycle?.id).toBe(view.cycle.id);
    expect(next.diffPreviousCycle).toEqual({ entered: [], left: [] });
    const closed = await call('officer', 'POST', `/api/program-cycles/${view.cycle.id}/close`, {});
    expect(closed.json().cycle.status).toBe('closed');
    expect(closed.json().entitlements).toEqual({ open: '0', ended: view.summary.eligible });
  });

  it('refuses the approval of whoever recomputed the cycle, though their roles allow approving', async () => {
    const programId = await publishedProgram('recomputed_box');
    const view = await computedCycle(programId, '2026-12-01');
    // Holds both roles: the table alone lets them recompute (program.manage) and approve
    // (cycle.approve); separation of duties (migration 0040) bars the second after the first.
    expect(
      (await call('both', 'GET', `/api/program-cycles/${view.cycle.id}`)).json().approvals
        .byViewerAllowed,
    ).toBe(true);
    const recomputed = await call(
      'both',
      'POST',
      `/api/program-cycles/${view.cycle.id}/recompute`,
      {},
    );
    expect(recomputed.statusCode).toBe(200);
    expect((recomputed.json() as CycleView).approvals.byViewerAllowed).toBe(false);
    const refused = await call(
      'both',
      'POST',
      `/api/program-cycles/${view.cycle.id}/approvals`,
      {},
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'AMP_FORBIDDEN' });
    expect(refused.json().detail).toContain('recomputed');
    const after = (await call('officer', 'GET', `/api/program-cycles/${view.cycle.id}`)).json();
    expect(after.cycle.status).toBe('computed');
    expect(after.approvals.given).toEqual([]);
    expect(after.entitlements).toEqual({ open: '0', ended: '0' });
    // Someone who did not compute it approves; the one who did still cannot add a second.
    const approved = await call(
      'supervisor',
      'POST',
      `/api/program-cycles/${view.cycle.id}/approvals`,
      {},
    );
    expect(approved.statusCode).toBe(200);
    expect(approved.json().cycle.status).toBe('approved');
    // An approver sees no approval button once they have approved.
    const seen = (await call('supervisor', 'GET', `/api/program-cycles/${view.cycle.id}`)).json();
    expect(seen.approvals.byViewerAllowed).toBe(false);
  });

  it('refuses approval over the budget cap with the figures, and writes nothing', async () => {
    const programId = await publishedProgram('tight_box', content({ budgetCap: '1' }));
    const view = await computedCycle(programId, '2026-12-01');
    expect(view.budget).toMatchObject({ cap: '1', exceeded: true, measuredIn: 'benefits' });
    const refused = await call(
      'supervisor',
      'POST',
      `/api/program-cycles/${view.cycle.id}/approvals`,
      {},
    );
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'AMP_BUDGET_EXCEEDED' });
    expect(refused.json().detail).toContain(`${view.summary.eligible} eligible`);
    expect(refused.json().detail).toContain('over the cap of 1');
    const after = (await call('officer', 'GET', `/api/program-cycles/${view.cycle.id}`)).json();
    expect(after.approvals.given).toEqual([]);
    expect(after.entitlements).toEqual({ open: '0', ended: '0' });
  });

  it('of two concurrent approvals exactly one takes effect', async () => {
    const programId = await publishedProgram('race_box');
    const view = await computedCycle(programId, '2026-12-01');
    const url = `/api/program-cycles/${view.cycle.id}/approvals`;
    const answers = await Promise.all([
      call('supervisor', 'POST', url, {}),
      call('supervisor2', 'POST', url, {}),
    ]);
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses).toEqual([200, 409]);
    const refused = answers.find((answer) => answer.statusCode === 409);
    expect(refused?.json().code).toBe('AMP_CONFLICT');
    const after = await grantedCycle(view.cycle.id);
    expect(after.approvals.given).toHaveLength(1);
    expect(after.entitlements.open).toBe(view.summary.eligible);
  });

  it('previews a version as counts by state with the cycles evaluator, under 10 hidden, naming nobody', async () => {
    const [before, after] = [
      'age >= 60',
      'age >= 18 && sex == "F" && municipality_code != "VE-V-01"',
    ];
    const programId = await publishedProgram(
      'preview_box',
      content({ unit: 'person', eligibilityRule: before }),
    );
    const saved = await call('officer', 'POST', `/api/programs/${programId}/versions`, {
      content: content({ unit: 'person', eligibilityRule: after }),
    });
    expect(saved.json()).toEqual({ version: 2 });
    const url = `/api/programs/${programId}/versions/2/preview`;
    const answer = await kit.app.inject({
      url: `${url}${purpose}&referenceDate=2026-12-01`,
      cookies: cookies.supervisor ?? {},
    });
    expect(answer.statusCode).toBe(200);
    const preview = answer.json();
    // The same sets, worked out person by person in memory with CEL.
    const counts = await exactChanges(before, after);
    expect(preview).toMatchObject({ version: 2, comparedWith: 1, referenceDate: '2026-12-01' });
    // Every state is listed, changed or not; each count is the exact one protected: under 10
    // hidden, otherwise a multiple of 5 within one step of it (rule-preview.test.ts).
    const exact = (regionCode: string) => counts.get(regionCode) ?? { entering: 0, leaving: 0 };
    expect(preview.byState.map((state: { regionCode: string }) => state.regionCode)).toEqual(
      [...regions].sort(),
    );
    for (const state of preview.byState) {
      expectProtected(state.entering, exact(state.regionCode).entering);
      expectProtected(state.leaving, exact(state.regionCode).leaving);
    }
    // A total is withheld where it would reveal the one state of several said as fewer than 10.
    const total = (key: 'entering' | 'leaving') => {
      const column = preview.byState.map(
        (state: { regionCode: string }) => exact(state.regionCode)[key],
      );
      const hidden = column.filter((n: number) => n < smallCountMin).length;
      const sum = column.reduce((a: number, n: number) => a + n, 0);
      if (hidden === 1) expect(preview.total[key]).toBeNull();
      else expectProtected(preview.total[key], sum);
    };
    total('entering');
    total('leaving');
    // The fixture has a state where between 1 and 9 would change: it is said as fewer than 10.
    const small = [...counts.values()].flatMap((state) => [state.entering, state.leaving]);
    expect(small.some((n) => n > 0 && n < smallCountMin)).toBe(true);
    expect(JSON.stringify(preview)).not.toMatch(/"count":[1-9],|"count":[1-9]}/);
    // No identifier of any person in the answer.
    const persons = await kit.database.asAdmin((admin) =>
      admin.selectFrom('person').select(['id', 'uin']).execute(),
    );
    for (const person of persons) {
      expect(answer.body).not.toContain(person.id);
      expect(answer.body).not.toContain(person.uin);
    }
    const audited = await kit.database.asAdmin((admin) =>
      sql<{ entry: string }>`select entry::text as entry from audit_entry
        where entry::json->>'requestId' = ${String(answer.headers['x-request-id'])}`.execute(admin),
    );
    expect(audited.rows.map((row) => JSON.parse(row.entry))).toMatchObject([
      { action: 'program.read', outcome: 'allowed', resource: { type: 'program', id: programId } },
    ]);
    // The counts span every state of the program: an officer of one of them is refused.
    expect((await call('local', 'GET', url)).statusCode).toBe(404);
    expect(
      (await call('officer', 'GET', `/api/programs/${programId}/versions/3/preview`)).statusCode,
    ).toBe(404);
    // A rule over a sealed fact is decided after decryption by the cycles' worker pool, chunk
    // by chunk: the preview counts it too, as protected counts by state.
    const sealedRule = 'age >= 18 && disability_status != "none"';
    const sealed = await call('officer', 'POST', `/api/programs/${programId}/versions`, {
      content: content({ unit: 'person', eligibilityRule: sealedRule }),
    });
    expect(sealed.json()).toEqual({ version: 3 });
    const counted = await kit.app.inject({
      url: `/api/programs/${programId}/versions/3/preview${purpose}&referenceDate=2026-12-01`,
      cookies: cookies.supervisor ?? {},
    });
    expect(counted.statusCode).toBe(200);
    const sealedCounts = await exactChanges(before, sealedRule);
    const sealedPreview = counted.json();
    for (const state of sealedPreview.byState) {
      const exactState = sealedCounts.get(state.regionCode) ?? { entering: 0, leaving: 0 };
      expectProtected(state.entering, exactState.entering);
      expectProtected(state.leaving, exactState.leaving);
    }
    // Not vacuous: the sealed fact decides, and some state has 10 or more entering.
    expect(sealedCounts).not.toEqual(await exactChanges(before, 'age >= 18'));
    expect([...sealedCounts.values()].some((state) => state.entering >= smallCountMin)).toBe(true);
    for (const person of persons) expect(counted.body).not.toContain(person.id);
    // Each chunk's sealed read was audited before anything was opened, naming the fact.
    const sealedReads = await kit.database.asAdmin((admin) =>
      sql<{ entry: string }>`select entry::text as entry from audit_entry
        where entry::json->>'action' = 'person.eligibility_sealed_read'
          and entry::json->>'requestId' like ${`${String(counted.headers['x-request-id'])}:chunk:%`}`.execute(
        admin,
      ),
    );
    expect(sealedReads.rows.length).toBeGreaterThan(0);
    for (const row of sealedReads.rows) {
      expect(JSON.parse(row.entry)).toMatchObject({
        purpose: 'eligibility_review',
        fields: ['disability_status'],
        actor: { id: `preview:${programId}:3` },
      });
    }
  });

  /**
   * Who enters and who leaves between two rules, by state, worked out person by person in
   * memory with CEL on every person's facts, sealed ones opened with the master key.
   */
  async function exactChanges(before: string, after: string) {
    const facts = await sql<
      SealedFactsRow & Record<string, unknown>
    >`select * from ${eligibilityFactsRelation({
      referenceDate: '2026-12-01',
      withSealed: true,
    })} as f`.execute(kit.database.db);
    const [now, next] = [checkRule(before, 'bool', 'r'), checkRule(after, 'bool', 'r')];
    const counts = new Map<string, { entering: number; leaving: number }>();
    for (const stored of facts.rows) {
      const row = { ...stored, ...openSealedFacts(kit.masterKey, stored, ['disability_status']) };
      const [was, will] = [evaluateRule(now, row) === 'true', evaluateRule(next, row) === 'true'];
      if (was === will) continue;
      const state = counts.get(String(row.region_code)) ?? { entering: 0, leaving: 0 };
      if (will) state.entering += 1;
      else state.leaving += 1;
      counts.set(String(row.region_code), state);
    }
    return counts;
  }
});
