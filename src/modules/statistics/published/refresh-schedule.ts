import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { StatisticsRefreshStatus } from '../../../shared/api/statistics.js';
import { statisticsLimits } from '../limits.js';
import type { AggregateReadModels } from '../read-models.js';
import { type RefreshProgress, statisticsRefresher } from './table-refresher.js';

export type LeasedRefresh =
  | { outcome: 'succeeded'; refreshId: string }
  | { outcome: 'failed'; errorCode: string }
  | { outcome: 'stopped' }
  /** Another process holds the lease, or (a tick) a refresh succeeded within the interval. */
  | { outcome: 'skipped' };

export interface LeaseOptions {
  /** A random id per scheduler or command: who holds the lease. */
  holder: string;
  /**
   * Scheduled ticks: skip when a refresh succeeded within this many seconds (about the
   * interval, so that however many processes tick, and however often they restart, the tables
   * are refreshed about once an interval). Absent: refresh now (a command).
   */
  notWithinSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (progress: RefreshProgress) => void;
}

/**
 * One refresh under the schedule's lease (migration 0098): taken by a conditional update of the
 * one row, so two processes (or two schedulers of one process) never refresh at once, on
 * PostgreSQL and PGlite alike; renewed after each table; released with the outcome, which the
 * dashboard shows. A failure is recorded by its error's code or class name only (a message can
 * quote data), and the lease is released so the next tick retries.
 *
 * @example
 *   await refreshUnderLease({ db, models }, { holder: randomUUID() }); // { outcome: 'succeeded', … }
 */
export async function refreshUnderLease(
  deps: { db: Kysely<Database>; models: AggregateReadModels },
  options: LeaseOptions,
): Promise<LeasedRefresh> {
  const { db } = deps;
  const { holder } = options;
  const leaseSeconds = statisticsLimits.refreshLeaseMs / 1000;
  const notWithin = options.notWithinSeconds ?? null;
  const taken = await sql<{ id: number }>`
    update statistics_refresh_schedule
       set lease_holder = ${holder}::uuid,
           lease_until = now() + make_interval(secs => ${leaseSeconds}),
           last_started_at = now()
     where id = 1
       and (lease_holder is null or lease_until < now())
       and (${notWithin}::float8 is null or last_succeeded_at is null
            or last_succeeded_at < now() - make_interval(secs => ${notWithin}::float8))
    returning id`.execute(db);
  if (taken.rows.length === 0) return { outcome: 'skipped' };
  let result: LeasedRefresh;
  try {
    const done = await statisticsRefresher(deps, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onProgress: async (progress) => {
        options.onProgress?.(progress);
        await sql`update statistics_refresh_schedule
                     set lease_until = now() + make_interval(secs => ${leaseSeconds})
                   where id = 1 and lease_holder = ${holder}::uuid`.execute(db);
      },
    });
    result = { outcome: 'succeeded', refreshId: done.refreshId };
  } catch (error) {
    result =
      options.signal?.aborted === true
        ? { outcome: 'stopped' }
        : { outcome: 'failed', errorCode: errorCodeOf(error) };
  }
  await sql`update statistics_refresh_schedule
               set lease_holder = null, lease_until = null,
                   last_finished_at = now(),
                   last_outcome = ${result.outcome},
                   last_error_code = ${result.outcome === 'failed' ? result.errorCode : null},
                   last_succeeded_at = case when ${result.outcome} = 'succeeded'
                                            then last_started_at else last_succeeded_at end
             where id = 1 and lease_holder = ${holder}::uuid`.execute(db);
  return result;
}

/** The error's code (a database's SQLSTATE, an application code) or class name; never its message. */
function errorCodeOf(error: unknown): string {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const name = error instanceof Error ? error.name : 'unknown';
  const chosen = /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : name;
  return /^[A-Za-z0-9_]{1,64}$/.test(chosen) ? chosen : 'unknown';
}

export interface RefreshSchedule {
  /** Stops ticking; a refresh under way stops after its current table (the next run resumes). */
  stop(): Promise<void>;
}

/** A scheduled tick comes at least this often, however long the interval (one hour). */
const tickSecondsMax = 3_600;

/**
 * How often the schedule looks whether a refresh is due: the interval, but at least hourly, so
 * a server restarted more often than the interval still refreshes once the last success is an
 * interval old (a daily tick counted from each start would never come).
 *
 * @example
 *   refreshTickSeconds(86_400); // 3_600
 *   refreshTickSeconds(30); // 30
 */
