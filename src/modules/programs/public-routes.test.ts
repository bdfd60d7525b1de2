import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, buildAccessTestApp } from '../access/access-test-kit.js';
import {
  programCreator,
  programVersionSaver,
  publicationDecider,
  publicationRequester,
} from './program-service.js';

describe('GET /api/programs', () => {
  let kit: AccessTestApp;
  beforeAll(async () => {
    kit = await buildAccessTestApp();
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
