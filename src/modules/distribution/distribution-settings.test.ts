import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../access/access-test-kit.js';
import { localDate } from '../notifications/index.js';
import { type CardHolder, distributionScene, type SignedIn } from './distribution-test-kit.js';
import { offlinePoint } from './offline/offline-point-test-kit.js';

/**
 * What an agency sets for its distribution points through the environment (src/config.ts,
 * README "Configuration"), on PostgreSQL and PGlite alike: the daily bound on hand-overs without
 * the card, counted by the local calendar day, and an offline snapshot's life and warning age.
 * Each used to be a constant in limits.ts (30 a UTC day, 72 h, 12 h).
 */
describe('the distribution settings an agency sets', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let programId: string;
  let cycleId: string;
  let holder: CardHolder;
  let others: CardHolder[];

  beforeAll(async () => {
    let people: CardHolder[];
    ({ kit, supervisor, operator, programId, cycleId, people } = await distributionScene({
      people: 4,
      phone: '+584121234567',
      program: { code: 'settings', basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
      app: {
        configEnv: {
          AMPARO_ASSISTED_PER_DAY: '2',
          AMPARO_OFFLINE_SNAPSHOT_HOURS: '6',
          AMPARO_OFFLINE_SNAPSHOT_WARN_HOURS: '2',
        },
      },
    }));
    [holder, ...others] = people as [CardHolder, ...CardHolder[]];
  }, 120_000);
  afterAll(async () => kit?.close());

  it('gives an offline snapshot the life and the warning age set, and stores that life for the sync', async () => {
    const point = await offlinePoint({ kit, supervisor, operator, programId, cycleId }, 1, {
      food_box: 10,
    });
    const [device] = point.devices;
    if (device === undefined) throw new Error('one device');
    const response = await point.call('GET', `devices/${device.id}/snapshot`, operator);
    expect(response.statusCode, response.body).toBe(200);
    const { snapshotId, issuedAt, expiresAt, warnAfter, assisted } = response.json().payload;
    expect(expiresAt - issuedAt).toBe(6 * 3_600);
    expect(warnAfter - issuedAt).toBe(2 * 3_600);
    // The device's own bound without the card is the one set, not limits.ts's 30.
    expect(assisted?.receiptsMax).toBe(2);
    const stored = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('distribution_snapshot')
        .select(['issued_at', 'expires_at'])
        .where('id', '=', snapshotId)
        .executeTakeFirstOrThrow(),
    );
    expect(stored.expires_at.getTime()).toBe(expiresAt * 1000);
    expect(stored.expires_at.getTime() - stored.issued_at.getTime()).toBeGreaterThan(
      6 * 3_600_000 - 1_000,
    );
    // A receipt made with the snapshot is counted as before.
    const fromDevice = await point.offline(device, holder);
    expect(
      await fromDevice.sync(fromDevice.receipt([{ item: 'food_box', quantity: 1 }])),
    ).toMatchObject({ outcome: 'counted' });
  });

  it('stops an operator without the card at the bound set, on the local calendar day', async () => {
    const point = await offlinePoint({ kit, supervisor, operator, programId, cycleId }, 0, {});
    const start = (person: CardHolder | undefined) =>
      point.call('POST', 'assisted-redemptions', operator, {
        uin: person?.uin,
        reason: 'lost',
        method: 'phone_code',
      });
    const [first, second, third] = others;
    expect((await start(first)).statusCode).toBe(201);
    expect((await start(second)).statusCode).toBe(201);
    const over = await start(third);
    expect(over.statusCode, over.body).toBe(429);
    expect(over.json().code).toBe('AMP_ASSISTED_LIMIT_REACHED');
    const listing = await point.call('GET', 'assisted-redemptions', supervisor);
    expect(listing.statusCode, listing.body).toBe(200);
    const today = localDate(new Date());
    expect(listing.json()).toMatchObject({
      day: today,
      perOperatorPerDayMax: 2,
      byOperator: [{ operatorId: operator.operatorId, count: 2 }],
    });
    const days = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('assisted_redemption')
        .select('started_day')
        .where('point_id', '=', point.pointId)
        .execute(),
    );
    expect(days.map((row) => String(row.started_day))).toEqual([today, today]);
  });
});
