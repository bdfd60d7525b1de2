import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { eligibilityFactsRelation, RegistryEvents } from '../../registry/index.js';
import { eligiblePersonIds } from '../eligibility/eligibility-query.js';
import { programLimits } from '../limits.js';
import type { ProgramContent } from '../program-content.js';
import { programCreator, publicationDecider, publicationRequester } from '../program-service.js';
import {
  crashedGrant,
  insertRandomPopulation,
  refusal,
  womenPension,
} from '../programs-test-kit.js';
import { endEntitlementsOnRegistryEvents } from '../registry-subscriptions.js';
import { checkRule } from '../rules/rule-checker.js';
import { evaluateFormula, evaluateRule } from '../rules/rule-evaluator.js';
import { cadencePeriod } from './cycle-cadence.js';
import { chunksFor, cycleComputer } from './cycle-run.js';
import {
  approvalRecorder,
  cycleApprover,
  cycleCloser,
  cycleCreator,
  cycleOpener,
  cyclePublisher,
  cycleRecomputer,
} from './cycle-service.js';
import { cycleView } from './cycle-view.js';
import { entitlementGranter } from './entitlement-granter.js';

const referenceDate = '2026-12-01';
const [officer, approverA, approverB] = [randomUUID(), randomUUID(), randomUUID()];

/** The kit's pension, for men from 60 too: both sexes reach the frozen sets of 120 persons. */
function pension(overrides: Partial<ProgramContent> = {}): ProgramContent {
  return {
    ...womenPension,
    eligibilityRule: '(sex == "F" && age >= 55) || (sex == "M" && age >= 60)',
    ...overrides,
  };
}

