import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AmparoError } from '../../platform/errors.js';
import type { Actor } from '../../shared/access/actor.js';
import type { AccessContext } from './access-context.js';
import { type ResolvedSession, resolveSession } from './sessions.js';
import type { SessionKind } from './tables.js';

/** The one session cookie, for operators in the console and for citizens alike. */
export const sessionCookieName = 'amparo_session';

/** How the request proved who it is. */
export interface Authentication {
  source: 'cookie' | 'bearer';
  sessionId: string;
  sessionKind: SessionKind;
  expiresAt: Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is making the request; null when no valid session or token came with it. */
    actor: Actor | null;
    authentication: Authentication | null;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves `request.actor` on every request from the `amparo_session` cookie or an
 * `Authorization: Bearer` token. A request that carries both, with different values, is
 * refused: one request must not speak for two sessions.
 *
 * Cross-site request forgery: the cookie is SameSite=Strict, so browsers do not send it on
 * requests started by another site; and every state-changing request that carries the
 * cookie must have `Content-Type: application/json`, which a cross-site HTML form cannot
 * send and a cross-site script can only send after a CORS preflight, which Amparo never
 * grants. Bodiless writes (sign-out, revoke) therefore send `{}` as JSON.
 */
export async function installAuthentication(
  app: FastifyInstance,
  context: AccessContext,
): Promise<void> {
  if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
  app.decorateRequest('actor', null);
  app.decorateRequest('authentication', null);
  app.addHook('onRequest', async (request) => {
    const cookieToken = request.cookies[sessionCookieName];
    const bearerToken = bearerFrom(request.headers.authorization);
    if (cookieToken !== undefined && bearerToken !== undefined && cookieToken !== bearerToken) {
      throw new AmparoError('AMP_UNAUTHENTICATED', {
        detail: 'The request carries a session cookie and a different bearer token',
      });
    }
    if (cookieToken !== undefined && !safeMethods.has(request.method) && !isJson(request)) {
      throw new AmparoError('AMP_UNSUPPORTED_MEDIA_TYPE', {
        detail: 'A signed-in browser request that changes state must send application/json',
      });
    }
    const token = bearerToken ?? cookieToken;
    // Static files of the console carry the cookie too; only the API needs to know who asks.
    if (token === undefined || !request.url.startsWith('/api/')) return;
    const session = await resolveSession(context, token);
    if (!session) return;
    setAuthentication(request, session, bearerToken ? 'bearer' : 'cookie');
    const path = request.url.split('?')[0] ?? '';
    if (session.passwordChangeRequired && !allowedBeforePasswordChange.has(path)) {
      throw new AmparoError('AMP_PASSWORD_CHANGE_REQUIRED', {
        detail: 'An administrator set your password: choose your own before anything else',
      });
    }
  });
}

/** What an operator may call while their password is one an administrator handed over. */
const allowedBeforePasswordChange = new Set([
  '/api/auth/me',
  '/api/auth/session',
  '/api/auth/password',
  '/api/auth/sign-out',
]);

function setAuthentication(
  request: FastifyRequest,
  session: ResolvedSession,
  source: Authentication['source'],
): void {
  request.actor = session.actor;
  request.authentication = {
    source,
    sessionId: session.id,
    sessionKind: session.kind,
    expiresAt: session.expiresAt,
  };
}

function bearerFrom(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header);
  // A malformed Authorization header is an unusable credential, not a missing one.
  return match?.[1] ?? '';
}

function isJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return type !== undefined && /^application\/json\s*(;|$)/i.test(type);
}

/**
 * preHandler: the request must come from a signed-in operator (401 otherwise).
 *
 * @example
 *   app.get('/api/things', { preHandler: requireOperator }, handler);
 */
export async function requireOperator(request: FastifyRequest): Promise<void> {
  if (request.actor?.kind !== 'operator') throw new AmparoError('AMP_UNAUTHENTICATED');
}

/** preHandler: the request must come from a signed-in citizen (401 otherwise). */
export async function requireCitizen(request: FastifyRequest): Promise<void> {
  if (request.actor?.kind !== 'citizen') throw new AmparoError('AMP_UNAUTHENTICATED');
}

/** preHandler: an operator signed in through the console, not with a device token. */
export async function requireConsoleOperator(request: FastifyRequest): Promise<void> {
  await requireOperator(request);
  if (request.authentication?.sessionKind !== 'console') {
    throw new AmparoError('AMP_FORBIDDEN', {
      detail: 'This needs a console sign-in; a device token cannot do it',
    });
  }
}

export function setSessionCookie(
  context: AccessContext,
  request: FastifyRequest,
  reply: FastifyReply,
  session: { token: string; expiresAt: Date },
): void {
  reply.setCookie(sessionCookieName, session.token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: context.secureCookies || request.protocol === 'https',
    expires: session.expiresAt,
  });
}

export function clearSessionCookie(
  context: AccessContext,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.clearCookie(sessionCookieName, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: context.secureCookies || request.protocol === 'https',
  });
}
