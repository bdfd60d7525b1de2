import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { createTestKeyStore } from '../../../../test/keys.js';
import { logCapture } from '../../../../test/log-capture.js';
import { type App, build } from '../../../app.js';
import { loadConfig } from '../../../config.js';
import { refreshDueAfterSeconds, refreshTickSeconds } from './refresh-schedule.js';

/**
 * The refresh schedule inside a started server (issue #17, "refreshed on a schedule"): the
 * first look is at start and the next ones at least hourly, and a refresh is due when the
 * stored last success is an interval old. A server restarted more often than the interval
 * (every deployment) still refreshes; a restart just after a success does not refresh again.
 */
describe('a started server refreshes the published statistics when they are due', () => {
  let database: TestDatabase;
  // Opening PGlite from its template took over a minute on the shared two-core machine.
  beforeAll(async () => {
    database = await createTestDatabase();
  }, 180_000);
  afterAll(async () => database?.close());

  /** The app as the server builds it (schedule on, default interval 1d), listening. */
  async function startedServer(tickMs?: number): Promise<{ app: App; noRefreshDue: () => number }> {
    const logs = logCapture();
    const app = await build(loadConfig({ LOG_LEVEL: 'debug', AMPARO_WEB_DIR: '/nonexistent' }), {
      database: database.handle,
      keys: createTestKeyStore(),
      logDestination: logs.stream,
      statisticsSchedule: tickMs === undefined ? true : { tickMs },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const noRefreshDue = () => logs.text().split('no refresh due').length - 1;
    return { app, noRefreshDue };
  }

  const scheduleRow = () =>
    database.db.selectFrom('statistics_refresh_schedule').selectAll().executeTakeFirstOrThrow();

  it('looks at least hourly, and counts an interval less a tenth of a tick', () => {
    expect(refreshTickSeconds(86_400)).toBe(3_600);
    expect(refreshTickSeconds(30)).toBe(30);
    expect(refreshDueAfterSeconds(86_400, 3_600)).toBe(86_040);
    expect(refreshDueAfterSeconds(30, 30)).toBe(27);
  });

  it('refreshes soon after it starts when no refresh has succeeded yet', async () => {
    expect((await scheduleRow()).last_succeeded_at).toBeNull();
    // Default interval (1d) and tick (1h): only the look at start can refresh within the test.
    const { app } = await startedServer();
    try {
      await expect
        .poll(async () => (await scheduleRow()).last_outcome, { timeout: 60_000, interval: 100 })
        .toBe('succeeded');
    } finally {
      await app.close();
    }
    expect((await scheduleRow()).last_succeeded_at).not.toBeNull();
  }, 90_000);

  it('does not refresh again when restarted shortly after a success', async () => {
    const before = await scheduleRow();
    expect(before.last_outcome).toBe('succeeded');
    const { app, noRefreshDue } = await startedServer(20);
    try {
      // The look at start and a few ticks after it, each finding the last success too recent.
      await expect.poll(noRefreshDue, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(4);
    } finally {
      await app.close();
    }
    const after = await scheduleRow();
    expect(after.last_started_at).toEqual(before.last_started_at);
    expect(after.last_succeeded_at).toEqual(before.last_succeeded_at);
  }, 60_000);

  it('refreshes at a later tick once the last success is an interval old', async () => {
    const { app, noRefreshDue } = await startedServer(20);
    try {
      await expect.poll(noRefreshDue, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(2);
      // A day and a minute ago: what a server finds after a day of restarts every few hours.
      const stale = new Date(Date.now() - 86_460_000);
      await database.asAdmin((admin) =>
        admin
          .updateTable('statistics_refresh_schedule')
          .set({ last_succeeded_at: stale, last_outcome: 'failed' })
          .execute(),
      );
      await expect
        .poll(async () => (await scheduleRow()).last_outcome, { timeout: 60_000, interval: 50 })
        .toBe('succeeded');
      expect((await scheduleRow()).last_succeeded_at?.getTime()).toBeGreaterThan(
        stale.getTime() + 86_400_000,
      );
    } finally {
      await app.close();
    }
  }, 120_000);
});
