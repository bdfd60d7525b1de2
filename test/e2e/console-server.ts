import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';
import { type App, build } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { cheapHashOptions } from '../../src/modules/access/access-test-kit.js';
import {
  createDemoOperators,
  type DemoOperatorCredentials,
} from '../../src/modules/access/demo-operators.js';
import type { KeyStore } from '../../src/platform/crypto/key-store.js';
import { createTestDatabase, type TestDatabase } from '../db.js';
import { createTestKeyStore } from '../keys.js';

/**
 * The real Amparo server for browser tests: the console built from the current source into a
 * temporary directory, the application from `build()` listening on a free port, a throwaway
 * migrated database and the demo operator accounts (passwords and TOTP secrets returned).
 *
 * @example
 *   const server = await startConsoleServer();
 *   await page.goto(`${server.baseUrl}/sign-in`);
 *   await server.close();
 */
export interface ConsoleServer {
  baseUrl: string;
  app: App;
  database: TestDatabase;
  keys: KeyStore;
  operators: Map<string, DemoOperatorCredentials>;
  close(): Promise<void>;
}

const webRoot = fileURLToPath(new URL('../../web/', import.meta.url));

/** Builds the console from `web/` into a fresh directory, as `npm run build` would. */
export async function buildConsole(): Promise<string> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'amparo-console-'));
  await viteBuild({
    configFile: path.join(webRoot, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  return outDir;
}

export async function startConsoleServer(webDir: string): Promise<ConsoleServer> {
  const database = await createTestDatabase();
  const keys = createTestKeyStore();
  const config = loadConfig({ LOG_LEVEL: 'silent', AMPARO_WEB_DIR: webDir });
  const app = await build(config, {
    database: database.handle,
    keys,
    access: { passwordHashOptions: cheapHashOptions },
  });
  const credentials = await database.asAdmin((admin) => createDemoOperators(admin, keys.masterKey));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    database,
    keys,
    operators: new Map(credentials.map((operator) => [operator.username, operator])),
    async close() {
      await app.close();
      await database.close();
      rmSync(webDir, { recursive: true, force: true });
    },
  };
}
