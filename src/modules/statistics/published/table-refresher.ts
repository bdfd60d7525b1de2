import { randomBytes, randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { noisyCount } from '../disclosure/cell-noise.js';
import { type LinkedTable, linkedTable } from '../disclosure/linked-table.js';
import { type DisclosureRules, protectTable, roundToBase } from '../disclosure/protect-table.js';
import { statisticsLimits } from '../limits.js';
import type { AggregateReadModels } from '../read-models.js';
import { protectAmounts } from './amount-protection.js';
import {
  type Breakdown,
  type PublishedTable,
  publishedTables,
  referenceDateOf,
} from './catalogue.js';

import type { StoredCell } from './published-table.js';

export type { StoredCell } from './published-table.js';

export interface RefreshProgress {
  refreshId: string;
  tablesDone: number;
  tablesTotal: number;
  table: string;
  durationMs: number;
}

export interface RefreshOptions {
  /** Awaited when it answers a promise (the schedule renews its lease here). */
  onProgress?: (progress: RefreshProgress) => unknown;
  /** Stops the run between tables (server close); the next run resumes it. */
  signal?: AbortSignal;
}

/** Whether a cell at these depths is shown by a breakdown (every dimension at or above it). */
export function shownBy(
  breakdown: Breakdown,
  dimensions: readonly string[],
  depths: readonly number[],
): boolean {
  return dimensions.every((name, d) => (depths[d] ?? 0) <= (breakdown[name] ?? 0));
}

/**
 * Refreshes every published table (issue #17, point 2): reads the owning modules' aggregate
 * read models, builds each table's cube, protects it (primary and complementary suppression
 * across all its breakdowns at once, rounding to the base) and replaces the stored table.
 * Resumable: a run that stopped (crash, deploy) is continued by the next call, which skips the
 * tables it already wrote; each table is written in its own transaction together with the
 * run's progress. Nothing but protected cells is stored.
 *
 * @example
 *   await statisticsRefresher({ db, models }, { onProgress: (p) => bar.update(p.tablesDone) });
 */
export async function statisticsRefresher(
  deps: { db: Kysely<Database>; models: AggregateReadModels; now?: () => Date },
  options: RefreshOptions = {},
): Promise<{ refreshId: string; tables: string[] }> {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const reads = readsAhead(db, deps.models, now());
  try {
    return await refreshTables(db, reads.models, now, options);
  } finally {
    // No read outlives the run (a stopped or failed run may leave some unasked).
    await reads.settled();
  }
}

async function refreshTables(
  db: Kysely<Database>,
  models: AggregateReadModels,
  now: () => Date,
  options: RefreshOptions,
): Promise<{ refreshId: string; tables: string[] }> {
  const tables = publishedTables;
  const unfinished = await db
    .selectFrom('statistics_refresh')
    .select(['id', 'tables_done'])
    .where('finished_at', 'is', null)
    .orderBy('started_at', 'desc')
    .executeTakeFirst();
  const refreshId = unfinished?.id ?? randomUUID();
  if (unfinished === undefined) {
    await db
      .insertInto('statistics_refresh')
      .values({ id: refreshId, tables_total: tables.length })
      .execute();
  }
  const done = new Set(unfinished?.tables_done ?? []);
  const noiseKey = await noiseKeyOf(db);
  for (const table of tables) {
    if (done.has(table.code)) continue;
    options.signal?.throwIfAborted();
    const started = performance.now();
    const stored = await protectedCells(table, models, db, now(), noiseKey);
    // A table whose read model is absent here is left as it is, and the run goes on.
    if (stored === null) await markDone(db, refreshId, table.code);
    else await storeTable(db, refreshId, table.code, stored, now());
    done.add(table.code);
    await options.onProgress?.({
      refreshId,
      tablesDone: done.size,
      tablesTotal: tables.length,
      table: table.code,
      durationMs: Math.round(performance.now() - started),
    });
  }
  await db
    .updateTable('statistics_refresh')
    .set({ finished_at: now() })
    .where('id', '=', refreshId)
    .execute();
  return { refreshId, tables: tables.map((table) => table.code) };
}

/**
 * The deployment's secret noise key (migration 0046): written by the first refresh, then only
 * read. Two first refreshes at once both insert; the loser's insert does nothing and both read
 * the winner's key.
 */
async function noiseKeyOf(db: Kysely<Database>): Promise<Uint8Array> {
  await db
    .insertInto('statistics_noise_key')
    .values({ id: 1, secret: randomBytes(32) })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
  const row = await db
    .selectFrom('statistics_noise_key')
    .select('secret')
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return new Uint8Array(row.secret);
}

/**
 * The read models, each asked once per run and all at its start: several tables are views of
 * one source (four coverage tables, three redemption tables), and at a national scale each
 * source query reads millions of rows. Started together, the database computes the next
 * sources while this process protects a table, and on two cores two sources at once (each read
 * is one serial statement: `asBatchReads`). Each read runs in its own transaction with the
 * batch settings, on the run's database whatever handle a table's `build` passes (a build holds
 * no connection while it waits, so a single-connection database queues the reads instead of
 * waiting on itself).
 */
function readsAhead(
  db: Kysely<Database>,
  models: AggregateReadModels,
  startedAt: Date,
): { models: AggregateReadModels; settled: () => Promise<unknown> } {
  const remembered = new Map<string, Promise<unknown>>();
  const slot = slots(statisticsLimits.refreshReadsAtOnce);
  function once<T>(key: string, ask: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    const known = remembered.get(key);
    // Safe: a key is only ever stored with the answer of the call that uses the same key.
    if (known !== undefined) return known as Promise<T>;
    const answer = slot(() =>
      db.transaction().execute(async (trx) => {
        await asBatchReads(trx);
        return ask(trx);
      }),
    );
    // Awaited by the table that needs it; a run that stops first must not leave it unhandled.
    answer.catch(() => undefined);
    remembered.set(key, answer);
    return answer;
  }
  const { redemptions, payments, stock } = models;
  const ahead: AggregateReadModels = {
    people: (_db, referenceDate) =>
      once(`people:${referenceDate}`, (trx) => models.people(trx, referenceDate)),
    coverage: () => once('coverage', (trx) => models.coverage(trx)),
    ...(redemptions === undefined
      ? {}
      : { redemptions: () => once('redemptions', (trx) => redemptions(trx)) }),
    ...(payments === undefined ? {} : { payments: () => once('payments', (trx) => payments(trx)) }),
    ...(stock === undefined ? {} : { stock: () => once('stock', (trx) => stock(trx)) }),
  };
  // Coverage, the longest, beside the others in the order the tables need them.
  void ahead.coverage(db);
  void ahead.people(db, referenceDateOf(startedAt));
  void ahead.redemptions?.(db);
  void ahead.stock?.(db);
  void ahead.payments?.(db);
  return { models: ahead, settled: () => Promise.allSettled(remembered.values()) };
}

/** Runs the tasks given to it at most `count` at a time, in the order given. */
function slots(count: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= count) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next === undefined) running--;
      else next();
    }
  };
}

