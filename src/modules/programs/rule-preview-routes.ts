import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { purposes } from '../../shared/access/actor.js';
import { RulePreviewSchema } from '../../shared/api/program-rules.js';
import { previewCellKeySecret, rulePreview } from './eligibility/rule-preview.js';
import type { SealedPool } from './eligibility/sealed-pool.js';
import { type GateDependencies, gateProgram, programScope } from './program-gate.js';
import { findProgram, findVersion } from './program-repository.js';
import { evaluableVersion, storedVersion } from './stored-version.js';

const PreviewQuery = Type.Object(
  {
    purpose: Type.Optional(Type.Union(purposes.map((purpose) => Type.Literal(purpose)))),
    referenceDate: Type.Optional(
      Type.String({
        pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
        description: 'The facts as a cycle at this date would read them; default today',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * `GET /programs/:programId/versions/:version/preview` under `/api` (issue #13, point 6):
 * before a version is published, how many would enter and leave compared with the version in
 * force, by state, computed with the cycles' batch evaluator. Counts only, protected against
 * differencing (under 10 said as "fewer than 10", others randomly rounded to 5 by the set's
 * cell key, every state listed; see rule-preview.ts), no person ever listed. A rule over a
 * sealed fact is decided by the cycles' worker pool, chunk by chunk, each chunk's sealed read
 * audited (`person.eligibility_sealed_read`, actor `preview:<program>:<version>`); without a
 * master key it is refused with AMP_RULE_INVALID. Action `program.read` over every state of the
 * program (the counts span them all); every attempt is audited by the gate.
 *
 * @example
 *   GET /api/programs/…/versions/2/preview?purpose=eligibility_review&referenceDate=2026-12-01
 */
export interface RulePreviewOptions extends GateDependencies {
  /** The cell keys' secret of the protected counts is derived from it (rule-preview.ts). */
  masterKey?: Buffer;
  /**
   * The worker pool that decides a rule over sealed facts (the one the cycles use, opened with
   * the same master key); without it such a rule is refused (`rule_sealed_sql_only`).
   */
  sealedPool?: SealedPool;
}

export const rulePreviewRoutes: FastifyPluginAsyncTypebox<RulePreviewOptions> = async (
  app,
  { db, audit, masterKey, sealedPool },
) => {
  const secret = previewCellKeySecret(masterKey);
  app.get(
    '/programs/:programId/versions/:version/preview',
    {
      schema: {
        tags: ['programs'],
        summary:
          'How many would enter and leave under a version, by state, as counts only (program.read)',
        params: Type.Object({
          programId: Type.String({ format: 'uuid' }),
          version: Type.Integer({ minimum: 1, maximum: 100_000 }),
        }),
        querystring: PreviewQuery,
        response: { 200: RulePreviewSchema },
      },
    },
    async (request, reply) => {
      const { programId, version } = request.params;
      const program = await findProgram(db, programId);
      const proposed = await findVersion(db, programId, version);
      // A version that does not exist answers like a program outside the caller's states.
      const exists = program !== undefined && proposed !== undefined;
      const grant = await gateProgram(
        { db, audit },
        {
          actor: request.actor,
          purpose: request.query.purpose ?? null,
          requestId: request.id,
          action: 'program.read',
          mode: 'all',
          resource: { type: 'program', id: programId },
          regions: exists ? await programScope(db, programId) : undefined,
        },
      );
      if (!exists) throw new Error('unreachable: the gate refuses a missing version');
      const referenceDate = request.query.referenceDate ?? new Date().toISOString().slice(0, 10);
      const inForce =
        program.published_version === null
          ? undefined
          : await findVersion(db, programId, program.published_version);
      const preview = await rulePreview(db, {
        // An in-force version that needs a new one is compared as nothing in force.
        current: inForce === undefined ? undefined : (storedVersion(inForce).checked ?? undefined),
        proposed: evaluableVersion(proposed),
        referenceDate,
        secret,
        ...(sealedPool === undefined
          ? {}
          : {
              sealed: {
                deps: { pool: sealedPool, audit },
                job: `preview:${programId}:${version}`,
                requestId: request.id,
              },
            }),
      });
      await grant.record([]);
      return reply.header('cache-control', 'no-store').send({
        version,
        comparedWith: inForce?.version ?? null,
        referenceDate,
        ...preview,
      });
    },
  );
};
