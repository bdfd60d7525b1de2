import { Kysely, PostgresDialect } from 'kysely';
import { build } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { loadKeyStore } from '../src/platform/crypto/key-store.js';
import { createPostgresPool } from '../src/platform/db/database.js';
import type { Database } from '../src/platform/db/schema.js';
import { distributionWorld, redemptionInjection } from './lib/distribution-world.js';

/**
 * The SQL one redemption with the card sends (issue #15, the throughput work): a world as
 * `distribution-redeem` builds it, then `redemptions` redemptions one after another through
 * `build()` (`inject`, no network), each statement logged by Kysely with its duration. Answers
 * the statements (and so round trips) per redemption and the statements of the last one in
 * order, with their milliseconds. One at a time: this counts work, it does not measure
 * contention (that is `distribution-redeem`).
 *
 *   npm run bench -- distribution-redeem-profile [redemptions=50]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const redemptions = Number(args[0] ?? 50);
  const world = await distributionWorld({
    persons: 20,
    litres: 1_000,
    points: 2,
    operatorsPerPoint: 1,
    stockPerPoint: 1_000_000,
  });
  let statements: { sql: string; ms: number }[] = [];
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createPostgresPool(world.database.appUrl) }),
    log: (event) => {
      statements.push({
        sql: event.query.sql.replace(/\s+/g, ' ').slice(0, 160),
        ms: +event.queryDurationMillis.toFixed(2),
      });
    },
  });
  const app = await build(loadConfig({ LOG_LEVEL: 'silent', AMPARO_WEB_DIR: '/nonexistent' }), {
    database: { kind: 'postgres', db, close: async () => undefined },
    keys: loadKeyStore(world.keysDir),
    rateLimitRequestsMax: 1_000_000_000,
  });
  try {
    await app.ready();
    const counts: number[] = [];
    const durations: number[] = [];
    let last: { sql: string; ms: number }[] = [];
    const msBySql = new Map<string, number[]>();
    for (let index = 0; index < redemptions; index += 1) {
      const operator = world.operators[index % world.operators.length];
      const card = world.cards[index % world.cards.length];
      if (operator === undefined || card === undefined) throw new Error('no operator or card');
      statements = [];
      const started = performance.now();
      const response = await app.inject(redemptionInjection(operator, card, world.item));
      durations.push(performance.now() - started);
      if (response.statusCode !== 201) throw new Error(`redemption: ${response.body}`);
      counts.push(statements.length);
      for (const each of statements) {
        const key = each.sql.slice(0, 70);
        msBySql.set(key, [...(msBySql.get(key) ?? []), each.ms]);
      }
      last = statements;
    }
    const sorted = [...durations].sort((a, b) => a - b);
    return {
      command: `npm run bench -- distribution-redeem-profile ${redemptions}`,
      redemptions,
      statementsPerRedemption: { min: Math.min(...counts), max: Math.max(...counts) },
      redemptionMsP50: +(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(2),
      slowestStatementsMeanMs: [...msBySql.entries()]
        .map(([sql, ms]) => ({
          sql,
          meanMs: +(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(2),
        }))
        .sort((a, b) => b.meanMs - a.meanMs)
        .slice(0, 6),
      lastRedemption: last,
    };
  } finally {
    await app.close();
    await db.destroy();
    await world.close();
  }
}
