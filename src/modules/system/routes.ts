import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { migrationsCurrent } from '../../platform/db/migrator.js';
import type { Database } from '../../platform/db/schema.js';
import type { AuditSigningStatus } from '../audit/index.js';
import type { DuplicateIndexStatus } from '../registry/index.js';
import { HealthResponse, ReadinessResponse } from './schema.js';

export interface SystemRoutesOptions {
  db: Kysely<Database>;
  /** The enrolment-time duplicate index's state, reported by `/readyz`. */
  duplicateIndex?: () => DuplicateIndexStatus;
  /** Background signing of audit tree heads, reported by `/readyz`. */
  auditSigning?: () => AuditSigningStatus;
}

/**
 * Liveness and readiness for orchestrators. `/healthz` answers while the process runs;
 * `/readyz` answers 200 only when the database is reachable and every migration is applied.
 * It also reports the duplicate index (warming, ready, failed) without letting it decide:
 * a warming index holds back enrolments only (503 with Retry-After), not the whole service.
 *
 * Failing audit signing makes the answer `degraded` with 200, not 503: entries are still
 * appended (each under its MAC) and every instance shares the one database, so taking them
 * all out of rotation would stop the service without making the log any safer. The detail
 * (`auditSigning`) and the auditors' alert say what is wrong (modules/audit/README.md).
 */
export const systemRoutes: FastifyPluginAsyncTypebox<SystemRoutesOptions> = async (
  app,
  { db, duplicateIndex, auditSigning },
) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        summary: 'The process is alive',
        response: { 200: HealthResponse },
      },
      config: { rateLimit: false },
      // Probes poll every few seconds: logging each at info would bury the real requests.
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['system'],
        summary: 'The database is reachable and migrations are current',
        response: { 200: ReadinessResponse, 503: ReadinessResponse },
      },
      config: { rateLimit: false },
      // Probes poll every few seconds: logging each at info would bury the real requests.
      logLevel: 'warn',
    },
    async (request, reply) => {
      let current: boolean;
      try {
        current = await migrationsCurrent(db);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check: database unreachable');
        return reply
          .code(503)
          .send({ status: 'not_ready', database: 'unreachable', migrations: 'unknown' });
      }
      if (!current) {
        return reply.code(503).send({ status: 'not_ready', database: 'ok', migrations: 'pending' });
      }
      const signing = auditSigning?.();
      return {
        status: signing?.state === 'failing' ? ('degraded' as const) : ('ready' as const),
        database: 'ok' as const,
        migrations: 'current' as const,
        ...(duplicateIndex === undefined ? {} : { duplicateIndex: duplicateIndex() }),
        ...(signing === undefined ? {} : { auditSigning: signing }),
      };
    },
  );
};
