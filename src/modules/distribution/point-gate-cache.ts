import { distributionLimits } from './limits.js';

const { pointGateCacheMs: cacheMs, pointGateCacheEntriesMax: entriesMax } = distributionLimits;

/**
 * The point gate's reading (the point with its status, whether the operator is assigned to it,
 * the programs it serves) as read within the last `limits.distribution.pointGateCacheMs`, per
 * point and operator: an operator at a busy point sends a request every few seconds, and each
 * otherwise read all three again (bench/distribution-redeem-cpu.ts). The role, region and purpose
 * decision is still made on every request, from the session's actor.
 *
 * The bound, a security property: a point closed, an operator removed from it or a program taken
 * off its allow-list through this process is refused from the next request on (`pointChanger`
 * calls `forgetPointGates`); through another server process, or in the database by hand, within
 * `pointGateCacheMs` (2 s).
 *
 * @example
 *   const found = cachedPointGate(key, now) ?? (await readPointGate(db, pointId, operatorId));
 */
const entries = new Map<string, { value: unknown; cachedAtMs: number }>();
/** After a forget nothing is cached for `cacheMs` of real time (a change forgotten before its commit). */
let fillsResumeAtMs = 0;

export function cachedPointGate<T>(key: string, now: Date): T | undefined {
  const entry = entries.get(key);
  if (entry === undefined) return undefined;
  const ageMs = now.getTime() - entry.cachedAtMs;
  // Safe: every entry under a key was stored by `cachePointGate` with the same T (one caller).
  if (ageMs >= 0 && ageMs < cacheMs) return entry.value as T;
  entries.delete(key);
  return undefined;
}

export function cachePointGate<T>(key: string, value: T, now: Date): void {
  if (cacheMs <= 0 || performance.now() < fillsResumeAtMs) return;
  if (entries.size >= entriesMax) entries.clear();
  entries.set(key, { value, cachedAtMs: now.getTime() });
}

/** Drops every cached gate reading: called by each write that changes a point or its members. */
export function forgetPointGates(): void {
  entries.clear();
  fillsResumeAtMs = performance.now() + cacheMs;
}
