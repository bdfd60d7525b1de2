import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import { limits } from './limits.js';
import { systemRoutes } from './modules/system/routes.js';
import type { DatabaseHandle } from './platform/db/database.js';
import { AmparoError } from './platform/errors.js';
import { installProblemHandler } from './platform/http/problem-handler.js';
import { createLogger } from './platform/logging.js';

/** The application type every module plugin receives. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface AppServices {
  database: DatabaseHandle;
  /** Where log lines go; standard output when absent. Tests pass a capturing stream. */
  logDestination?: DestinationStream;
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
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox validation: strict (no silent removal of unknown fields, no coercion of bodies),
  // so that an attribute Amparo does not hold is refused rather than quietly dropped.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  installProblemHandler(app);

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
  await app.register(fastifyRateLimit, {
    max: limits.http.rateLimitRequestsMax,
    timeWindow: limits.http.rateLimitWindowMs,
    errorResponseBuilder: (_request, context) =>
      new AmparoError('AMP_RATE_LIMITED', { detail: `Retry after ${context.after}` }),
  });
  await registerOpenApi(app);

  await app.register(systemRoutes, { db: services.database.db });
  await app.register(
    async (api) => {
      api.get('/', { schema: { hide: true } }, async () => ({ name: 'amparo', docs: '/api/docs' }));
    },
    { prefix: '/api' },
  );
  if (existsSync(config.webDir)) {
    await app.register(fastifyStatic, { root: config.webDir, wildcard: false });
  }
  return app;
}

async function registerOpenApi(app: App): Promise<void> {
  await app.register(fastifySwagger, {
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
