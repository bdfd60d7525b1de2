/**
 * PostgreSQL's unique_violation (23505), on both dialects: a row another transaction wrote
 * meanwhile under the same unique key. Callers answer it as the conflict it is (409
 * `AMP_CONFLICT`) rather than as an internal error.
 *
 * @example
 *   try { await insertVersion(trx); } catch (error) { if (isUniqueViolation(error)) ... }
 */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}
