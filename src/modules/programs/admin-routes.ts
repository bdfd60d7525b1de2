import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger } from 'fastify';
import { Type } from 'typebox';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { Action } from '../../shared/access/policy.js';
import { PurposeQuery } from '../../shared/api/params.js';
import {
  CreateProgramSchema,
  CycleSummarySchema,
  CycleViewSchema,
  ProgramContentSchema,
  ProgramDetailSchema,
  ProgramSummarySchema,
} from '../../shared/api/programs.js';
import { guardRegionalAccess } from '../access/index.js';
import { cycleComputer } from './cycles/cycle-run.js';
import type { CycleClosingHook } from './cycles/cycle-service.js';
import {
  cycleApprover,
  cycleCloser,
  cycleOpener,
  cyclePublisher,
  cycleRecomputer,
} from './cycles/cycle-service.js';
import { cycleView } from './cycles/cycle-view.js';
import { pendingGrantsResumer } from './cycles/grant-resumer.js';
import { lazySealedPool, type SealedPool } from './eligibility/sealed-pool.js';
import { programLimits } from './limits.js';
import {
  type Caller,
  contentScope,
  type GateDependencies,
  gateProgram,
  programScope,
} from './program-gate.js';
import {
  programCreator,
  programStatusChanger,
  programVersionSaver,
  publicationDecider,
  publicationRequester,
} from './program-service.js';
import {
  contentFromBody,
  listCycles,
  listManagedPrograms,
  programDetail,
} from './program-views.js';

export interface ProgramAdminOptions extends GateDependencies {
  /** Called inside the publishing transaction of a cycle (the notifications outbox). */
  onCyclePublished?: Parameters<typeof cyclePublisher>[1]['onPublished'];
  /** Called inside the closing transaction of a cycle, before its entitlements end. */
  onCycleClosing?: CycleClosingHook;
  /** For rules over sealed facts: the worker pool opens them with it (rule-plan.ts). */
  masterKey?: Buffer;
  /** The worker pool to decide them in, shared with the preview (plugin.ts); else its own. */
  sealedPool?: SealedPool;
  /**
   * Resume the grants a crash stopped once the app is ready (`pendingGrantsResumer`, one
   * process at a time); the server does, tests and CLI commands need not.
   */
  resumeGrants?: boolean;
}

const ProgramParams = Type.Object({ programId: Type.String({ format: 'uuid' }) });
const CycleParams = Type.Object({ cycleId: Type.String({ format: 'uuid' }) });
const PublicationParams = Type.Object({ publicationId: Type.String({ format: 'uuid' }) });
const tags = ['programs'];

/**
 * Program management for operators (issue #13, point 9; docs/ACCESS.md): programs, versions,
 * two-person publication, status, and cycles (create, compute with progress, recompute with
 * the difference, approve, publish, close). Thin: each handler passes the access gate (which
 * audits every attempt), calls one service verb and records the allowed access. No route
 * takes a person: cycle members come from the rule only.
 *
 * @example
 *   await app.register(programAdminRoutes, { prefix: '/api', db, audit });
 */
