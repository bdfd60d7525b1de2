import { accessLimits } from './limits.js';

/** What the cache needs of a stored session (session-repository.ts's `StoredSession`). */
interface CachedRow {
  kind: string;
  lastSeenAt: Date;
}

const { cacheMs, cacheEntriesMax } = accessLimits.session;

/**
 * Operator sessions (console and device) as read within the last `limits.access.session.cacheMs`,
 * keyed by the token's digest: a point's device sends many requests a minute, and each one
 * otherwise reads its session, operator and roles again (bench/distribution-redeem-cpu.ts).
 * What is cached is the row, not the decision: expiry and idle time are judged again on every
 * request against the current clock.
 *
 * The bound, a security property: a session revoked, or an operator disabled or given other roles
 * or regions, through this process is refused from the next request on (every such write in the
 * access module calls `forgetCachedSessions`); through another server process, or by hand in the
 * database, within `cacheMs` (2 s). Citizen sessions are never cached: the registry changes a
 * person's status (death, merge, erasure) without going through this module.
 *
 * @example
 *   const stored = cachedSession(digestHex, now) ?? (await findSessionByDigest(db, digest));
 */
const entries = new Map<string, { stored: CachedRow; cachedAtMs: number }>();
/**
 * After a forget, nothing is cached for `cacheMs` of real time: a revocation written inside a
 * transaction is forgotten before its commit, and a request resolved between the two would
 * otherwise cache the row as it was.
 */
let fillsResumeAtMs = 0;

export function cachedSession<T extends CachedRow>(digestHex: string, now: Date): T | undefined {
  const entry = entries.get(digestHex);
  if (entry === undefined) return undefined;
  const ageMs = now.getTime() - entry.cachedAtMs;
  // Safe: the one caller (sessions.ts) stores and reads StoredSession rows only.
  if (ageMs >= 0 && ageMs < cacheMs) return entry.stored as T;
  entries.delete(digestHex);
  return undefined;
}

export function cacheSession(digestHex: string, stored: CachedRow, now: Date): void {
  if (stored.kind === 'citizen' || cacheMs <= 0 || performance.now() < fillsResumeAtMs) return;
  // A bounded map: past the bound it starts again empty (a miss costs one read, nothing more).
  if (entries.size >= cacheEntriesMax) entries.clear();
  entries.set(digestHex, { stored, cachedAtMs: now.getTime() });
}

/** The last activity written for a cached session, so it is not written again every request. */
export function noteSessionSeen(digestHex: string, at: Date): void {
  const entry = entries.get(digestHex);
  if (entry !== undefined) entry.stored = { ...entry.stored, lastSeenAt: at };
}

/** Drops every cached session: called by each write that revokes sessions or changes operators. */
export function forgetCachedSessions(): void {
  entries.clear();
  fillsResumeAtMs = performance.now() + cacheMs;
}
