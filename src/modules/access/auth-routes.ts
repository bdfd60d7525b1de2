import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { AmparoError } from '../../platform/errors.js';
import type { App } from '../../platform/http/app-type.js';
import { MeResponse } from '../../shared/api/access.js';
import type { AccessContext } from './access-context.js';
import {
  clearSessionCookie,
  requireConsoleOperator,
  requireOperator,
  setSessionCookie,
} from './authentication.js';
import type { SignInAttemptEvent } from './authentication-events.js';
import {
  changePassword,
  createDeviceToken,
  endSession,
  listOwnDeviceTokens,
  revokeDeviceToken,
} from './operator-account.js';
import { enrolOperator } from './operator-enrolment.js';
import { findOperatorById } from './operator-repository.js';
import { signInOperator, signInThrottled } from './operator-sign-in.js';
import {
  DeviceTokenBody,
  DeviceTokenCreated,
  DeviceTokenList,
  Done,
  EnrolBody,
  OperatorProfile,
  PasswordChangeBody,
  SessionResponse,
  SignInBody,
  TokenIdParams,
} from './schema.js';

export interface AccessRoutesOptions {
  context: AccessContext;
}

/** The one answer to every failed sign-in, whatever the reason: it reveals nothing. */
export const signInRefused = () =>
  new AmparoError('AMP_UNAUTHENTICATED', {
    detail: 'Sign-in failed: the details are wrong, or this account cannot sign in now',
  });

/** Per-address request limit on sign-in routes (in-process; the database counters hold across processes). */
export const signInRateLimit = (context: AccessContext) => ({
  rateLimit: { max: context.signInRequestsPerMinuteMax, timeWindow: 60_000 },
});

/** Records a sign-in attempt (log line without secrets, then the application's hook). */
export async function reportSignInAttempt(
  context: AccessContext,
  request: FastifyRequest,
  event: SignInAttemptEvent,
): Promise<void> {
  request.log.info(
    { signIn: { kind: event.kind, outcome: event.outcome, reason: event.reason } },
    'sign-in attempt',
  );
  await context.onSignInAttempt(event, request);
}

function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}

/**
 * Operator authentication under `/api/auth`: sign-in and sign-out, the current identity,
 * password change, and device tokens.
 */
export const authRoutes: FastifyPluginAsyncTypebox<AccessRoutesOptions> = async (
  app,
  { context },
) => {
  signInRoute(app, context);
  signOutRoute(app, context);
  meRoute(app, context);
  sessionRoute(app, context);
  passwordRoute(app, context);
  enrolRoute(app, context);
  await app.register(deviceTokenRoutes, { context });
};

function signInRoute(app: App, context: AccessContext): void {
  app.post(
    '/sign-in',
    {
      schema: {
        tags: ['auth'],
        summary: 'Operator sign-in with password and TOTP code; sets the session cookie',
        body: SignInBody,
        response: { 200: OperatorProfile },
      },
      config: signInRateLimit(context),
    },
    async (request, reply) => {
      const result = await signInOperator(context, { ...request.body, clientAddress: request.ip });
      await reportSignInAttempt(context, request, result.event);
      if (!result.ok) {
        throw result.retryAfterSeconds === undefined
          ? signInRefused()
          : signInThrottled(result.retryAfterSeconds);
      }
      setSessionCookie(context, request, reply, result.session);
      noStore(reply);
      const { operator } = result;
      return {
        username: operator.username,
        displayName: operator.displayName,
        roles: operator.roles,
        regions: operator.regions,
      };
    },
  );
}

function signOutRoute(app: App, context: AccessContext): void {
  app.post(
    '/sign-out',
    { schema: { tags: ['auth'], summary: 'Ends the current session', response: { 200: Done } } },
    async (request, reply) => {
      const authentication = request.authentication;
      if (!authentication) throw new AmparoError('AMP_UNAUTHENTICATED');
      await endSession(context, authentication.sessionId);
      await context.onAuthenticationEvent(
        { type: 'sign_out', sessionId: authentication.sessionId, at: context.now() },
        request,
      );
      clearSessionCookie(context, request, reply);
      return { ok: true as const };
    },
  );
}

function meRoute(app: App, context: AccessContext): void {
  app.get(
    '/me',
    { schema: { tags: ['auth'], summary: 'Who is signed in', response: { 200: MeResponse } } },
    async (request) => {
      const me = await signedInIdentity(context, request);
      if (!me) throw new AmparoError('AMP_UNAUTHENTICATED');
      return me;
    },
  );
}

/**
 * The console's probe on every page, public ones included: "nobody" is a normal answer here
 * (200 with `me: null`), not a failed request, so a visitor's browser logs no error. `/me`
 * keeps answering 401 to API clients that expect to be signed in.
 */
function sessionRoute(app: App, context: AccessContext): void {
  app.get(
    '/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, or nobody (me: null) without an error',
        response: { 200: SessionResponse },
      },
    },
    async (request) => ({ me: await signedInIdentity(context, request) }),
  );
}

