import type { PGlite, Results } from '@electric-sql/pglite';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/**
 * Presents one PGlite instance as the pool Kysely's PostgresDialect expects.
 *
 * PGlite is a single connection, so the adapter hands out one client at a time: `connect()`
 * waits until the previous client is released. That serialises transactions, which is the
 * only correct behaviour on one connection (two interleaved transactions would merge).
 */
export class PgliteKyselyPool implements PostgresPool {
  readonly #pglite: PGlite;
  #queue: Promise<void> = Promise.resolve();
  #ended = false;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.#ended) throw new Error('PGlite pool is closed');
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#queue;
    this.#queue = previous.then(() => released);
    await previous;
    return new PgliteClient(this.#pglite, release);
  }

  async end(): Promise<void> {
    this.#ended = true;
    await this.#queue;
  }
}

/** Kysely reads `command` to decide whether `rowCount` means affected rows. */
function commandOf(sql: string): PostgresQueryResult<unknown>['command'] {
  const match = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|merge|select)\b/i.exec(sql);
  const word = (match?.[1] ?? 'select').toUpperCase();
  // Safe: the regular expression only matches these five words.
  return word as PostgresQueryResult<unknown>['command'];
}

class PgliteClient implements PostgresPoolClient {
  readonly #pglite: PGlite;
  readonly #release: () => void;
  #released = false;

  constructor(pglite: PGlite, release: () => void) {
    this.#pglite = pglite;
    this.#release = release;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') {
      throw new Error('Streaming cursors are not supported on the embedded database');
    }
    return this.#run<R>(sqlOrCursor, parameters ?? []);
  }

  async #run<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    // Like `pg`, a statement without parameters goes over the simple query protocol, which
    // accepts several statements in one string (migrations need that).
    const result =
      parameters.length === 0
        ? lastResult(await this.#pglite.exec(sql))
        : await this.#pglite.query<R>(sql, [...parameters]);
    return {
      command: commandOf(sql),
      rowCount: result.affectedRows ?? result.rows.length,
      // Safe: the caller states the row type, as with `pg`; PGlite does not check it either.
      rows: result.rows as R[],
    };
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#release();
  }
}

function lastResult(results: Results[]): Results {
  return results.at(-1) ?? { rows: [], fields: [], affectedRows: 0 };
}
