import { Kysely, type LogEvent, PostgresDialect } from 'kysely';
import { createPostgresPool } from '../../src/platform/db/database.js';
import type { Database } from '../../src/platform/db/schema.js';

/** One kind of statement: its opening words, how often it ran and its time at the client. */
export interface StatementTime {
  statement: string;
  calls: number;
  totalMs: number;
  meanMs: number;
}

/**
 * A Kysely over its own pool that sums each statement's time (Kysely's `queryDurationMillis`:
 * sent to answered, `begin` and `commit` included) by its opening words, so a bench can say
 * where a run spent its time per statement.
 *
 * @example
 *   const profiled = profiledDatabase(appUrl, 4);
 *   await work(profiled.db);
 *   console.table(profiled.report());
 */
export function profiledDatabase(
  url: string,
  connectionsMax: number,
): { db: Kysely<Database>; report: () => StatementTime[] } {
  const sums = new Map<string, { calls: number; totalMs: number }>();
  const log = (event: LogEvent) => {
    const statement = event.query.sql.replace(/\s+/g, ' ').trim().slice(0, 90);
    const sum = sums.get(statement) ?? { calls: 0, totalMs: 0 };
    sum.calls += 1;
    sum.totalMs += event.queryDurationMillis;
    sums.set(statement, sum);
  };
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createPostgresPool(url, connectionsMax) }),
    log,
  });
  const report = () =>
    [...sums.entries()]
      .map(([statement, sum]) => ({
        statement,
        calls: sum.calls,
        totalMs: Math.round(sum.totalMs),
        meanMs: Number((sum.totalMs / sum.calls).toFixed(2)),
      }))
      .sort((a, b) => b.totalMs - a.totalMs);
  return { db, report };
}
