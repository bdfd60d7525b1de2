import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { refreshUnderLease } from '../modules/statistics/index.js';
import { openAppDatabase } from '../platform/db/database.js';
import { aggregateReadModels } from '../statistics-read-models.js';

/**
 * `amparo statistics refresh` (issue #17, point 2) recomputes and protects every published
 * table from the owning modules' aggregate read models, one line of progress per table. The
 * server refreshes on its own schedule (AMPARO_STATISTICS_REFRESH_EVERY); this is for a refresh
 * now. It takes the schedule's lease, so it never runs beside another refresh; a run that
 * stopped is continued by the next one. It connects as the application role.
 *
 * @example
 * // $ amparo statistics refresh
 * // 1/5 people_by_age_sex_region 2140 ms
 */
export function registerStatisticsCommands(
  program: Command,
  write: (text: string) => void = (text) => process.stdout.write(text),
): void {
  const statistics = program.command('statistics').description('published statistics tables');
  statistics
    .command('refresh')
    .description('recompute and protect every published table (resumes a stopped run)')
    .action(async () => {
      const handle = await openAppDatabase(loadConfig(process.env).database);
      try {
        // Under the schedule's lease, so it never runs beside a server's scheduled refresh.
        const done = await refreshUnderLease(
          { db: handle.db, models: aggregateReadModels() },
          {
            holder: randomUUID(),
            onProgress: (p) =>
              write(`${p.tablesDone}/${p.tablesTotal} ${p.table} ${p.durationMs} ms\n`),
          },
        );
        if (done.outcome === 'skipped') {
          write('a statistics refresh is running in another process; try again when it ends\n');
          process.exitCode = 1;
        } else if (done.outcome === 'failed') {
          write(`the statistics refresh failed (${done.errorCode}); the next run resumes it\n`);
          process.exitCode = 1;
        }
      } finally {
        await handle.close();
      }
    });
}
