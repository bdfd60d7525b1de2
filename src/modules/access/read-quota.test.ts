import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedReadQuotas } from '../../../test/access-table.js';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { buildOperator } from '../../../test/factories.js';
import { AmparoError } from '../../platform/errors.js';
import type { OperatorActor } from '../../shared/access/actor.js';
import { accessLimits } from './limits.js';
import { consumePersonReads, readQuotaFor } from './read-quota.js';

const readQuotaPerHour = accessLimits.readQuota.personReadsPerHour;

describe('person read quotas', () => {
  it("are the documented ones, the largest of an operator's roles counting", () => {
    expect(readQuotaPerHour).toEqual(documentedReadQuotas());
    expect(readQuotaFor(['enrolment_clerk', 'distribution_operator'])).toBe(1200);
    expect(readQuotaFor(['administrator'])).toBe(0);
  });

  let database: TestDatabase;
  let clerk: OperatorActor;

  beforeAll(async () => {
    database = await createTestDatabase();
    const { id: operatorId } = await buildOperator(
      { database, masterKey: randomBytes(32) },
      { username: 'quota.clerk', roles: ['enrolment_clerk'], regions: ['VE-A'] },
    );
    clerk = {
      kind: 'operator',
      operatorId,
      username: 'quota.clerk',
      roles: ['enrolment_clerk'],
      regions: ['VE-A'],
      sessionId: randomUUID(),
    };
  });
  afterAll(async () => database?.close());

  it('allows reads up to the quota, then refuses with 429 and raises one alert per hour', async () => {
    const quota = readQuotaPerHour.enrolment_clerk;
    const hour = new Date('2026-11-23T10:15:00Z');
    await consumePersonReads(database.db, clerk, quota - 1, hour);
    await consumePersonReads(database.db, clerk, 1, hour);
    const refusal = consumePersonReads(database.db, clerk, 1, hour);
    await expect(refusal).rejects.toBeInstanceOf(AmparoError);
    await expect(refusal).rejects.toMatchObject({ code: 'AMP_QUOTA_EXCEEDED', status: 429 });
    await expect(
      consumePersonReads(database.db, clerk, 1, new Date('2026-11-23T10:59:59Z')),
    ).rejects.toMatchObject({
      code: 'AMP_QUOTA_EXCEEDED',
    });
    const alerts = await database.db
      .selectFrom('security_alert')
      .selectAll()
      .where('operator_id', '=', clerk.operatorId)
      .execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.details).toMatchObject({ quotaPerHour: quota, readsThisHour: quota + 1 });
  });

  it('frees reads as the oldest minutes leave the sliding hour', async () => {
    // The quota was read at 10:15; an hour later those reads have left the window.
    await expect(
      consumePersonReads(database.db, clerk, 1, new Date('2026-11-23T11:15:00Z')),
    ).resolves.toBeUndefined();
  });

  it('refuses twice the quota across a clock hour, with Retry-After (the boundary attack)', async () => {
    const quota = readQuotaPerHour.enrolment_clerk;
    await consumePersonReads(database.db, clerk, quota - 1, new Date('2026-11-23T14:59:00Z'));
    // A clock-hour window started afresh at 15:00 and allowed another full quota here.
    const refusal = consumePersonReads(database.db, clerk, 2, new Date('2026-11-23T15:00:30Z'));
    await expect(refusal).rejects.toMatchObject({ code: 'AMP_QUOTA_EXCEEDED', status: 429 });
    // The 14:59 minute leaves the window at 15:59:00, 3,510 s after 15:00:30.
    await expect(refusal).rejects.toMatchObject({ retryAfterSeconds: 3510 });
    // The refused reads were not counted: the one read still left is allowed.
    await expect(
      consumePersonReads(database.db, clerk, 1, new Date('2026-11-23T15:01:00Z')),
    ).resolves.toBeUndefined();
    await expect(
      consumePersonReads(database.db, clerk, 1, new Date('2026-11-23T15:58:59Z')),
    ).rejects.toMatchObject({ retryAfterSeconds: 1 });
    await expect(
      consumePersonReads(database.db, clerk, 1, new Date('2026-11-23T15:59:00Z')),
    ).resolves.toBeUndefined();
  });

  it('counts concurrent reads exactly', async () => {
    const hour = new Date('2026-11-23T18:00:00Z');
    const quota = readQuotaPerHour.enrolment_clerk;
    const results = await Promise.allSettled(
      Array.from({ length: quota + 20 }, () => consumePersonReads(database.db, clerk, 1, hour)),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(quota);
  });
});