/** The signed-in operator or citizen, or null when the request carries no live session. */
async function signedInIdentity(
  context: AccessContext,
  request: FastifyRequest,
): Promise<Static<typeof MeResponse> | null> {
  const { actor, authentication } = request;
  if (!actor || !authentication) return null;
  const session = {
    sessionKind: authentication.sessionKind,
    expiresAt: authentication.expiresAt.toISOString(),
  };
  if (actor.kind !== 'operator') return { kind: 'citizen' as const, ...session };
  const operator = await findOperatorById(context.db, actor.operatorId);
  if (!operator) return null;
  return {
    kind: 'operator' as const,
    operatorId: actor.operatorId,
    username: operator.username,
    displayName: operator.displayName,
    roles: operator.roles,
    regions: operator.regions,
    passwordChangeRequired: operator.passwordChangeRequired,
    ...session,
  };
}

function passwordRoute(app: App, context: AccessContext): void {
  app.post(
    '/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Changes the signed-in operator’s password',
        body: PasswordChangeBody,
        response: { 200: Done },
      },
      preHandler: requireConsoleOperator,
      config: signInRateLimit(context),
    },
    async (request) => {
      const { actor, authentication } = request;
      if (actor?.kind !== 'operator' || !authentication)
        throw new AmparoError('AMP_UNAUTHENTICATED');
      const { sessionsRevoked } = await changePassword(context, {
        operatorId: actor.operatorId,
        sessionId: authentication.sessionId,
        clientAddress: request.ip,
        current: request.body.current,
        next: request.body.next,
      });
      await context.onAuthenticationEvent(
        {
          type: 'password_changed',
          operatorId: actor.operatorId,
          sessionsRevoked,
          at: context.now(),
        },
        request,
      );
      return { ok: true as const };
    },
  );
}

function enrolRoute(app: App, context: AccessContext): void {
  app.post(
    '/enrol',
    {
      schema: {
        tags: ['auth'],
        summary:
          'A new staff member (or one whose credentials were reset) sets their own password and TOTP secret with both enrolment code halves',
        body: EnrolBody,
        response: { 200: Done },
      },
      config: signInRateLimit(context),
    },
    async (request, reply) => {
      const result = await enrolOperator(context, { ...request.body, clientAddress: request.ip });
      if (!result.ok) {
        await reportSignInAttempt(context, request, result.event);
        if (result.retryAfterSeconds !== undefined) throw signInThrottled(result.retryAfterSeconds);
        throw new AmparoError('AMP_UNAUTHENTICATED', {
          detail:
            'Enrolment failed: the user name or a code half is wrong or used, the code has expired, or the authenticator code is wrong',
        });
      }
      await context.onAuthenticationEvent(
        { type: 'operator_enrolled', operatorId: result.operatorId, at: context.now() },
        request,
      );
      noStore(reply);
      return { ok: true as const };
    },
  );
}

const deviceTokenRoutes: FastifyPluginAsyncTypebox<AccessRoutesOptions> = async (
  app,
  { context },
) => {
  createTokenRoute(app, context);
  listTokensRoute(app, context);
  revokeTokenRoute(app, context);
};

function createTokenRoute(app: App, context: AccessContext): void {
  app.post(
    '/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Creates a bearer token for one of your devices; the token is shown once',
        body: DeviceTokenBody,
        response: { 201: DeviceTokenCreated },
      },
      // A token must not mint further tokens: only a console sign-in (with TOTP) can.
      preHandler: requireConsoleOperator,
    },
    async (request, reply) => {
      const actor = request.actor;
      if (actor?.kind !== 'operator') throw new AmparoError('AMP_UNAUTHENTICATED');
      const issued = await createDeviceToken(context, {
        operatorId: actor.operatorId,
        label: request.body.label,
        expiresInDays: request.body.expiresInDays,
      });
      await context.onAuthenticationEvent(
        {
          type: 'device_token_created',
          operatorId: actor.operatorId,
          sessionId: issued.id,
          at: context.now(),
        },
        request,
      );
      noStore(reply);
      return reply.code(201).send({
        id: issued.id,
        label: request.body.label,
        token: issued.token,
        expiresAt: issued.expiresAt.toISOString(),
      });
    },
  );
}

function listTokensRoute(app: App, context: AccessContext): void {
  app.get(
    '/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Your device tokens, without secrets',
        response: { 200: DeviceTokenList },
      },
      preHandler: requireOperator,
    },
    async (request) => {
      const actor = request.actor;
      if (actor?.kind !== 'operator') throw new AmparoError('AMP_UNAUTHENTICATED');
      const rows = await listOwnDeviceTokens(context, actor.operatorId);
      return {
        tokens: rows.map((row) => ({
          id: row.id,
          label: row.label,
          createdAt: row.createdAt.toISOString(),
          expiresAt: row.expiresAt.toISOString(),
          lastSeenAt: row.lastSeenAt.toISOString(),
          revokedAt: row.revokedAt?.toISOString() ?? null,
        })),
      };
    },
  );
}

function revokeTokenRoute(app: App, context: AccessContext): void {
  app.post(
    '/tokens/:id/revoke',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revokes one of your device tokens',
        params: TokenIdParams,
        response: { 200: Done },
      },
      preHandler: requireOperator,
    },
    async (request) => {
      const actor = request.actor;
      if (actor?.kind !== 'operator') throw new AmparoError('AMP_UNAUTHENTICATED');
      await revokeDeviceToken(context, {
        operatorId: actor.operatorId,
        tokenId: request.params.id,
      });
      await context.onAuthenticationEvent(
        {
          type: 'device_token_revoked',
          operatorId: actor.operatorId,
          sessionId: request.params.id,
          at: context.now(),
        },
        request,
      );
      return { ok: true as const };
    },
  );
}
