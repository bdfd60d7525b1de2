import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Actor, OperatorActor, Purpose } from '../../../shared/access/actor.js';
import type { Action } from '../../../shared/access/policy.js';
import { PinCheckSchema, PinChecksSchema } from '../../../shared/api/merchants.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { guardPersonAccess } from '../../access/index.js';
import { personRegionLookup } from '../../registry/index.js';
import { nowOf, type PaymentsDependencies } from '../payments-context.js';
import { keysOf } from './merchant-keys.js';
import { Uuid } from './merchant-schemas.js';
import { guardStaffCheck, operatorOf } from './pin-gate.js';
import { pinGuardOf } from './pin-guard-settings.js';
import {
  pinCheckApprover,
  pinCheckStarter,
  type SecondCheckSubject,
  waitingPinChecks,
} from './pin-second-check.js';
import { auditedRefusals } from './refusal-audit.js';

export const PersonParams = Type.Object({ personId: Uuid });
const waitingListMax = 50;

/** What differs between the second checks staff start: the PIN's and the payee account's. */
export interface SecondCheckRouteSpec {
  subject: SecondCheckSubject;
  /** The URL segment: `pin-checks` or `payee-checks`. */
  path: string;
  /** What the check sets, as the route summaries say it. */
  noun: string;
  startAction: Action;
  approveAction: Action;
  /** The person's field named in the audit entries. */
  field: string;
  tags: string[];
}

/**
 * The three routes of a staff second check (docs/PAYMENTS-PIN.md; payouts/README.md for the payee
 * account): start it (a code texted to the phone on file, or the photo checked for another
 * account's approval), list the two-person checks waiting for a second operator, approve one.
 * Each is gated and audited on the person, each refusal after the gate too. Spending the check
 * is the subject's own route.
 */
export function secondCheckRoutes(
  deps: PaymentsDependencies,
  spec: SecondCheckRouteSpec,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    startRoute(app, deps, spec);
    waitingRoute(app, deps, spec);
    approvalRoute(app, deps, spec);
  };
}

type TypeboxApp = Parameters<FastifyPluginAsyncTypebox>[0];

function startRoute(app: TypeboxApp, deps: PaymentsDependencies, spec: SecondCheckRouteSpec) {
  app.post(
    `/payments/persons/:personId/${spec.path}`,
    {
      schema: {
        tags: spec.tags,
        summary: `Start the second check before setting a person's ${spec.noun}: text a code to the phone on file, or (no phone) the photo checked, for a second operator to approve (audited on the person)`,
        params: PersonParams,
        querystring: PurposeQuery,
        body: Type.Object(
          {
            method: Type.Union([Type.Literal('phone_code'), Type.Literal('two_person')]),
            photoChecked: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: PinCheckSchema },
      },
    },
    async (request, reply) => {
      const { personId } = request.params;
      const grant = await guardStaffCheck(deps, request, spec.startAction, personId);
      const operatorId = operatorOf(request.actor).operatorId;
      const now = nowOf(deps);
      const started = await auditedRefusals(
        deps,
        { actor: request.actor, purpose: request.query.purpose ?? null, requestId: request.id },
        {
          action: spec.startAction,
          resource: { type: 'person', id: personId },
          principal: grant.principal,
        },
        () =>
          pinCheckStarter(deps.db, {
            personId,
            operatorId,
            method: request.body.method,
            photoChecked: request.body.photoChecked === true,
            masterKey: keysOf(deps).masterKey,
            notifier: deps.notifier,
            now,
            settings: pinGuardOf(deps),
            subject: spec.subject,
          }),
      );
      await grant.record([spec.field]);
      return reply.code(201).send({
        checkId: started.checkId,
        personId,
        method: request.body.method,
        approved: false,
        startedBy: operatorId,
        createdAt: now.toISOString(),
        expiresAt: started.expiresAt.toISOString(),
      });
    },
  );
}

function waitingRoute(app: TypeboxApp, deps: PaymentsDependencies, spec: SecondCheckRouteSpec) {
  app.get(
    `/payments/${spec.path}`,
    {
      schema: {
        tags: spec.tags,
        summary: `Two-person ${spec.noun} checks of persons in your regions waiting for a second operator (not yours)`,
        querystring: PurposeQuery,
        response: { 200: PinChecksSchema },
      },
    },
    async (request) => {
      const actor = operatorOf(request.actor);
      const rows = await waitingPinChecks(deps.db, nowOf(deps), waitingListMax, spec.subject);
      const checks = [];
      for (const row of rows) {
        if (request.actor?.kind === 'operator' && row.operator_id === actor.operatorId) continue;
        // Each is gated (and audited) as the approval would be: only persons of your regions.
        const grant = await guardStaffCheck(deps, request, spec.approveAction, row.person_id).catch(
          () => null,
        );
        if (grant === null) continue;
        await grant.record([]);
        checks.push({
          checkId: row.id,
          personId: row.person_id,
          method: 'two_person' as const,
          approved: false,
          startedBy: row.operator_id,
          createdAt: row.created_at.toISOString(),
          expiresAt: row.expires_at.toISOString(),
        });
      }
      return { checks };
    },
  );
}

function approvalRoute(app: TypeboxApp, deps: PaymentsDependencies, spec: SecondCheckRouteSpec) {
  app.post(
    `/payments/persons/:personId/${spec.path}/:checkId/approval`,
    {
      schema: {
        tags: spec.tags,
        summary: `Approve another operator's two-person ${spec.noun} check, having compared the person with the photo on file (audited on the person)`,
        params: Type.Object({ personId: Uuid, checkId: Uuid }),
        querystring: PurposeQuery,
        body: Type.Object({ photoChecked: Type.Literal(true) }, { additionalProperties: false }),
        response: { 200: Type.Object({ checkId: Uuid, approved: Type.Boolean() }) },
      },
    },
    async (request) => {
      const { personId, checkId } = request.params;
      const grant = await guardStaffCheck(deps, request, spec.approveAction, personId);
      await auditedRefusals(
        deps,
        { actor: request.actor, purpose: request.query.purpose ?? null, requestId: request.id },
        {
          action: spec.approveAction,
          resource: { type: 'person', id: personId },
          principal: grant.principal,
        },
        () =>
          pinCheckApprover(deps.db, {
            checkId,
            personId,
            operatorId: operatorOf(request.actor).operatorId,
            now: nowOf(deps),
            subject: spec.subject,
          }),
      );
      await grant.record([spec.field]);
      return { checkId, approved: true };
    },
  );
}
