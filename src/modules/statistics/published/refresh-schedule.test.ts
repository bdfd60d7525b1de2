import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { buildPerson } from '../../../../test/factories.js';
import { aggregateReadModels } from '../../../statistics-read-models.js';
import type { AggregateReadModels } from '../read-models.js';
import { refreshStatus, refreshUnderLease, startRefreshSchedule } from './refresh-schedule.js';

/**
 * The refresh schedule (issue #17, "refreshed on a schedule") over a real database and the
 * real read models: one refresh at a time across schedulers (the lease of migration 0098), the
 * outcome recorded for the dashboard, a failure logged by its code only and retried at the
 * next tick, and a scheduler that stops cleanly.
 */
describe('the statistics refresh schedule', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    for (let i = 0; i < 12; i++) {
      await buildPerson(
        { database, masterKey: randomBytes(32) },
        {
          region: 'VE-A',
          attributes: {
            given_names: 'Ana',
            first_surname: 'Ruiz',
            sex: 'F',
            birth_date: '1990-05-01',
            state_code: 'VE-A',
          },
        },
      );
    }
  }, 60_000);
  afterAll(async () => database?.close());

  /** The read models, each call's interval recorded under `label` (one refresh reads each once). */
  function timed(label: string, calls: { label: string; start: number; end: number }[]) {
    const models = aggregateReadModels();
    const wrap =
      <A extends unknown[], R>(ask: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const start = performance.now();
        try {
          return await ask(...args);
        } finally {
          calls.push({ label, start, end: performance.now() });
        }
      };
    return {
      people: wrap(models.people),
      coverage: wrap(models.coverage),
    } satisfies AggregateReadModels;
  }

  it('lets one of two refreshes asked at once run, and records its outcome', async () => {
    const models = aggregateReadModels();
    const [one, two] = await Promise.all([
      refreshUnderLease({ db: database.db, models }, { holder: randomUUID() }),
      refreshUnderLease({ db: database.db, models }, { holder: randomUUID() }),
    ]);
    expect([one.outcome, two.outcome].sort()).toEqual(['skipped', 'succeeded']);
    const status = await refreshStatus(database.db, 60);
    expect(status).toMatchObject({ everySeconds: 60, running: false, lastOutcome: 'succeeded' });
    expect(Date.parse(status.lastFinishedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(status.lastStartedAt ?? ''),
    );
    // A tick within half an interval of a successful refresh does nothing; a command does.
    const tick = await refreshUnderLease(
      { db: database.db, models },
      { holder: randomUUID(), notWithinSeconds: 3_600 },
    );
    expect(tick.outcome).toBe('skipped');
  }, 120_000);

  it('never has two schedulers refreshing at once, and refreshes on its own', async () => {
    const calls: { label: string; start: number; end: number }[] = [];
    const log = { info: () => undefined, error: () => undefined, debug: () => undefined };
    const schedulers = ['a', 'b'].map((label) =>
      startRefreshSchedule({
        db: database.db,
        models: timed(label, calls),
        everySeconds: 1,
        log,
      }),
    );
    const runs = () => calls.length / 2;
    try {
      await expect.poll(runs, { timeout: 90_000, interval: 200 }).toBeGreaterThanOrEqual(3);
    } finally {
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    }
    // Each refresh reads people, then coverage: its interval runs from the one to the other.
    const refreshes: { label: string; start: number; end: number }[] = [];
    const ordered = [...calls].sort((x, y) => x.start - y.start);
    for (let i = 0; i + 1 < ordered.length; i += 2) {
      const [first, second] = [ordered[i], ordered[i + 1]];
      // Two refreshes at once would interleave their reads: a's people, then b's people.
      expect(second?.label).toBe(first?.label);
      refreshes.push({
        label: first?.label ?? '',
        start: first?.start ?? 0,
        end: second?.end ?? 0,
      });
    }
    for (let i = 1; i < refreshes.length; i++) {
      expect(refreshes[i]?.start).toBeGreaterThanOrEqual(refreshes[i - 1]?.end ?? 0);
    }
    const row = await database.db
      .selectFrom('statistics_refresh_schedule')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row.lease_holder).toBeNull();
    expect(['succeeded', 'stopped']).toContain(row.last_outcome);
  }, 150_000);

  it('logs a failed refresh by its code only, and retries it at the next tick', async () => {
    const secret = 'Ruiz V-12345678';
    let failing = true;
    const models = aggregateReadModels();
    const flaky: AggregateReadModels = {
      ...models,
      coverage: async (db) => {
        if (failing) {
          failing = false;
          throw Object.assign(new Error(`could not read ${secret}`), { code: 'XX000' });
        }
        return models.coverage(db);
      },
    };
    const lines: string[] = [];
    const log = {
      info: (details: object, message: string) => lines.push(JSON.stringify({ details, message })),
      error: (details: object, message: string) => lines.push(JSON.stringify({ details, message })),
      debug: () => undefined,
    };
    // The last success must be an interval old for a tick to refresh.
    await database.asAdmin((admin) =>
      admin
        .updateTable('statistics_refresh_schedule')
        .set({ last_succeeded_at: new Date(Date.now() - 3_600_000) })
        .execute(),
    );
    const scheduler = startRefreshSchedule({
      db: database.db,
      models: flaky,
      everySeconds: 1,
      log,
    });
    try {
      await expect
        .poll(() => lines.join('\n'), { timeout: 60_000, interval: 200 })
        .toMatch(/"outcome":"succeeded"/);
    } finally {
      await scheduler.stop();
    }
    const failure = lines.find((line) => line.includes('failed'));
    expect(failure).toContain('"errorCode":"XX000"');
    expect(lines.join('\n')).not.toContain(secret);
    expect(lines.indexOf(failure ?? '')).toBeLessThan(
      lines.findIndex((line) => line.includes('"outcome":"succeeded"')),
    );
    expect((await refreshStatus(database.db, 1)).lastOutcome).toBe('succeeded');
  }, 120_000);

  it('stops a refresh under way after its current table, releasing the lease', async () => {
    const models = aggregateReadModels();
    const stopping = new AbortController();
    const slow: AggregateReadModels = {
      ...models,
      people: async (db, date) => {
        stopping.abort();
        return models.people(db, date);
      },
    };
    const stopped = await refreshUnderLease(
      { db: database.db, models: slow },
      { holder: randomUUID(), signal: stopping.signal },
    );
    expect(stopped.outcome).toBe('stopped');
    const row = await database.db
      .selectFrom('statistics_refresh_schedule')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ lease_holder: null, last_outcome: 'stopped' });
    // The run is left unfinished: the next one resumes it.
    const resumed = await refreshUnderLease({ db: database.db, models }, { holder: randomUUID() });
    expect(resumed.outcome).toBe('succeeded');
  }, 120_000);
});