describe('cycles and entitlements', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.asAdmin((admin) => insertRandomPopulation(admin, { persons: 120, seed: 5 }));
  });
  afterAll(async () => database?.close());

  async function publishedProgram(code: string, content: ProgramContent): Promise<string> {
    const db = database.db;
    const { programId } = await programCreator(db, { code, content, operatorId: officer });
    const { publicationId } = await publicationRequester(db, {
      programId,
      version: 1,
      operatorId: officer,
    });
    await publicationDecider(db, { publicationId, approve: true, operatorId: approverA });
    return programId;
  }

  /** The refusal of a cycle's creation, once it is checked that no cycle was written. */
  async function refusedCreation(programId: string) {
    const refused = await refusal(
      cycleCreator(database.db, { programId, referenceDate, operatorId: officer }),
    );
    const cycles = await database.db
      .selectFrom('program_cycle')
      .select('id')
      .where('program_id', '=', programId)
      .execute();
    expect(cycles).toEqual([]);
    return refused;
  }

  async function approvalsOf(cycleId: string) {
    return database.db
      .selectFrom('program_cycle_approval')
      .selectAll()
      .where('cycle_id', '=', cycleId)
      .execute();
  }

  async function entitlementCount(cycleId: string): Promise<number> {
    const rows = await database.db
      .selectFrom('entitlement')
      .select('person_id')
      .where('cycle_id', '=', cycleId)
      .execute();
    return rows.length;
  }

  it('freezes the rule’s set; a recomputation is explicit and says who entered, by state', async () => {
    const content = pension();
    const programId = await publishedProgram('pension', content);
    const { cycleId, summary } = await cycleCreator(database.db, {
      programId,
      referenceDate,
      operatorId: officer,
    });
    const rule = checkRule(content.eligibilityRule, 'bool', '/r');
    const expected = await eligiblePersonIds(database.db, { rule, referenceDate, regions: [] });
    expect(summary.eligible).toBe(BigInt(expected.length));
    expect(summary.totalMinor).toBe(BigInt(expected.length) * 130_000_00n);
    expect(expected.length).toBeGreaterThan(5);

    // A person enrolled later does not change the frozen set until someone recomputes.
    const newcomer = randomUUID();
    await database.asAdmin(async (admin) => {
      await sql`insert into person (id, uin, region_code) values (${newcomer}, '2999999999', 'VE-Z')`.execute(
        admin,
      );
      await sql`insert into person_version (person_id, version, attributes, reason) values
        (${newcomer}, 1, ${JSON.stringify({ sex: 'F', birth_date: '1950-03-01' })}::jsonb, 'demo')`.execute(
        admin,
      );
    });
    const frozen = await database.db
      .selectFrom('program_cycle_member')
      .select('person_id')
      .where('cycle_id', '=', cycleId)
      .where('round', '=', 1)
      .execute();
    expect(frozen.map((row) => row.person_id).sort()).toEqual(expected);
    const recomputer = randomUUID();
    const again = await cycleRecomputer(database.db, { cycleId, operatorId: recomputer });
    expect(again.round).toBe(2);
    expect(again.diff).toEqual({ entered: [{ regionCode: 'VE-Z', count: 1n }], left: [] });
    expect(again.summary.eligible).toBe(summary.eligible + 1n);
    // Separation of duties: whoever recomputed the cycle does not approve it (nor its
    // creator), and the console does not offer them the approval; someone else may.
    for (const operatorId of [recomputer, officer]) {
      const own = await refusal(cycleApprover(database.db, { cycleId, operatorId }));
      expect(own.code).toBe('AMP_FORBIDDEN');
      expect((await cycleView(database.db, cycleId, operatorId)).approvals.byViewerAllowed).toBe(
        false,
      );
    }
    expect(await approvalsOf(cycleId)).toEqual([]);
    expect((await cycleView(database.db, cycleId, approverA)).approvals.byViewerAllowed).toBe(true);
    const approved = await cycleApprover(database.db, { cycleId, operatorId: approverA });
    expect(approved.approvals).toBe(1);
    expect(await approved.granting).toEqual({ granted: true });
  });

  it('computes a household-count rule and formula chunk by chunk from counts taken once', async () => {
    const content = pension({
      unit: 'household',
      eligibilityRule: 'sex == "F" && members_under_18 >= 1',
      benefit: { formula: '1000 + 500 * members_under_18 + household_size', currency: 'VES' },
    });
    const programId = await publishedProgram('mothers', content);
    // Other cycles' counts are gone once computed: the rows seen here are this cycle's.
    const countsSeen: number[] = [];
    const { cycleId } = await cycleCreator(database.db, {
      programId,
      referenceDate,
      operatorId: officer,
      chunks: 7,
      onProgress: async (progress) => {
        const rows = await database.db
          .selectFrom('program_cycle_household')
          .select('household_id')
          .where('round', '=', progress.round)
          .execute();
        // Chunks are written two at once: the finishing chunk may commit (and remove the
        // counts) before the other's progress is seen here.
        if (progress.chunksDone < progress.chunksTotal && rows.length > 0) {
          countsSeen.push(rows.length);
        }
      },
    });
    // Counts were written once before the first chunk and kept until the last removed them.
    expect(new Set(countsSeen).size).toBe(1);
    expect(countsSeen[0]).toBeGreaterThan(10);
    const left = await database.db
      .selectFrom('program_cycle_household')
      .select('household_id')
      .where('cycle_id', '=', cycleId)
      .execute();
    expect(left).toEqual([]);
    // Expected: CEL over the whole facts relation (each household's counts from all members).
    const rule = checkRule(content.eligibilityRule, 'bool', '/r');
    const formula = checkRule('1000 + 500 * members_under_18 + household_size', 'int', '/f');
    const facts = await sql<Record<string, unknown>>`select * from ${eligibilityFactsRelation({
      referenceDate,
    })} as f`.execute(database.db);
    const expected = facts.rows
      .filter((row) => row.head_of_household === true && evaluateRule(rule, row) === 'true')
      .map((row) => `${String(row.person_id)} ${evaluateFormula(formula, row)}`)
      .sort();
    expect(expected.length).toBeGreaterThan(2);
    const members = await database.db
      .selectFrom('program_cycle_member')
      .select(['person_id', 'amount_minor'])
      .where('cycle_id', '=', cycleId)
      .execute();
    expect(members.map((row) => `${row.person_id} ${row.amount_minor}`).sort()).toEqual(expected);
  });

  it('cuts a round into one chunk per `cycleChunkPersons` active persons by default', async () => {
    const per = programLimits.cycleChunkPersons;
    expect([0, 1, per, per + 1, 10 * per, 10 * per + 1].map(chunksFor)).toEqual([
      1, 1, 1, 2, 10, 11,
    ]);
    expect(chunksFor(per * (programLimits.cycleChunksMax + 5))).toBe(programLimits.cycleChunksMax);
    // This test population is far under one chunk's persons: one chunk, counted when started.
    const programId = await publishedProgram('one_chunk', pension());
    const { cycleId } = await cycleCreator(database.db, {
      programId,
      referenceDate,
      operatorId: officer,
    });
    const run = await database.db
      .selectFrom('program_cycle_run')
      .select(['chunks_total', 'chunks_done'])
      .where('cycle_id', '=', cycleId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ chunks_total: 1, chunks_done: 1 });
  });

  it('two computers at once write every chunk once, the rule’s set exactly', async () => {
    const content = pension();
    const programId = await publishedProgram('two_computers', content);
    const { cycleId } = await cycleOpener(database.db, {
      programId,
      referenceDate,
      operatorId: officer,
      chunks: 9,
    });
    // Each computer writes two chunks at once (`cycleChunkWorkers`): four transactions race
    // for nine chunks, and the one whose count reaches nine finishes the round.
    expect(programLimits.cycleChunkWorkers).toBe(2);
    const progress: number[] = [];
    const [first, second] = await Promise.all([
      cycleComputer(database.db, { cycleId, onProgress: (p) => void progress.push(p.chunksDone) }),
      cycleComputer(database.db, { cycleId }),
    ]);
    const rule = checkRule(content.eligibilityRule, 'bool', '/r');
    const expected = await eligiblePersonIds(database.db, { rule, referenceDate, regions: [] });
    expect(first.summary.eligible).toBe(BigInt(expected.length));
    expect(second.summary).toEqual(first.summary);
    const members = await database.db
      .selectFrom('program_cycle_member')
      .select('person_id')
      .where('cycle_id', '=', cycleId)
      .orderBy('person_id')
      .execute();
    expect(members.map((row) => row.person_id)).toEqual(expected);
    const chunks = await database.db
      .selectFrom('program_cycle_run_chunk')
      .select('chunk')
      .where('cycle_id', '=', cycleId)
      .orderBy('chunk')
      .execute();
    expect(chunks.map((row) => row.chunk)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const run = await database.db
      .selectFrom('program_cycle_run')
      .select(['chunks_done', 'chunks_total'])
      .where('cycle_id', '=', cycleId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ chunks_done: 9, chunks_total: 9 });
    // Progress as one computer saw it: never backwards.
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('a member names a real cycle and person: one made-up row refuses the whole statement', async () => {
    const cycle = await database.db
      .selectFrom('program_cycle')
      .select('id')
      .where('status', '<>', 'computing')
      .executeTakeFirstOrThrow();
    const attempts = [
      // Every real person of the registry, and one made-up id among them.
      sql`insert into program_cycle_member (cycle_id, round, person_id, region_code)
        select ${cycle.id}::uuid, 50, p.id, p.region_code from person p
        union all select ${cycle.id}::uuid, 50, ${randomUUID()}::uuid, 'VE-A'`,
      // Real persons in a cycle that does not exist.
      sql`insert into program_cycle_member (cycle_id, round, person_id, region_code)
        select ${randomUUID()}::uuid, 50, p.id, p.region_code from person p`,
    ];
    for (const attempt of attempts) {
      const outcome = await attempt.execute(database.db).then(
        () => 'inserted',
        (error: { code?: string; message?: string }) => `${error.code} ${error.message}`,
      );
      expect(outcome).toMatch(
        /^23503 a cycle member must name an existing cycle and an existing person/,
      );
    }
    const written = await sql<{ n: number }>`select count(*)::int as n from program_cycle_member
      where round = 50`.execute(database.db);
    expect(written.rows[0]?.n).toBe(0);
  });

  it('refuses approval over the budget cap with the figures, writing nothing', async () => {
    const programId = await publishedProgram('tight', pension({ budgetCap: 130_000_00n }));
    const { cycleId } = await cycleCreator(database.db, {
      programId,
      referenceDate,
      operatorId: officer,
    });
    const refused = await refusal(cycleApprover(database.db, { cycleId, operatorId: approverA }));
    expect(refused.code).toBe('AMP_BUDGET_EXCEEDED');
    expect(refused.message).toMatch(/eligible; the cycle would cost \d+, over the cap of 13000000/);
    expect(await approvalsOf(cycleId)).toEqual([]);
    expect(await entitlementCount(cycleId)).toBe(0);
  });

  it('a cash cycle over the threshold needs two different approvers; entitlements once each', async () => {
    const big = programLimits.cycleSecondApproverAboveMinor;
    const programId = await publishedProgram(
      'big_bonus',
      pension({ benefit: { amountMinor: big, currency: 'USD' }, budgetCap: big * 1000n }),
    );
    const { cycleId, summary } = await cycleCreator(database.db, {
      programId,
      referenceDate,
      operatorId: officer,
    });
    // The operator who created the cycle never approves it, even holding the right.
    const own = await refusal(cycleApprover(database.db, { cycleId, operatorId: officer }));
    expect(own.code).toBe('AMP_FORBIDDEN');
    const first = await cycleApprover(database.db, { cycleId, operatorId: approverA });
    expect(first).toEqual({ status: 'computed', approvals: 1, required: 2, granting: null });
    expect(await entitlementCount(cycleId)).toBe(0);
    // The cycle page offers the approval only where `byViewerAllowed` (cycle-page.tsx): not to
    // the one who approved already, still to another approver.
    expect((await cycleView(database.db, cycleId, approverA)).approvals.byViewerAllowed).toBe(
      false,
    );
    expect((await cycleView(database.db, cycleId, approverB)).approvals.byViewerAllowed).toBe(true);
    const twice = await refusal(cycleApprover(database.db, { cycleId, operatorId: approverA }));
    expect(twice.code).toBe('AMP_CONFLICT');
    const second = await cycleApprover(database.db, { cycleId, operatorId: approverB });
    expect(second).toMatchObject({ status: 'approved', approvals: 2, required: 2 });
    // The approval answers once recorded; the entitlements are written after it.
    expect(await second.granting).toEqual({ granted: true });
    expect(await entitlementCount(cycleId)).toBe(Number(summary.eligible));
    const closed = await refusal(cycleApprover(database.db, { cycleId, operatorId: randomUUID() }));
    expect(closed.code).toBe('AMP_CONFLICT');
  });

  it('of two concurrent approvals exactly one takes effect', async () => {
    const programId = await publishedProgram('food_box', {
      ...pension(),
      kind: 'in_kind',
      unit: 'household',
      benefit: { basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
      budgetCap: 10_000n,
      eligibilityRule: 'income_band <= 2',
    });
    const { cycleId, summary } = await cycleCreator(database.db, {
      programId,
      referenceDate,
      operatorId: officer,
    });
    expect(summary.eligible).toBeGreaterThan(0n);
    const outcomes = await Promise.allSettled([
      cycleApprover(database.db, { cycleId, operatorId: approverA }),
      cycleApprover(database.db, { cycleId, operatorId: approverB }),
    ]);
    const taken = outcomes.flatMap((outcome) =>
      outcome.status === 'fulfilled' ? [outcome.value] : [],
    );
    expect(taken).toHaveLength(1);
    await taken[0]?.granting;
    expect(await entitlementCount(cycleId)).toBe(Number(summary.eligible));
    // Household program: every beneficiary is a head of household.
    const heads = await sql<{ n: bigint }>`select count(*)::int8 as n from entitlement e
      join household_membership m on m.person_id = e.person_id and m.valid_to is null
      where e.cycle_id = ${cycleId} and m.relationship = 'head'`.execute(database.db);
    expect(heads.rows[0]?.n).toBe(summary.eligible);
  });

  it('ends open entitlements on death, merge and erasure, with the reason', async () => {
    const events = new RegistryEvents();
    endEntitlementsOnRegistryEvents(events);
    const open = await database.db
      .selectFrom('entitlement')
      .select('person_id')
      .distinct()
      .where('status', '=', 'open')
      .orderBy('person_id')
      .limit(4)
      .execute();
    const [died, merged, erased, untouched] = open.map((row) => row.person_id);
    if (!died || !merged || !erased || !untouched) throw new Error('too few entitlements');
    await database.db.transaction().execute(async (trx) => {
      await events.publish(trx, 'personDied', { personId: died });
      await events.publish(trx, 'personsMerged', { mergedId: merged, survivorId: untouched });
      await events.publish(trx, 'personErased', { personId: erased });
    });
    const rows = await database.db
      .selectFrom('entitlement')
      .select(['person_id', 'status', 'ended_reason'])
      .where('person_id', 'in', [died, merged, erased, untouched])
      .execute();
    const reasonOf = (id: string) => rows.filter((row) => row.person_id === id);
    expect(reasonOf(died).every((row) => row.ended_reason === 'death')).toBe(true);
    expect(reasonOf(merged).every((row) => row.ended_reason === 'merge')).toBe(true);
    expect(reasonOf(erased).every((row) => row.ended_reason === 'erasure')).toBe(true);
    expect(reasonOf(untouched).every((row) => row.status === 'open')).toBe(true);
  });

  it('refuses a formula that fails for someone (division by zero, overflow), and writes no cycle', async () => {
    const failing = [
      ['per_child', '1000 / members_under_5'],
      ['overflowing', '1000000000000 * 1000000000000 * age'],
      // Within int8, but above `amountMinorMax` (10^15) for everyone the rule selects.
      ['above_the_largest_amount', '1000000000000 * 1000 + age'],
    ] as const;
    for (const [code, formula] of failing) {
      const programId = await publishedProgram(
        code,
        pension({
          benefit: { formula, currency: 'VES' },
          eligibilityRule: 'head_of_household && age >= 18',
        }),
      );
      const refused = await refusedCreation(programId);
      expect({ formula, code: refused.code }).toEqual({ formula, code: 'AMP_FORMULA_FAILED' });
    }
  });

  it('refuses an approval whose total passes int8 with the figures, not a raw failure', async () => {
    // Nobody is selected; two members with amounts near int8's largest are then written as
    // the database owner (a formula cannot give them: amounts stop at `amountMinorMax`), so
    // the round's total, 18 × 10^18, is beyond int8.
    const programId = await publishedProgram(
      'huge_total',
      pension({ eligibilityRule: 'age >= 200' }),
    );
    const { cycleId } = await cycleCreator(database.db, {
      programId,
      referenceDate,
      operatorId: officer,
    });
    await database.asAdmin(async (admin) => {
      const two = await admin.selectFrom('person').select('id').orderBy('id').limit(2).execute();
      for (const { id } of two) {
        await sql`insert into program_cycle_member (cycle_id, round, person_id, region_code, amount_minor)
          values (${cycleId}, 1, ${id}, 'VE-A', 9000000000000000000)`.execute(admin);
      }
    });
    const refused = await refusal(cycleApprover(database.db, { cycleId, operatorId: approverA }));
    expect(refused.code).toBe('AMP_BUDGET_EXCEEDED');
    expect(refused.message).toBe(
      '2 eligible; the cycle would cost 18000000000000000000, over the cap of 100000000000',
    );
    const view = await cycleView(database.db, cycleId, approverA);
    expect(view.summary.totalMinor).toBe('18000000000000000000');
    expect(view.budget).toMatchObject({ cost: '18000000000000000000', exceeded: true });
    expect(await approvalsOf(cycleId)).toEqual([]);
  });

  it('keeps to the cadence: one cycle for a one-off program, one a month or a quarter', async () => {
    const periods = (['monthly', 'quarterly', 'once', 'on_demand'] as const).map((cadence) =>
      cadencePeriod(cadence, '2026-11-15'),
    );
    expect(periods).toEqual([
      { from: '2026-11-01', to: '2026-12-01', label: '2026-11' },
      { from: '2026-10-01', to: '2027-01-01', label: '2026-Q4' },
      'ever',
      'none',
    ]);
    expect(cadencePeriod('monthly', '2026-12-31')).toMatchObject({ to: '2027-01-01' });
    const open = (programId: string, date: string) =>
      cycleCreator(database.db, { programId, referenceDate: date, operatorId: officer });
    const cyclesOf = async (programId: string) =>
      (
        await database.db
          .selectFrom('program_cycle')
          .select('reference_date')
          .where('program_id', '=', programId)
          .orderBy('reference_date')
          .execute()
      ).map((row) => String(row.reference_date).slice(0, 10));
    const cases = [
      ['once', ['2026-12-01'], ['2027-06-01']],
      ['monthly', ['2026-12-01', '2027-01-01'], ['2026-12-20']],
      ['quarterly', ['2026-10-01', '2027-01-01'], ['2026-12-01']],
      ['on_demand', ['2026-12-01', '2026-12-02'], []],
    ] as const;
    for (const [cadence, allowed, refused] of cases) {
      const programId = await publishedProgram(`cadence_${cadence}`, pension({ cadence }));
      for (const date of allowed) await open(programId, date);
      for (const date of refused) {
        const refusedOne = await refusal(open(programId, date));
        expect({ cadence, date, code: refusedOne.code }).toEqual({
          cadence,
          date,
          code: 'AMP_CYCLE_CADENCE',
        });
      }
      expect(await cyclesOf(programId)).toEqual([...allowed]);
    }
    // A one-off cycle closed before it was approved granted nothing: it does not count.
    const abandoned = await publishedProgram('cadence_abandoned', pension({ cadence: 'once' }));
    const first = await open(abandoned, '2026-12-01');
    await cycleCloser(database.db, { cycleId: first.cycleId, operatorId: approverA });
    await open(abandoned, '2027-01-01');
    const again = await refusal(open(abandoned, '2027-02-01'));
    expect(again.message).toBe(
      'The program is paid once and already has its cycle (reference date 2027-01-01)',
    );
  });

  it('shows who entered and left against the previous cycle, by state', async () => {
    // Persons of this test only, in states the random population does not use.
    const add = async (state: string, birthDate: string) => {
      const id = randomUUID();
      await database.asAdmin(async (admin) => {
        await sql`insert into person (id, uin, region_code) values
          (${id}, ${String(2_900_000_000 + Math.floor(Math.random() * 99_999_999))}, ${state})`.execute(
          admin,
        );
        await sql`insert into person_version (person_id, version, attributes, reason) values
          (${id}, 1, ${JSON.stringify({ sex: 'F', birth_date: birthDate, state_code: state })}::jsonb, 'demo')`.execute(
          admin,
        );
      });
      return id;
    };
    const leaver = await add('VE-B', '1950-05-06');
    await add('VE-C', '1950-05-06');
    // Sixty on 2027-01-15: out of the December cycle, in the January one.
    await add('VE-C', '1967-01-15');
    const programId = await publishedProgram(
      'diffed',
      pension({ regions: ['VE-B', 'VE-C'], eligibilityRule: 'sex == "F" && age >= 60' }),
    );
    const december = await cycleCreator(database.db, {
      programId,
      referenceDate: '2026-12-01',
      operatorId: officer,
    });
    expect(december.summary.eligible).toBe(2n);
    await database.asAdmin((admin) =>
      sql`update person set status = 'deceased' where id = ${leaver}`.execute(admin),
    );
    const january = await cycleCreator(database.db, {
      programId,
      referenceDate: '2027-01-20',
      operatorId: officer,
    });
    const view = await cycleView(database.db, january.cycleId, approverA);
    expect(view.previousCycle).toEqual({ id: december.cycleId, referenceDate: '2026-12-01' });
    expect(view.diffPreviousCycle).toEqual({
      entered: [{ regionCode: 'VE-C', count: '1' }],
      left: [{ regionCode: 'VE-B', count: '1' }],
    });
    expect(view.summary.byState.map((state) => [state.regionCode, state.eligible])).toEqual([
      ['VE-C', '2'],
    ]);
  });

  it('refuses a rule whose arithmetic overflows for someone with AMP_RULE_FAILED, and writes no cycle', async () => {
    const overflowing = 'head_of_household && age * 1000000000000 * 1000000 > 1';
    const rule = checkRule(overflowing, 'bool', '/r');
    const direct = await refusal(
      eligiblePersonIds(database.db, { rule, referenceDate, regions: [] }),
    );
    expect(direct.code).toBe('AMP_RULE_FAILED');
    // With a formula beside it, the refusal still names the rule, not the formula.
    for (const [code, benefit] of [
      ['rule_overflow_fixed', { amountMinor: 100n, currency: 'VES' as const }],
      ['rule_overflow_formula', { formula: '1000 + age', currency: 'VES' as const }],
    ] as const) {
      const programId = await publishedProgram(
        code,
        pension({ benefit, eligibilityRule: overflowing }),
      );
      const refused = await refusedCreation(programId);
      expect({ code, refused: refused.code }).toEqual({ code, refused: 'AMP_RULE_FAILED' });
    }
  });

  it('no one is added to a cycle by hand: the database refuses an entitlement by rule', async () => {
    const cycle = await database.db
      .selectFrom('program_cycle')
      .select(['id', 'program_id'])
      .executeTakeFirstOrThrow();
    const outsider = await database.db
      .selectFrom('person')
      .select('id')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('program_cycle_member')
              .select('person_id')
              .whereRef('program_cycle_member.person_id', '=', 'person.id')
              .where('cycle_id', '=', cycle.id),
          ),
        ),
      )
      .executeTakeFirstOrThrow();
    const outcome = await sql`insert into entitlement (id, cycle_id, program_id, person_id, basis)
      values (${randomUUID()}, ${cycle.id}, ${cycle.program_id}, ${outsider.id}, 'rule')`
      .execute(database.db)
      .then(
        () => 'inserted',
        (error: unknown) => String(error),
      );
    expect(outcome).toMatch(/eligible set/);
    // Without per-row foreign keys (migration 0033) a person, cycle or program that does not
    // exist is refused by the same check.
    for (const [cycleId, programId, personId] of [
      [cycle.id, cycle.program_id, randomUUID()],
      [randomUUID(), cycle.program_id, outsider.id],
      [cycle.id, randomUUID(), outsider.id],
    ]) {
      for (const basis of ['rule', 'appeal']) {
        const made = await sql`insert into entitlement (id, cycle_id, program_id, person_id, basis)
          values (${randomUUID()}, ${cycleId}, ${programId}, ${personId}, ${basis})`
          .execute(database.db)
          .then(
            () => 'inserted',
            (error: unknown) => String(error),
          );
        expect(made).toMatch(/eligible set|upheld appeal/);
      }
    }
  });

  it('an approval’s entitlements are written in chunks; a grant stopped halfway resumes, nobody twice', async () => {
    const programId = await publishedProgram('chunked_grant', pension());
    const { cycleId, summary } = await cycleCreator(database.db, {
      programId,
      referenceDate,
      operatorId: officer,
    });
    expect(summary.eligible).toBeGreaterThan(5n);
    // The decision alone: the cycle is approved, no entitlement is written yet.
    expect(
      await approvalRecorder(database.db, { cycleId, operatorId: approverA, grantChunks: 16 }),
    ).toMatchObject({ status: 'approved' });
    expect(await entitlementCount(cycleId)).toBe(0);
    // The grant stops (a crash) after some chunks were committed.
    expect(await crashedGrant(database.db, cycleId, 5)).toMatch(/killed/);
    const partial = await database.db
      .selectFrom('program_cycle')
      .select(['grant_chunks_done', 'entitlements_granted_at'])
      .where('id', '=', cycleId)
      .executeTakeFirstOrThrow();
    expect(partial).toEqual({ grant_chunks_done: 5, entitlements_granted_at: null });
    const written = await entitlementCount(cycleId);
    expect(written).toBeLessThan(Number(summary.eligible));
    // Publication completes the grant first; a repeat writes nothing.
    const published = await cyclePublisher(database.db, { cycleId, operatorId: approverA });
    expect(published.entitlements).toBe(Number(summary.eligible));
    expect(await entitlementGranter(database.db, { cycleId })).toEqual({ granted: true });
    const distinct = await sql<{ n: number; persons: number }>`select count(*)::int as n,
      count(distinct person_id)::int as persons from entitlement where cycle_id = ${cycleId}`.execute(
      database.db,
    );
    expect(distinct.rows[0]).toEqual({
      n: Number(summary.eligible),
      persons: Number(summary.eligible),
    });
    const members = await sql<{ n: number }>`select count(*)::int as n from program_cycle_member m
      join entitlement e on e.cycle_id = m.cycle_id and e.person_id = m.person_id
      where m.cycle_id = ${cycleId} and e.amount_minor is not distinct from m.amount_minor`.execute(
      database.db,
    );
    expect(members.rows[0]?.n).toBe(Number(summary.eligible));
  });
});
