import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import type { ProgramContent } from './program-content.js';
import { programCreator, programVersionSaver } from './program-service.js';
import { programDetail } from './program-views.js';
import { refusal } from './programs-test-kit.js';

const operator = randomUUID();

function lamps(overrides: Partial<ProgramContent> = {}): ProgramContent {
  return {
    nameEs: 'Lámparas solares',
    nameEn: 'Solar lamps',
    descriptionEs: '',
    descriptionEn: '',
    kind: 'in_kind',
    unit: 'household',
    regions: [],
    cadence: 'once',
    benefit: { basket: [{ item: 'solar_lamp', quantity: 1, unit: 'unit' }] },
    budgetCap: 1_000n,
    eligibilityRule: 'income_band <= 2',
    ...overrides,
  };
}

/**
 * A program is named in texts only when a version opts in (issue 14, point 4): the opt-in is
 * part of the version's content (saved with it, shown with it, never changed), its names must
 * fit a text, and a version saved without it is not named. The texts themselves are tested
 * in distribution's collection-notices.test.ts.
 */
describe('programs named in texts', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.close());

  it('keeps the opt-in with its version only, and refuses names a text cannot carry', async () => {
    const db = database.db;
    const { programId } = await programCreator(db, {
      code: 'solar_lamps',
      content: lamps({ nameInTexts: true }),
      operatorId: operator,
    });
    await programVersionSaver(db, { programId, content: lamps(), operatorId: operator });
    const detail = await programDetail(db, programId);
    expect(detail.versions.map((v) => [v.version, v.content.nameInTexts ?? false])).toEqual([
      [1, true],
      [2, false],
    ]);

    const tooLong = await refusal(
      programVersionSaver(db, {
        programId,
        content: lamps({
          nameEs: 'Programa de lámparas solares para hogares rurales',
          nameInTexts: true,
        }),
        operatorId: operator,
      }),
    );
    expect(tooLong).toMatchObject({ code: 'AMP_VALIDATION' });
    expect(JSON.stringify(tooLong)).toContain('/nameEs');
    const oddSign = await refusal(
      programVersionSaver(db, {
        programId,
        content: lamps({ nameEn: 'Lamps & light', nameInTexts: true }),
        operatorId: operator,
      }),
    );
    expect(JSON.stringify(oddSign)).toContain('/nameEn');
    // The same names without the opt-in are fine: they never go into a text.
    await programVersionSaver(db, {
      programId,
      content: lamps({ nameEn: 'Lamps & light' }),
      operatorId: operator,
    });
  });

  it('the database refuses to change an opt-in, or one for a version that does not exist', async () => {
    const db = database.db;
    const { programId } = await programCreator(db, {
      code: 'lamps_fixed',
      content: lamps({ nameInTexts: true }),
      operatorId: operator,
    });
    const outcome = (statement: ReturnType<typeof sql>) =>
      database
        .asAdmin((admin) => statement.execute(admin))
        .then(
          () => 'done',
          (error: unknown) => String(error),
        );
    expect(
      await outcome(sql`delete from program_text_naming where program_id = ${programId}`),
    ).toMatch(/never changes/);
    expect(
      await outcome(
        sql`update program_text_naming set version = 2 where program_id = ${programId}`,
      ),
    ).toMatch(/never changes/);
    expect(
      await outcome(
        sql`insert into program_text_naming (program_id, version) values (${programId}, 9)`,
      ),
    ).toMatch(/violates foreign key constraint/);
    const asApp = await db
      .deleteFrom('program_text_naming')
      .where('program_id', '=', programId)
      .execute()
      .then(
        () => 'done',
        (error: unknown) => String(error),
      );
    expect(asApp).toMatch(/permission denied|never changes/);
  });
});
