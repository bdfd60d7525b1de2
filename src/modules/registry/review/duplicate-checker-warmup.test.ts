import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { createTestKeyStore } from '../../../../test/keys.js';
import { loadPopulation } from '../../../../test/population-loader.js';
import { build } from '../../../app.js';
import { loadConfig } from '../../../config.js';
import { installProblemHandler } from '../../../platform/http/problem-handler.js';
import { generatePopulation } from '../../demo/population.js';
import type { PopulationRecord } from '../import/population-record.js';
import { generateUin } from '../uin/index.js';
import type { DuplicateInput } from './duplicate-checker.js';
import { DuplicateIndexWarmingError, startDuplicateChecker } from './duplicate-checker-warmup.js';

function inputOf(record: PopulationRecord): DuplicateInput {
  return {
    attributes: {
      given_names: record.givenNames,
      first_surname: record.firstSurname,
      second_surname: record.secondSurname,
      sex: record.sex,
      birth_date: record.birthDate,
    },
    phoneDigest: null,
  };
}

/**
 * Holds an exclusive lock on the person table from another connection, so the index build
 * waits on its first read for as long as the test wants: the build is observed in progress
 * without a fake clock or a fake database.
 */
async function holdPersonTable(database: TestDatabase): Promise<() => Promise<void>> {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked: () => void = () => {};
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const transaction = database.asAdmin((admin) =>
    admin.transaction().execute(async (trx) => {
      await sql`lock table person in access exclusive mode`.execute(trx);
      locked();
      await released;
    }),
  );
  await isLocked;
  return async () => {
    release();
    await transaction;
  };
}

describe('duplicate index built in the background', () => {
  let database: TestDatabase;
  let records: PopulationRecord[];

  beforeAll(async () => {
    database = await createTestDatabase();
    records = [
      ...generatePopulation({
        persons: 201,
        seed: 'duplicate-warmup-test',
        duplicateShare: 0,
        referenceDate: '2026-01-01',
      }),
    ];
    await loadPopulation(database.db, records.slice(0, 200), {
      masterKey: randomBytes(32),
      nextUin: () => generateUin(),
      reason: 'demo',
    });
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  it('refuses the check with 503 and a retry hint while building, never skipping it, then finds duplicates', async () => {
    const releaseTable = await holdPersonTable(database);
    const checker = startDuplicateChecker(database.db);
    try {
      expect(checker.status()).toMatchObject({ state: 'warming', indexedPersons: 0 });
      const refused = await checker.findCandidates(inputOf(records[0] as PopulationRecord)).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(DuplicateIndexWarmingError);
      expect(refused).toMatchObject({ code: 'AMP_NOT_READY', status: 503 });
      expect((refused as Error).message).toMatch(/^duplicate index warming up, retry in \d+ s$/);
      expect((refused as DuplicateIndexWarmingError).retryAfterSeconds).toBeGreaterThan(0);
      // Enrolled during the build (a review decision, say): kept and added once built.
      const late = records[200] as PopulationRecord;
      checker.recordEnrolment('late-person', inputOf(late));
    } finally {
      await releaseTable();
    }
    await checker.ready;
    expect(checker.status()).toEqual({
      state: 'ready',
      indexedPersons: 201,
      retryAfterSeconds: null,
    });
    const original = records[7] as PopulationRecord;
    const stored = await database.asAdmin((admin) =>
      admin
        .selectFrom('person_version')
        .select('person_id')
        .where(sql<string>`attributes->>'given_names'`, '=', original.givenNames)
        .where(sql<string>`attributes->>'first_surname'`, '=', original.firstSurname)
        .where(sql<string>`attributes->>'birth_date'`, '=', original.birthDate)
        .executeTakeFirstOrThrow(),
    );
    const again = await checker.findCandidates(inputOf(original));
    expect(again.map((candidate) => candidate.personId)).toContain(stored.person_id);
    const late = await checker.findCandidates(inputOf(records[200] as PopulationRecord));
    expect(late.map((candidate) => candidate.personId)).toContain('late-person');
    checker.close();
  });

  it('lets the server start while the index builds, and /readyz says so', async () => {
    const releaseTable = await holdPersonTable(database);
    const config = loadConfig({ LOG_LEVEL: 'silent', AMPARO_WEB_DIR: '/nonexistent' });
    // build() returns although the index cannot read a single person yet.
    const app = await build(config, {
      database: { ...database.handle, close: async () => {} },
      keys: createTestKeyStore(),
      duplicateIndex: 'background',
    });
    try {
      const warming = await app.inject({ url: '/readyz' });
      expect(warming.statusCode).toBe(200);
      expect(warming.json()).toMatchObject({
        status: 'ready',
        duplicateIndex: { state: 'warming', indexedPersons: 0 },
      });
      expect(warming.json().duplicateIndex.retryAfterSeconds).toBeGreaterThan(0);
      await releaseTable();
      let state = 'warming';
      for (let attempt = 0; attempt < 200 && state !== 'ready'; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        state = (await app.inject({ url: '/readyz' })).json().duplicateIndex.state;
      }
      expect((await app.inject({ url: '/readyz' })).json().duplicateIndex).toEqual({
        state: 'ready',
        indexedPersons: 200,
        retryAfterSeconds: null,
      });
    } finally {
      await releaseTable();
      await app.close();
    }
  });
});

describe('a refusal while the index warms', () => {
  it('reaches the client as 503 problem+json with Retry-After, through the one problem handler', async () => {
    const app = Fastify();
    installProblemHandler(app);
    app.post('/enrol', async () => {
      throw new DuplicateIndexWarmingError(7, false);
    });
    try {
      const answer = await app.inject({ method: 'POST', url: '/enrol' });
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['retry-after']).toBe('7');
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.json()).toMatchObject({ code: 'AMP_NOT_READY' });
    } finally {
      await app.close();
    }
  });
});
