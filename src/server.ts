import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { type App, build } from './app.js';
import type { Config } from './config.js';
import { limits } from './limits.js';
import {
  createDemoOperators,
  type DemoOperatorCredentials,
} from './modules/access/demo-operators.js';
import { raiseSecurityAlert } from './modules/access/security-alerts.js';
import { AuditLog } from './modules/audit/audit-log.js';
import { witnessesFrom } from './modules/audit/witness.js';
import { checkLogAgainstWitness } from './modules/audit/witness-start-check.js';
import { seedDemoPrograms } from './modules/demo/demo-programs.js';
import { validatePopulationOptions } from './modules/demo/options.js';
import { writePopulation } from './modules/demo/write-population.js';
import { collectionNotices } from './modules/distribution/index.js';
import {
  type DevelopmentSmsSink,
  developmentSmsSink,
  developmentSmsSinkFile,
  outboxWorker,
  personNotifier,
  providerFromEnv,
} from './modules/notifications/index.js';
import { personImporter } from './modules/registry/import/person-importer.js';
import { inspectImportFile } from './modules/registry/import/source-file.js';
import { personAreas, textContacts } from './modules/registry/index.js';
import { initKeys, type KeyStore, keysExist, loadKeyStore } from './platform/crypto/key-store.js';
import {
  closePglite,
  createPostgresPool,
  type DatabaseHandle,
  type DatabaseKind,
  kyselyOverPglite,
  kyselyOverPool,
  openAppDatabase,
  openPglite,
  switchToAppRole,
} from './platform/db/database.js';
import { migrateUp, migrationsCurrent } from './platform/db/migrator.js';
import type { Database } from './platform/db/schema.js';
import { ConfigError } from './platform/errors.js';

export interface StartOptions {
  config: Config;
  /** Development start: create keys if missing, apply migrations, seed demo data. */
  mode: 'start' | 'serve';
  /** One-line messages for the operator (stderr by default). */
  say: (line: string) => void;
}

export interface RunningServer {
  app: App;
  url: string;
  database: DatabaseHandle;
  /** The keys it serves with (start-up lines name the verifier trust anchor from them). */
  keys: KeyStore;
  /** Where development writes text messages; null when it does not (production, serve). */
  smsSinkFile: string | null;
  close(): Promise<void>;
}

/**
 * Starts Amparo. Checks come first (port free, keys readable) so a bad configuration stops
 * with one line before anything is created. A new embedded database is built in a scratch
 * directory and renamed into place only when migrated and seeded, so a crash never leaves
 * a half-initialised database behind.
 */