export function refreshTickSeconds(everySeconds: number): number {
  return Math.min(everySeconds, tickSecondsMax);
}

/**
 * Seconds since the last success after which a tick refreshes: the interval, less a tenth of a
 * tick, so that a tick arriving a few milliseconds before the interval is over (timers and the
 * lease's own query jitter) does not skip to the next tick and refresh one tick late.
 *
 * @example
 *   refreshDueAfterSeconds(86_400, 3_600); // 86_040
 */
export function refreshDueAfterSeconds(everySeconds: number, tickSeconds: number): number {
  return Math.max(0, everySeconds - tickSeconds / 10);
}

/**
 * The server's refresh schedule (issue #17): a tick at start and then every
 * `refreshTickSeconds(everySeconds)` (at least hourly; tests pass a shorter `tickMs`) refreshes
 * under the lease when the last success, as stored on the lease row, is an interval old or
 * there is none, and nobody else is refreshing. Several processes, or one restarted often,
 * thus refresh about once per interval. A failed tick is logged with its error code only and
 * retried at the next tick.
 *
 * @example
 *   const schedule = startRefreshSchedule({ db, models, everySeconds: 86_400, log: app.log });
 *   app.addHook('onClose', () => schedule.stop());
 */
export function startRefreshSchedule(deps: {
  db: Kysely<Database>;
  models: AggregateReadModels;
  everySeconds: number;
  /** Milliseconds between ticks; `refreshTickSeconds(everySeconds)` when absent. */
  tickMs?: number;
  log: {
    info(details: object, message: string): void;
    error(details: object, message: string): void;
    debug(details: object, message: string): void;
  };
}): RefreshSchedule {
  const { log, everySeconds } = deps;
  const tickMs = deps.tickMs ?? refreshTickSeconds(everySeconds) * 1000;
  const dueAfterSeconds = refreshDueAfterSeconds(everySeconds, tickMs / 1000);
  const holder = randomUUID();
  const stopping = new AbortController();
  let running: Promise<void> | null = null;
  let lastFailed = false;
  const tick = async () => {
    const started = performance.now();
    let result: LeasedRefresh;
    try {
      result = await refreshUnderLease(deps, {
        holder,
        notWithinSeconds: dueAfterSeconds,
        signal: stopping.signal,
      });
    } catch (error) {
      // The lease itself could not be read or written (database away): the next tick retries.
      result = { outcome: 'failed', errorCode: errorCodeOf(error) };
    }
    const durationMs = Math.round(performance.now() - started);
    if (result.outcome === 'failed')
      log.error(
        { errorCode: result.errorCode, durationMs },
        'statistics: the scheduled refresh failed; retried at the next tick',
      );
    // A refresh done is not news for the log (the dashboard and GET /api/statistics/refresh say
    // when the last one succeeded, and a started server's output stays its serving lines); a
    // failure is, and so is the first refresh done after one.
    else if (result.outcome === 'skipped')
      log.debug({ outcome: result.outcome }, 'statistics: scheduled tick, no refresh due');
    else if (lastFailed)
      log.info({ outcome: result.outcome, durationMs }, 'statistics: scheduled refresh');
    else log.debug({ outcome: result.outcome, durationMs }, 'statistics: scheduled refresh');
    if (result.outcome !== 'skipped') lastFailed = result.outcome === 'failed';
  };
  const startTick = () => {
    if (running !== null || stopping.signal.aborted) return;
    running = tick().finally(() => {
      running = null;
    });
  };
  // The first tick comes at start (on the next turn, so the caller finishes starting first).
  const first = setTimeout(startTick, 0);
  const timer = setInterval(startTick, tickMs);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}

/** What the dashboard shows: the schedule of this server and the last refresh's outcome. */
export async function refreshStatus(
  db: Kysely<Database>,
  everySeconds: number | null,
): Promise<StatisticsRefreshStatus> {
  const row = await db
    .selectFrom('statistics_refresh_schedule')
    .select(['lease_until', 'last_started_at', 'last_finished_at', 'last_outcome'])
    .where('id', '=', 1)
    .executeTakeFirst();
  const iso = (value: Date | null | undefined) =>
    value === null || value === undefined ? null : new Date(value).toISOString();
  return {
    everySeconds,
    running: row?.lease_until != null && new Date(row.lease_until).getTime() > Date.now(),
    lastStartedAt: iso(row?.last_started_at),
    lastFinishedAt: iso(row?.last_finished_at),
    lastOutcome: row?.last_outcome ?? null,
  };
}
