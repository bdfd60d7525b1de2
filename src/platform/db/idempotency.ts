import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { AmparoError } from '../errors.js';
import type { Database } from './schema.js';

/** The first answer to a retryable write, replayed to every retry with the same body. */
export interface IdempotentResult<Body> {
  status: number;
  body: Body;
}

export interface IdempotencyKey {
  /** The operation, e.g. `registry.enrol`; the same client id may be reused across scopes. */
  scope: string;
  /** The client-generated UUID sent with the write. */
  clientId: string;
  /**
   * Everything that defines the request (body and path parameters). A retry must send the
   * same; key order does not matter.
   */
  request: unknown;
}

/**
 * Runs a retryable write at most once per (scope, client id), DESIGN.md "Identifiers". The
 * work runs in a transaction that also stores its answer, so the write and the record of it
 * commit together. A transaction-scoped advisory lock on the key makes simultaneous retries
 * queue: the second sees the first's committed answer instead of writing again.
 *
 * Only successful answers are kept. A refused write (4xx) has changed nothing, so a retry
 * simply runs again and is refused the same way.
 *
 * The stored body must hold identifiers only (the table is `operational`, never personal).
 *
 * @example
 *   const result = await runIdempotent(db, { scope: 'registry.enrol', clientId, request: body },
 *     async (trx) => ({ status: 201, body: { personId } }));
 *   reply.code(result.status).send(result.body);
 */
export async function runIdempotent<Body>(
  db: Kysely<Database>,
  key: IdempotencyKey,
  work: (
    trx: Transaction<Database>,
    answer: { row(result: IdempotentResult<Body>): IdempotencyRow },
  ) => Promise<IdempotentResult<Body>>,
  options: {
    /**
     * The work inserts `answer.row(result)` into `idempotency_record` itself, in one of its own
     * statements (a hot path saving a round trip); otherwise it is inserted after the work.
     */
    workStoresAnswer?: boolean;
  } = {},
): Promise<IdempotentResult<Body> & { replayed: boolean }> {
  const requestSha256 = requestDigest(key.request);
  return db.transaction().execute(async (trx) => {
    // The key's lock, then its first answer read under it, in one call (migration 0057).
    const claimed = await sql<{
      request_sha256: Buffer;
      response_status: number;
      response_body: unknown;
    }>`select * from idempotency_claim(${lockNumber(key.scope, key.clientId)}::bigint, ${key.scope}, ${key.clientId}::uuid)`.execute(
      trx,
    );
    const previous = claimed.rows[0];
    if (previous !== undefined) {
      if (!previous.request_sha256.equals(requestSha256)) {
        throw new AmparoError('AMP_IDEMPOTENCY_MISMATCH', {
          detail: `clientId ${key.clientId} was already used for a different request; send a new clientId for a new write`,
          errors: [{ field: 'body/clientId', reason: 'already used with a different body' }],
        });
      }
      // Safe: the body was stored from a result of this same scope's work.
      const body = previous.response_body as Body;
      return { status: previous.response_status, body, replayed: true };
    }
    const row = (result: IdempotentResult<Body>): IdempotencyRow => ({
      scope: key.scope,
      key: key.clientId,
      request_sha256: requestSha256,
      response_status: result.status,
      response_body: JSON.stringify(result.body),
    });
    const result = await work(trx, { row });
    if (options.workStoresAnswer !== true) {
      await trx.insertInto('idempotency_record').values(row(result)).execute();
    }
    return { ...result, replayed: false };
  });
}

/** A key of `claimIdempotencyKeys`: its digest, and its first answer if one was recorded. */
export interface ClaimedKey<Body> {
  requestSha256: Buffer;
  /** The first answer under this key; undefined for a key never answered. */
  previous?: { requestSha256: Buffer; status: number; body: Body };
  /** The row that keeps this key's answer (`workStoresAnswer`: the caller inserts it). */
  row(result: IdempotentResult<Body>): IdempotencyRow;
}

/**
 * `runIdempotent`'s claim for several keys of one scope in the caller's transaction, in one
 * statement: each key's advisory lock, taken in lock-number order (so two transactions claiming
 * overlapping keys queue rather than deadlock), then its first answer read under the lock (the
 * function reads with a fresh snapshot after each lock, migration 0057). The keys must be
 * distinct. The caller decides what a previous answer means (replay, or a mismatch) and inserts
 * the rows of the keys it answers.
 *
 * @example
 *   const claimed = await claimIdempotencyKeys(trx, 'distribution.redeem', [{ clientId, request }]);
 *   claimed[0].previous === undefined; // a first write
 */
export async function claimIdempotencyKeys<Body>(
  trx: Transaction<Database>,
  scope: string,
  keys: readonly { clientId: string; request: unknown }[],
): Promise<ClaimedKey<Body>[]> {
  const locks = keys.map((key) => lockNumber(scope, key.clientId));
  const { rows } = await sql<{
    ord: string;
    request_sha256: Buffer;
    response_status: number;
    response_body: unknown;
  }>`
    select k.ord, c.request_sha256, c.response_status, c.response_body
    from (select * from unnest(${locks}::bigint[], ${keys.map((key) => key.clientId)}::uuid[])
            with ordinality as u (lock, key, ord)
          order by lock, ord) k
    cross join lateral idempotency_claim(k.lock, ${scope}, k.key) c
  `.execute(trx);
  const previous = new Map(rows.map((row) => [Number(row.ord) - 1, row]));
  return keys.map((key, index) => {
    const requestSha256 = requestDigest(key.request);
    const found = previous.get(index);
    const row = (result: IdempotentResult<Body>): IdempotencyRow => ({
      scope,
      key: key.clientId,
      request_sha256: requestSha256,
      response_status: result.status,
      response_body: JSON.stringify(result.body),
    });
    if (found === undefined) return { requestSha256, row };
    // Safe: the body was stored from a result of this same scope's work.
    const body = found.response_body as Body;
    return {
      requestSha256,
      row,
      previous: { requestSha256: found.request_sha256, status: found.response_status, body },
    };
  });
}

/** The `idempotency_record` row that keeps a first answer. */
export interface IdempotencyRow {
  scope: string;
  key: string;
  request_sha256: Buffer;
  response_status: number;
  /** The answer as JSON text. */
  response_body: string;
}

/**
 * SHA-256 of the request in canonical JSON (object keys sorted at every depth), so that a
 * retry from a client that serialises keys in another order is still the same request.
 *
 * @example
 *   requestDigest({ b: 1, a: 2 }).equals(requestDigest({ a: 2, b: 1 })); // true
 */
export function requestDigest(request: unknown): Buffer {
  return createHash('sha256').update(canonicalJson(request), 'utf8').digest();
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A signed 64-bit advisory-lock number from the key; a collision only makes two keys queue. */
function lockNumber(scope: string, clientId: string): string {
  const digest = createHash('sha256').update(`idempotency|${scope}|${clientId}`).digest();
  return digest.readBigInt64BE(0).toString();
}