export async function startServer({ config, mode, say }: StartOptions): Promise<RunningServer> {
  await assertPortFree(config.http.host, config.http.port);
  const keys = prepareKeys(config, mode, say);
  const database =
    mode === 'start'
      ? await prepareDatabaseForStart(config, keys, say)
      : await openForServe(config);
  try {
    // The duplicate index is built in the background: at a million persons it takes about a
    // minute, during which enrolments answer 503 with Retry-After and all else is served.
    const app = await build(config, {
      database,
      keys,
      auditTimer: true,
      resumeGrants: true,
      statisticsSchedule: true,
      holdLapseSweep: true,
      audit: { witnesses: witnessesFrom(config.audit) },
      duplicateIndex: 'background',
      notifications: { webhookSecret: process.env.AMPARO_SMS_WEBHOOK_SECRET || undefined },
    });
    if (config.audit.witnessFile === undefined && config.audit.witnessUrl === undefined) {
      // The warning is for a deployment. On a development start with demo data it is a debug
      // line, so that a newcomer's first start stays one serving line.
      const level = mode === 'start' && config.environment !== 'production' ? 'debug' : 'warn';
      app.log[level](
        'no audit witness (AMPARO_AUDIT_WITNESS_FILE, AMPARO_AUDIT_WITNESS_URL): a rollback of the audit log cannot be detected',
      );
    }
    await compareLogWithWitness(app, database.db, config.audit.witnessFile);
    await listenQuietly(app, config.http);
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const url = `http://${config.http.host === '127.0.0.1' ? 'localhost' : config.http.host}:${port}`;
    // The worker reads phones for the texts it sends: each read is audited (the registry's
    // `textContacts`), through an audit log of its own, closed with the server.
    const sinkAudit = await AuditLog.open({ db: database.db, keys });
    const smsSink = startSmsSink(config, mode, app, database, keys, sinkAudit, process.env);
    return {
      app,
      url,
      database,
      keys,
      smsSinkFile: smsSink?.file ?? null,
      async close() {
        await smsSink?.stop();
        await smsSink?.close?.();
        await sinkAudit.close();
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * The outbox worker inside the server. With AMPARO_SMS_PROVIDER set (file, console, smpp) it
 * sends through that provider in every mode; without it development's `amparo start` writes
 * to a file under the data directory, and production's messages wait for a provider (or for
 * `amparo notifications work` in another process).
 */
function startSmsSink(
  config: Config,
  mode: StartOptions['mode'],
  app: App,
  database: DatabaseHandle,
  keys: KeyStore,
  audit: AuditLog,
  env: NodeJS.ProcessEnv,
):
  | (Pick<DevelopmentSmsSink, 'stop'> & { file: string | null; close?: () => Promise<void> })
  | null {
  const onError = (error: unknown) => app.log.error({ err: error }, 'notifications: a pass failed');
  if (env.AMPARO_SMS_PROVIDER) {
    const provider = providerFromEnv(env, {
      db: database.db,
      masterKey: keys.masterKey,
      dataDir: config.dataDir,
      onError,
    });
    const worker = outboxWorker({
      db: database.db,
      masterKey: keys.masterKey,
      provider,
      onError,
      contacts: textContacts(keys.masterKey, audit),
    });
    worker.start();
    return {
      file: provider.name === 'file' ? developmentSmsSinkFile(config.dataDir) : null,
      stop: worker.stop,
      close: () => provider.close(),
    };
  }
  if (mode !== 'start' || config.environment === 'production') return null;
  const sink = developmentSmsSink({
    db: database.db,
    masterKey: keys.masterKey,
    file: developmentSmsSinkFile(config.dataDir),
    onError,
    contacts: textContacts(keys.masterKey, audit),
  });
  sink.start();
  return sink;
}

/** A log shorter than the witness file remembers is logged and alerted; the server starts. */
async function compareLogWithWitness(
  app: App,
  db: Kysely<Database>,
  witnessFile: string | undefined,
): Promise<void> {
  const found = await checkLogAgainstWitness(db, witnessFile, (details) =>
    raiseSecurityAlert(db, 'audit_log_rolled_back', null, details),
  );
  if (found.state === 'rolled_back') {
    app.log.error(
      found,
      'the audit log is shorter than a head in the witness file: it was rolled back or restored (run amparo audit verify)',
    );
  }
}

function prepareKeys(
  config: Config,
  mode: StartOptions['mode'],
  say: (line: string) => void,
): KeyStore {
  if (!keysExist(config.keysDir) && !config.masterKeyBase64) {
    if (mode === 'serve' || config.environment === 'production') {
      throw new ConfigError(
        'AMPARO_KEYS_DIR',
        `${config.keysDir} holds no keys (run: amparo keys init, or mount them)`,
      );
    }
    initKeys(config.keysDir);
    say(
      `Created development keys in ${config.keysDir} (mode 0600). Production keys are provisioned separately.`,
    );
  }
  return loadKeyStore(config.keysDir, config.masterKeyBase64);
}

async function openForServe(config: Config): Promise<DatabaseHandle> {
  if (config.database.kind === 'pglite' && !existsSync(config.database.dataDir)) {
    throw new ConfigError(
      'AMPARO_DB_DIR',
      `${config.database.dataDir} holds no database (run: amparo migrate)`,
    );
  }
  const database = await openAppDatabase(config.database);
  if (!(await migrationsCurrent(database.db))) {
    await database.close();
    throw new ConfigError(
      'DATABASE_URL',
      'the database has pending or edited migrations (run: amparo migrate status)',
    );
  }
  return database;
}

async function prepareDatabaseForStart(
  config: Config,
  keys: KeyStore,
  say: (line: string) => void,
): Promise<DatabaseHandle> {
  if (config.database.kind === 'postgres') {
    const migrator = kyselyOverPool(createPostgresPool(config.database.migrationUrl, 1));
    try {
      await migrateUp(migrator);
    } finally {
      await migrator.destroy();
    }
    const database = await openAppDatabase(config.database);
    await seedIfEmpty(database.db, 'postgres', keys, say);
    return database;
  }
  const { dataDir } = config.database;
  if (!existsSync(dataDir)) await createEmbeddedDatabase(dataDir, keys, say);
  const pglite = await openPglite(dataDir);
  const db = kyselyOverPglite(pglite);
  try {
    await migrateUp(db);
    await switchToAppRole(db);
  } catch (error) {
    await closePglite(db, pglite);
    throw error;
  }
  return { kind: 'pglite', db, close: () => closePglite(db, pglite) };
}

async function createEmbeddedDatabase(
  dataDir: string,
  keys: KeyStore,
  say: (line: string) => void,
): Promise<void> {
  const scratchDir = `${dataDir}.partial-${process.pid}`;
  rmSync(scratchDir, { recursive: true, force: true });
  say(`Creating the embedded database in ${dataDir} …`);
  const pglite = await openPglite(scratchDir);
  const db = kyselyOverPglite(pglite);
  try {
    await migrateUp(db);
    await switchToAppRole(db);
    await seedIfEmpty(db, 'pglite', keys, say);
  } catch (error) {
    await closePglite(db, pglite);
    rmSync(scratchDir, { recursive: true, force: true });
    throw error;
  }
  await closePglite(db, pglite);
  renameSync(scratchDir, dataDir);
}

/**
 * Seeds demo households and demo operator accounts into an empty registry; a registry with
 * anyone in it is left alone. The synthetic population goes through the same import path
 * as a real file (validation, households, UIN redraw, audit per batch), then gets its name
 * search keys. Operator passwords and TOTP secrets are printed this once.
 */
async function seedIfEmpty(
  db: Kysely<Database>,
  databaseKind: DatabaseKind,
  keys: KeyStore,
  say: (line: string) => void,
): Promise<void> {
  const existing = await sql<{
    present: boolean;
  }>`select exists (select 1 from person) or exists (select 1 from operator) as present`.execute(
    db,
  );
  if (existing.rows[0]?.present) return;
  const scratch = mkdtempSync(path.join(tmpdir(), 'amparo-seed-'));
  const auditLog = await AuditLog.open({ db, keys });
  try {
    const options = validatePopulationOptions({
      persons: limits.demo.seedPersons,
      seed: 'amparo-demo',
      duplicateShare: 0.03,
    });
    const file = path.join(scratch, 'demo-population.csv');
    await writePopulation({ ...options, out: file });
    const outcome = await personImporter({
      db,
      databaseKind,
      masterKey: keys.masterKey,
      audit: auditLog,
      facts: await inspectImportFile(file, { format: 'csv' }),
      errorFilePath: path.join(scratch, 'errors.csv'),
    });
    say(
      `Seeded demo data: ${outcome.personsImported} persons in ${outcome.householdsImported} households (synthetic, seed "amparo-demo").`,
    );
    const operators = await createDemoOperators(db, keys.masterKey, auditLog);
    await seedProgramsWith(db, operators, keys, auditLog, say);
    printDemoOperators(operators, say);
  } finally {
    await auditLog.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The three demo programs, published by the two demo program officers (one asks, the other
 * approves) and their first cycle computed, approved and published at today's date (issue #13,
 * point 11). Publication tells each holder through the same notices hook the server wires
 * (`src/app.ts`): queued in the outbox, which the demo's text sink delivers once it serves.
 */
async function seedProgramsWith(
  db: Kysely<Database>,
  operators: readonly DemoOperatorCredentials[],
  keys: KeyStore,
  auditLog: AuditLog,
  say: (line: string) => void,
): Promise<void> {
  const asker = operators.find((operator) => operator.username === 'officer');
  const approver = operators.find((operator) => operator.username === 'officer2');
  if (asker === undefined || approver === undefined) throw new Error('demo officers missing');
  const seeded = await seedDemoPrograms(db, {
    askerId: asker.id,
    approverId: approver.id,
    referenceDate: new Date().toISOString().slice(0, 10),
    onPublished: collectionNotices({
      notifier: personNotifier({
        masterKey: keys.masterKey,
        contacts: textContacts(keys.masterKey, auditLog),
      }),
      areas: personAreas(),
    }),
  });
  say(
    `Seeded demo programs: ${seeded.programs} published, their first cycles approved and published with ${seeded.entitlements} entitlements.`,
  );
}

function printDemoOperators(
  operators: DemoOperatorCredentials[],
  say: (line: string) => void,
): void {
  say('Demo operator accounts (shown only now; add the TOTP secret to an authenticator app):');
  for (const operator of operators) {
    say(
      `  ${operator.username.padEnd(11)} password ${operator.password}  TOTP ${operator.totpSecretBase32}  ${operator.roles.join(',')} in ${operator.regions.join(',')}`,
    );
  }
}

/**
 * Listens without Fastify's own "Server listening at" info line: the command prints the
 * serving line a person reads, so at `info` the JSON copy was only noise. At `debug` it stays.
 */
async function listenQuietly(app: App, http: Config['http']): Promise<void> {
  const level = app.log.level;
  if (level === 'info') app.log.level = 'warn';
  try {
    await app.listen({ host: http.host, port: http.port });
  } finally {
    app.log.level = level;
  }
}

/** Fails with one clear line if the port is taken, before anything is created. */
async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? 'is already in use'
          : `cannot be used (${error.code ?? error.message})`;
      reject(new ConfigError('PORT', `${port} on ${host} ${reason}`));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
