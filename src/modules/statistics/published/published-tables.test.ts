import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHousehold, buildPerson } from '../../../../test/factories.js';
import { aggregateReadModels } from '../../../statistics-read-models.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../../access/access-test-kit.js';

import { expectNoisyCount, expectSmallCountProtected } from '../statistics-test-kit.js';
import { refreshUnderLease } from './refresh-schedule.js';

import { statisticsRefresher } from './table-refresher.js';

/**
 * Published tables end to end on a tiny registry: the refresh reads the registry's aggregate,
 * protects and stores; the analyst and the open-data routes answer protected cells only, and
 * refuse unknown dimensions and breakdowns finer than published, audited.
 */
describe('published statistics tables', () => {
  let kit: AccessTestApp;
  let analyst: Record<string, string>;
  let clerk: Record<string, string>;
  const logLines: string[] = [];
  const personIds: string[] = [];
  const householdIds: string[] = [];
  const places = [
    { region: 'VE-A', municipality: 'VE-A-01', count: 23 },
    { region: 'VE-A', municipality: 'VE-A-01', count: 3, sex: 'M' },
    { region: 'VE-B', municipality: 'VE-B-01', count: 14 },
  ];

  const signIn = async (username: string, roles: string[]) => {
    // Safe: the roles are the declared ones this test names.
    const operator = await createTestOperator(kit, {
      username,
      roles: roles as never,
      regions: ['VE-A'],
    });
    kit.advance(30_000);
    const response = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username, password: operator.password, totp: operator.totp() },
    });
    expect(response.statusCode).toBe(200);
    return { amparo_session: sessionCookieFrom(response) ?? '' };
  };

  beforeAll(async () => {
    kit = await buildAccessTestApp({ logLines });
    for (const place of places) {
      for (let i = 0; i < place.count; i++) {
        const person = await buildPerson(kit, {
          region: place.region,
          attributes: {
            given_names: 'Ana',
            first_surname: 'Ruiz',
            sex: place.sex ?? 'F',
            birth_date: '1990-05-01',
            state_code: place.region,
            municipality_code: place.municipality,
          },
        });
        personIds.push(person.id);
        if (i === 0) {
          const household = await buildHousehold(kit, {
            region: place.region,
            members: [{ person, relationship: 'head' }],
          });
          householdIds.push(household.id);
        }
      }
    }
    analyst = await signIn('analyst', ['statistics_analyst']);
    clerk = await signIn('clerk', ['enrolment_clerk']);
  }, 60_000);
  afterAll(async () => kit?.close());

  it('refreshes every table from the read models, resumably, and stores protected counts only', async () => {
    const progress: string[] = [];
    const db = kit.database.db;
    const first = await statisticsRefresher(
      { db, models: aggregateReadModels(), now: kit.now },
      { onProgress: (p) => progress.push(`${p.tablesDone}/${p.tablesTotal}`) },
    );
    expect(progress.at(-1)).toBe(`${first.tables.length}/${first.tables.length}`);
    const run = await db.selectFrom('statistics_refresh').selectAll().executeTakeFirstOrThrow();
    expect(run.finished_at).not.toBeNull();
    expect([...run.tables_done].sort()).toEqual([...first.tables].sort());
    const stored = await db.selectFrom('statistics_table').select(['code', 'cells']).execute();
    const text = JSON.stringify(stored);
    for (const id of [kit.masterKey.toString('hex')]) expect(text).not.toContain(id);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });

  it('answers the analyst with rounded counts and withheld cells, never a count from 1 to 9', async () => {
    const response = await kit.app.inject({
      url: '/api/statistics/tables/people_by_age_sex_region?by=region.state,sex&purpose=eligibility_review',
      cookies: analyst,
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    const cell = (key: string[]) =>
      body.cells.find((c: { key: string[] }) => c.key.join('|') === key.join('|'));
    // 26 in VE-A (23 F + 3 M): the 3 men are withheld, and so is what would give them away.
    if (expectSmallCountProtected(cell(['VE-A', 'all', 'M'])?.value, 3)) {
      expect(cell(['VE-A', 'all', 'F'])?.value).toBeNull();
    }
    expectNoisyCount(cell(['VE-B', 'all', 'F'])?.value, 14);
    for (const c of body.cells as { value: number | null }[]) {
      expect(c.value === null || c.value === 0 || (c.value >= 10 && c.value % 5 === 0)).toBe(true);
    }
    expect(JSON.stringify(body)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('refuses an unknown dimension and a breakdown finer than published, and anyone without the role', async () => {
    const ask = (query: string, cookies = analyst) =>
      kit.app.inject({
        url: `/api/statistics/tables/people_by_age_sex_region?${query}&purpose=eligibility_review`,
        cookies,
      });
    const unknown = await ask('by=region.state,party');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('AMP_STATISTICS_UNKNOWN_DIMENSION');
    const tooFine = await ask('by=region.municipality,sex');
    expect(tooFine.statusCode).toBe(400);
    expect(tooFine.json().code).toBe('AMP_STATISTICS_BREAKDOWN_TOO_FINE');
    expect((await ask('by=region.state', clerk)).statusCode).toBe(403);
    const audited = await kit.database.db
      .selectFrom('audit_entry')
      .select(['action'])
      .where('action', '=', 'statistics.read')
      .execute();
    expect(audited.length).toBeGreaterThanOrEqual(4);
  });

  it('serves public tables as open data without sign-in, and no other', async () => {
    const list = await kit.app.inject({ url: '/api/open-data/statistics' });
    expect(list.statusCode).toBe(200);
    const codes = list.json().tables.map((t: { code: string }) => t.code);
    expect(codes).toContain('people_by_age_sex_region');
    expect(codes).not.toContain('appeals_by_program_cycle_area');
    const open = await kit.app.inject({
      url: '/api/open-data/statistics/people_by_age_sex_region?by=region.municipality',
    });
    expect(open.statusCode).toBe(200);
    expect(open.json().title.es).toMatch(/Personas/);
    const closed = await kit.app.inject({
      url: '/api/open-data/statistics/appeals_by_program_cycle_area',
    });
    expect(closed.statusCode).toBe(404);
    expect(closed.json().code).toBe('AMP_STATISTICS_UNKNOWN_TABLE');
    const tooFine = await kit.app.inject({
      url: '/api/open-data/statistics/people_by_age_sex_region?by=region.municipality,sex',
    });
    expect(tooFine.json().code).toBe('AMP_STATISTICS_BREAKDOWN_TOO_FINE');
    // Nobody signed in, so no audit entry: each refusal is logged with what was asked.
    const refusals = logLines.filter((line) => line.includes('open data refused'));
    expect(refusals.some((line) => line.includes('AMP_STATISTICS_UNKNOWN_TABLE'))).toBe(true);
    expect(refusals.some((line) => line.includes('region.municipality,sex'))).toBe(true);
  });

  it('downloads a table as spreadsheet-safe CSV with withheld cells marked, not written as 0', async () => {
    const analystCsv = await kit.app.inject({
      url: '/api/statistics/tables/people_by_age_sex_region/csv?by=region.state,sex&lang=en&purpose=eligibility_review',
      cookies: analyst,
    });
    expect(analystCsv.statusCode, analystCsv.body).toBe(200);
    expect(analystCsv.headers['content-type']).toMatch(/^text\/csv/);
    expect(analystCsv.headers['content-disposition']).toContain(
      'people_by_age_sex_region_region-state_sex.csv',
    );
    const lines = analystCsv.body.split('\r\n');
    expect(lines[0]).toBe('area,age_group,sex,value,status');
    expect(lines).toContain('VE-A,all,M,,withheld');
    const published = lines.find((line) => line.startsWith('VE-B,all,F,'));
    expect(published).toMatch(/^VE-B,all,F,\d+,published$/);
    expectNoisyCount(Number(published?.split(',')[3]), 14);
    const open = await kit.app.inject({
      url: '/api/open-data/statistics/people_by_age_sex_region/csv?by=region.state,sex',
    });
    expect(open.statusCode).toBe(200);
    expect(open.body.split('\r\n')[0]).toBe('territorio,grupo_de_edad,sexo,valor,estado');
    expect(open.body).toContain('VE-A,all,M,,oculta');
    const closed = await kit.app.inject({
      url: '/api/open-data/statistics/appeals_by_program_cycle_area/csv',
    });
    expect(closed.statusCode).toBe(404);
    const refused = await kit.app.inject({
      url: '/api/statistics/tables/people_by_age_sex_region/csv?purpose=eligibility_review',
      cookies: clerk,
    });
    expect(refused.statusCode).toBe(403);
    // The JSON download (the same route without /csv) carries the CSV's protected values, cell
    // for cell: withheld as null where the CSV says withheld, and no person or household id.
    for (const [base, query] of [
      ['/api/statistics/tables', '&purpose=eligibility_review'],
      ['/api/open-data/statistics', ''],
    ] as const) {
      const url = `${base}/people_by_age_sex_region?by=region.state,sex${query}`;
      const json = await kit.app.inject({ url, cookies: analyst });
      const csv = await kit.app.inject({
        url: url.replace('?', '/csv?').concat('&lang=en'),
        cookies: analyst,
      });
      expect(json.statusCode, json.body).toBe(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      const cells = (json.json() as { cells: { key: string[]; value: number | null }[] }).cells;
      const rows = csv.body.split('\r\n').slice(1, -1);
      expect(
        cells.map(
          (cell) =>
            `${cell.key.join(',')},${cell.value ?? ''},${cell.value === null ? 'withheld' : 'published'}`,
        ),
      ).toEqual(rows);
      expect(cells.find((cell) => cell.key.join('|') === 'VE-A|all|M')?.value).toBeNull();
      for (const id of [...personIds, ...householdIds]) expect(json.body).not.toContain(id);
      expect(json.body).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    }
  });

  it('shows the last refresh and its outcome to analysts, and to no one else', async () => {
    const ask = (cookies: Record<string, string>) =>
      kit.app.inject({ url: '/api/statistics/refresh?purpose=eligibility_review', cookies });
    const before = (await ask(analyst)).json();
    const done = await refreshUnderLease(
      { db: kit.database.db, models: aggregateReadModels() },
      { holder: randomUUID() },
    );
    expect(done.outcome).toBe('succeeded');
    const after = await ask(analyst);
    expect(after.statusCode, after.body).toBe(200);
    // The app built here runs no schedule: the interval is null, the last refresh is shown.
    expect(after.json()).toMatchObject({
      everySeconds: null,
      running: false,
      lastOutcome: 'succeeded',
    });
    expect(after.json().lastStartedAt).not.toBe(before.lastStartedAt);
    expect((await ask(clerk)).statusCode).toBe(403);
    expect((await kit.app.inject({ url: '/api/statistics/refresh' })).statusCode).toBe(401);
  });
});
