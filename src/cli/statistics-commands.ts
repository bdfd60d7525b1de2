import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { statisticsRefresher } from '../modules/statistics/index.js';
import { openAppDatabase } from '../platform/db/database.js';
import { aggregateReadModels } from '../statistics-read-models.js';

/**
 * `amparo statistics refresh` (issue #17, point 2) recomputes and protects every published
 * table from the owning modules' aggregate read models, one line of progress per table. Run
 * it from cron (or a systemd timer) on the schedule the ministry needs; a run that stopped is
 * continued by the next one. It connects as the application role.
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
        await statisticsRefresher(
          { db: handle.db, models: aggregateReadModels() },
          {
            onProgress: (p) =>
              write(`${p.tablesDone}/${p.tablesTotal} ${p.table} ${p.durationMs} ms\n`),
          },
        );
      } finally {
        await handle.close();
      }
    });
}
