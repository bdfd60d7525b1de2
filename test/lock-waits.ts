import { sql, type Transaction } from 'kysely';
import type { Database } from '../src/platform/db/schema.js';
import type { TestDatabase } from './db.js';

/**
 * Polls (every 20 ms, at most 30 s) until a session of the test's PostgreSQL database waits for
 * a lock: the moment a test that forces an interleaving with a held lock goes on. Answers
 * quietly once `stop` is aborted (the other side of a race finished first); throws `failure`
 * after 30 s otherwise.
 *
 * @example
 *   const waiting = transferCreator(database.db, mine);
 *   await untilWaitingForALock(database);
 */
export async function untilWaitingForALock(
  database: TestDatabase,
  options: { stop?: AbortSignal; failure?: string } = {},
): Promise<void> {
  for (let tries = 0; tries < 1_500 && options.stop?.aborted !== true; tries += 1) {
    const waiting = await database.asAdmin((admin) =>
      sql<{ count: number }>`
        select count(*)::int as count from pg_stat_activity
         where datname = current_database() and wait_event_type = 'Lock'`.execute(admin),
    );
    if ((waiting.rows[0]?.count ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (options.stop?.aborted !== true)
    throw new Error(options.failure ?? 'nothing waited for a lock');
}

/**
 * Runs `hold` in a transaction of the test's database and keeps that transaction open (its
 * locks and uncommitted rows held) until `release()`, which commits it. Resolves once `hold`
 * has run.
 *
 * @example
 *   const holder = await transactionHeldOpen(database, (trx) => lockTheAccount(trx));
 *   try { … } finally { await holder.release(); }
 */
export async function transactionHeldOpen(
  database: TestDatabase,
  hold: (trx: Transaction<Database>) => Promise<void>,
): Promise<{ release: () => Promise<void> }> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding = () => {};
  const held = new Promise<void>((resolve) => {
    holding = resolve;
  });
  const holder = database.db.transaction().execute(async (trx) => {
    await hold(trx);
    holding();
    await released;
  });
  // `hold` failing ends the transaction: its error reaches the caller here.
  await Promise.race([held, holder]);
  return {
    release: async () => {
      release();
      await holder;
    },
  };
}
