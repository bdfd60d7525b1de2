import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { createTestKeyStore } from '../../../../test/keys.js';
import { AuditLog } from '../../audit/audit-log.js';
import {
  buildFaultyPopulation,
  registryCounts,
  testReferenceDate,
  writeText,
} from './import-test-kit.js';
import { personImporter } from './person-importer.js';
import { inspectImportFile } from './source-file.js';

/** The embedded database takes the same statements (arrays as parameters, unnest). */
describe('personImporter on PGlite', () => {
  const keys = createTestKeyStore();
  let database: TestDatabase;
  let workDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'amparo-import-pglite-'));
    database = await createTestDatabase('pglite');
  });
  afterAll(async () => {
    await database?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('imports the valid rows of a small file', async () => {
    const population = buildFaultyPopulation(40);
    const file = writeText(path.join(workDir, 'people.csv'), population.csv);
    const auditLog = await AuditLog.open({ db: database.db, keys });
    const outcome = await personImporter({
      db: database.db,
      databaseKind: 'pglite',
      masterKey: keys.masterKey,
      audit: auditLog,
      facts: await inspectImportFile(file),
      errorFilePath: `${file}.errors.csv`,
      today: testReferenceDate,
      batchPersons: 8,
    });
    await auditLog.close();
    const validRows = population.rows - population.invalidLines.size;
    expect(outcome.personsImported).toBe(validRows);
    expect(await registryCounts(database.db)).toMatchObject({
      persons: validRows,
      importRows: validRows,
    });
  });
});
