import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';
import { inject } from 'vitest';
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

/** How long a file waits for the console another worker is building (a build under load). */
const consoleBuildWaitMs = 600_000;
let consoleBuilt: Promise<string> | undefined;

/**
 * The console built from `web/` as `npm run build` would, once per test run: the first test
 * file to ask builds it into the run's directory (global setup gives one, and removes it at
 * the end); every other file, in this worker or the other, waits for that build and serves the
 * same files. The server only reads them. Built once per file, it was about twenty Vite
 * builds in each CI run. CI serves the console it built before the tests
 * (AMPARO_TEST_CONSOLE_DIR, .ci/run): one Vite build less (8.5 s of a worker under load 8).
 */
export function buildConsole(): Promise<string> {
  // CI has just built this checkout's console (`npm run build`, into web/dist) and names it:
  // the browser tests serve that build, as `npm start` would, rather than build it again.
  const built = process.env.AMPARO_TEST_CONSOLE_DIR;
  consoleBuilt ??= built
    ? Promise.resolve(path.resolve(built))
    : buildConsoleOnce(inject('consoleBuildDir'));
  return consoleBuilt;
}

async function buildConsoleOnce(runDir: string): Promise<string> {
  const outDir = path.join(runDir, 'console');
  const ready = path.join(runDir, 'console.ready');
  const failed = path.join(runDir, 'console.failed');
  if (claim(path.join(runDir, 'console.lock'))) {
    try {
      await viteBuild({
        configFile: path.join(webRoot, 'vite.config.ts'),
        logLevel: 'warn',
        build: { outDir, emptyOutDir: true, sourcemap: false },
      });
    } catch (error) {
      writeFileSync(
        failed,
        error instanceof Error ? (error.stack ?? error.message) : String(error),
      );
      throw error;
    }
    writeFileSync(ready, '');
    return outDir;
  }
  const deadline = Date.now() + consoleBuildWaitMs;
  while (Date.now() < deadline) {
    if (existsSync(ready)) return outDir;
    if (existsSync(failed)) {
      throw new Error(
        `the console build failed in another worker:\n${readFileSync(failed, 'utf8')}`,
      );
    }
    await setTimeout(200);
  }
  throw new Error(`the console build in another worker did not finish in ${consoleBuildWaitMs} ms`);
}

/** True for exactly one caller across processes: creating a directory is atomic. */
function claim(lockDir: string): boolean {
  try {
    mkdirSync(lockDir);
    return true;
  } catch (error) {
    // mkdirSync throws Node's system errors, which carry a code.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
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
  // The demo accounts with the cheap hash the app is built with: eleven argon2id hashes at
  // the production cost were a second of every browser test file's start.
  const credentials = await database.asAdmin((admin) =>
    createDemoOperators(admin, keys.masterKey, undefined, cheapHashOptions),
  );
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
    },
  };
}
