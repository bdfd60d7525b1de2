import Fastify from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { databaseUnavailable } from '../db/database-unavailable.js';
import { installProblemHandler } from './problem-handler.js';

/**
 * An overloaded or unreachable database is answered 503 with Retry-After, never 500 (issue
 * #15: the redemption benchmark's open loop got 500s when the pool ran out). The errors are
 * real ones from the database and the driver, raised through a route.
 */
describe('a database that cannot serve now: 503 with Retry-After', () => {
  let database: TestDatabase;
  const app = Fastify();
  let failWith: () => Promise<unknown> = async () => undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    installProblemHandler(app);
    app.get('/work', async () => {
      await failWith();
      return { ok: true };
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await database.close();
  });

  const raised = (sqlState: string) => async () =>
    sql`do $$ begin raise exception 'raised' using errcode = ${sql.lit(sqlState)}; end $$`.execute(
      database.db,
    );

  it.each([
    ['57014', 'statement timeout'],
    ['53300', 'too many connections'],
    ['57P01', 'server shutting down'],
    ['40P01', 'deadlock'],
  ])('answers SQLSTATE %s (%s) with 503 and Retry-After', async (sqlState) => {
    failWith = raised(sqlState);
    const response = await app.inject({ method: 'GET', url: '/work' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toMatchObject({ code: 'AMP_NOT_READY' });
  });

  it('still answers a fault of the query itself with 500', async () => {
    failWith = raised('22012');
    const response = await app.inject({ method: 'GET', url: '/work' });
    expect(response.statusCode).toBe(500);
    expect(response.headers['retry-after']).toBeUndefined();
  });

  it('answers a refused connection with 503', async () => {
    // Port 1 on the loopback: nothing listens there, so the driver's connect is refused.
    const client = new pg.Client({ host: '127.0.0.1', port: 1, user: 'nobody' });
    const refusal = await client.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(databaseUnavailable(refusal)).toBe(true);
    failWith = async () => {
      throw refusal;
    };
    const response = await app.inject({ method: 'GET', url: '/work' });
    expect(response.statusCode).toBe(503);
  });

  // A pool exists on PostgreSQL only: the embedded database is one connection in-process.
  const onPostgres = inject('testDatabase').kind === 'postgres';
  if (onPostgres) {
    it('answers a pool with no free connection in time with 503', async () => {
      const pool = new pg.Pool({
        connectionString: inject('testDatabase').url,
        max: 1,
        // Long enough for the first connection on a loaded machine; the second waits it out.
        connectionTimeoutMillis: 1_000,
      });
      const held = await pool.connect();
      try {
        const timeout = await pool.query('select 1').then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(databaseUnavailable(timeout)).toBe(true);
        failWith = async () => {
          throw timeout;
        };
        const response = await app.inject({ method: 'GET', url: '/work' });
        expect(response.statusCode).toBe(503);
        expect(response.headers['retry-after']).toBe('1');
      } finally {
        held.release();
        await pool.end();
      }
    });
  }
});
