import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import type { Database } from './schema.js';

// Every dialect this machine can run: PGlite always, PostgreSQL whenever it is reachable
// (always in CI). The same query must hand the application the same JavaScript values on
// both: the card download and the import error file broke on PGlite because bytea arrived
// as a bare Uint8Array there and as a Buffer on PostgreSQL.
const dialects: Array<'pglite' | 'postgres'> =
  inject('testDatabase').kind === 'postgres' ? ['pglite', 'postgres'] : ['pglite'];

/**
 * One literal per column type Amparo uses (and the arrays of them), with the JavaScript
 * value the application must receive. `udt` is the type's name in information_schema, so
 * the last test can check that every type the migrations use is listed here.
 */
const cases: Array<{ udt: string; literal: string; expected: unknown }> = [
  { udt: 'bytea', literal: `'\\x0102ff'::bytea`, expected: Buffer.from([1, 2, 255]) },
  { udt: '_bytea', literal: `array['\\x01'::bytea, null]`, expected: [Buffer.from([1]), null] },
  { udt: 'int2', literal: '7::int2', expected: 7 },
  { udt: 'int4', literal: '-7::int4', expected: -7 },
  { udt: 'int8', literal: '9007199254740993::int8', expected: 9007199254740993n },
  { udt: '_int8', literal: 'array[1, null, 2]::int8[]', expected: [1n, null, 2n] },
  { udt: 'numeric', literal: '12.50::numeric', expected: '12.50' },
  { udt: '_numeric', literal: 'array[1.5]::numeric[]', expected: ['1.5'] },
  { udt: 'float8', literal: '0.25::float8', expected: 0.25 },
  { udt: 'bool', literal: 'true', expected: true },
  { udt: 'date', literal: `'2020-02-29'::date`, expected: '2020-02-29' },
  { udt: '_date', literal: `array['2020-01-01'::date]`, expected: ['2020-01-01'] },
  {
    udt: 'timestamptz',
    literal: `'2021-03-04T05:06:07.123Z'::timestamptz`,
    expected: new Date('2021-03-04T05:06:07.123Z'),
  },
  { udt: 'interval', literal: `'1 day'::interval`, expected: '1 day' },
  { udt: 'jsonb', literal: `'{"a":[1,"x"]}'::jsonb`, expected: { a: [1, 'x'] } },
  { udt: 'json', literal: `'{"b":null}'::json`, expected: { b: null } },
  {
    udt: 'uuid',
    literal: `'0190f0e4-7b3c-7000-8000-000000000001'::uuid`,
    expected: '0190f0e4-7b3c-7000-8000-000000000001',
  },
  {
    udt: '_uuid',
    literal: `array['0190f0e4-7b3c-7000-8000-000000000001'::uuid]`,
    expected: ['0190f0e4-7b3c-7000-8000-000000000001'],
  },
  { udt: 'text', literal: `'Peña'::text`, expected: 'Peña' },
  { udt: '_text', literal: `array['a', null]::text[]`, expected: ['a', null] },
  { udt: 'varchar', literal: `'VE-A'::varchar`, expected: 'VE-A' },
  { udt: 'bpchar', literal: `'VE'::char(2)`, expected: 'VE' },
  { udt: 'bit', literal: `B'101'`, expected: '101' },
];

/** The value's kind as the application sees it: Buffer and Uint8Array are not the same. */
function kindOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(kindOf);
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return 'Buffer';
  if (value instanceof Uint8Array) return 'Uint8Array';
  if (value instanceof Date) return 'Date';
  return typeof value;
}

async function selectAll(db: Kysely<Database>): Promise<Record<string, unknown>> {
  const columns = cases.map((c, index) => `${c.literal} as c${index}`).join(', ');
  // Safe: the literals are this file's constants, not input.
  const result = await sql<Record<string, unknown>>`${sql.raw(`select ${columns}`)}`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('no row');
  return row;
}

describe.each(dialects)('values read on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => database?.close());

  it.each(cases.map((c, index) => ({ ...c, index })))(
    '$udt arrives as the documented JavaScript value',
    async ({ index, expected }) => {
      const row = await selectAll(database.db);
      const value = row[`c${index}`];
      expect(kindOf(value)).toEqual(kindOf(expected));
      expect(value).toEqual(expected);
    },
  );

  it('a Buffer parameter round-trips through bytea and reads back as hex', async () => {
    const bytes = Buffer.from('6b49250aff00', 'hex');
    const result = await sql<{ b: Buffer; hex: string }>`
      select ${bytes}::bytea as b, encode(${bytes}::bytea, 'hex') as hex`.execute(database.db);
    const row = result.rows[0];
    expect(Buffer.isBuffer(row?.b)).toBe(true);
    expect(row?.b.toString('hex')).toBe('6b49250aff00');
    expect(row?.hex).toBe('6b49250aff00');
  });

  it('covers every column type the migrations use', async () => {
    const used = await database.asAdmin(async (admin) => {
      const result = await sql<{ udt_name: string }>`
        select distinct udt_name from information_schema.columns
         where table_schema = 'public' order by udt_name`.execute(admin);
      return result.rows.map((row) => row.udt_name);
    });
    const covered = new Set(cases.map((c) => c.udt));
    expect(used.filter((udt) => !covered.has(udt))).toEqual([]);
  });
});
