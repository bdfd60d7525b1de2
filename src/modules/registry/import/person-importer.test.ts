import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { createTestKeyStore } from '../../../../test/keys.js';
import { blindIndex, open, unwrapDataKey } from '../../../platform/crypto/envelope.js';
import { AuditLog } from '../../audit/audit-log.js';
import {
  buildFaultyPopulation,
  type FaultyPopulation,
  readErrorFile,
  registryCounts,
  testReferenceDate,
  writeText,
} from './import-test-kit.js';
import { personImporter } from './person-importer.js';
import { inspectImportFile } from './source-file.js';

describe('personImporter', () => {
  const keys = createTestKeyStore();
  let database: TestDatabase;
  let auditLog: AuditLog;
  let workDir: string;
  let population: FaultyPopulation;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'amparo-import-'));
    database = await createTestDatabase();
    auditLog = await AuditLog.open({ db: database.db, keys });
    population = buildFaultyPopulation(90);
  });
  afterAll(async () => {
    await auditLog?.close();
    await database?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function importFile(file: string, batchPersons = 10) {
    return personImporter({
      db: database.db,
      databaseKind: database.kind,
      masterKey: keys.masterKey,
      audit: auditLog,
      facts: await inspectImportFile(file),
      errorFilePath: `${file}.errors.csv`,
      today: testReferenceDate,
      batchPersons,
    });
  }

  it('imports the valid rows, refuses the others whole and lists each in the error file', async () => {
    const file = writeText(path.join(workDir, 'people.csv'), population.csv);
    const outcome = await importFile(file);
    const validRows = population.rows - population.invalidLines.size;
    expect(outcome.personsImported).toBe(validRows);
    expect(outcome.rowsInvalid).toBe(population.invalidLines.size);

    const errors = readErrorFile(`${file}.errors.csv`);
    expect(new Set(errors.map((error) => error.line))).toEqual(population.invalidLines);
    const keysSeen = errors.map((error) => `${error.line}/${error.field}`);
    expect(new Set(keysSeen).size).toBe(keysSeen.length);
    for (const [line, field] of population.faults) {
      expect(errors.filter((error) => error.line === line).map((error) => error.field)).toContain(
        field,
      );
    }
    expect(errors.map((error) => error.line)).toEqual(
      [...errors.map((error) => error.line)].sort((a, b) => a - b),
    );

    const counts = await registryCounts(database.db);
    expect(counts).toMatchObject({
      persons: validRows,
      versions: validRows,
      keys: validRows,
      memberships: validRows,
      importRows: validRows,
    });
    const imported = await database.db.selectFrom('import_row').select('line').execute();
    const importedLines = new Set(imported.map((row) => row.line));
    expect(importedLines.size).toBe(validRows);
    for (const line of population.invalidLines) expect(importedLines.has(line)).toBe(false);
  });

  it('writes each household whole inside one batch, with exactly one head', async () => {
    const memberships = await sql<{ household_id: string; heads: number; batches: number }>`
      select m.household_id, count(*) filter (where m.relationship = 'head')::int as heads,
             count(distinct b.first_line)::int as batches
        from household_membership m
        join import_row r on r.person_id = m.person_id
        join import_batch b on b.job_id = r.job_id and r.line between b.first_line and b.last_line
       group by m.household_id`.execute(database.db);
    expect(memberships.rows.length).toBeGreaterThan(10);
    for (const household of memberships.rows) {
      expect(household.heads).toBe(1);
      expect(household.batches).toBe(1);
    }
    const batches = await database.db.selectFrom('import_batch').selectAll().execute();
    // Ten persons per batch were asked for: many batches, some households crossing that mark.
    expect(batches.length).toBeGreaterThan(5);
    expect(batches.some((batch) => batch.persons > 10)).toBe(true);
  });

  it('stores sealed attributes, a phone blind index and version 1 with reason import', async () => {
    const row = await database.db
      .selectFrom('person_version as v')
      .innerJoin('person_key as k', 'k.person_id', 'v.person_id')
      .innerJoin('person_blind_index as b', 'b.person_id', 'v.person_id')
      .select([
        'v.person_id',
        'v.version',
        'v.reason',
        'v.attributes',
        'v.sealed_attributes',
        'k.wrapped_key',
        'b.digest',
      ])
      .executeTakeFirstOrThrow();
    expect(row.version).toBe(1);
    expect(row.reason).toBe('import');
    expect(row.attributes).not.toHaveProperty('phone');
    expect(row.attributes).not.toHaveProperty('income_band');
    const dataKey = unwrapDataKey(keys.masterKey, row.wrapped_key as Buffer, row.person_id);
    const sealed = JSON.parse(
      open(dataKey, row.sealed_attributes as Buffer, {
        table: 'person_version',
        column: 'sealed_attributes',
        recordId: `${row.person_id}:1`,
      }).toString('utf8'),
    );
    expect(sealed.phone).toMatch(/^\+58/);
    expect(row.digest).toEqual(blindIndex(keys.masterKey, 'phone', sealed.phone));
  });

  it('keeps income_band on the household, and audits one entry per batch', async () => {
    const versions = await database.db
      .selectFrom('household_version')
      .select('attributes')
      .execute();
    expect(versions.length).toBeGreaterThan(0);
    for (const version of versions)
      expect([1, 2, 3, 4, 5]).toContain(version.attributes.income_band);
    const entries = await sql<{ entry: string }>`select entry from audit_entry`.execute(
      database.db,
    );
    const imports = entries.rows
      .map((row) => JSON.parse(row.entry))
      .filter((entry) => entry.action === 'person.import');
    const batches = await database.db.selectFrom('import_batch').selectAll().execute();
    expect(imports.length).toBe(batches.length);
    const persons = imports.reduce(
      (sum, entry) => sum + Number(/persons:(\d+)$/.exec(entry.requestId)?.[1]),
      0,
    );
    expect(persons).toBe(population.rows - population.invalidLines.size);
    expect(imports[0].fields).toContain('given_names');
  });

  it('imports nothing new when the same file is imported again', async () => {
    const before = await registryCounts(database.db);
    const outcome = await importFile(path.join(workDir, 'people.csv'));
    expect(outcome.alreadyFinished).toBe(true);
    expect(outcome.personsWritten).toBe(0);
    expect(await registryCounts(database.db)).toEqual(before);
  });

  it('imports NDJSON rows like CSV rows', async () => {
    const before = await registryCounts(database.db);
    // A different file (hash): the same records again, as NDJSON, become new persons.
    const file = writeText(path.join(workDir, 'people.ndjson'), population.ndjson);
    const outcome = await importFile(file, 1000);
    const ndjsonInvalid = population.invalidLines.size - 1; // no unreadable row in NDJSON
    expect(outcome.rowsInvalid).toBe(ndjsonInvalid);
    expect(outcome.personsImported).toBe(population.rows - 1 - ndjsonInvalid);
    const after = await registryCounts(database.db);
    expect(after.persons - before.persons).toBe(outcome.personsImported);
  });
});
