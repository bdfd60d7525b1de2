/**
 * SQLSTATE classes and codes that say the database is overloaded, restarting or unreachable,
 * not that the request was wrong: the request may simply be sent again a moment later.
 * 08 connection exception; 53 insufficient resources (too many connections, out of memory or
 * disk); 57014 query cancelled (the statement timeout); 57P01–57P03 the server shutting down,
 * crashed or starting; 55P03 a lock not obtained within `lock_timeout`; 40001 and 40P01 a
 * serialisation failure or deadlock, which PostgreSQL itself says to retry.
 */
const retryableSqlStates = /^(08|53)|^(57014|57P01|57P02|57P03|55P03|40001|40P01)$/;

/** Node socket errors of a database that is not there or went away. */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);

/**
 * Whether an error means "the database cannot serve this now" (an overloaded pool, a
 * statement timeout, PostgreSQL restarting): the problem handler answers these 503 with
 * Retry-After instead of 500, so a client backs off and retries (issue #15: under overload
 * the redemption benchmark saw 500s).
 *
 * @example
 *   databaseUnavailable(new Error('timeout exceeded when trying to connect')); // true
 */
export function databaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (retryableSqlStates.test(code) || socketCodes.has(code))) {
    return true;
  }
  // node-postgres raises these as plain errors, without a code.
  return /^(timeout exceeded when trying to connect|Connection terminated( unexpectedly| due to connection timeout)?|Client has encountered a connection error and is not queryable|Cannot use a pool after calling end on the pool)$/.test(
    error.message,
  );
}
