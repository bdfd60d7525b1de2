import { sql } from 'kysely';
import type { TestDatabase } from './db.js';

/**
 * Runs `work`, and if it has not settled after `afterMs` fails it with what is waiting on what:
 * `progress()` (the test's own account of where each of its clients stands) and, on
 * PostgreSQL, the test database's sessions (`pg_stat_activity`, with `pg_blocking_pids`) and
 * the locks not granted (`pg_locks`). A concurrency test that stalls (a lock wait, a pool with
 * no free connection, a promise never settled) then ends with that picture instead of a bare
 * timeout. PGlite has one connection, busy with the stalled work, so there only `progress()` is
 * reported. The stalled work is not cancelled: the test fails and its database is dropped.
 *
 * @example
 *   await withStallReport(database, { afterMs: 60_000, progress: () => steps }, () => run());
 */
export async function withStallReport<T>(
  database: TestDatabase,
  options: { afterMs: number; progress: () => unknown },
  work: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      describeWaits(database)
        .catch((error: unknown) => `waits not read: ${String(error)}`)
        .then((waits) =>
          reject(
            new Error(
              `stalled for ${options.afterMs} ms\nprogress: ${JSON.stringify(options.progress())}\n${waits}`,
            ),
          ),
        );
    }, options.afterMs);
  });
  try {
    return await Promise.race([work(), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

async function describeWaits(database: TestDatabase): Promise<string> {
  if (database.kind !== 'postgres') return 'waits: PGlite (one connection, busy)';
  return database.asAdmin(async (admin) => {
    const sessions = await sql<Record<string, unknown>>`
      select pid, state, wait_event_type, wait_event, pg_blocking_pids(pid) as blocked_by,
             extract(epoch from now() - xact_start)::int as transaction_seconds,
             left(query, 160) as query
        from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid()`.execute(admin);
    const locks = await sql<Record<string, unknown>>`
      select l.pid, l.locktype, l.relation::regclass::text as relation, l.mode,
             l.transactionid::text as transaction_id
        from pg_locks l
       where not l.granted
         and l.pid in (select pid from pg_stat_activity where datname = current_database())`.execute(
      admin,
    );
    return [
      'sessions:',
      ...sessions.rows.map((row) => `  ${JSON.stringify(row)}`),
      'locks not granted:',
      ...locks.rows.map((row) => `  ${JSON.stringify(row)}`),
    ].join('\n');
  });
}
