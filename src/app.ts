import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import { limits } from './limits.js';
import {
  authenticationAuditEntry,
  signInAuditEntry,
} from './modules/access/authentication-audit.js';
import { passwordHashOptions } from './modules/access/demo-operators.js';
import {
  type AccessOptions,
  accessAdminPlugin,
  accessPlugin,
  auditUnfinishedGrants,
  noteAuditWritten,
} from './modules/access/index.js';
import { guardPersonAccess } from './modules/access/person-access-guard.js';
import { raiseSecurityAlert } from './modules/access/security-alerts.js';
import {
  type AccessGuard,
  AuditLog,
  type AuditLogOptions,
  auditPlugin,
  signingReporters,
} from './modules/audit/index.js';
import { credentialIssuanceFrom } from './modules/credentials/credential-issuer.js';
import { credentialsPlugin, revokeCardsOnRegistryEvents } from './modules/credentials/index.js';
import {
  cancelRedemptionsOnRegistryEvents,
  collectionNotices,
  distributionPlugin,
  offlineListSource,
  settleUnredeemedOnCycleClose,
  startHoldLapseSweep,
} from './modules/distribution/index.js';
import {
  notificationsPlugin,
  type PersonNotifier,
  paymentNotices,
  personNotifier,
} from './modules/notifications/index.js';
import {
  freezeWalletsOnRegistryEvents,
  type PaymentsDependencies,
  paymentsPlugin,
  startPatternScan,
  voidPayoutsOnRegistryEvents,
} from './modules/payments/index.js';
import {
  appealRoutes,
  closeAppealsOnRegistryEvents,
  endEntitlementsOnRegistryEvents,
  programsPlugin,
} from './modules/programs/index.js';
import {
  assistedIdentities,
  personAreas,
  personContacts,
  personRegionLookup,
  RegistryEvents,
  registryPlugin,
  textContacts,
} from './modules/registry/index.js';
import { loadDuplicateChecker } from './modules/registry/review/duplicate-checker.js';
import { startDuplicateChecker } from './modules/registry/review/duplicate-checker-warmup.js';
import {
  type RefreshSchedule,
  startRefreshSchedule,
  statisticsPlugin,
} from './modules/statistics/index.js';
import { systemPlugin } from './modules/system/index.js';
import type { KeyStore } from './platform/crypto/key-store.js';
import type { DatabaseHandle } from './platform/db/database.js';
import { AmparoError } from './platform/errors.js';
import { type AdmissionOptions, installAdmission, isApiPath } from './platform/http/admission.js';
import type { App } from './platform/http/app-type.js';
import {
  clientErrorHandler,
  frameworkErrorHandler,
  installProblemHandler,
} from './platform/http/problem-handler.js';
import { declareProblemResponses, problemSchema } from './platform/http/problem-responses.js';
import {
  memoizedSerializerFactory,
  memoizedValidatorCompiler,
} from './platform/http/schema-compilers.js';
import { createLogger } from './platform/logging.js';
import { appealReference } from './shared/api/appeals.js';
import { aggregateReadModels } from './statistics-read-models.js';

export type { App };

