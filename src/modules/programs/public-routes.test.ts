import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, buildAccessTestApp } from '../access/access-test-kit.js';
import { cycleCreator } from './cycles/cycle-service.js';
import {
  programCreator,
  programVersionSaver,
  publicationDecider,
  publicationRequester,
} from './program-service.js';
import { programDetail } from './program-views.js';
import { publishedProgram, refusal, womenPension } from './programs-test-kit.js';

describe('GET /api/programs', () => {
  let kit: AccessTestApp;
  const logLines: string[] = [];
  beforeAll(async () => {
    kit = await buildAccessTestApp({ logLines });
  });
  afterAll(async () => kit?.close());

  it('shows each published program with its rule to anyone, and no draft', async () => {
    const db = kit.database.db;
    const [asker, approver] = [randomUUID(), randomUUID()];
    const content = {
      nameEs: 'Bono único',
      nameEn: 'One-off bonus',
      descriptionEs: 'Para madres jefas de hogar.',
      descriptionEn: 'For mothers heading a household.',
      kind: 'cash' as const,
      unit: 'person' as const,
      regions: ['VE-A'],
      cadence: 'once' as const,
      benefit: { amountMinor: 250_000_00n, currency: 'VES' as const },
      budgetCap: 900_000_000_000_000n,
      eligibilityRule: 'sex == "F" && head_of_household && members_under_18 > 0',
    };
    const { programId } = await programCreator(db, { code: 'bonus', content, operatorId: asker });
    await programCreator(db, { code: 'draft_only', content, operatorId: asker });
    await programVersionSaver(db, {
      programId,
      content: { ...content, eligibilityRule: 'age >= 18' },
      operatorId: asker,
    });
    const { publicationId } = await publicationRequester(db, {
      programId,
      version: 1,
      operatorId: asker,
    });
    await publicationDecider(db, { publicationId, approve: true, operatorId: approver });

    const response = await kit.app.inject({ url: '/api/programs' });
    expect(response.statusCode).toBe(200);
    const { programs } = response.json();
    expect(programs).toHaveLength(1);
    expect(programs[0]).toMatchObject({
      code: 'bonus',
      status: 'published',
      version: 1,
      name: { es: 'Bono único', en: 'One-off bonus' },
      regions: ['VE-A'],
      benefit: { amountMinor: '25000000', currency: 'VES' },
      eligibilityRule: content.eligibilityRule,
    });
    // Each clause of the published rule in the same plain words a denial uses.
    expect(programs[0].eligibilityClauses).toEqual([
      { source: 'sex == "F"', text: { es: 'el sexo es femenino', en: 'sex is female' } },
      {
        source: 'head_of_household',
        text: { es: 'la persona es jefa o jefe de hogar', en: 'the person is head of household' },
      },
      {
        source: 'members_under_18 > 0',
        text: {
          es: 'el número de miembros del hogar menores de 18 años es mayor que 0',
          en: 'the number of household members under 18 is more than 0',
        },
      },
    ]);
  });

  it('a stored version whose rule names an identifying attribute is marked, not thrown: the list still answers', async () => {
    const db = kit.database.db;
    const { programId: goodId } = await publishedProgram(db, {
      code: 'still_listed',
      content: womenPension,
    });
    // As an old database holds it: written before rule_identifying_attribute existed, so no
    // save or publication ever checked it (both refuse it now), and no stored plan.
    const oldId = randomUUID();
    const rule = 'age >= 60 && birth_date == "1950-03-02"';
    await kit.database.asAdmin(async (admin) => {
      await admin
        .insertInto('program')
        .values({ id: oldId, code: 'old_named_rule', published_version: null })
        .execute();
      await admin
        .insertInto('program_version')
        .values({
          program_id: oldId,
          version: 1,
          name_es: 'Bono antiguo',
          name_en: 'Old bonus',
          description_es: '',
          description_en: '',
          kind: 'cash',
          unit: 'person',
          regions: [],
          cadence: 'once',
          benefit_basket: null,
          benefit_amount_minor: 100_00n,
          benefit_formula: null,
          currency: 'VES',
          budget_cap: 1_000_000_00n,
          eligibility_rule: rule,
          rule_plan: null,
          created_by: null,
        })
        .execute();
      // Its publication was approved by a second operator, as any publication is.
      await admin
        .insertInto('program_publication')
        .values({
          id: randomUUID(),
          program_id: oldId,
          version: 1,
          requested_by: randomUUID(),
          status: 'approved',
          decided_by: randomUUID(),
          decided_at: new Date(),
        })
        .execute();
      await admin
        .updateTable('program')
        .set({ status: 'published', published_version: 1 })
        .where('id', '=', oldId)
        .execute();
    });
    logLines.length = 0;
    const response = await kit.app.inject({ url: '/api/programs' });
    expect(response.statusCode).toBe(200);
    const codes = response.json().programs.map((program: { code: string }) => program.code);
    expect(codes).toContain('still_listed');
    expect(codes).not.toContain('old_named_rule');
    // Logged with the program, the version and the checker's code; no rule text, no person.
    const logged = logLines
      .map((line) => JSON.parse(line))
      .find((line) => line.programId === oldId);
    expect(logged).toMatchObject({ level: 40, version: 1, code: 'rule_identifying_attribute' });
    // Its own page says why, with the position of the name in the rule.
    const detail = await programDetail(db, oldId);
    const start = rule.indexOf('birth_date');
    expect(detail.versions[0]?.ruleProblem).toMatchObject({
      code: 'rule_identifying_attribute',
      field: '/eligibilityRule',
      start,
      end: start + 'birth_date'.length,
    });
    expect((await programDetail(db, goodId)).versions[0]?.ruleProblem).toBeNull();
    // Left out of evaluation: a cycle of it is refused, naming the version to replace.
    const refused = await refusal(
      cycleCreator(db, { programId: oldId, referenceDate: '2026-12-01', operatorId: randomUUID() }),
    );
    expect(refused.code).toBe('AMP_RULE_INVALID');
    expect(refused.message).toMatch(/Version 1 .* new version/);
  });

  it('lists the facts a rule may use, none about what a person did', async () => {
    const response = await kit.app.inject({ url: '/api/programs/eligibility-facts' });
    expect(response.statusCode).toBe(200);
    const names = response.json().facts.map((fact: { name: string }) => fact.name);
    expect(names).toEqual(expect.arrayContaining(['age', 'income_band', 'head_of_household']));
    for (const identifying of ['phone', 'given_names', 'first_surname', 'birth_date', 'locality']) {
      expect(names, identifying).not.toContain(identifying);
    }
    expect(names.some((name: string) => /audit|access|card|redempt|payment/.test(name))).toBe(
      false,
    );
    // Each fact is described in both languages: the Spanish text is Spanish, not the English.
    const facts: Array<{ name: string; description: { es: string; en: string } }> =
      response.json().facts;
    for (const fact of facts) {
      expect(fact.description.es, fact.name).toMatch(/\S/);
      expect(fact.description.es, fact.name).not.toBe(fact.description.en);
    }
    expect(facts.find((fact) => fact.name === 'income_band')?.description.es).toBe(
      'Tramo de ingresos del hogar, de 1 (el más bajo) a 5 (el más alto).',
    );
  });

  it('checks a rule for anyone, refusing with AMP_RULE_INVALID and the position', async () => {
    const ok = await kit.app.inject({
      method: 'POST',
      url: '/api/programs/rule-check',
      payload: { source: 'age >= 60 && disability_status != "none"', yields: 'bool' },
    });
    expect(ok.json()).toEqual({
      variables: ['age', 'disability_status'],
      sealedVariables: ['disability_status'],
      clauses: [
        { source: 'age >= 60', text: { es: 'la edad es al menos 60', en: 'age is at least 60' } },
        {
          source: 'disability_status != "none"',
          text: {
            es: 'la discapacidad registrada no es ninguna',
            en: 'recorded disability is not none',
          },
        },
      ],
    });
    const refused = await kit.app.inject({
      method: 'POST',
      url: '/api/programs/rule-check',
      payload: { source: 'age >= 60 && card_redemptions > 3', yields: 'bool' },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({
      code: 'AMP_RULE_INVALID',
      errors: [
        {
          field: '/eligibilityRule',
          code: 'rule_unknown_attribute',
          params: { start: 13, end: 29 },
        },
      ],
    });
  });
});
