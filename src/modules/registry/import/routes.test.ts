import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../../access/access-test-kit.js';
import { listStates } from '../../geography/divisions.js';
import { buildFaultyPopulation, demoRecords, type FaultyPopulation } from './import-test-kit.js';
import { CSV_HEADER, toCsvLine } from './record-format.js';
import { splitCsvRecord } from './source-file.js';

describe('/api/imports', () => {
  let kit: AccessTestApp;
  let population: FaultyPopulation;
  const cookies: Record<string, string> = {};
  let excludedState = '';

  async function signIn(
    username: string,
    roles: Array<'registry_supervisor' | 'enrolment_clerk'>,
    regions: string[],
  ) {
    const operator = await createTestOperator(kit, { username, roles, regions });
    const response = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username, password: operator.password, totp: operator.totp() },
    });
    expect(response.statusCode).toBe(200);
    cookies[username] = sessionCookieFrom(response) ?? '';
  }

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    population = buildFaultyPopulation(60);
    // The state of the first row: some rows are surely outside the supervisor's regions.
    excludedState = population.csv.split('\r\n')[1]?.split(',')[11] ?? '';
    const regions = listStates()
      .map((state) => state.code)
      .filter((code) => code !== excludedState);
    await signIn('supervisor', ['registry_supervisor'], regions);
    await signIn('clerk', ['enrolment_clerk'], regions);
  });
  afterAll(async () => kit?.close());

  const upload = (username: string, body: string, contentType = 'text/csv') =>
    kit.app.inject({
      method: 'POST',
      url: '/api/imports?purpose=enrolment&name=people.csv',
      // A cookie-signed request must be JSON (CSRF guard): a file upload sends the session
      // token as a bearer token instead, which a cross-site page cannot attach.
      headers: { 'content-type': contentType, authorization: `Bearer ${cookies[username] ?? ''}` },
      payload: body,
    });

  /** Outcomes of the `person.import` audit entries written for one request. */
  async function importAudit(requestId: string): Promise<string[]> {
    const rows = await kit.database.asAdmin((admin) =>
      sql<{ outcome: string }>`select entry::json->>'outcome' as outcome from audit_entry
        where entry::json->>'requestId' = ${requestId}
          and entry::json->>'action' = 'person.import'`.execute(admin),
    );
    return rows.rows.map((row) => row.outcome);
  }

  it('refuses, and audits, an operator without a person.import rule; other media types', async () => {
    const refused = await upload('clerk', population.csv);
    expect(refused.statusCode).toBe(403);
    expect(await importAudit(String(refused.headers['x-request-id']))).toEqual(['denied']);
    expect((await upload('supervisor', population.csv, 'text/plain')).statusCode).toBe(415);
  });

  it('refuses a file with a forbidden column before creating a job', async () => {
    const response = await upload('supervisor', 'record_id,afiliacion_politica\r\nR1,x\r\n');
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('AMP_ATTRIBUTE_FORBIDDEN');
  });

  it('imports in the background, reports progress and serves the error file', async () => {
    const started = await upload('supervisor', population.csv);
    expect(started.statusCode).toBe(202);
    expect(await importAudit(String(started.headers['x-request-id']))).toEqual(['allowed']);
    const id: string = started.json().id;
    let job = {
      status: 'running',
      personsImported: 0,
      rowsInvalid: null as number | null,
      refusedRows: [] as Array<{ line: number; code: string; params: object }>,
    };
    for (let attempt = 0; attempt < 200 && job.status === 'running'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const response = await kit.app.inject({
        url: `/api/imports/${id}`,
        cookies: { amparo_session: cookies.supervisor ?? '' },
      });
      expect(response.statusCode).toBe(200);
      job = response.json();
    }
    expect(job.status).toBe('finished');
    const errors = await kit.app.inject({
      url: `/api/imports/${id}/errors?lang=en`,
      headers: { 'accept-language': 'es-VE,es;q=0.9' },
      cookies: { amparo_session: cookies.supervisor ?? '' },
    });
    expect(errors.statusCode).toBe(200);
    expect(errors.headers['content-language']).toBe('en');
    const lines = errors.body
      .split('\r\n')
      .slice(1)
      .filter((line) => line !== '');
    const outside = lines.filter((line) => line.includes('is outside the regions of the import'));
    const refusedLines = new Set(lines.map((line) => Number(line.split(',')[0])));
    for (const line of population.invalidLines) expect(refusedLines.has(line)).toBe(true);
    expect(job.rowsInvalid).toBe(refusedLines.size);
    expect(job.personsImported).toBe(population.rows - refusedLines.size);
    const excluded = await kit.database.db
      .selectFrom('person')
      .select('id')
      .where('region_code', '=', excludedState)
      .execute();
    expect(excluded).toEqual([]);
    expect(outside.length).toBeGreaterThan(0);

    // The same file in Spanish, asked by Accept-Language; and the first rows for the console,
    // as codes and parameters.
    const spanish = await kit.app.inject({
      url: `/api/imports/${id}/errors`,
      headers: { 'accept-language': 'es-VE,es;q=0.9,en;q=0.5' },
      cookies: { amparo_session: cookies.supervisor ?? '' },
    });
    expect(spanish.headers['content-language']).toBe('es');
    expect(spanish.body.split('\r\n').length).toBe(errors.body.split('\r\n').length);
    expect(spanish.body).toContain('está fuera de las regiones de la importación');
    expect(spanish.body).toContain('debe ser un número E.164');
    expect(spanish.body).not.toContain('is outside the regions');
    expect(job.refusedRows.length).toBeGreaterThan(0);
    expect(job.refusedRows[0]?.line).toBe(Math.min(...refusedLines));
    expect(job.refusedRows.map((row) => row.code)).toContain('outside_regions');
  });

  it('serves formulas in record ids as text in the error file (CSV injection)', async () => {
    const attacks = [
      '=HYPERLINK("http://evil.example/","click")',
      "+cmd|' /C calc'!A0",
      '@SUM(1+1)',
    ];
    const records = demoRecords(3, 'csv-injection');
    let file = CSV_HEADER;
    attacks.forEach((attack, index) => {
      const record = records[index];
      if (record === undefined) throw new Error('the generator made fewer records');
      const line = toCsvLine(record);
      file += `"${attack.replaceAll('"', '""')}"${line.slice(line.indexOf(','))}`;
    });
    const started = await upload('supervisor', file);
    expect(started.statusCode).toBe(202);
    const id: string = started.json().id;
    let status = 'running';
    for (let attempt = 0; attempt < 200 && status === 'running'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const response = await kit.app.inject({
        url: `/api/imports/${id}`,
        cookies: { amparo_session: cookies.supervisor ?? '' },
      });
      status = response.json().status;
    }
    const errors = await kit.app.inject({
      url: `/api/imports/${id}/errors`,
      cookies: { amparo_session: cookies.supervisor ?? '' },
    });
    const recordIds = errors.body
      .split('\r\n')
      .slice(1)
      .filter((line) => line !== '')
      .map((line) => splitCsvRecord(line)?.[1]);
    // Each refused attack is listed, behind a single quote that makes a spreadsheet read text.
    expect(new Set(recordIds)).toEqual(new Set(attacks.map((attack) => `'${attack}`)));
    for (const line of errors.body
      .split('\r\n')
      .slice(1)
      .filter((text) => text !== '')) {
      expect(line.split(',')[1]?.startsWith(`"'`)).toBe(true);
    }
  });
});
