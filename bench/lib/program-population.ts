import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import { sealVersion } from '../../src/modules/registry/persons/sealed-attributes.js';
import { wrapDataKey } from '../../src/platform/crypto/envelope.js';
import { appRole, createPostgresPool, kyselyOverPool } from '../../src/platform/db/database.js';
import { migrateUp } from '../../src/platform/db/migrator.js';
import type { Database } from '../../src/platform/db/schema.js';

/**
 * A throwaway PostgreSQL database for the programs benchmarks, and a synthetic population
 * written with `generate_series` (never through the API): persons `[from, to)` in households
 * of four (head, spouse, two children), every attribute derived from the person's number so a
 * population can be grown in steps. With a master key, each person also gets a data key and
 * a sealed disability status, sealed in Node (PostgreSQL has no AES-GCM) and copied in.
 * PostgreSQL: TEST_DATABASE_URL (a superuser), default postgres://postgres@127.0.0.1:5432/postgres.
 */
export interface BenchDatabase {
  admin: Kysely<Database>;
  app: Kysely<Database>;
  /** The application role's URL of this database, for a server in another process. */
  appUrl: string;
  close(): Promise<void>;
}

export async function throwawayDatabase(
  tag: string,
  serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
): Promise<BenchDatabase> {
  const name = `amparo_bench_${tag}_${randomBytes(4).toString('hex')}`;
  const server = kyselyOverPool(createPostgresPool(serverUrl, 1));
  await sql`create database ${sql.id(name)}`.execute(server);
  const adminUrl = withDatabase(serverUrl, name);
  // One connection, without the application's 30 s statement limit: generating a million
  // persons is one statement per table. The application pool keeps the limit, as in production.
  const admin = kyselyOverPool(createPostgresPool(adminUrl, 1));
  await sql`set statement_timeout = 0`.execute(admin);
  await migrateUp(admin);
  const appUrl = withUser(adminUrl, appRole);
  const app = kyselyOverPool(createPostgresPool(appUrl, 4));
  return {
    admin,
    app,
    appUrl,
    async close() {
      await app.destroy();
      await admin.destroy();
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(server);
      await server.destroy();
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function withUser(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = '';
  return parsed.toString();
}

/** PostgreSQL's `md5(text)::uuid`, in Node. */
export function personId(g: number): string {
  const hex = createHash('md5').update(`p${g}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const disabilities = ['none', 'none', 'none', 'physical', 'visual', 'hearing', 'intellectual'];

/** Adds persons `[from, to)` (multiples of 4); returns the seconds it took. */
export async function addPersons(
  database: Kysely<Database>,
  from: number,
  to: number,
  masterKey?: Buffer,
): Promise<number> {
  // One connection throughout, without the statement limit: the pool may have replaced the
  // connection that `throwawayDatabase` lifted it on (3,000,000 persons hit the 30 s limit).
  return database.connection().execute(async (admin) => {
    await sql`set statement_timeout = 0`.execute(admin);
    return insertPersons(admin, from, to, masterKey);
  });
}

async function insertPersons(
  admin: Kysely<Database>,
  from: number,
  to: number,
  masterKey: Buffer | undefined,
): Promise<number> {
  const started = performance.now();
  const range = sql`generate_series(${from}::int8, ${to - 1}::int8) g`;
  await sql`insert into person (id, uin, status, region_code)
    select md5('p' || g)::uuid, (2000000000 + g)::text, 'active', 'VE-' || chr(65 + ((g / 4) % 24)::int)
      from ${range}`.execute(admin);
  if (masterKey !== undefined) await stageSealed(admin, from, to, masterKey);
  const sealedJoin =
    masterKey === undefined
      ? sql`null::bytea`
      : sql`(select decode(s.box, 'hex') from bench_sealed s where s.g = g.g)`;
  await sql`insert into person_version (person_id, version, attributes, sealed_attributes, reason)
    select md5('p' || g)::uuid, 1, jsonb_strip_nulls(jsonb_build_object(
             'given_names', 'Ana', 'first_surname', 'Pérez',
             'sex', case when g % 23 = 0 then null when (g * 2654435761) % 1000 < 505 then 'F' else 'M' end,
             'birth_date', to_char(date '1926-01-01' + ((g * 104729) % 36500)::int, 'YYYY-MM-DD'),
             'state_code', 'VE-' || chr(65 + ((g / 4) % 24)::int))),
           ${sealedJoin}, 'demo'
      from ${range}`.execute(admin);
  const households = sql`generate_series(${from / 4}::int8, ${to / 4 - 1}::int8) h`;
  await sql`insert into household (id, region_code)
    select md5('h' || h)::uuid, 'VE-' || chr(65 + (h % 24)::int) from ${households}`.execute(admin);
  await sql`insert into household_version (household_id, version, attributes, reason)
    select md5('h' || h)::uuid, 1, jsonb_build_object('income_band', 1 + (h * 7919) % 5), 'demo'
      from ${households} where h % 10 <> 0`.execute(admin);
  await sql`insert into household_membership (household_id, person_id, relationship)
    select md5('h' || (g / 4))::uuid, md5('p' || g)::uuid,
           case g % 4 when 0 then 'head' when 1 then 'spouse' else 'child' end
      from ${range}`.execute(admin);
  if (masterKey !== undefined) {
    await sql`insert into person_key (person_id, wrapped_key)
      select md5('p' || s.g)::uuid, decode(s.wrapped, 'hex') from bench_sealed s
       where s.g >= ${from} and s.g < ${to}`.execute(admin);
    await sql`truncate bench_sealed`.execute(admin);
  }
  await sql`analyze`.execute(admin);
  return (performance.now() - started) / 1000;
}

/** Data keys and sealed disability statuses, computed here and staged for the inserts. */
async function stageSealed(
  admin: Kysely<Database>,
  from: number,
  to: number,
  masterKey: Buffer,
): Promise<void> {
  await sql`create unlogged table if not exists bench_sealed (
    g int8 primary key, wrapped text not null, box text not null)`.execute(admin);
  const batch = 20_000;
  for (let start = from; start < to; start += batch) {
    const gs: number[] = [];
    const wrapped: string[] = [];
    const boxes: string[] = [];
    const keys = randomBytes(32 * batch);
    for (let g = start; g < Math.min(to, start + batch); g += 1) {
      const id = personId(g);
      const dataKey = keys.subarray((g - start) * 32, (g - start + 1) * 32);
      const status = disabilities[(g * 7919) % disabilities.length] ?? 'none';
      gs.push(g);
      wrapped.push(wrapDataKey(masterKey, dataKey, id).toString('hex'));
      boxes.push(sealVersion(dataKey, id, 1, { disability_status: status }).toString('hex'));
    }
    await sql`insert into bench_sealed (g, wrapped, box)
      select * from unnest(${gs}::int8[], ${wrapped}::text[], ${boxes}::text[])`.execute(admin);
  }
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * Waits, when `AMPARO_BENCH_QUIET_LOAD` is set, until the one-minute load average is below it
 * (checked every 10 s, for at most an hour): a long set-up can then run beside other work and
 * the measured part start once the machine is quiet. Says on stderr what it waits for.
 */
export async function untilQuiet(): Promise<void> {
  const below = Number(process.env.AMPARO_BENCH_QUIET_LOAD);
  if (!(below > 0)) return;
  const until = Date.now() + 3_600_000;
  for (;;) {
    const now = Number(loadAverage().split(' ')[0]);
    if (now < below || Date.now() > until) return;
    process.stderr.write(`waiting for load < ${below} (now ${now})\n`);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
}

export function seconds(startedMs: number): number {
  return +((performance.now() - startedMs) / 1000).toFixed(2);
}
