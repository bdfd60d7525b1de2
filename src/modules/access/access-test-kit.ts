import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import {
  type BuiltOperator,
  buildOperator,
  buildPerson,
  cheapHashOptions,
} from '../../../test/factories.js';
import { createTestKeyStore } from '../../../test/keys.js';
import { type App, type AppServices, build } from '../../app.js';
import { loadConfig } from '../../config.js';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Role } from '../../shared/access/roles.js';
import { receivedCode } from '../notifications/received-text-test-kit.js';
import type { AuthenticationEvent, SignInAttemptEvent } from './authentication-events.js';

export { cheapHashOptions };

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
    /** Admission bounds (src/platform/http/admission.ts) other than the server's. */
    admission?: AppServices['admission'];
    /** Settings read as from the environment (e.g. `AMPARO_COUNTER_ASSISTED_PER_DAY`). */
    configEnv?: Record<string, string>;
    /** Bounds of the payment PIN guard other than the defaults. */
    pinGuard?: AppServices['pinGuard'];
  } = {},
): Promise<AccessTestApp> {
  const {
    logLines,
    addRoutes,
    rateLimitRequestsMax,
    registrySubscribers,
    admission,
    configEnv,
    pinGuard,
    ...accessOptions
  } = options;
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
    ...configEnv,
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
    ...(admission === undefined ? {} : { admission }),
    ...(pinGuard === undefined ? {} : { pinGuard }),
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

export type TestOperator = BuiltOperator;

/** An operator account with the roles and regions given (see test/factories.ts). */
export function createTestOperator(
  kit: AccessTestApp,
  options: { username: string; roles?: Role[]; regions?: string[]; disabled?: boolean },
): Promise<TestOperator> {
  return buildOperator(kit, options);
}

/** A registered person with a phone (or none), written by the registry's own repository. */
export async function createTestPerson(
  kit: AccessTestApp,
  options: { uin: string; phone: string | null; status?: 'active' | 'deceased' },
): Promise<{ id: string }> {
  const person = await buildPerson(kit, {
    uin: options.uin,
    phone: options.phone,
    attributes: { given_names: 'Prueba' },
    sealed: { address_line: null, disability_status: 'none' },
    ...(options.status === undefined ? {} : { status: options.status }),
  });
  return { id: person.id };
}

/** The `amparo_session` cookie value from a response, if it set one. */
export function sessionCookieFrom(response: {
  cookies: Array<{ name: string; value: string }>;
}): string | undefined {
  return response.cookies.find((cookie) => cookie.name === 'amparo_session')?.value;
}

/** A citizen session for a person, through the SMS sign-in the person would use. */
export async function citizenSession(
  kit: Pick<AccessTestApp, 'app' | 'database' | 'keys'>,
  person: { personId: string; uin: string },
): Promise<{ amparo_session: string }> {
  await kit.app.inject({
    method: 'POST',
    url: '/api/citizen/sign-in/start',
    payload: { uin: person.uin },
  });
  // The code as the phone shows it (the outbox keeps it sealed).
  const code = await receivedCode(
    { db: kit.database.db, masterKey: kit.keys.masterKey },
    { personId: person.personId, templateId: 'citizen.sign_in_code' },
  );
  const verify = await kit.app.inject({
    method: 'POST',
    url: '/api/citizen/sign-in/verify',
    payload: { uin: person.uin, code },
  });
  return { amparo_session: sessionCookieFrom(verify) ?? '' };
}
