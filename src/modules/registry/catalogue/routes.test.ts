import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { createTestKeyStore } from '../../../../test/keys.js';
import { logCapture } from '../../../../test/log-capture.js';
import { type App, build } from '../../../app.js';
import { loadConfig } from '../../../config.js';
import { forbiddenAttributeHook } from './refuse.js';
import { personAttributesPatchSchema } from './schema.js';
import { parsePersonAttributes } from './validate.js';

describe('catalogue over HTTP', () => {
  let database: TestDatabase;
  let app: App;
  const logs = logCapture();

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ LOG_LEVEL: 'info', AMPARO_WEB_DIR: '/nonexistent' });
    // build() registers the catalogue route itself, as the server does.
    app = await build(config, {
      database: database.handle,
      keys: createTestKeyStore(),
      logDestination: logs.stream,
    });
    // Stands in for the person-correction route: the hook, the generated schema, then the
    // validator that enforces what the schema only documents.
    app.post(
      '/api/test/persons/correct',
      {
        preValidation: forbiddenAttributeHook(),
        schema: {
          body: Type.Object(
            { attributes: personAttributesPatchSchema },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ sealed: Type.Array(Type.String()) }) },
        },
      },
      async (request) => {
        const { sealed } = parsePersonAttributes(request.body.attributes, { partial: true });
        return { sealed: Object.keys(sealed) };
      },
    );
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  const correct = (attributes: unknown, url = '/api/test/persons/correct') =>
    app.inject({ method: 'POST', url, payload: { attributes } });

  it('answers a forbidden attribute 403 AMP_ATTRIBUTE_FORBIDDEN, not a schema 400', async () => {
    const response = await correct({ given_names: 'Ana', partido: 'PSUV-militante-4471' });
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      code: 'AMP_ATTRIBUTE_FORBIDDEN',
      errors: [
        {
          field: 'body/attributes/partido',
          reason: 'political affiliation is a category Amparo never holds',
        },
      ],
    });
  });

  it('logs the attribute name and category, never the value', async () => {
    await correct({ redesSociales: '@yusmary.perez.2024' });
    const text = logs.text();
    expect(text).toContain('"attribute":"redesSociales"');
    expect(text).toContain('"category":"social_media"');
    expect(text).toContain('forbidden attribute refused');
    expect(text).not.toContain('yusmary');
    expect(text).not.toContain('PSUV-militante-4471');
  });

  it('refuses a forbidden name in the query string too', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/test/persons/correct?voto=si',
      payload: { attributes: { given_names: 'Ana' } },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().errors[0].field).toBe('querystring/voto');
  });

  it('leaves an unknown but harmless attribute to the schema (400), and accepts valid ones', async () => {
    const unknown = await correct({ shoe_size: 40 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('AMP_VALIDATION');
    const valid = await correct({ phone: '+584121234567', locality: 'Los Haticos' });
    expect(valid.statusCode).toBe(200);
    expect(valid.json()).toEqual({ sealed: ['phone'] });
  });

  it('enforces what the schema cannot express: calendar dates and parish chains', async () => {
    const response = await correct({ birth_date: '2023-02-29' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toMatchObject([
      {
        field: 'body/attributes/birth_date',
        reason: 'must be a real date, YYYY-MM-DD, or a year YYYY',
      },
    ]);
  });

  it('publishes the catalogue and the refused categories', async () => {
    const response = await app.inject({ url: '/api/catalogue' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    const phone = body.attributes.find((attribute: { name: string }) => attribute.name === 'phone');
    expect(phone).toMatchObject({
      sealed: true,
      category: 'contact',
      // `notification`: the server reads it to send a text, audited per person.
      purposes: ['enrolment', 'appeal', 'audit', 'self', 'notification'],
    });
    expect(body.refusedCategories.map((category: { id: string }) => category.id)).toContain(
      'voting',
    );
    const spec = (await app.inject({ url: '/api/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toContain('/api/catalogue');
  });
});