export interface AppServices {
  database: DatabaseHandle;
  keys: KeyStore;
  /** Bounds of the payment PIN guard other than `limits.merchants.pinGuard` (tests). */
  pinGuard?: PaymentsDependencies['pinGuard'];
  /** Sign audit tree heads on a timer (the server does; tests and CLI commands need not). */
  auditTimer?: boolean;
  /**
   * Resume the grants a crash stopped once the app is ready, one process at a time (the
   * server does; tests that test it too).
   */
  resumeGrants?: boolean;
  /**
   * Refresh the published statistics every `config.statistics.refreshEverySeconds`, looking at
   * start and then at least hourly whether one is due (the server does; tests that want it set
   * it, with a shorter `tickMs` between looks).
   */
  statisticsSchedule?: boolean | { tickMs: number };
  /**
   * Text the holder of each hold that lapsed by itself, once per hold, from a sweep at start
   * and then every `limits.distribution.holdLapseSweepEveryMs` (the server does; tests call
   * `holdLapseNotifier` themselves, or pass a shorter `tickMs`).
   */
  holdLapseSweep?: boolean | { tickMs: number };
  /**
   * Where signed tree heads are also written (the server passes the configured witness file
   * and URL; tests their own or none), and signing timings that tests shorten.
   */
  audit?: Pick<
    AuditLogOptions,
    'witnesses' | 'signEveryMs' | 'signLockTimeoutMs' | 'signRetryDelayMs'
  >;
  /** Requests per client address per minute; tests that drive whole matrices raise it. */
  rateLimitRequestsMax?: number;
  /** Requests in flight before the rest are shed (503); tests lower it to hold a few. */
  admission?: Partial<AdmissionOptions>;
  /** Overrides for the access plugin: tests pass a clock and cheap password hashing. */
  access?: Partial<
    Pick<
      AccessOptions,
      | 'clock'
      | 'passwordHashOptions'
      | 'signInRequestsPerMinuteMax'
      | 'secureCookies'
      | 'onSignInAttempt'
      | 'onAuthenticationEvent'
    >
  >;
  /** Where log lines go; standard output when absent. Tests pass a capturing stream. */
  logDestination?: DestinationStream;
  /**
   * The enrolment-time duplicate index: 'background' (the server) starts taking requests at
   * once and holds enrolments back (503, Retry-After) until the index is built; 'wait' (the
   * default: tests, CLI commands) builds it before `build` returns.
   */
  duplicateIndex?: 'background' | 'wait';
  /** The secret an HTTP SMS gateway signs its receipts with (AMPARO_SMS_WEBHOOK_SECRET). */
  notifications?: { webhookSecret?: string };
  /**
   * More subscribers to the registry's lifecycle events, after the modules' own: tests watch
   * what is published, or make a subscriber fail to see the registry write roll back.
   */
  registrySubscribers?: (events: RegistryEvents) => void;
}

/**
 * Builds the HTTP application without listening: `main.ts` listens, tests use `inject()`.
 *
 * @example
 *   const app = await build(config, { database });
 *   const response = await app.inject({ method: 'GET', url: '/healthz' });
 */