async function storeTable(
  db: Kysely<Database>,
  refreshId: string,
  code: string,
  stored: NonNullable<Awaited<ReturnType<typeof protectedCells>>>,
  refreshedAt: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = {
      refreshed_at: refreshedAt,
      refresh_id: refreshId,
      rules: JSON.stringify(stored.rules),
      cells: JSON.stringify(stored.cells),
      primary_cells: stored.primary,
      secondary_cells: stored.secondary,
    };
    await trx
      .insertInto('statistics_table')
      .values({ code, ...row })
      .onConflict((conflict) => conflict.column('code').doUpdateSet(row))
      .execute();
    await markDone(trx, refreshId, code);
  });
}

async function markDone(db: Kysely<Database>, refreshId: string, code: string): Promise<void> {
  await sql`update statistics_refresh set tables_done = array_append(tables_done, ${code})
             where id = ${refreshId}`.execute(db);
}

async function protectedCells(
  table: PublishedTable,
  models: AggregateReadModels,
  db: Kysely<Database>,
  now: Date,
  noiseKey: Uint8Array,
) {
  // The reads are `readsAhead`'s, each in its own batch transaction.
  const cube = await table.build(models, db, now);
  if (cube === null) return null;
  const linked = linkedTable(cube.dimensions, cube.leafCounts);
  const names = cube.dimensions.map((dimension) => dimension.name);
  const depths = linked.coordinates.map((coordinate) =>
    coordinate.map((node, d) => depthOf(linked.parents[d] ?? [], node)),
  );
  const withoutTotal = names.map((name) => table.withoutTotal?.includes(name) === true);
  const views = depths.map((cellDepths) =>
    cellDepths.some((depth, d) => depth === 0 && withoutTotal[d])
      ? []
      : table.breakdowns.flatMap((breakdown, i) =>
          shownBy(breakdown, names, cellDepths) ? [i] : [],
        ),
  );
  const unpublished = new Set<number>();
  views.forEach((shown, cell) => {
    if (shown.length === 0) unpublished.add(cell);
  });
  const common = {
    threshold: statisticsLimits.threshold,
    protectionLevel: statisticsLimits.protectionLevel,
  };
  // Counts get the keyed noise against differencing; amounts are protected by the frequency
  // and p % rules and rounded to 1,000 (README, "Differencing").
  const rules: DisclosureRules =
    cube.amounts === undefined
      ? {
          ...common,
          roundingBase: statisticsLimits.roundingBase,
          noiseVariance: statisticsLimits.noiseVariance,
        }
      : {
          ...common,
          roundingBase: cube.amounts.roundingBase ?? statisticsLimits.amountRoundingBase,
        };
  // One keyed draw per shown cell of counts. Primary suppression is still decided on the true
  // count (README, "Differencing": deciding it on this reading is written, not yet wired); a
  // published cell whose reading is below the threshold shows the threshold, as before.
  const { noiseVariance } = rules;
  const noisy =
    noiseVariance === undefined
      ? undefined
      : linked.values.map((count, i) =>
          unpublished.has(i)
            ? null
            : noisyCount({
                key: noiseKey,
                table: table.code,
                cell: linked.keys[i] ?? [],
                quantity: table.quantityOf?.(linked.keys[i] ?? []),
                count,
                variance: noiseVariance,
                threshold: rules.threshold,
                base: rules.roundingBase,
              }),
        );
  const result =
    cube.amounts === undefined
      ? await countsProtected(linked, rules, unpublished)
      : await protectAmounts(cube.amounts, rules, statisticsLimits.dominancePercent, unpublished);
  const cells: StoredCell[] = [];
  result.cells.forEach((cell, i) => {
    const shown = views[i] ?? [];
    if (shown.length === 0) return;
    const value =
      cell.status === 'published' && noisy !== undefined
        ? (noisy[i] ?? roundToBase(rules.threshold, rules.roundingBase))
        : cell.value;
    cells.push({ views: shown, key: cell.key, depths: depths[i] ?? [], value });
  });
  return {
    rules,
    cells,
    primary: result.primary,
    secondary: result.secondary,
  };
}

