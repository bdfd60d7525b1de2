import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, buildAccessTestApp } from '../access/access-test-kit.js';
import { cycleApprover, cycleCreator } from './cycles/cycle-service.js';
import { programCreator, publicationDecider, publicationRequester } from './program-service.js';
import { insertRandomPopulation } from './programs-test-kit.js';

/**
 * Issue #13, point 5: no route adds a person to a cycle except the rule or an upheld appeal.
 * The API document is walked: no write that names a program, a cycle or an entitlement takes
 * a person (in its path, query or body, at any depth), and no route edits or deletes one; the
 * appeal routes are the one documented exception. Then, in the database, every entitlement
 * traces to a member of its cycle's final round or is based on an appeal, and an entitlement
 * by rule for anyone else is refused whoever connects as the application.
 */
const personWords =
  /^(person|persons|personid|personids|person_id|uin|uins|beneficiar|member|holder)/i;
const programWords = /(program|cycle|entitlement)/i;

type Schema = {
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Operation = {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};

/** A schema that admits only fixed words (an enum): it can name a kind, never a person. */
function onlyConstants(schema: Schema): boolean {
  if (schema.const !== undefined || schema.enum !== undefined) return true;
  const options = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  return options.length > 0 && options.every(onlyConstants);
}

/**
 * Every property name of a schema, at any depth; a property that admits only fixed words (e.g.
 * a merchant's settlement `holder`: 'person' | 'organisation') is named `=kind name`, which no
 * person word matches.
 */
function propertyNames(schema: Schema | undefined): string[] {
  if (schema === undefined) return [];
  const nested = [
    schema.items,
    ...(schema.anyOf ?? []),
    ...(schema.oneOf ?? []),
    ...(schema.allOf ?? []),
  ];
  return [
    ...Object.entries(schema.properties ?? {}).flatMap(([name, inner]) => [
      onlyConstants(inner) ? `=kind ${name}` : name,
      ...propertyNames(inner),
    ]),
    ...nested.flatMap((inner) => propertyNames(inner)),
  ];
}

describe('no hand-picked beneficiaries', () => {
  let kit: AccessTestApp;
  beforeAll(async () => {
    kit = await buildAccessTestApp();
    await kit.database.asAdmin((admin) => insertRandomPopulation(admin, { persons: 80, seed: 3 }));
  }, 180_000);
  afterAll(async () => kit?.close());

  it('no write that names a program, cycle or entitlement takes a person, except an appeal', async () => {
    const spec = (await kit.app.inject({ url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    const offending: string[] = [];
    let programWrites = 0;
    for (const [template, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const names = [
          ...(operation.parameters ?? []).map((parameter) => parameter.name),
          ...Object.values(operation.requestBody?.content ?? {}).flatMap((media) =>
            propertyNames(media.schema),
          ),
        ];
        const aboutPrograms =
          programWords.test(template) || names.some((n) => programWords.test(n));
        if (!aboutPrograms) continue;
        if (['put', 'patch', 'delete'].includes(method)) offending.push(`${method} ${template}`);
        if (method !== 'post') continue;
        // The documented exception: an upheld appeal grants an entitlement (docs/ACCESS.md).
        if (/appeal/i.test(template)) continue;
        programWrites += 1;
        const people = names.filter((name) => personWords.test(name));
        if (people.length > 0) offending.push(`${method} ${template}: ${people.join(', ')}`);
      }
    }
    expect(offending).toEqual([]);
    // The walk saw the management routes (it would pass vacuously otherwise).
    expect(programWrites).toBeGreaterThanOrEqual(12);
  });

  it('every entitlement traces to its cycle’s rule or an appeal; the database refuses any other', async () => {
    const db = kit.database.db;
    const [officer, supervisor] = [randomUUID(), randomUUID()];
    const { programId } = await programCreator(db, {
      code: 'traced_box',
      content: {
        nameEs: 'Caja',
        nameEn: 'Box',
        descriptionEs: '',
        descriptionEn: '',
        kind: 'in_kind',
        unit: 'person',
        regions: [],
        cadence: 'monthly',
        benefit: { basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
        budgetCap: 10_000n,
        eligibilityRule: 'age >= 40',
      },
      operatorId: officer,
    });
    const { publicationId } = await publicationRequester(db, {
      programId,
      version: 1,
      operatorId: officer,
    });
    await publicationDecider(db, { publicationId, approve: true, operatorId: supervisor });
    const { cycleId, summary } = await cycleCreator(db, {
      programId,
      referenceDate: '2026-12-01',
      operatorId: officer,
      chunks: 4,
    });
    await (await cycleApprover(db, { cycleId, operatorId: supervisor })).granting;
    expect(summary.eligible).toBeGreaterThan(0n);

    const untraced = await sql<{ n: number }>`
      select count(*)::int as n from entitlement e
       where e.basis = 'rule' and not exists (
         select 1 from program_cycle c join program_cycle_member m
             on m.cycle_id = c.id and m.round = c.round
          where c.id = e.cycle_id and m.person_id = e.person_id)`.execute(db);
    expect(untraced.rows[0]?.n).toBe(0);
    const bases = await sql<{ basis: string }>`select distinct basis from entitlement`.execute(db);
    expect(
      bases.rows.map((row) => row.basis).filter((basis) => basis !== 'rule' && basis !== 'appeal'),
    ).toEqual([]);

    const outsider = await sql<{ id: string }>`
      select p.id from person p where not exists (
        select 1 from program_cycle_member m where m.cycle_id = ${cycleId} and m.person_id = p.id)
       limit 1`.execute(db);
    const outsiderId = outsider.rows[0]?.id;
    expect(outsiderId).toBeDefined();
    const inserted = await sql`insert into entitlement (id, cycle_id, program_id, person_id, basis)
        values (${randomUUID()}, ${cycleId}, ${programId}, ${outsiderId}, 'rule')`
      .execute(db)
      .then(
        () => 'inserted',
        (error: unknown) => String(error),
      );
    expect(inserted).toMatch(/eligible set/);
  });
});