export async function build(config: Config, services: AppServices): Promise<App> {
  const logger: FastifyBaseLogger = createLogger(config.logLevel, services.logDestination);
  const app = Fastify({
    loggerInstance: logger,
    genReqId: () => randomUUID(),
    bodyLimit: limits.http.bodyBytesMax,
    requestTimeout: limits.http.requestTimeoutMs,
    // Errors before routing (an over-long path segment: 414) and while Node.js parses the
    // request (over-long URL or headers: 431) are problem+json too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Each distinct response schema is compiled once per process (schema-compilers.ts).
    schemaController: { compilersFactory: { buildSerializer: memoizedSerializerFactory } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox validation: strict (no silent removal of unknown fields, no coercion of bodies),
  // so that an attribute Amparo does not hold is refused rather than quietly dropped.
  app.setValidatorCompiler(memoizedValidatorCompiler);
  // A request refused or failed after the access gate let it through has each grant it did
  // not record audited as denied, with the answer's code, before it is answered.
  installProblemHandler(app, { beforeAnswer: auditUnfinishedGrants });
  // Every route's OpenAPI entry lists the problem answers it can give (one shared schema).
  app.addSchema(problemSchema());
  app.addHook('onRoute', declareProblemResponses);
  // Every answer names its request id, so a user reporting a problem can quote it and an
  // auditor can find the matching audit entries and log lines.
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  // Before the rate limit and every module's hook: a request shed for overload is counted
  // nowhere (src/platform/http/admission.ts).
  installAdmission(app, { ...limits.http.admission, ...services.admission });
  await app.register(fastifyRateLimit, {
    max: services.rateLimitRequestsMax ?? limits.http.rateLimitRequestsMax,
    timeWindow: limits.http.rateLimitWindowMs,
    // The console's own files (its scripts, styles and index.html for its addresses) carry no
    // data and touch no database, as admission already treats them. Counted per address, an
    // office behind one address loading the console was refused its lazily loaded scripts (429:
    // a blank page, seen in the console's browser tests). The API stays limited.
    allowList: (request) =>
      (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(request.url),
    errorResponseBuilder: (_request, context) =>
      new AmparoError('AMP_RATE_LIMITED', { detail: `Retry after ${context.after}` }),
  });
  await registerOpenApi(app);

  const { db } = services.database;
  const auditLog = await AuditLog.open({
    db,
    keys: services.keys,
    ...services.audit,
    // The gate learns which grants have their entry, whoever wrote it.
    onWritten: noteAuditWritten,
    ...signingReporters({
      log: app.log,
      raiseAlert: (status) => raiseSecurityAlert(db, 'audit_signing_failed', null, { ...status }),
    }),
  });
  if (services.auditTimer) auditLog.startTimer();
  app.addHook('onClose', async () => auditLog.close());

  // Authentication first: its hook must run before every module's routes.
  await app.register(accessPlugin, {
    db,
    masterKey: services.keys.masterKey,
    // Access sits below the registry: who an ID number names and their phone come through a port.
    contacts: personContacts({ db, masterKey: services.keys.masterKey }),
    secureCookies: config.environment === 'production',
    audit: auditLog,
    ...services.access,
    // Every attempt is audited; an observer given by the caller (tests) sees it afterwards.
    onSignInAttempt: async (event, request) => {
      await auditLog.append(signInAuditEntry(event, request));
      await services.access?.onSignInAttempt?.(event, request);
    },
    onAuthenticationEvent: async (event, request) => {
      const entry = authenticationAuditEntry(event, request);
      if (entry) await auditLog.append(entry);
      await services.access?.onAuthenticationEvent?.(event, request);
    },
  });
  const duplicates = await duplicateCheckerFor(app, db, services.duplicateIndex ?? 'wait');
  // Modules above notifications tell a person something through this one notifier, inside
  // their own transaction; the phone and language come from the registry through the port.
  const notifier = personNotifier({
    masterKey: services.keys.masterKey,
    contacts: textContacts(services.keys.masterKey, auditLog),
    ...(services.access?.clock ? { now: services.access.clock } : {}),
  });
  const registryEvents = registryEventsFor(services, notifier);
  await app.register(systemPlugin, {
    db,
    duplicateIndex: duplicates.status,
    auditSigning: () => auditLog.signingStatus(),
  });
  // Each module's routes are one plugin under its own prefix. Audit imports no module: the
  // guard and the person's region are injected (its ports).
  const guard: AccessGuard = (access) => guardPersonAccess({ db, audit: auditLog }, access);
  await app.register(auditPlugin, {
    prefix: '/api',
    db,
    auditLog,
    keys: services.keys,
    guard,
    personRegion: personRegionLookup(db),
    // The offline lists (point snapshots) that held the person, in their history: distribution
    // reads them, with the areas the registry says the person lived in.
    offlineLists: offlineListSource(personAreas()),
  });
  // Notifications sits below access and the registry: the same guard and region lookup.
  await app.register(notificationsPlugin, {
    prefix: '/api',
    db,
    masterKey: services.keys.masterKey,
    webhookSecret: services.notifications?.webhookSecret,
    guard,
    personRegion: personRegionLookup(db),
    now: services.access?.clock,
  });
  await app.register(accessAdminPlugin, {
    prefix: '/api',
    db,
    audit: auditLog,
    masterKey: services.keys.masterKey,
    hashOptions: services.access?.passwordHashOptions ?? passwordHashOptions,
    now: services.access?.clock ?? (() => new Date()),
  });
  await app.register(registryPlugin, {
    prefix: '/api',
    db,
    audit: auditLog,
    masterKey: services.keys.masterKey,
    databaseKind: services.database.kind,
    duplicates: duplicates.checker,
    events: registryEvents,
  });
  await app.register(appealRoutes, {
    prefix: '/api',
    db,
    audit: auditLog,
    masterKey: services.keys.masterKey,
    // The person is told that their appeal was decided (never how: they read it signed in), in
    // the decision's own transaction.
    onDecided: async (trx, decided) => {
      await notifier.notify(trx, decided.personId, {
        event: 'appeal_decided',
        reference: appealReference(decided.appealId),
      });
    },
  });
  await app.register(programsPlugin, {
    prefix: '/api',
    db,
    audit: auditLog,
    // Distribution expires what was not taken, or carries it over, in the closing transaction.
    onCycleClosing: settleUnredeemedOnCycleClose,
    masterKey: services.keys.masterKey,
    ...(services.resumeGrants === true ? { resumeGrants: true } : {}),
    // Each holder of a published cycle is told where to collect (distribution knows the points;
    // the registry, through the port, where the person lives), in the publication's transaction.
    onCyclePublished: collectionNotices({
      notifier,
      areas: personAreas(),
      ...(services.access?.clock ? { now: services.access.clock } : {}),
    }),
  });
  await app.register(credentialsPlugin, {
    prefix: '/api',
    db,
    audit: auditLog,
    keys: services.keys,
    issuance: credentialIssuanceFrom(config.cards),
    notifier,
  });
  await app.register(distributionPlugin, {
    prefix: '/api',
    db,
    audit: auditLog,
    keys: services.keys,
    // Redemption without the card: the person by ID number, the photo and household on file
    // (the registry's port), and the one-time code texted through the one notifier.
    identities: assistedIdentities(services.keys.masterKey),
    // Whose supervisors may hold a person's entitlement: the person's region (the registry's port).
    personRegion: personRegionLookup(db),
    notifier,
    issuerName: config.cards.issuerName,
    // The daily bound without the card and the offline snapshot's life, as the agency set them.
    settings: config.distribution,
  });
  // The PIN guard's bounds: the configured window after a change of phone, then any the
  // composition (the tests) passes.
  const pinGuardSettings = {
    phoneChangeWindowMs: config.merchants.pinPhoneChangeDays * 86_400_000,
    ...services.pinGuard,
  };
  await app.register(paymentsPlugin, {
    prefix: '/api',
    db,
    audit: auditLog,
    // Payout creditors are sealed under the paid person's data key (payouts/creditor-seal.ts).
    masterKey: services.keys.masterKey,
    // Payment requests are signed with a key derived from the master key; a card at a
    // merchant's counter is verified against the issuer keys; PINs hash like passwords.
    keys: services.keys,
    pinHashOptions: services.access?.passwordHashOptions ?? passwordHashOptions,
    ...(services.access?.clock ? { now: services.access.clock } : {}),
    // "Payment received" is queued in the ledger batch's transaction that credits the wallet.
    onWalletCredited: paymentNotices(notifier),
    // The one notifier texts a payment's code at the counter without the card, a PIN's
    // second-check code, "your PIN was changed" and "a payment left your wallet"; each merchant
    // may start so many tries without the card a day.
    notifier,
    counterAssistedPerDayMax: config.merchants.counterAssistedPerDay,
    pinGuard: pinGuardSettings,
  });
  // The holder of a hold that lapsed by itself is texted once (the lapse itself is read at now).
  if (services.holdLapseSweep) {
    const { holdLapseSweep } = services;
    let stopSweep: (() => Promise<void>) | null = null;
    app.addHook('onReady', async () => {
      stopSweep = startHoldLapseSweep(
        {
          db,
          notifier,
          ...(services.access?.clock ? { now: services.access.clock } : {}),
          ...(typeof holdLapseSweep === 'object' ? { tickMs: holdLapseSweep.tickMs } : {}),
        },
        app.log,
      );
    });
    app.addHook('onClose', async () => stopSweep?.());
  }
  // Alerts to auditors on payment patterns (many wallets paying one merchant within minutes),
  // scanned over the ledger beside the audit signing timer.
  if (services.auditTimer) {
    const stopPatternScan = startPatternScan(db, app.log, {
      ...limits.merchants.pinGuard,
      ...pinGuardSettings,
    });
    app.addHook('onClose', async () => stopPatternScan());
  }
  // Statistics reads only the aggregate read models the owning modules publish, refreshed on
  // the configured schedule in the server (one process at a time, by the schedule's lease).
  const refreshEverySeconds = services.statisticsSchedule
    ? config.statistics.refreshEverySeconds
    : null;
  if (refreshEverySeconds !== null) {
    const { statisticsSchedule } = services;
    // The first tick comes once the app is ready, not while the plugins load.
    let schedule: RefreshSchedule | null = null;
    app.addHook('onReady', async () => {
      schedule = startRefreshSchedule({
        db,
        models: aggregateReadModels(),
        everySeconds: refreshEverySeconds,
        ...(typeof statisticsSchedule === 'object' ? { tickMs: statisticsSchedule.tickMs } : {}),
        log: app.log,
      });
    });
    app.addHook('onClose', async () => schedule?.stop());
  }
  await app.register(statisticsPlugin, { prefix: '/api', db, guard, refreshEverySeconds });
  await app.register(
    async (api) => {
      api.get('/', { schema: { hide: true } }, async () => ({ name: 'amparo', docs: '/api/docs' }));
    },
    { prefix: '/api' },
  );
  if (existsSync(config.webDir)) await registerConsole(app, config.webDir);
  return app;
}

/**
 * The registry's lifecycle events and who acts on them. The registry publishes a death, a merge
 * or an erasure inside the write's transaction and imports none of its subscribers: modules
 * above it subscribe here. Credentials revokes the person's card; an enrolment is texted;
 * programs ends entitlements; distribution cancels their redemption state; payments freezes
 * the person's wallets and voids their payouts not yet sent to the bank (flagging those sent).
 */
function registryEventsFor(services: AppServices, notifier: PersonNotifier): RegistryEvents {
  const events = new RegistryEvents();
  // Notifications sits below the registry and cannot subscribe itself: the enrolment text.
  events.on('personEnrolled', async (trx, { personId }) => {
    await notifier.notify(trx, personId, { event: 'enrolled' });
  });
  revokeCardsOnRegistryEvents(events);
  endEntitlementsOnRegistryEvents(events);
  closeAppealsOnRegistryEvents(events);
  cancelRedemptionsOnRegistryEvents(events);
  freezeWalletsOnRegistryEvents(events);
  voidPayoutsOnRegistryEvents(events);
  services.registrySubscribers?.(events);
  return events;
}

/**
 * Serves the built console (`web/dist`) at `/`. Files present at start-up are served as they
 * are (hashed assets cached for a year); any other GET outside `/api` answers `index.html`, so
 * a bookmarked or reloaded console address (`/persons/…`) opens the console, which routes it.
 */
async function registerConsole(app: App, webDir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: webDir,
    wildcard: false,
    setHeaders: (reply, filePath) => {
      const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '';
    // API paths and file-like paths that do not exist stay 404 problems, never the page.
    if (pathname === '/api' || pathname.startsWith('/api/') || /\.[a-z0-9]+$/i.test(pathname)) {
      throw new AmparoError('AMP_ROUTE_NOT_FOUND', { detail: 'GET has no route here' });
    }
    return reply.sendFile('index.html');
  });
}

async function registerOpenApi(app: App): Promise<void> {
  await app.register(fastifySwagger, {
    // Shared schemas (`Problem`) appear under their own name in components/schemas.
    refResolver: {
      buildLocalReference: (json, _base, _fragment, index) => String(json.$id ?? `def-${index}`),
    },
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Amparo API',
        description:
          'Identity credentials and social-benefit delivery, with safeguards against misuse.',
        version: '0.1.0',
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () =>
    app.swagger(),
  );
}

/**
 * The enrolment-time duplicate checker and its state for `/readyz`. In the background mode
 * a refused check is a `DuplicateIndexWarmingError`, whose Retry-After the problem handler
 * sends like any AmparoError's.
 */
async function duplicateCheckerFor(
  app: App,
  db: DatabaseHandle['db'],
  mode: 'background' | 'wait',
) {
  if (mode === 'wait') {
    const checker = await loadDuplicateChecker(db);
    const status = () => ({
      state: 'ready' as const,
      indexedPersons: checker.size,
      retryAfterSeconds: null,
    });
    return { checker, status };
  }
  // Built once the server is ready to listen, not while the plugins load: at 2,000 persons
  // reading and indexing the registry took about half a second of a start-up's CPU, and
  // /readyz never waited for it. setImmediate lets listen() bind the socket first.
  const serving = new Promise<void>((resolve) => {
    app.addHook('onReady', async () => {
      setImmediate(resolve);
    });
  });
  const checker = startDuplicateChecker(db, {
    log: (level, message, fields) => app.log[level](fields, message),
    startAfter: serving,
  });
  app.addHook('onClose', async () => checker.close());
  return { checker, status: () => checker.status() };
}
