import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import { AccessHistoryResponse, AuditKeysResponse } from '../../shared/api/audit.js';
import { PersonIdParams, PurposeQuery } from '../../shared/api/params.js';
import { type AccessHistoryDependencies, accessHistoryReader } from './access-history.js';

export interface AccessHistoryRoutesOptions extends AccessHistoryDependencies {
  keys: Pick<KeyStore, 'auditSigning'>;
}

const HistoryQuery = Type.Object(
  {
    ...PurposeQuery.properties,
    cursor: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

/**
 * The person's view of who looked at their record (safeguard 4), and the audit public key
 * that lets anyone check the signed tree heads.
 */
export const accessHistoryRoutes: FastifyPluginAsyncTypebox<AccessHistoryRoutesOptions> = async (
  app,
  deps,
) => {
  app.get(
    '/persons/:personId/access-history',
    {
      schema: {
        tags: ['audit'],
        summary:
          'Every access to a person record, each with an inclusion proof (the person themself, or an auditor)',
        params: PersonIdParams,
        querystring: HistoryQuery,
        response: { 200: AccessHistoryResponse },
      },
    },
    async (request) =>
      accessHistoryReader(deps, {
        actor: request.actor,
        personId: request.params.personId,
        purpose: request.query.purpose ?? null,
        cursor: request.query.cursor,
        limit: request.query.limit,
        requestId: request.id,
      }),
  );

  // Public by design: tree heads are published, and this is the key that checks them.
  app.get(
    '/audit/keys',
    {
      schema: {
        tags: ['audit'],
        summary: 'Public keys that sign audit tree heads',
        response: { 200: AuditKeysResponse },
      },
    },
    async () => ({
      keys: [
        {
          keyId: deps.keys.auditSigning.kid,
          algorithm: 'Ed25519' as const,
          publicKey: deps.keys.auditSigning.publicKey
            .export({ format: 'der', type: 'spki' })
            .subarray(-32)
            .toString('hex'),
        },
      ],
    }),
  );
};
