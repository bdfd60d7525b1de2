import { build } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loadKeyStore } from '../../src/platform/crypto/key-store.js';
import { openAppDatabase } from '../../src/platform/db/database.js';

/**
 * The server the distribution benchmarks measure, as its own process so that it can be killed
 * with SIGKILL: `build()` exactly as `src/server.ts` runs it (audit timer on), listening on
 * PORT, on DATABASE_URL (the application role) with the keys in AMPARO_KEYS_DIR. The one
 * difference from `amparo serve` is the per-address rate limit, raised because every client of
 * the benchmark comes from 127.0.0.1 (the per-operator read quotas still apply).
 *
 *   DATABASE_URL=… AMPARO_KEYS_DIR=… PORT=… node --import tsx bench/lib/distribution-server.ts
 */
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', AMPARO_WEB_DIR: '/nonexistent' });
if (config.database.kind !== 'postgres') throw new Error('DATABASE_URL is needed');
const database = await openAppDatabase(config.database);
const keys = loadKeyStore(config.keysDir);
const app = await build(config, {
  database,
  keys,
  auditTimer: true,
  rateLimitRequestsMax: 1_000_000_000,
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.stdout.write('listening\n');
const stop = async () => {
  await app.close();
  await database.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
