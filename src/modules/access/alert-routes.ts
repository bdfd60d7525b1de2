import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { limits } from '../../limits.js';
import type { Database } from '../../platform/db/schema.js';
import { AlertList } from '../../shared/api/access.js';
import { PurposeQuery } from '../../shared/api/params.js';
import { type AuditRecorder, guardPersonAccess } from './person-access-guard.js';
import { listSecurityAlerts } from './security-alerts.js';

export interface AlertRoutesOptions {
  db: Kysely<Database>;
  audit: AuditRecorder;
}

const AlertQuery = Type.Object(
  {
    ...PurposeQuery.properties,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.pagination.pageSizeMax })),
  },
  { additionalProperties: false },
);

/** Security alerts (bulk reading beyond quota) for auditors, newest first (safeguard 10). */
export const alertRoutes: FastifyPluginAsyncTypebox<AlertRoutesOptions> = async (app, deps) => {
  app.get(
    '/alerts',
    {
      schema: {
        tags: ['access'],
        summary: 'Security alerts, for auditors',
        querystring: AlertQuery,
        response: { 200: AlertList },
      },
    },
    async (request) => {
      const grant = await guardPersonAccess(deps, {
        actor: request.actor,
        action: 'alert.read',
        resource: { type: 'operator', id: null },
        regionCode: null,
        personId: null,
        exists: true,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
        countsAsPersonRead: false,
      });
      const alerts = await listSecurityAlerts(
        deps.db,
        request.query.limit ?? limits.pagination.pageSizeDefault,
      );
      await grant.record([]);
      return { alerts };
    },
  );
};