export const programAdminRoutes: FastifyPluginAsyncTypebox<ProgramAdminOptions> = async (
  app,
  options,
) => {
  const { db } = options;
  const deps: GateDependencies = { db, audit: options.audit };
  // A rule over sealed facts is decided after decryption in worker threads (rule-plan.ts).
  const ownPool =
    options.sealedPool !== undefined || options.masterKey === undefined
      ? undefined
      : lazySealedPool(options.masterKey, programLimits.sealedWorkers);
  const pool = options.sealedPool ?? ownPool;
  const sealed = pool === undefined ? {} : { sealed: { pool, audit: options.audit } };
  app.addHook('onClose', async () => {
    await ownPool?.close();
  });
  const caller = (request: {
    actor: Actor | null;
    id: string;
    query: { purpose?: Purpose };
  }): Caller => ({
    actor: request.actor,
    purpose: request.query.purpose ?? null,
    requestId: request.id,
  });
  const operatorId = (request: { actor: Actor | null }): string =>
    // Safe: the gate let only operators through (no citizen or job holds these rules).
    request.actor?.kind === 'operator' ? request.actor.operatorId : '';

  const onProgram = async (
    request: Parameters<typeof caller>[0],
    programId: string,
    action: Action,
    mode: 'any' | 'all',
  ) =>
    gateProgram(deps, {
      ...caller(request),
      action,
      mode,
      resource: { type: 'program', id: programId },
      regions: await programScope(db, programId),
    });
  const cycleProgram = async (cycleId: string) =>
    db
      .selectFrom('program_cycle')
      .select('program_id')
      .where('id', '=', cycleId)
      .executeTakeFirst();
  const onCycle = async (
    request: Parameters<typeof caller>[0],
    cycleId: string,
    action: Action,
    mode: 'any' | 'all',
  ) => {
    const cycle = await cycleProgram(cycleId);
    return gateProgram(deps, {
      ...caller(request),
      action,
      mode,
      resource: { type: 'program_cycle', id: cycleId },
      regions: cycle === undefined ? undefined : await programScope(db, cycle.program_id),
    });
  };

  // Cycle computations and grants started by a request run on after the answer; closing the
  // app waits for them. A job that stops is logged (no personal data: the cycle and the code)
  // and stays resumable.
  const running = new Set<Promise<unknown>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...running]);
  });
  const inBackground = (
    work: Promise<unknown>,
    what: string,
    cycleId: string,
    log: FastifyBaseLogger,
  ) => {
    const job = work
      .catch((error: unknown) => {
        log.error({ cycleId, code: (error as { code?: string }).code }, `${what} stopped`);
      })
      .finally(() => running.delete(job));
    running.add(job);
  };
  if (options.resumeGrants === true) {
    // In the background, like a grant after an approval: the server serves meanwhile, and
    // closing waits for it. Its own failures per cycle are logged inside; this catches the
    // lease's.
    app.addHook('onReady', async () => {
      const job = pendingGrantsResumer(db, { log: app.log })
        .catch((error: unknown) => {
          app.log.error({ code: (error as { code?: string }).code }, 'grant resume stopped');
        })
        .finally(() => running.delete(job));
      running.add(job);
    });
  }
  const computeInBackground = (cycleId: string, log: FastifyBaseLogger) =>
    inBackground(cycleComputer(db, { cycleId, ...sealed }), 'cycle computation', cycleId, log);

  app.get(
    '/programs/managed',
    {
      schema: {
        tags,
        summary: 'Programs in your regions, every status, latest version (program.read)',
        querystring: PurposeQuery,
        response: { 200: Type.Object({ programs: Type.Array(ProgramSummarySchema) }) },
      },
    },
    async (request) => {
      const { grant, regions } = await guardRegionalAccess(deps, {
        ...caller(request),
        action: 'program.read',
        resource: { type: 'program', id: null },
      });
      const programs = await listManagedPrograms(db, regions);
      await grant.record([]);
      return { programs };
    },
  );

  app.post(
    '/programs',
    {
      schema: {
        tags,
        summary: 'Create a program with its first version, a draft (program.manage)',
        querystring: PurposeQuery,
        body: CreateProgramSchema,
        response: {
          201: Type.Object({ programId: Type.String({ format: 'uuid' }), version: Type.Integer() }),
        },
      },
    },
    async (request, reply) => {
      const grant = await gateProgram(deps, {
        ...caller(request),
        action: 'program.manage',
        mode: 'all',
        resource: { type: 'program', id: null },
        regions: contentScope(request.body.content.regions),
      });
      const created = await programCreator(db, {
        code: request.body.code,
        content: contentFromBody(request.body.content),
        operatorId: operatorId(request),
      });
      await grant.record([]);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/programs/:programId',
    {
      schema: {
        tags,
        summary: 'A program with every version, publication request and status change',
        params: ProgramParams,
        querystring: PurposeQuery,
        response: { 200: ProgramDetailSchema },
      },
    },
    async (request) => {
      const { programId } = request.params;
      const grant = await onProgram(request, programId, 'program.read', 'any');
      const detail = await programDetail(db, programId);
      await grant.record([]);
      return detail;
    },
  );

  app.post(
    '/programs/:programId/versions',
    {
      schema: {
        tags,
        summary: 'Save a new version of the program (the published one stays until replaced)',
        params: ProgramParams,
        querystring: PurposeQuery,
        body: Type.Object({ content: ProgramContentSchema }, { additionalProperties: false }),
        response: { 201: Type.Object({ version: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      const { programId } = request.params;
      const grant = await onProgram(request, programId, 'program.manage', 'all');
      // The new content's states must be the operator's too.
      await gateProgram(deps, {
        ...caller(request),
        action: 'program.manage',
        mode: 'all',
        resource: { type: 'program', id: programId },
        regions: contentScope(request.body.content.regions),
      });
      const saved = await programVersionSaver(db, {
        programId,
        content: contentFromBody(request.body.content),
        operatorId: operatorId(request),
      });
      await grant.record([]);
      return reply.code(201).send(saved);
    },
  );

  app.post(
    '/programs/:programId/publication-requests',
    {
      schema: {
        tags,
        summary: 'Ask for a version to be published; a different operator decides',
        params: ProgramParams,
        querystring: PurposeQuery,
        body: Type.Object(
          { version: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ publicationId: Type.String({ format: 'uuid' }) }) },
      },
    },
    async (request, reply) => {
      const { programId } = request.params;
      const grant = await onProgram(request, programId, 'program.manage', 'all');
      const asked = await publicationRequester(db, {
        programId,
        version: request.body.version,
        operatorId: operatorId(request),
      });
      await grant.record([]);
      return reply.code(201).send(asked);
    },
  );

  app.post(
    '/program-publications/:publicationId/decision',
    {
      schema: {
        tags,
        summary: 'Approve (publish) or refuse a publication request (program.publish_decide)',
        params: PublicationParams,
        querystring: PurposeQuery,
        body: Type.Object({ approve: Type.Boolean() }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('approved'), Type.Literal('refused')]),
          }),
        },
      },
    },
    async (request) => {
      const { publicationId } = request.params;
      const publication = await db
        .selectFrom('program_publication')
        .select('program_id')
        .where('id', '=', publicationId)
        .executeTakeFirst();
      const grant = await gateProgram(deps, {
        ...caller(request),
        action: 'program.publish_decide',
        mode: 'all',
        resource: { type: 'program', id: publication?.program_id ?? null },
        regions:
          publication === undefined ? undefined : await programScope(db, publication.program_id),
      });
      const decided = await publicationDecider(db, {
        publicationId,
        approve: request.body.approve,
        operatorId: operatorId(request),
      });
      await grant.record([]);
      return decided;
    },
  );

  app.post(
    '/programs/:programId/status',
    {
      schema: {
        tags,
        summary: 'Suspend, resume or close a published program',
        params: ProgramParams,
        querystring: PurposeQuery,
        body: Type.Object(
          {
            to: Type.Union([
              Type.Literal('suspended'),
              Type.Literal('published'),
              Type.Literal('closed'),
            ]),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ status: Type.String() }) },
      },
    },
    async (request) => {
      const { programId } = request.params;
      const grant = await onProgram(request, programId, 'program.manage', 'all');
      await programStatusChanger(db, {
        programId,
        to: request.body.to,
        operatorId: operatorId(request),
      });
      await grant.record([]);
      return { status: request.body.to };
    },
  );

  registerCycleRoutes();

  function registerCycleRoutes() {
    app.get(
      '/programs/:programId/cycles',
      {
        schema: {
          tags,
          summary: "A program's cycles, newest reference date first",
          params: ProgramParams,
          querystring: PurposeQuery,
          response: { 200: Type.Object({ cycles: Type.Array(CycleSummarySchema) }) },
        },
      },
      async (request) => {
        const { programId } = request.params;
        const grant = await onProgram(request, programId, 'program.read', 'any');
        const cycles = await listCycles(db, programId);
        await grant.record([]);
        return { cycles };
      },
    );

    app.post(
      '/programs/:programId/cycles',
      {
        schema: {
          tags,
          summary:
            'Create a cycle at a reference date; its eligible set is computed after the answer (poll the cycle for progress)',
          params: ProgramParams,
          querystring: PurposeQuery,
          body: Type.Object(
            { referenceDate: Type.String({ maxLength: 10 }) },
            { additionalProperties: false },
          ),
          response: { 202: Type.Object({ cycleId: Type.String({ format: 'uuid' }) }) },
        },
      },
      async (request, reply) => {
        const { programId } = request.params;
        const grant = await onProgram(request, programId, 'program.manage', 'all');
        const { cycleId } = await cycleOpener(db, {
          ...sealed,
          programId,
          referenceDate: request.body.referenceDate,
          operatorId: operatorId(request),
        });
        await grant.record([]);
        computeInBackground(cycleId, request.log);
        return reply.code(202).send({ cycleId });
      },
    );

    app.get(
      '/program-cycles/:cycleId',
      {
        schema: {
          tags,
          summary:
            'A cycle: progress, counts and totals by state, budget, approvals, and the difference from the previous round and cycle',
          params: CycleParams,
          querystring: PurposeQuery,
          response: { 200: CycleViewSchema },
        },
      },
      async (request, reply) => {
        const grant = await onCycle(request, request.params.cycleId, 'program.read', 'any');
        const view = await cycleView(db, request.params.cycleId, operatorId(request));
        await grant.record([]);
        return reply.header('cache-control', 'no-store').send(view);
      },
    );

    const cycleWrite = (
      path: string,
      summary: string,
      action: Action,
      work: (cycleId: string, operator: string, log: FastifyBaseLogger) => Promise<unknown>,
    ) =>
      app.post(
        `/program-cycles/:cycleId/${path}`,
        {
          schema: {
            tags,
            summary,
            params: CycleParams,
            querystring: PurposeQuery,
            body: Type.Object({}, { additionalProperties: false }),
            response: { 200: CycleViewSchema },
          },
        },
        async (request) => {
          const { cycleId } = request.params;
          const grant = await onCycle(request, cycleId, action, 'all');
          // A refusal by the cycle service (separation of duties: whoever computed a cycle
          // may not approve it) is audited as denied by the error handler, as every refusal
          // after the gate is.
          await work(cycleId, operatorId(request), request.log);
          await grant.record([]);
          return cycleView(db, cycleId, operatorId(request));
        },
      );

    cycleWrite(
      'compute',
      "Resume a cycle's computation where it stopped (after a crash); answers when done",
      'program.manage',
      (cycleId) => cycleComputer(db, { cycleId, ...sealed }),
    );
    cycleWrite(
      'recompute',
      'Compute the eligible set again as a new round; the answer says who entered and left, by state',
      'program.manage',
      (cycleId, operator) => cycleRecomputer(db, { cycleId, operatorId: operator, ...sealed }),
    );
    cycleWrite(
      'approvals',
      "Approve the computed cycle (refused over the budget cap; two different approvers above the threshold); answers once the approval is recorded, the entitlements are written after it (the cycle's grant progress)",
      'cycle.approve',
      async (cycleId, operator, log) => {
        const { granting } = await cycleApprover(db, { cycleId, operatorId: operator });
        if (granting !== null) inBackground(granting, 'cycle grant', cycleId, log);
      },
    );
    cycleWrite(
      'publish',
      'Publish an approved cycle: beneficiaries are told',
      'program.manage',
      (cycleId, operator) =>
        cyclePublisher(db, {
          cycleId,
          operatorId: operator,
          ...(options.onCyclePublished === undefined
            ? {}
            : { onPublished: options.onCyclePublished }),
        }),
    );
    cycleWrite(
      'close',
      'Close a cycle: its open entitlements end',
      'program.manage',
      (cycleId, operator) =>
        cycleCloser(db, {
          cycleId,
          operatorId: operator,
          ...(options.onCycleClosing === undefined ? {} : { onClosing: options.onCycleClosing }),
        }),
    );
  }
};
