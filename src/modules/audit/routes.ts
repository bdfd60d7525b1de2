import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { AmparoError } from '../../platform/errors.js';
import type { AuditLog } from './audit-log.js';
import type { TreeHeadRow } from './audit-repository.js';
import { auditLimits } from './limits.js';
import {
  ConsistencyProofQuery,
  ConsistencyProofResponse,
  InclusionProofQuery,
  InclusionProofResponse,
  TreeHeadList,
  TreeHeadListQuery,
  TreeHeadView,
} from './schema.js';

export interface AuditRoutesOptions {
  auditLog: AuditLog;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The response form of a stored head. */
export function treeHeadView(head: TreeHeadRow): Static<typeof TreeHeadView> {
  return {
    treeSize: head.treeSize,
    rootHash: hex(head.rootHash),
    timestampMs: head.signedAt.getTime(),
    signedAt: head.signedAt.toISOString(),
    keyId: head.keyId,
    signature: hex(head.signature),
  };
}

/**
 * Audit routes under /api/audit: signed tree heads and the proofs that let anyone holding a
 * published head check that history was only ever appended to.
 *
 * @example
 * await app.register(auditRoutes, { auditLog });
 * // GET /api/audit/proofs/inclusion?leafIndex=12&treeSize=1000
 */
export const auditRoutes: FastifyPluginAsyncTypebox<AuditRoutesOptions> = async (
  app,
  { auditLog },
) => {
  const tags = ['audit'];

  // Tree heads are public by design (safeguard 3: they are published), so no role is needed.
  app.get(
    '/api/audit/tree-heads/latest',
    { schema: { tags, summary: 'The latest signed tree head', response: { 200: TreeHeadView } } },
    async () => {
      const head = await auditLog.proofs.latestTreeHead();
      if (head === undefined)
        throw new AmparoError('AMP_NOT_FOUND', { detail: 'No tree head yet' });
      return treeHeadView(head);
    },
  );

  app.get(
    '/api/audit/tree-heads',
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

  // TODO(access): auditor role, and the person themself for a leaf of their own record
  // (the citizen view links each access to this proof).
  app.get(
    '/api/audit/proofs/inclusion',
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
      const view = await auditLog.proofs.inclusionProof(leafIndex, treeSize);
      return { leafIndex, treeSize, leafHash: hex(view.leafHash), proof: view.proof.map(hex) };
    },
  );

  // TODO(access): auditor role.
  app.get(
    '/api/audit/proofs/consistency',
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

  // TODO(access): auditor role (signing on demand costs a lock on the log).
  app.post(
    '/api/audit/tree-heads',
    {
      schema: {
        tags,
        summary: 'Sign a tree head over everything committed now',
        response: { 200: TreeHeadView },
      },
    },
    async () => treeHeadView(await auditLog.signTreeHead()),
  );
};
