import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { hash, type Options } from '@node-rs/argon2';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { createTestKeyStore } from '../../../test/keys.js';
import { type App, type AppServices, build } from '../../app.js';
import { loadConfig } from '../../config.js';
import { blindIndex, newDataKey, seal, wrapDataKey } from '../../platform/crypto/envelope.js';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Role } from '../../shared/access/roles.js';
import { sealVersion } from '../registry/persons/sealed-attributes.js';
import type { AuthenticationEvent, SignInAttemptEvent } from './authentication-events.js';
import { totpCode, totpStep } from './totp.js';

/** argon2id at its smallest legal cost: tests check behaviour, not hashing strength. */
export const cheapHashOptions: Options = {
  algorithm: 2,
  memoryCost: 1024,
  timeCost: 1,
  parallelism: 1,
};

export interface AccessTestApp {
  app: App;
  database: TestDatabase;
  masterKey: Buffer;
  /** All key material the app was built with (audit signing key included). */
  keys: KeyStore;
  /** The clock the plugin sees; move it with `advance`. */
  now: () => Date;
  advance: (ms: number) => void;
  signInAttempts: SignInAttemptEvent[];
  events: AuthenticationEvent[];
  close: () => Promise<void>;
}

/**
 * The application from `build()` with the access plugin registered the way `app.ts` will,
 * on a throwaway database, with a clock the test controls.
 */
export async function buildAccessTestApp(
  options: {
    secureCookies?: boolean;
    signInRequestsPerMinuteMax?: number;
    rateLimitRequestsMax?: number;
    logLines?: string[];
    /** Adds routes (as another module would) before the application is ready. */
    addRoutes?: (app: App) => void;
    /** Subscribes to the registry's lifecycle events after the modules' own subscribers. */
    registrySubscribers?: AppServices['registrySubscribers'];
  } = {},
): Promise<AccessTestApp> {
  const { logLines, addRoutes, rateLimitRequestsMax, registrySubscribers, ...accessOptions } =
    options;
  const database = await createTestDatabase();
  const masterKey = randomBytes(32);
  const keys: KeyStore = { ...createTestKeyStore(), masterKey };
  // A fixed start far from step boundaries keeps TOTP arithmetic in tests readable.
  let nowMs = Date.UTC(2030, 0, 15, 9, 0, 10);
  const signInAttempts: SignInAttemptEvent[] = [];
  const events: AuthenticationEvent[] = [];
  const config = loadConfig({
    LOG_LEVEL: logLines ? 'info' : 'silent',
    AMPARO_WEB_DIR: '/nonexistent',
  });
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      logLines?.push(String(chunk));
      done();
    },
  });
  // The plugin is registered by build(), exactly as in the server; the kit only observes.
  const app = await build(config, {
    database: database.handle,
    keys,
    logDestination,
    ...(rateLimitRequestsMax === undefined ? {} : { rateLimitRequestsMax }),
    ...(registrySubscribers === undefined ? {} : { registrySubscribers }),
    access: {
      clock: () => new Date(nowMs),
      passwordHashOptions: cheapHashOptions,
      ...accessOptions,
      onSignInAttempt: (event) => {
        signInAttempts.push(event);
      },
      onAuthenticationEvent: (event) => {
        events.push(event);
      },
    },
  });
  addRoutes?.(app);
  await app.ready();
  return {
    app,
    database,
    masterKey,
    keys,
    now: () => new Date(nowMs),
    advance: (ms) => {
      nowMs += ms;
    },
    signInAttempts,
    events,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

export interface TestOperator {
  id: string;
  username: string;
  password: string;
  totpSecret: Buffer;
  /** The TOTP code for the test clock's current step, plus `stepOffset`. */
  totp: (stepOffset?: number) => string;
}

export async function createTestOperator(
  kit: AccessTestApp,
  options: { username: string; roles?: Role[]; regions?: string[]; disabled?: boolean },
): Promise<TestOperator> {
  const id = randomUUID();
  const password = `${options.username} ${randomBytes(9).toString('base64url')}`;
  const totpSecret = randomBytes(20);
  // As the migrator: the application role may not grant roles without a second administrator
  // (migration 0022); a test's fixtures are set up the way a database owner would.
  const values = {
    id,
    username: options.username,
    display_name: `Test ${options.username}`,
    password_hash: await hash(password, cheapHashOptions),
    totp_secret_sealed: seal(kit.masterKey, totpSecret, {
      table: 'operator',
      column: 'totp_secret',
      recordId: id,
    }),
    roles: options.roles ?? ['enrolment_clerk'],
    regions: options.regions ?? ['VE-A'],
    disabled_at: options.disabled ? kit.now() : null,
  };
  await kit.database.asAdmin((admin) => admin.insertInto('operator').values(values).execute());
  return {
    id,
    username: options.username,
    password,
    totpSecret,
    totp: (stepOffset = 0) => totpCode(totpSecret, totpStep(kit.now().getTime()) + stepOffset),
  };
}

/** A registered person with a phone (or none) sealed the way the population loader does. */
export async function createTestPerson(
  kit: AccessTestApp,
  options: { uin: string; phone: string | null; status?: 'active' | 'deceased' },
): Promise<{ id: string }> {
  const id = randomUUID();
  const dataKey = newDataKey();
  const db = kit.database.db;
  await db
    .insertInto('person')
    .values({ id, uin: options.uin, region_code: 'VE-A', merged_into: null })
    .execute();
  await db
    .insertInto('person_key')
    .values({
      person_id: id,
      wrapped_key: wrapDataKey(kit.masterKey, dataKey, id),
      shredded_at: null,
    })
    .execute();
  const sensitive = { phone: options.phone, address_line: null, disability_status: 'none' };
  await db
    .insertInto('person_version')
    .values({
      person_id: id,
      version: 1,
      attributes: { given_names: 'Prueba' },
      sealed_attributes: sealVersion(dataKey, id, 1, sensitive),
      reason: 'demo',
      recorded_by: null,
    })
    .execute();
  if (options.phone) {
    await db
      .insertInto('person_blind_index')
      .values({
        person_id: id,
        kind: 'phone',
        digest: blindIndex(kit.masterKey, 'phone', options.phone),
      })
      .execute();
  }
  if (options.status && options.status !== 'active') {
    await kit.database.asAdmin((admin) =>
      admin.updateTable('person').set({ status: options.status }).where('id', '=', id).execute(),
    );
  }
  return { id };
}

/** The `amparo_session` cookie value from a response, if it set one. */
export function sessionCookieFrom(response: {
  cookies: Array<{ name: string; value: string }>;
}): string | undefined {
  return response.cookies.find((cookie) => cookie.name === 'amparo_session')?.value;
}
