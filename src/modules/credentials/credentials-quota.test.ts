import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, buildAccessTestApp } from '../access/access-test-kit.js';
import { accessLimits } from '../access/limits.js';
import { type CardPerson, createCardPerson, signedInOperator } from './credentials-test-kit.js';

/**
 * Listing a person's cards is a person read (issue #11): walking ids through
 * `GET /api/persons/:id/credentials` used to cost nothing against the read quota. Past the
 * quota it is refused like any read, 429 problem+json with a Retry-After header.
 */
describe('GET /api/persons/:id/credentials and the read quota', () => {
  let kit: AccessTestApp;
  let clerk: string;
  let person: CardPerson;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    clerk = await signedInOperator(kit, 'clerk.quota', ['enrolment_clerk']);
    person = await createCardPerson(kit.database.db, kit.masterKey);
  });
  afterAll(async () => kit?.close());

  const list = () =>
    kit.app.inject({
      url: `/api/persons/${person.id}/credentials?purpose=enrolment`,
      cookies: { amparo_session: clerk },
    });
  const clerkId = async () =>
    (
      await kit.database.db
        .selectFrom('operator')
        .select('id')
        .where('username', '=', 'clerk.quota')
        .executeTakeFirstOrThrow()
    ).id;
  const readsCounted = async (operatorId: string) =>
    (
      await kit.database.db
        .selectFrom('operator_read_window')
        .select('reads')
        .where('operator_id', '=', operatorId)
        .execute()
    ).reduce((sum, row) => sum + row.reads, 0);

  it('counts each listing and refuses past the quota with 429 and Retry-After', async () => {
    const operatorId = await clerkId();
    expect((await list()).statusCode).toBe(200);
    expect(await readsCounted(operatorId)).toBe(1);
    // The rest of the quota read two minutes ago, as a scraper walking ids would have.
    await kit.database.db
      .insertInto('operator_read_window')
      .values({
        operator_id: operatorId,
        window_start: new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000),
        reads: accessLimits.readQuota.personReadsPerHour.enrolment_clerk - 1,
      })
      .execute();
    const refused = await list();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().code).toBe('AMP_QUOTA_EXCEEDED');
    const retryAfterSeconds = Number(refused.headers['retry-after']);
    expect(retryAfterSeconds).toBeGreaterThan(3000);
    expect(retryAfterSeconds).toBeLessThanOrEqual(3600);
  });
});
