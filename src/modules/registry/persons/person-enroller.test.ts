import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { isValidUin } from '../uin/index.js';
import {
  call,
  enrolBody,
  personAttributes,
  registryCounts,
  type SignedIn,
  signedInOperator,
} from './person-test-kit.js';

const enrolUrl = '/api/persons?purpose=enrolment';

describe('enrolment: POST /api/persons', () => {
  let kit: AccessTestApp;
  let clerk: SignedIn;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    clerk = await signedInOperator(kit, 'clerk.enrol', ['enrolment_clerk'], ['VE-A']);
  });
  afterAll(async () => {
    await kit?.close();
  });

  const auditActions = async (personId: string) =>
    (
      await kit.database.asAdmin((admin) =>
        admin
          .selectFrom('audit_entry')
          .select('action')
          .where('person_id', '=', personId)
          .execute(),
      )
    ).map((row) => row.action);

  it('creates the person, version 1, sealed phone, blind index, search keys, household and audit entry', async () => {
    const attributes = personAttributes({
      given_names: 'Ana Lucía',
      first_surname: 'Quintero',
      phone: '+584121234567',
    });
    const response = await call(kit, clerk, 'POST', enrolUrl, {
      ...enrolBody(attributes),
      household: { new: true, relationship: 'head' },
      documents: [{ type: 'cedula', number: 'V-12345678', country: 'VE' }],
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({ status: 'enrolled', version: 1, reviewId: null });
    expect(isValidUin(body.uin)).toBe(true);
    const version = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('person_version')
        .selectAll()
        .where('person_id', '=', body.personId)
        .executeTakeFirstOrThrow(),
    );
    expect(version).toMatchObject({ version: 1, reason: 'enrolment', recorded_by: clerk.id });
    expect(version.attributes).toMatchObject({ given_names: 'Ana Lucía', document_type: 'cedula' });
    expect(JSON.stringify(version.attributes)).not.toContain('+58412');
    expect(version.sealed_attributes?.toString('latin1')).not.toContain('+58412');
    const search = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('person_search')
        .selectAll()
        .where('person_id', '=', body.personId)
        .executeTakeFirstOrThrow(),
    );
    expect(search.name_keys).toContain('t:lucia');
    const read = await call(kit, clerk, 'GET', `/api/persons/${body.personId}?purpose=enrolment`);
    expect(read.json().attributes).toMatchObject({
      phone: '+584121234567',
      document_number: 'V-12345678',
    });
    expect(read.json().household).toEqual({ id: body.householdId, relationship: 'head' });
    expect(await auditActions(body.personId)).toContain('person.enrol');
  });

  it('answers a retry with the first answer and refuses the same clientId with another body', async () => {
    const body = enrolBody(
      personAttributes({ given_names: 'Wilmer', sex: 'M', birth_date: '1990-01-02' }),
    );
    const first = await call(kit, clerk, 'POST', enrolUrl, body);
    const before = await registryCounts(kit);
    const retry = await call(kit, clerk, 'POST', enrolUrl, body);
    expect(retry.statusCode).toBe(first.statusCode);
    expect(retry.json()).toEqual(first.json());
    expect(await registryCounts(kit)).toEqual(before);
    const changed = await call(kit, clerk, 'POST', enrolUrl, {
      ...body,
      attributes: { ...personAttributes(), given_names: 'Otro' },
    });
    expect(changed.statusCode).toBe(409);
    expect(changed.json().code).toBe('AMP_IDEMPOTENCY_MISMATCH');
    expect(await registryCounts(kit)).toEqual(before);
  });

  it('writes one person for simultaneous retries', async () => {
    const body = enrolBody(
      personAttributes({
        given_names: 'Yusmary',
        first_surname: 'Bracho',
        birth_date: '1971-09-30',
      }),
    );
    const before = await registryCounts(kit);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => call(kit, clerk, 'POST', enrolUrl, body)),
    );
    expect(new Set(answers.map((answer) => answer.json().personId)).size).toBe(1);
    expect(answers.every((answer) => answer.statusCode === 201)).toBe(true);
    const after = await registryCounts(kit);
    expect(after.person).toBe((before.person ?? 0) + 1);
  });

  it.each([
    ['a future date of birth', { birth_date: '2999-01-01' }, 'body/attributes/birth_date'],
    ['an impossible date of birth', { birth_date: '1990-02-30' }, 'body/attributes/birth_date'],
    [
      'an unknown municipality',
      { municipality_code: 'VE-A-99', parish_code: null },
      'body/attributes/municipality_code',
    ],
    ['an unknown parish', { parish_code: 'VE-A-01-99' }, 'body/attributes/parish_code'],
    ['an oversized name', { given_names: 'A'.repeat(101) }, 'body/attributes/given_names'],
    ['a missing required attribute', { sex: undefined }, 'body/attributes/sex'],
  ])('refuses %s with 400 naming the field, writing nothing', async (_name, change, field) => {
    const before = await registryCounts(kit);
    const attributes = personAttributes(change);
    const response = await call(kit, clerk, 'POST', enrolUrl, enrolBody(attributes));
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('AMP_VALIDATION');
    expect(response.json().errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await registryCounts(kit)).toEqual(before);
  });

  it('refuses a forbidden attribute (403) and a region the clerk does not cover (403 naming state_code)', async () => {
    const before = await registryCounts(kit);
    const forbidden = await call(
      kit,
      clerk,
      'POST',
      enrolUrl,
      enrolBody(personAttributes({ partido: 'x' })),
    );
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().code).toBe('AMP_ATTRIBUTE_FORBIDDEN');
    const elsewhere = personAttributes({
      state_code: 'VE-B',
      municipality_code: 'VE-B-01',
      parish_code: 'VE-B-01-01',
    });
    const outside = await call(kit, clerk, 'POST', enrolUrl, enrolBody(elsewhere));
    expect(outside.statusCode).toBe(403);
    expect(outside.json().errors[0].field).toBe('body/attributes/state_code');
    expect(await registryCounts(kit)).toEqual(before);
  });

  it('refuses a second head and an unknown household, writing nothing', async () => {
    const head = await call(kit, clerk, 'POST', enrolUrl, {
      ...enrolBody(
        personAttributes({
          given_names: 'Rosalba',
          first_surname: 'Urdaneta',
          birth_date: '1950-03-03',
        }),
      ),
      household: { new: true, relationship: 'head' },
    });
    const householdId = head.json().householdId;
    const before = await registryCounts(kit);
    const second = await call(kit, clerk, 'POST', enrolUrl, {
      ...enrolBody(
        personAttributes({
          given_names: 'Teodoro',
          sex: 'M',
          first_surname: 'Urdaneta',
          birth_date: '1948-07-07',
        }),
      ),
      household: { householdId, relationship: 'head' },
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().errors[0]).toEqual({
      field: 'body/household/relationship',
      reason: 'the household has a head',
    });
    const unknown = await call(kit, clerk, 'POST', enrolUrl, {
      ...enrolBody(
        personAttributes({ given_names: 'Teodoro', sex: 'M', birth_date: '1948-07-07' }),
      ),
      household: { householdId: randomUUID(), relationship: 'spouse' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(await registryCounts(kit)).toEqual(before);
  });
});
