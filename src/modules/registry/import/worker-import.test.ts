import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { buildPerson } from '../../../../test/factories.js';
import { createTestKeyStore } from '../../../../test/keys.js';
import { open, unwrapDataKey } from '../../../platform/crypto/envelope.js';
import { AuditLog } from '../../audit/audit-log.js';
import { backfillSearchKeys } from '../search/search-backfill.js';
import { nameSearchKeys } from '../search/search-keys.js';
import { isValidUin } from '../uin/index.js';
import { ChunkEncoder } from './chunk-encoder.js';
import { buildFaultyPopulation, testReferenceDate, writeText } from './import-test-kit.js';
import { batchAuditEntry, personImporter } from './person-importer.js';
import { createOrFindJob, writeBatch } from './repository.js';
import { inspectImportFile } from './source-file.js';
import { UinRegister } from './uin-register.js';

/**
 * The worker pool must give what one pass in one thread gives: the same refused rows for the
 * same reasons, also when a row repeats a record or returns to a household from an earlier
 * chunk, and rows that open with the same keys.
 */
describe('personImporter with import workers', () => {
  const keys = createTestKeyStore();
  let database: TestDatabase;
  let auditLog: AuditLog;
  let workDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'amparo-import-workers-'));
    database = await createTestDatabase();
    auditLog = await AuditLog.open({ db: database.db, keys });
  });
  afterAll(async () => {
    await auditLog?.close();
    await database?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** The faulty population plus rows that only another chunk can refuse. */
  function crossChunkFile(): string {
    const lines = buildFaultyPopulation(200).csv.split('\r\n');
    const early = (lines[2] ?? '').split(',');
    // A late row of an early household (and a repeat of its record).
    const late = lines[3] ?? '';
    // A new household whose head repeats an early record (another chunk's).
    const repeatedHead = [early[0], 'HNEW1', 'head', ...early.slice(3)].join(',');
    const body = lines.filter((line) => line !== '');
    return `${[...body, late, repeatedHead].join('\r\n')}\r\n`;
  }

  async function importWith(file: string, workers: number) {
    return personImporter({
      db: database.db,
      databaseKind: database.kind,
      masterKey: keys.masterKey,
      audit: auditLog,
      facts: await inspectImportFile(file),
      errorFilePath: `${file}.errors.csv`,
      errorFileForm: { language: 'en' },
      today: testReferenceDate,
      batchPersons: 20,
      workers,
    });
  }

  it('refuses the same rows for the same reasons as one thread, and writes readable rows', async () => {
    const text = crossChunkFile();
    // Two files with the same rows (a trailing blank line changes the hash, not the rows).
    const single = writeText(path.join(workDir, 'single.csv'), text);
    const pooled = writeText(path.join(workDir, 'pooled.csv'), `${text}\r\n`);
    const inThread = await importWith(single, 0);
    const inWorkers = await importWith(pooled, 2);

    expect(inWorkers.personsImported).toBe(inThread.personsImported);
    expect(inWorkers.rowsInvalid).toBe(inThread.rowsInvalid);
    expect(readFileSync(`${pooled}.errors.csv`, 'utf8')).toBe(
      readFileSync(`${single}.errors.csv`, 'utf8'),
    );
    const errors = readFileSync(`${pooled}.errors.csv`, 'utf8');
    expect(errors).toMatch(/appeared earlier/);
    expect(errors).toMatch(/record R00000002 appears earlier in the file/);

    const rows = await sql<{
      person_id: string;
      uin: string;
      attributes: Record<string, unknown>;
      sealed_attributes: Buffer;
      wrapped_key: Buffer;
      name_keys: string[];
      name_tokens: string[];
    }>`select p.id as person_id, p.uin, v.attributes, v.sealed_attributes, k.wrapped_key, s.name_keys, s.name_tokens
         from import_row r
         join import_job j on j.id = r.job_id and j.file_name = 'pooled.csv'
         join person p on p.id = r.person_id
         join person_version v on v.person_id = p.id and v.version = 1
         join person_key k on k.person_id = p.id
         join person_search s on s.person_id = p.id`.execute(database.db);
    expect(rows.rows.length).toBe(inWorkers.personsImported);
    for (const row of rows.rows) {
      expect(isValidUin(row.uin)).toBe(true);
      const dataKey = unwrapDataKey(keys.masterKey, row.wrapped_key, row.person_id);
      const sealed = open(dataKey, row.sealed_attributes, {
        table: 'person_version',
        column: 'sealed_attributes',
        recordId: `${row.person_id}:1`,
      });
      expect(JSON.parse(sealed.toString('utf8'))).toBeTypeOf('object');
      expect(row.name_keys).toEqual(nameSearchKeys(row.attributes).keys);
      expect(row.name_tokens).toEqual(nameSearchKeys(row.attributes).tokens);
    }
  });

  it('backfills search keys a batch did not write, walking persons in key order', async () => {
    const removed = await database.asAdmin(async (admin) => {
      const result = await sql`delete from person_search
        where person_id in (select person_id from person_search order by person_id limit 250)`.execute(
        admin,
      );
      return Number(result.numAffectedRows);
    });
    expect(removed).toBe(250);
    expect(await backfillSearchKeys(database.db)).toBe(removed);
    const rows = await sql<{ attributes: Record<string, unknown>; name_keys: string[] }>`
      select v.attributes, s.name_keys from person_search s
        join person_version v on v.person_id = s.person_id and v.version = 1`.execute(database.db);
    const persons = await database.db.selectFrom('person').select('id').execute();
    expect(rows.rows.length).toBe(persons.length);
    for (const row of rows.rows) expect(row.name_keys).toEqual(nameSearchKeys(row.attributes).keys);
    expect(await backfillSearchKeys(database.db)).toBe(0);
  });

  it('fails the job, and stops its workers, when a worker cannot encode', async () => {
    const file = writeText(path.join(workDir, 'broken.csv'), `${crossChunkFile()}\r\n\r\n`);
    const failing = personImporter({
      db: database.db,
      databaseKind: database.kind,
      // A 16-byte key: AES-256-GCM refuses it when the first person is encoded.
      masterKey: keys.masterKey.subarray(0, 16),
      audit: auditLog,
      facts: await inspectImportFile(file),
      errorFilePath: `${file}.errors.csv`,
      errorFileForm: { language: 'en' },
      today: testReferenceDate,
      batchPersons: 20,
      workers: 2,
    });
    await expect(failing).rejects.toThrow(/import worker: Invalid key length/);
    const job = await database.db
      .selectFrom('import_job')
      .select(['status', 'failure'])
      .where('file_name', '=', 'broken.csv')
      .executeTakeFirstOrThrow();
    expect(job.status).toBe('failed');
  });

  it('redraws a UIN the registry already holds, and writes the whole batch', async () => {
    const lines = buildFaultyPopulation(40).csv.split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    const encoder = new ChunkEncoder({
      format: 'csv',
      header,
      today: '2026-01-01',
      regions: null,
      committed: [],
      masterKey: keys.masterKey,
    });
    const texts = lines.slice(1, 6);
    const { batch } = encoder.encode({
      lines: texts.map((_text, index) => index + 2),
      texts,
      recordIdsSeen: [],
      householdIdsClosed: [],
    });
    if (batch === undefined) throw new Error('the first households are valid');
    const taken = batch.uin[0] ?? '';
    await buildPerson(
      { database, masterKey: keys.masterKey },
      { uin: taken, region: batch.region[0] ?? 'VE-A' },
    );
    const job = await createOrFindJob(
      database.db,
      await inspectImportFile(writeText(path.join(workDir, 'redraw.csv'), lines.join('\r\n'))),
      { referenceDate: '2026-01-01', regions: null, startedBy: null },
    );
    const register = new UinRegister();
    await writeBatch(database.db, {
      jobId: job.id,
      batch,
      recordedBy: null,
      audit: auditLog,
      auditEntry: batchAuditEntry(job.id, batch),
      redrawUin: () => register.draw(),
      asynchronousCommit: false,
    });
    const written = await database.db
      .selectFrom('person')
      .select(['id', 'uin'])
      .where('id', 'in', batch.personId)
      .execute();
    expect(written.length).toBe(batch.personId.length);
    const redrawn = written.find((row) => row.id === batch.personId[0]);
    expect(redrawn?.uin).not.toBe(taken);
    expect(isValidUin(redrawn?.uin ?? '')).toBe(true);
  });
});
