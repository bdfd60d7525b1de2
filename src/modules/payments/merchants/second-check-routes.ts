import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Action } from '../../../shared/access/policy.js';
import { PinCheckSchema, PinChecksSchema } from '../../../shared/api/merchants.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { assistedIdentities } from '../../registry/index.js';
import { nowOf, type PaymentsDependencies } from '../payments-context.js';
import { keysOf } from './merchant-keys.js';
import { Uuid } from './merchant-schemas.js';
import { CheckParams, guardStaffCheck, operatorOf, pinStep } from './pin-gate.js';
import { pinGuardOf } from './pin-guard-settings.js';
import {
  pinCheckApprover,
  pinCheckAwaiting,
  pinCheckRefuser,
  pinCheckStarter,
  type SecondCheckSubject,
  waitingPinChecks,
} from './pin-second-check.js';

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
 * The routes of a staff second check (docs/PAYMENTS-PIN.md; payouts/README.md for the payee
 * account): start it (a code texted to the phone on file, or the photo checked for another
 * account's approval), list the two-person checks waiting for a second operator, show that
 * operator the photo on file, approve or refuse one. Each is gated and audited on the person,
 * each refusal after the gate too. Spending the check is the subject's own route.
 */
export function secondCheckRoutes(
  deps: PaymentsDependencies,
  spec: SecondCheckRouteSpec,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    startRoute(app, deps, spec);
    waitingRoute(app, deps, spec);
    approvalRoute(app, deps, spec);
    photoRoute(app, deps, spec);
    refusalRoute(app, deps, spec);
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
      const now = nowOf(deps);
      const started = await pinStep(
        deps,
        request,
        spec.startAction,
        personId,
        (operatorId) =>
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
        { fields: () => [spec.field] },
      );
      return reply.code(201).send({
        checkId: started.checkId,
        personId,
        method: request.body.method,
        approved: false,
        startedBy: operatorOf(request.actor).operatorId,
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
        params: CheckParams,
        querystring: PurposeQuery,
        body: Type.Object({ photoChecked: Type.Literal(true) }, { additionalProperties: false }),
        response: { 200: Type.Object({ checkId: Uuid, approved: Type.Boolean() }) },
      },
    },
    async (request) => {
      const { personId, checkId } = request.params;
      await pinStep(
        deps,
        request,
        spec.approveAction,
        personId,
        (operatorId) =>
          pinCheckApprover(deps.db, {
            checkId,
            personId,
            operatorId,
            now: nowOf(deps),
            subject: spec.subject,
          }),
        { fields: () => [spec.field] },
      );
      return { checkId, approved: true };
    },
  );
}

/**
 * The photo on file of the person of a two-person check waiting for this operator (not one they
 * started), to compare with the person at the counter: gated by the approval's action, counted
 * as a read of the person (the read quota) and audited on them naming the photo.
 */
function photoRoute(app: TypeboxApp, deps: PaymentsDependencies, spec: SecondCheckRouteSpec) {
  app.get(
    `/payments/persons/:personId/${spec.path}/:checkId/photo`,
    {
      schema: {
        tags: spec.tags,
        summary: `The photo on file of the person of a two-person ${spec.noun} check waiting for you (not yours), to compare before approving (audited on the person)`,
        params: CheckParams,
        querystring: PurposeQuery,
        response: {
          200: Type.Object({ checkId: Uuid, photo: Type.Union([Type.String(), Type.Null()]) }),
        },
      },
    },
    async (request) => {
      const { personId, checkId } = request.params;
      const photo = await pinStep(
        deps,
        request,
        spec.approveAction,
        personId,
        async (operatorId) => {
          await pinCheckAwaiting(deps.db, {
            personId,
            checkId,
            operatorId,
            now: nowOf(deps),
            subject: spec.subject,
          });
          return assistedIdentities(keysOf(deps).masterKey).photoOf(deps.db, personId);
        },
        { fields: (shown) => (shown === null ? [] : ['photo']), countsAsPersonRead: true },
      );
      return { checkId, photo };
    },
  );
}

/** The second operator refuses a two-person check (the person does not match): it fails for good. */
function refusalRoute(app: TypeboxApp, deps: PaymentsDependencies, spec: SecondCheckRouteSpec) {
  app.post(
    `/payments/persons/:personId/${spec.path}/:checkId/refusal`,
    {
      schema: {
        tags: spec.tags,
        summary: `Refuse another operator's two-person ${spec.noun} check (the person does not match the photo): it fails for good (audited on the person)`,
        params: CheckParams,
        querystring: PurposeQuery,
        body: Type.Object({}, { additionalProperties: false }),
        response: { 200: Type.Object({ checkId: Uuid, refused: Type.Boolean() }) },
      },
    },
    async (request) => {
      const { personId, checkId } = request.params;
      await pinStep(
        deps,
        request,
        spec.approveAction,
        personId,
        (operatorId) =>
          pinCheckRefuser(deps.db, {
            personId,
            checkId,
            operatorId,
            now: nowOf(deps),
            subject: spec.subject,
          }),
        { fields: () => [`${spec.field}_check`] },
      );
      return { checkId, refused: true };
    },
  );
}
