import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../../platform/db/schema.js';
import type { AccessGuard } from '../../shared/access/guard-port.js';
import { AuditEntryList } from '../../shared/api/audit.js';
import { PurposeQuery } from '../../shared/api/params.js';
import {
  auditEntryLister,
  auditEntryPageSizeDefault,
  auditEntryPageSizeMax,
} from './audit-entry-listing.js';

export const AuditEntryListQuery = Type.Object(
  {
    purpose: PurposeQuery.properties.purpose,
    before: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Entries below this leaf index' }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: auditEntryPageSizeMax,
        description: `Entries per page (default ${auditEntryPageSizeDefault})`,
      }),
    ),
    action: Type.Optional(
      Type.String({
        pattern: '^[a-z_]+\\.[a-z_]+$',
        maxLength: 64,
        description: 'e.g. person.read',
      }),
    ),
    outcome: Type.Optional(Type.Union([Type.Literal('allowed'), Type.Literal('denied')])),
  },
  { additionalProperties: false },
);

/**
 * `GET /api/audit/entries`: the log's entries for auditors, newest first, a bounded page at a
 * time, optionally one action or outcome only. Audited as `audit.read`.
 *
 * @example
 * await app.register(auditEntryRoutes, { db, guard }); // GET /api/audit/entries?purpose=audit
 */
export const auditEntryRoutes: FastifyPluginAsyncTypebox<{
  db: Kysely<Database>;
  guard: AccessGuard;
}> = async (app, deps) => {
  app.get(
    '/audit/entries',
    {
      schema: {
        tags: ['audit'],
        summary:
          'Audit log entries, newest first, filtered by action or outcome (auditors; audited)',
        querystring: AuditEntryListQuery,
        response: { 200: AuditEntryList },
      },
    },
    async (request, reply) => {
      const { purpose, ...filter } = request.query;
      const page = await auditEntryLister(
        deps,
        { actor: request.actor, purpose: purpose ?? null, requestId: request.id },
        filter,
      );
      return reply.header('cache-control', 'no-store').send(page);
    },
  );
};
