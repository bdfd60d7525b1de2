import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import type { ProgramContent } from './program-content.js';
import {
  programCreator,
  programStatusChanger,
  programVersionSaver,
  publicationDecider,
  publicationRequester,
} from './program-service.js';
import { refusal } from './programs-test-kit.js';

const asker = randomUUID();
const approver = randomUUID();

function foodBox(overrides: Partial<ProgramContent> = {}): ProgramContent {
  return {
    nameEs: 'Caja de alimentos',
    nameEn: 'Food box',
    descriptionEs: 'Una caja al mes por hogar.',
    descriptionEn: 'One box a month per household.',
    kind: 'in_kind',
    unit: 'household',
    regions: [],
    cadence: 'monthly',
    benefit: { basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
    budgetCap: 100_000n,
    eligibilityRule: 'income_band <= 2 && head_of_household',
    ...overrides,
  };
}

describe('programs and versions', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.close());

  async function publish(programId: string, version: number): Promise<void> {
    const db = database.db;
    const { publicationId } = await publicationRequester(db, {
      programId,
      version,
      operatorId: asker,
    });
    await publicationDecider(db, { publicationId, approve: true, operatorId: approver });
  }

  it('creates a draft, saves versions, and publishes only with a second approver', async () => {
    const db = database.db;
    const { programId } = await programCreator(db, {
      code: 'food_box',
      content: foodBox(),
      operatorId: asker,
    });
    const { version } = await programVersionSaver(db, {
      programId,
      content: foodBox({ budgetCap: 200_000n }),
      operatorId: asker,
    });
    expect(version).toBe(2);
    const { publicationId } = await publicationRequester(db, {
      programId,
      version: 2,
      operatorId: asker,
    });
    const self = await refusal(
      publicationDecider(db, { publicationId, approve: true, operatorId: asker }),
    );
    expect(self.code).toBe('AMP_FORBIDDEN');
    await publicationDecider(db, { publicationId, approve: true, operatorId: approver });
    const program = await db
      .selectFrom('program')
      .selectAll()
      .where('id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(program).toMatchObject({ status: 'published', published_version: 2 });
    const again = await refusal(
      publicationDecider(db, { publicationId, approve: true, operatorId: approver }),
    );
    expect(again.code).toBe('AMP_CONFLICT');
    const older = await refusal(
      publicationRequester(db, { programId, version: 1, operatorId: asker }),
    );
    expect(older.code).toBe('AMP_CONFLICT');
  });

  it('keeps money in bigint minor units with a currency, fixed or by formula', async () => {
    const db = database.db;
    const bonus = foodBox({
      kind: 'cash',
      unit: 'person',
      cadence: 'once',
      benefit: { formula: '100000 + 50000 * members_under_18', currency: 'VES' },
      budgetCap: 9_000_000_000_000n,
      eligibilityRule: 'sex == "F" && head_of_household && members_under_18 > 0',
    });
    const { programId } = await programCreator(db, {
      code: 'bonus',
      content: bonus,
      operatorId: asker,
    });
    const row = await db
      .selectFrom('program_version')
      .selectAll()
      .where('program_id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      currency: 'VES',
      benefit_formula: '100000 + 50000 * members_under_18',
      budget_cap: 9_000_000_000_000n,
    });
    const fixed = await programVersionSaver(db, {
      programId,
      content: { ...bonus, benefit: { amountMinor: 2_500_000n, currency: 'USD' } },
      operatorId: asker,
    });
    const stored = await db
      .selectFrom('program_version')
      .select(['benefit_amount_minor', 'currency'])
      .where('program_id', '=', programId)
      .where('version', '=', fixed.version)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ benefit_amount_minor: 2_500_000n, currency: 'USD' });
    const basketForCash = await refusal(
      programVersionSaver(db, {
        programId,
        content: { ...bonus, benefit: foodBox().benefit },
        operatorId: asker,
      }),
    );
    expect(basketForCash.code).toBe('AMP_VALIDATION');
    const textFormula = await refusal(
      programVersionSaver(db, {
        programId,
        content: { ...bonus, benefit: { formula: 'sex', currency: 'VES' } },
        operatorId: asker,
      }),
    );
    expect(textFormula.code).toBe('AMP_RULE_INVALID');
  });

  it('moves only along draft → published ⇄ suspended → closed', async () => {
    const db = database.db;
    const { programId } = await programCreator(db, {
      code: 'pension',
      content: foodBox({ eligibilityRule: 'age >= 60' }),
      operatorId: asker,
    });
    const draft = await refusal(
      programStatusChanger(db, { programId, to: 'suspended', operatorId: asker }),
    );
    expect(draft.code).toBe('AMP_CONFLICT');
    await publish(programId, 1);
    await programStatusChanger(db, { programId, to: 'suspended', operatorId: asker });
    await programStatusChanger(db, { programId, to: 'published', operatorId: asker });
    await programStatusChanger(db, { programId, to: 'closed', operatorId: asker });
    const closed = await refusal(
      programVersionSaver(db, { programId, content: foodBox(), operatorId: asker }),
    );
    expect(closed.code).toBe('AMP_CONFLICT');
    const history = await db
      .selectFrom('program_status_change')
      .select(['status_from', 'status_to'])
      .where('program_id', '=', programId)
      .orderBy('changed_at')
      .execute();
    expect(history.map((change) => `${change.status_from}>${change.status_to}`)).toEqual([
      'draft>published',
      'published>suspended',
      'suspended>published',
      'published>closed',
    ]);
  });

  it('plans a rule over a sealed attribute and stores the plan with the version; refuses a formula over one at publication', async () => {
    const db = database.db;
    const { programId } = await programCreator(db, {
      code: 'disability_support',
      content: foodBox({
        eligibilityRule: 'income_band <= 2 && (disability_status != "none" || age >= 65)',
      }),
      operatorId: asker,
    });
    const stored = await db
      .selectFrom('program_version')
      .select('rule_plan')
      .where('program_id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(stored.rule_plan).toEqual({
      sql: 'income_band <= 2',
      workers: ['disability_status != "none" || age >= 65'],
      sealedFacts: ['disability_status'],
    });
    await publicationRequester(db, { programId, version: 1, operatorId: asker });
    const cash = await programCreator(db, {
      code: 'disability_cash',
      content: foodBox({
        kind: 'cash',
        benefit: { formula: 'disability_status == "none" ? 0 : 1000', currency: 'VES' },
        eligibilityRule: 'age >= 18',
      }),
      operatorId: asker,
    });
    const refused = await refusal(
      publicationRequester(db, { programId: cash.programId, version: 1, operatorId: asker }),
    );
    expect(refused.code).toBe('AMP_RULE_INVALID');
    expect(refused.errors?.[0]?.code).toBe('rule_sealed_not_planned');
    expect(refused.errors?.[0]?.field).toBe('/benefit/formula');
  });

  it('the database refuses to change or remove a version, even to the superuser', async () => {
    const db = database.db;
    const { programId } = await programCreator(db, {
      code: 'medicine',
      content: foodBox(),
      operatorId: asker,
    });
    await publish(programId, 1);
    const asApp = await db
      .updateTable('program_version')
      .set({ eligibility_rule: 'true' })
      .where('program_id', '=', programId)
      .execute()
      .then(
        () => 'changed',
        (error: unknown) => String(error),
      );
    expect(asApp).toMatch(/permission denied|append-only/);
    for (const statement of [
      sql`update program_version set eligibility_rule = 'true' where program_id = ${programId}`,
      sql`delete from program_version where program_id = ${programId}`,
      sql`delete from program where id = ${programId}`,
      sql`update program set published_version = null, status = 'draft' where id = ${programId}`,
    ]) {
      const outcome = await database
        .asAdmin((admin) => statement.execute(admin))
        .then(
          () => 'done',
          (error: unknown) => String(error),
        );
      expect(outcome).not.toBe('done');
    }
    const bypass = await database
      .asAdmin((admin) =>
        sql`insert into program_version select program_id, 2, name_es, name_en, description_es,
              description_en, kind, unit, regions, cadence, benefit_basket, benefit_amount_minor,
              benefit_formula, currency, budget_cap, 'true', created_by, created_at
              from program_version where program_id = ${programId}`
          .execute(admin)
          .then(() =>
            sql`update program set published_version = 2 where id = ${programId}`.execute(admin),
          ),
      )
      .then(
        () => 'published',
        (error: unknown) => String(error),
      );
    expect(bypass).toMatch(/approved publication/);
  });
});
