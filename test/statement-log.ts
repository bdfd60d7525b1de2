import { type Kysely, type KyselyPlugin, PostgresQueryCompiler } from 'kysely';
import type { Database } from '../src/platform/db/schema.js';

/**
 * The database handle with every statement Kysely sends through it recorded (its SQL text,
 * compiled as the dialect would), on PostgreSQL and PGlite alike: what a test of round trips
 * counts. Transactions opened from the handle record theirs too; `begin` and `commit` are the
 * driver's and are not recorded.
 *
 * @example
 *   const logged = statementLog(database.db);
 *   await something({ db: logged.db });
 *   expect(logged.statements).toHaveLength(3);
 */
export function statementLog(db: Kysely<Database>): { db: Kysely<Database>; statements: string[] } {
  const statements: string[] = [];
  const compiler = new PostgresQueryCompiler();
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      statements.push(compiler.compileQuery(args.node, args.queryId).sql);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), statements };
}
