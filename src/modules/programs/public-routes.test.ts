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
  });
});
