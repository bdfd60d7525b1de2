import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHousehold, buildPerson } from '../../../../test/factories.js';
import { aggregateReadModels } from '../../../statistics-read-models.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../../access/access-test-kit.js';
import { expectSmallCountProtected } from '../statistics-test-kit.js';
import { statisticsRefresher } from './table-refresher.js';

const people = 'people_by_age_sex_region';

/**
 * Issue #17, bad input: every request an analyst makes for a table — refused or answered — is
 * tied to exactly one audit entry of its own (by the request id the answer carries), naming who
 * asked, the table and the breakdown asked, and why it was refused; an open-data refusal (no
 * sign-in, so no actor to audit) is logged once with the same. The JSON and the CSV routes alike.
 */
describe('statistics bad input: each request audited or logged, on its own', () => {
  let kit: AccessTestApp;
  let analyst: Record<string, string>;
  let analystId: string;
  const logLines: string[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    kit = await buildAccessTestApp({ logLines });
    // 12 women and 3 men in VE-A: the men's cell is below the threshold.
    for (const [sex, count] of [
      ['F', 12],
      ['M', 3],
    ] as const) {
      for (let i = 0; i < count; i++) {
        const person = await buildPerson(kit, {
          region: 'VE-A',
          attributes: {
            given_names: 'Ana',
            first_surname: 'Ruiz',
            sex,
            birth_date: '1990-05-01',
            state_code: 'VE-A',
            municipality_code: 'VE-A-01',
          },
        });
        ids.push(person.id);
        if (i === 0) {
          const household = await buildHousehold(kit, {
            region: 'VE-A',
            members: [{ person, relationship: 'head' }],
          });
          ids.push(household.id);
        }
      }
    }
    await statisticsRefresher({ db: kit.database.db, models: aggregateReadModels(), now: kit.now });
    const operator = await createTestOperator(kit, {
      username: 'analyst',
      roles: ['statistics_analyst'],
      regions: ['VE-A'],
    });
    analystId = operator.id;
    kit.advance(30_000);
    const signedIn = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username: 'analyst', password: operator.password, totp: operator.totp() },
    });
    expect(signedIn.statusCode).toBe(200);
    analyst = { amparo_session: sessionCookieFrom(signedIn) ?? '' };
  }, 60_000);
  afterAll(async () => kit?.close());

  /** The audit entries written for one request, by the request id its answer carries. */
  const entriesOf = async (requestId: string) => {
    const rows = await kit.database.db
      .selectFrom('audit_entry')
      .select(['entry', 'person_id'])
      .where(sql<string>`entry::json->>'requestId'`, '=', requestId)
      .execute();
    for (const row of rows) {
      expect(row.person_id).toBeNull();
      for (const id of ids) expect(row.entry).not.toContain(id);
    }
    return rows.map((row) => JSON.parse(row.entry));
  };

  /** Asks the analysts' route, JSON and CSV, and checks the one entry each request left. */
  const expectAudited = async (
    path: string,
    query: string,
    expected: { status: number; resourceId: string; reasonCode: string | null },
  ) => {
    for (const csv of [false, true]) {
      const url = `/api/statistics/tables/${path}${csv ? '/csv' : ''}?${query}&purpose=eligibility_review`;
      const response = await kit.app.inject({ url, cookies: analyst });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(expected.status);
      if (expected.reasonCode !== null) expect(response.json().code).toBe(expected.reasonCode);
      const requestId = String(response.headers['x-request-id']);
      const entries = await entriesOf(requestId);
      expect(entries, url).toHaveLength(1);
      expect(entries[0], url).toMatchObject({
        actor: { kind: 'operator', id: analystId },
        action: 'statistics.read',
        resource: { type: 'statistics_table', id: expected.resourceId },
        purpose: 'eligibility_review',
        outcome: expected.reasonCode === null ? 'allowed' : 'denied',
        reasonCode: expected.reasonCode,
        requestId,
      });
    }
  };

  it('audits an unknown table, an unknown dimension and a breakdown finer than published, each refused once with its code', async () => {
    await expectAudited('no_such_table', 'by=region.state', {
      status: 404,
      resourceId: 'no_such_table:region.state',
      reasonCode: 'AMP_STATISTICS_UNKNOWN_TABLE',
    });
    await expectAudited(people, 'by=region.state,party', {
      status: 400,
      resourceId: `${people}:region.state,party`,
      reasonCode: 'AMP_STATISTICS_UNKNOWN_DIMENSION',
    });
    await expectAudited(people, 'by=region.municipality,sex', {
      status: 400,
      resourceId: `${people}:region.municipality,sex`,
      reasonCode: 'AMP_STATISTICS_BREAKDOWN_TOO_FINE',
    });
  });

  it('audits a breakdown the schema refuses, kept readable and within the audit log’s bounds', async () => {
    await expectAudited(people, 'by=region.state,SEX', {
      status: 400,
      resourceId: `${people}:region.state,SEX`,
      reasonCode: 'AMP_VALIDATION',
    });
    // A control character and a length past the audit log's longest string: refused as
    // invalid, not failed as an entry the log cannot hold.
    await expectAudited(people, `by=region.state%00${'x'.repeat(300)}`, {
      status: 400,
      resourceId: `${`${people}:region.state?${'x'.repeat(300)}`.slice(0, 199)}…`,
      reasonCode: 'AMP_VALIDATION',
    });
  });

  it('answers a cell below the threshold protected, audited once as answered with the breakdown', async () => {
    await expectAudited(people, 'by=region.state,sex', {
      status: 200,
      resourceId: `${people}:region.state,sex`,
      reasonCode: null,
    });
    const answer = await kit.app.inject({
      url: `/api/statistics/tables/${people}?by=region.state,sex&purpose=eligibility_review`,
      cookies: analyst,
    });
    const men = answer
      .json()
      .cells.find((cell: { key: string[] }) => cell.key.join('|') === 'VE-A|all|M');
    expectSmallCountProtected(men?.value, 3);
    // No breakdown asked: the table's first published one is answered, and audited as such.
    await expectAudited(people, '', {
      status: 200,
      resourceId: `${people}:region.state,age_band,sex`,
      reasonCode: null,
    });
  });

  it('audits a differencing pair (two breakdowns of one table) as two entries, one per breakdown', async () => {
    const ask = (by: string) =>
      kit.app.inject({
        url: `/api/statistics/tables/${people}?by=${by}&purpose=eligibility_review`,
        cookies: analyst,
      });
    const pair = [await ask('region.state,sex'), await ask('region.municipality')];
    const entries = [];
    for (const response of pair) {
      expect(response.statusCode).toBe(200);
      entries.push(...(await entriesOf(String(response.headers['x-request-id']))));
    }
    expect(entries.map((entry) => [entry.resource.id, entry.outcome])).toEqual([
      [`${people}:region.state,sex`, 'allowed'],
      [`${people}:region.municipality`, 'allowed'],
    ]);
  });

  it('logs each open-data refusal once, with the table, the breakdown and the code', async () => {
    const cases = [
      ['appeals_by_program_cycle_area', 'by=region.state', 404, 'AMP_STATISTICS_UNKNOWN_TABLE'],
      [people, 'by=region.state,party', 400, 'AMP_STATISTICS_UNKNOWN_DIMENSION'],
      [people, 'by=region.municipality,sex', 400, 'AMP_STATISTICS_BREAKDOWN_TOO_FINE'],
      [people, 'by=region.state,SEX', 400, 'AMP_VALIDATION'],
    ] as const;
    for (const [table, query, status, code] of cases) {
      for (const csv of ['', '/csv']) {
        const url = `/api/open-data/statistics/${table}${csv}?${query}`;
        const response = await kit.app.inject({ url });
        expect(response.statusCode, url).toBe(status);
        expect(response.json().code).toBe(code);
        const requestId = String(response.headers['x-request-id']);
        const refusals = logLines
          .map((line) => JSON.parse(line))
          .filter((line) => line.reqId === requestId && line.msg === 'open data refused');
        expect(refusals, url).toHaveLength(1);
        expect(refusals[0], url).toMatchObject({
          table,
          by: query.slice('by='.length),
          refused: code,
        });
      }
    }
  });
});
