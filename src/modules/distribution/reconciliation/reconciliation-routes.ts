import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ReconciliationSchema, SignOffSchema } from '../../../shared/api/distribution.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { contextOf } from '../routes.js';
import { CycleAtPointParams, SignOffBody } from '../schema.js';
import { reconciliationCsv } from './reconciliation-csv.js';
import { reconciliationReader, reconciliationSigner } from './reconciliation-service.js';

/** Reconciliation per point and cycle (issue #15, point 7): figures, CSV, sign-off. */
export const reconciliationRoutes: FastifyPluginAsyncTypebox<DistributionDependencies> = async (
  app,
  deps,
) => {
  const tags = ['distribution'];
  const base = '/distribution/points/:pointId/cycles/:cycleId/reconciliation';
  app.get(
    base,
    {
      schema: {
        tags,
        summary: "A point's figures for one cycle and their sign-offs; no person (audited)",
        params: CycleAtPointParams,
        querystring: PurposeQuery,
        response: { 200: ReconciliationSchema },
      },
    },
    async (request) =>
      reconciliationReader(
        deps,
        contextOf(request),
        request.params.pointId,
        request.params.cycleId,
      ),
  );

  app.get(
    `${base}.csv`,
    {
      schema: {
        tags,
        summary: 'The same figures as CSV, safe for spreadsheets (audited)',
        params: CycleAtPointParams,
        querystring: PurposeQuery,
        produces: ['text/csv'],
        response: { 200: Type.String() },
      },
    },
    async (request, reply) => {
      const report = await reconciliationReader(
        deps,
        contextOf(request),
        request.params.pointId,
        request.params.cycleId,
      );
      const name = `reconciliation-${report.figures.pointCode}-${report.figures.referenceDate}.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(reconciliationCsv(report));
    },
  );

  app.post(
    `${base}/sign-offs`,
    {
      schema: {
        tags,
        summary:
          "Sign off the point's figures for the cycle as they are now (append-only; audited)",
        params: CycleAtPointParams,
        querystring: PurposeQuery,
        body: SignOffBody,
        response: { 201: SignOffSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await reconciliationSigner(
            deps,
            contextOf(request),
            request.params.pointId,
            request.params.cycleId,
            request.body,
          ),
        ),
  );
};
