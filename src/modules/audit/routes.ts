import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import type { AccessGuard } from '../../shared/access/guard-port.js';
import { TreeHeadView } from '../../shared/api/audit.js';
import { auditEntryRoutes } from './audit-entry-routes.js';
import type { AuditLog } from './audit-log.js';
import { personOfLeaf } from './audit-repository.js';
import { auditLimits } from './limits.js';
import {
  ConsistencyProofQuery,
  ConsistencyProofResponse,
  InclusionProofQuery,
  InclusionProofResponse,
  SignNowQuery,
  TreeHeadList,
  TreeHeadListQuery,
} from './schema.js';
import { treeHeadView } from './tree-head-view.js';

// Re-exported: the CLI and tests have long imported it from here.
export { treeHeadView };

export interface AuditRoutesOptions {
  auditLog: AuditLog;
  db: Kysely<Database>;
  /** The person-access guard, injected by `src/app.ts` (audit imports no module). */
  guard: AccessGuard;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * Audit routes under /api/audit: signed tree heads and the proofs that let anyone holding a
 * published head check that history was only ever appended to.
 *
 * @example
 * await app.register(auditRoutes, { auditLog, db, guard });
 * // GET /api/audit/proofs/inclusion?leafIndex=12&treeSize=1000
 */
export const auditRoutes: FastifyPluginAsyncTypebox<AuditRoutesOptions> = async (
  app,
  { auditLog, db, guard },
) => {
  const tags = ['audit'];
  await app.register(auditEntryRoutes, { db, guard });

  // Tree heads are public by design (safeguard 3: they are published), so no role is needed.
  app.get(
    '/audit/tree-heads/latest',
    { schema: { tags, summary: 'The latest signed tree head', response: { 200: TreeHeadView } } },
    async () => {
      const head = await auditLog.proofs.latestTreeHead();
      if (head === undefined)
        throw new AmparoError('AMP_NOT_FOUND', { detail: 'No tree head yet' });
      return treeHeadView(head);
    },
  );

  app.get(
    '/audit/tree-heads',
    {
      schema: {
        tags,
        summary: 'Signed tree heads from a size on, smallest first',
        querystring: TreeHeadListQuery,
        response: { 200: TreeHeadList },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? auditLimits.treeHeadPageSizeMax;
      const heads = await auditLog.proofs.treeHeads(request.query.from ?? 0, limit);
      const last = heads.at(-1);
      return {
        treeHeads: heads.map(treeHeadView),
        nextFrom: heads.length === limit && last ? last.treeSize + 1 : null,
      };
    },
  );

  // An auditor, or the person themself for an entry about their own record.
  app.get(
    '/audit/proofs/inclusion',
    {
      schema: {
        tags,
        summary: 'Inclusion proof of one entry in the tree of a given size',
        querystring: InclusionProofQuery,
        response: { 200: InclusionProofResponse },
      },
    },
    async (request) => {
      const { leafIndex, treeSize } = request.query;
      const personId = await personOfLeaf(db, leafIndex);
      const grant = await guard({
        actor: request.actor,
        action: request.actor?.kind === 'citizen' ? 'person.access_history' : 'audit.read',
        resource: { type: 'audit', id: null },
        regionCode: null,
        personId,
        exists: true,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
        countsAsPersonRead: false,
      });
      await grant.record([]);
      const view = await auditLog.proofs.inclusionProof(leafIndex, treeSize);
      return { leafIndex, treeSize, leafHash: hex(view.leafHash), proof: view.proof.map(hex) };
    },
  );

  // Public like the tree heads: a consistency proof is hashes only and reveals no entry.
  app.get(
    '/audit/proofs/consistency',
    {
      schema: {
        tags,
        summary: 'Consistency proof between two tree sizes',
        querystring: ConsistencyProofQuery,
        response: { 200: ConsistencyProofResponse },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      const view = await auditLog.proofs.consistencyProof(from, to);
      return { from, to, proof: view.proof.map(hex) };
    },
  );

  // Auditors only: signing on demand takes the log's lock.
  app.post(
    '/audit/tree-heads',
    {
      schema: {
        tags,
        summary: 'Sign a tree head over everything committed now (auditors)',
        querystring: SignNowQuery,
        response: { 200: TreeHeadView },
      },
    },
    async (request) => {
      const grant = await guard({
        actor: request.actor,
        action: 'audit.read',
        resource: { type: 'audit', id: null },
        regionCode: null,
        personId: null,
        exists: true,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
        countsAsPersonRead: false,
      });
      await grant.record([]);
      return treeHeadView(await auditLog.signTreeHead());
    },
  );
};