/**
 * Settings for a refresh's reads, in its transaction only: a batch job reading millions of
 * rows, not a request (BENCHMARKS.md, coverage at 200,000 persons × 12 cycles):
 * - its own statement timeout (`refreshStatementTimeoutMs`);
 * - sort and hash memory (`refreshWorkMemMb`) so coverage's joins and its sort of first
 *   redemptions do not spill to disk in many batches;
 * - no memoized index probes: given that memory, the planner chose to probe the entitlements
 *   once per member through a cache that missed every time (75 s instead of 10 s);
 * - no nested loops: with few or no reversals the planner rescanned `redemption_reversal`
 *   once per redemption to find the first redemptions (a hash anti join reads it once);
 * - no parallel workers: in coverage each worker computed the first redemptions again under
 *   its private hash (sort and hash three times on two cores, twice the CPU of one process);
 *   the reads run side by side instead (`readsAhead`);
 * - no JIT compilation: compiling the coverage plan (inlining, optimisation) took seconds,
 *   for a statement that runs once.
 * PGlite accepts every one of these; it has no JIT and runs no parallel workers.
 */
async function asBatchReads(trx: Transaction<Database>): Promise<void> {
  const { refreshStatementTimeoutMs, refreshWorkMemMb } = statisticsLimits;
  await sql`select set_config('statement_timeout', ${String(refreshStatementTimeoutMs)}, true),
                   set_config('work_mem', ${`${refreshWorkMemMb}MB`}, true),
                   set_config('enable_memoize', 'off', true),
                   set_config('enable_nestloop', 'off', true),
                   set_config('max_parallel_workers_per_gather', '0', true),
                   set_config('jit', 'off', true)`.execute(trx);
}

async function countsProtected(
  linked: LinkedTable,
  rules: DisclosureRules,
  unpublished: ReadonlySet<number>,
) {
  const result = await protectTable(linked, rules, { unpublished });
  return { cells: result.cells, ...result.statistics };
}

function depthOf(parents: readonly number[], node: number): number {
  let depth = 0;
  for (let up = parents[node] ?? -1; up !== -1; up = parents[up] ?? -1) depth++;
  return depth;
}
