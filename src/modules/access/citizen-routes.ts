import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AmparoError } from '../../platform/errors.js';
import type { App } from '../../platform/http/app-type.js';
import { PurposeQuery } from '../../shared/api/params.js';
import type { AccessContext } from './access-context.js';
import {
  type AccessRoutesOptions,
  reportSignInAttempt,
  signInRateLimit,
  signInRefused,
} from './auth-routes.js';
import { setSessionCookie } from './authentication.js';
import { issueSlipCode, startCitizenSignIn, verifyCitizenCode } from './citizen-sign-in.js';
import { guardPersonAccess } from './person-access-guard.js';
import {
  CitizenCodeBody,
  CitizenCodeIssued,
  CitizenSignedIn,
  CitizenStartBody,
  CitizenStartResponse,
  CitizenVerifyBody,
} from './schema.js';

/** The one answer to every start request, whether or not the ID number exists. */
const startAnswer = {
  status: 'accepted' as const,
  message:
    'If this ID number is registered with a phone, a code is on its way. Without a phone, ask for a code at any enrolment office.',
};

/**
 * Citizen sign-in with a one-time code (docs/CITIZEN-SIGN-IN.md), under `/api`:
 * `/citizen/sign-in/start`, `/citizen/sign-in/verify`, and `/citizen-codes` for clerks.
 */
export const citizenRoutes: FastifyPluginAsyncTypebox<AccessRoutesOptions> = async (
  app,
  { context },
) => {
  startRoute(app, context);
  verifyRoute(app, context);
  slipCodeRoute(app, context);
};

function startRoute(app: App, context: AccessContext): void {
  app.post(
    '/citizen/sign-in/start',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sends a one-time code by SMS to the phone on file (always answers 202)',
        body: CitizenStartBody,
        response: { 202: CitizenStartResponse },
      },
      config: signInRateLimit(context),
    },
    async (request, reply) => {
      const event = await startCitizenSignIn(context, request.body.uin);
      if (event) await context.onAuthenticationEvent(event, request);
      return reply.code(202).send(startAnswer);
    },
  );
}

function verifyRoute(app: App, context: AccessContext): void {
  app.post(
    '/citizen/sign-in/verify',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchanges ID number and one-time code for a citizen session cookie',
        body: CitizenVerifyBody,
        response: { 200: CitizenSignedIn },
      },
      config: signInRateLimit(context),
    },
    async (request, reply) => {
      const result = await verifyCitizenCode(context, {
        uin: request.body.uin,
        code: request.body.code,
        clientAddress: request.ip,
      });
      await reportSignInAttempt(context, request, result.event);
      if (!result.ok) throw signInRefused();
      setSessionCookie(context, request, reply, result.session);
      reply.header('cache-control', 'no-store');
      return { kind: 'citizen' as const, expiresAt: result.session.expiresAt.toISOString() };
    },
  );
}

function slipCodeRoute(app: App, context: AccessContext): void {
  app.post(
    '/citizen-codes',
    {
      schema: {
        tags: ['auth'],
        summary: 'An enrolment clerk prints a one-time sign-in code for the person at the counter',
        body: CitizenCodeBody,
        querystring: PurposeQuery,
        response: { 201: CitizenCodeIssued },
      },
    },
    async (request, reply) => {
      // The clerk acts for the person at the counter (purpose self): only in the clerk's
      // regions, counted against the read quota, audited allowed or refused. The guard
      // answers 401 without a session and 403 to anyone else, citizens included.
      const scope = await context.contacts.regionOf(request.body.personId);
      const grant = await guardPersonAccess(context, {
        actor: request.actor,
        action: 'citizen_code.issue',
        resource: { type: 'person', id: request.body.personId },
        regionCode: scope?.regionCode ?? null,
        personId: scope ? request.body.personId : null,
        exists: scope !== undefined,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
        countsAsPersonRead: true,
      });
      const actor = request.actor;
      // Safe by policy: only enrolment clerks hold citizen_code.issue (docs/ACCESS.md).
      if (actor?.kind !== 'operator') throw new AmparoError('AMP_FORBIDDEN');
      const issued = await issueSlipCode(context, {
        personId: request.body.personId,
        operatorId: actor.operatorId,
      });
      await grant.record([]);
      await context.onAuthenticationEvent(issued.event, request);
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ code: issued.code, expiresAt: issued.expiresAt.toISOString() });
    },
  );
}
