import { randomUUID } from 'node:crypto';
import type { Actor } from '../../shared/access/actor.js';
import type { AccessContext } from './access-context.js';
import { accessLimits } from './limits.js';
import { cachedSession, cacheSession, noteSessionSeen } from './session-cache.js';
import {
  findSessionByDigest,
  insertSession,
  type StoredSession,
  touchSession,
} from './session-repository.js';
import { looksLikeSessionToken, newSessionToken, sessionTokenDigest } from './session-token.js';
import type { SessionKind } from './tables.js';

/** A session just created. `token` goes to the client once and is never stored. */
export interface IssuedSession {
  id: string;
  token: string;
  expiresAt: Date;
}

export type SessionOwner =
  | { kind: 'console'; operatorId: string }
  | { kind: 'device'; operatorId: string; label: string; expiresInDays: number }
  | { kind: 'citizen'; personId: string };

/**
 * Starts a session: console 12 h, citizen 2 h, device as many days as asked.
 *
 * @example
 *   const { token } = await startSession(context, { kind: 'console', operatorId });
 */
export async function startSession(
  context: AccessContext,
  owner: SessionOwner,
): Promise<IssuedSession> {
  const createdAt = context.now();
  const lifetimeMs =
    owner.kind === 'device'
      ? owner.expiresInDays * 86_400_000
      : owner.kind === 'console'
        ? accessLimits.session.consoleAbsoluteMs
        : accessLimits.session.citizenAbsoluteMs;
  const expiresAt = new Date(createdAt.getTime() + lifetimeMs);
  const { token, sha256 } = newSessionToken();
  const id = randomUUID();
  await insertSession(context.db, {
    id,
    kind: owner.kind,
    operatorId: owner.kind === 'citizen' ? null : owner.operatorId,
    personId: owner.kind === 'citizen' ? owner.personId : null,
    tokenSha256: sha256,
    label: owner.kind === 'device' ? owner.label : null,
    createdAt,
    expiresAt,
  });
  return { id, token, expiresAt };
}

/** A live session and the actor it stands for. */
export interface ResolvedSession {
  id: string;
  kind: SessionKind;
  expiresAt: Date;
  actor: Actor;
  /** An operator whose password an administrator set: only /api/auth/me, /password, /sign-out. */
  passwordChangeRequired: boolean;
}

/**
 * The live session for a presented token, or null when the token is unknown, revoked,
 * expired, idle too long, or its operator is disabled or its person no longer active.
 * Records activity at most once a minute. An operator session's row may come from the
 * process's cache (session-cache.ts: at most `limits.access.session.cacheMs` old).
 */
export async function resolveSession(
  context: AccessContext,
  token: string,
): Promise<ResolvedSession | null> {
  if (!looksLikeSessionToken(token)) return null;
  const digest = sessionTokenDigest(token);
  const digestHex = digest.toString('hex');
  const now = context.now();
  let stored = cachedSession<StoredSession>(digestHex, now);
  if (stored === undefined) {
    stored = await findSessionByDigest(context.db, digest);
    if (stored) cacheSession(digestHex, stored, now);
  }
  if (!stored || !sessionLive(stored, now)) return null;
  const actor = actorOf(stored);
  if (!actor) return null;
  if (now.getTime() - stored.lastSeenAt.getTime() >= accessLimits.session.lastSeenWriteIntervalMs) {
    await touchSession(context.db, stored.id, now);
    noteSessionSeen(digestHex, now);
  }
  return {
    id: stored.id,
    kind: stored.kind,
    expiresAt: stored.expiresAt,
    actor,
    passwordChangeRequired: stored.operator?.passwordChangeRequired === true,
  };
}

function sessionLive(session: StoredSession, now: Date): boolean {
  if (session.revokedAt !== null || session.expiresAt.getTime() <= now.getTime()) return false;
  const idleMs =
    session.kind === 'console'
      ? accessLimits.session.consoleIdleMs
      : session.kind === 'citizen'
        ? accessLimits.session.citizenIdleMs
        : undefined;
  return idleMs === undefined || now.getTime() - session.lastSeenAt.getTime() < idleMs;
}

function actorOf(session: StoredSession): Actor | null {
  if (session.kind === 'citizen') {
    if (session.personId === null || session.personStatus !== 'active') return null;
    return { kind: 'citizen', personId: session.personId, sessionId: session.id };
  }
  const operator = session.operator;
  if (session.operatorId === null || !operator || operator.disabledAt !== null) return null;
  return {
    kind: 'operator',
    operatorId: session.operatorId,
    username: operator.username,
    roles: operator.roles,
    regions: operator.regions,
    sessionId: session.id,
  };
}
